"""What tests share: what they say to the API and how they check its refusals
(docs/decisions/0002), and where the standards' vectors and public data are.

``api_get(world.wendy, "/api/v1/me")`` sends a JSON request as a person (signed in through
the session), as an anonymous visitor (``None``) or through a prepared ``Client`` (a token in
its ``HTTP_AUTHORIZATION``, a language cookie); ``assert_error(response, "not_found")``
checks the whole error envelope, not only the status, so a refusal for the wrong reason
(a 409 masking a hole, a 422 from the wrong field) fails.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client

if TYPE_CHECKING:
    from nomadcloud.accounts.models import User

# The status each generic code answers with (decision 0002); a specific code names its
# status explicitly through ``status=``.
STATUS_OF_CODE = {
    "http_error": 400,
    "not_authenticated": 401,
    "forbidden": 403,
    "scope": 403,
    "person_only": 403,
    "session_only": 403,
    "operator_only": 403,
    "not_found": 404,
    "conflict": 409,
    "invalid_input": 422,
}


def as_client(who: User | Client | None) -> Client:
    """``who`` as a client: itself if it is one, else a client signed in as that person (or
    anonymous for ``None``)."""
    if isinstance(who, Client):
        return who
    client = Client()
    if who is not None:
        client.force_login(who)
    return client


def _send(who: User | Client | None, method: str, path: str, body: Any, headers: Any) -> Any:
    data = "" if body is None else json.dumps(body)
    return as_client(who).generic(method, path, data, content_type="application/json", **headers)


def api_get(who: User | Client | None, path: str, **headers: Any) -> Any:
    return as_client(who).get(path, **headers)


def api_post(who: User | Client | None, path: str, body: Any = None, **headers: Any) -> Any:
    return _send(who, "POST", path, {} if body is None else body, headers)


def api_patch(who: User | Client | None, path: str, body: Any = None, **headers: Any) -> Any:
    return _send(who, "PATCH", path, {} if body is None else body, headers)


def api_delete(who: User | Client | None, path: str, body: Any = None, **headers: Any) -> Any:
    return _send(who, "DELETE", path, body, headers)


def assert_error(
    response: HttpResponse, code: str, field: str | None = None, status: int | None = None
) -> dict[str, Any]:
    """The response is the error envelope ``{"code", "message", "fields"}`` with ``code``
    (and ``field`` among its fields); its status is ``status``, or the one decision 0002
    gives the code. Returns the envelope for further checks."""
    expected_status = status if status is not None else STATUS_OF_CODE.get(code)
    content = response.content.decode(errors="replace")[:500]
    assert response.get("Content-Type", "").startswith("application/json"), (
        response.status_code,
        content,
    )
    body: dict[str, Any] = json.loads(response.content)
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["fields"], dict), body
    if expected_status is not None:
        assert response.status_code == expected_status, (response.status_code, body)
    else:
        assert 400 <= response.status_code < 500, (response.status_code, body)
    if field is not None:
        assert field in body["fields"], body
    return body


def assert_page_refused(response: HttpResponse, status: int, *texts: str) -> str:
    """A page answered ``status`` and shows each of ``texts`` (a refusal's localized message,
    the field it names). Returns the page's text."""
    page = response.content.decode()
    assert response.status_code == status, (response.status_code, page[:500])
    for text in texts:
        assert text in page, text
    return page


# --- the standards' vectors and public data (../shared/data, read in place) ------------------

SHARED_DATA = Path(
    os.environ.get("NOMADCLOUD_EVAL_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)
"""``../shared/data`` next to the repository, or ``$NOMADCLOUD_EVAL_DATA``."""

F = TypeVar("F", bound=Callable[..., Any])


def shared_data(*parts: str) -> Path:
    """The path of ``parts`` under the shared data folder. When it is absent the calling test
    is skipped on a developer's machine, but fails when the ``CI`` environment variable is
    set: there a missing folder would silently turn the vector tests into skips."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"{path} is absent (the shared data folder, see ../shared/data/README.md)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; under CI it must be present", pytrace=False)
        pytest.skip(message)
    return path


def needs_shared_data(*parts: str) -> Callable[[F], F]:
    """A test that reads ``shared_data(*parts)``: checked (skip, or fail under CI) before the
    test runs. Keeps the test's marks and parameters."""

    def decorate(test: F) -> F:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            shared_data(*parts)
            return test(*args, **kwargs)

        return run  # type: ignore[return-value]

    return decorate


def shared_cases(cases: Sequence[Any], width: int = 1) -> list[Any]:
    """Parameters read from the shared data for ``pytest.mark.parametrize``; when there are
    none (the folder is absent), one placeholder case of ``width`` values, so that the test
    runs and its ``needs_shared_data`` skips or fails it (pytest would skip an empty set
    quietly, even under CI)."""
    if cases:
        return list(cases)
    return [pytest.param(*([None] * width), id="absent")]


# --- registering through the page (accounts/signup.py) -----------------------------------------

REGISTER = "/accounts/register/"
REGISTER_CONFIRM = "/accounts/register/confirm/"


def sent_code(to: str) -> str:
    """The last one-time code sent to ``to``: an e-mail address (the test mail outbox) or a
    mobile number (the SMS ``MemoryBackend``; set ``settings.SMS_BACKEND`` to it)."""
    import re

    from django.core import mail

    from nomadcloud.accounts.sms import MemoryBackend

    texts = [m.body for m in mail.outbox if to in m.to] + [
        text for number, text in MemoryBackend.outbox if number == to
    ]
    assert texts, f"no code was sent to {to}"
    found = re.search(r"\b(\d{6})\b", texts[-1])
    assert found is not None, texts[-1]
    return found.group(1)


def register_through_page(client: Client, fields: dict[str, Any], path: str = REGISTER) -> Any:
    """Fill in the registration form, then the code sent to the e-mail address (or the
    mobile number): the answer to the code, a redirect to where the new person continues."""
    answer = client.post(path, fields)
    assert answer.status_code == 302, (answer.status_code, answer.content.decode()[:500])
    assert answer["Location"] == REGISTER_CONFIRM
    from nomadcloud.accounts.validators import normalise_phone

    email = str(fields.get("email") or "").strip().lower()
    to = email or normalise_phone(str(fields["phone"]))
    return client.post(REGISTER_CONFIRM, {"confirm": "1", "code": sent_code(to)})


def in_parallel(n: int, send: Callable[[int], Any]) -> list[Any]:
    """Run ``send(i)`` in ``n`` threads released at once; their answers in order."""
    barrier = threading.Barrier(n)
    answers: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = send(i)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return answers
