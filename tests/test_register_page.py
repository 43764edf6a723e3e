"""The registration page does not tell whether an e-mail address or mobile number is
registered (issue 15 item 5; accounts/signup.py): a new and a taken identifier get the same
answer and the same "enter the code we sent" page; nobody is signed in before the right code;
the owner of a taken address is told; wrong codes, too many wrong codes and "send again"
answer alike."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from nomadcloud.accounts import verification
from nomadcloud.accounts.models import User
from nomadcloud.accounts.sms import MemoryBackend
from tests.builders.world import PASSWORD, make_person
from tests.helpers import REGISTER, REGISTER_CONFIRM, register_through_page, sent_code

# The CSRF token differs from one session to the next (in the forms and htmx's headers).
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')


def english() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["nomadcloud_language"] = "en"
    return client


def fields(email: str = "", phone: str = "") -> dict[str, str]:
    return {
        "display_name": "Someone",
        "email": email,
        "phone": phone,
        "password": PASSWORD,
        "preferred_language": "en",
        "is_nomad": "on",
        "consent": "on",
    }


def page(response: Any) -> str:
    return CSRF.sub("", response.content.decode())


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def confirm(client: Client, code: str) -> Any:
    return client.post(REGISTER_CONFIRM, {"confirm": "1", "code": code})


@pytest.fixture
def sms(settings: Any) -> Any:
    settings.SMS_BACKEND = "nomadcloud.accounts.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def test_a_new_and_a_taken_email_get_the_same_answer(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    owner = make_person("Olga", "olga@example.com")
    mail.outbox.clear()
    answers = {}
    for email in ("fresh@example.com", "OLGA@example.com"):
        client = english()
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(REGISTER, fields(email=email))
        followed = client.get(answer["Location"])
        answers[email] = (
            answer.status_code,
            answer["Location"],
            followed.status_code,
            page(followed),
        )
        assert not signed_in(client)  # neither is signed in before the code
    new, taken = answers.values()
    assert new == taken
    assert new[:3] == (302, REGISTER_CONFIRM, 200)
    assert "We sent a six-digit code to the e-mail address you entered" in new[3]
    # The new address got its code; the owner of the taken one a notice, and no code.
    assert [m.to for m in mail.outbox] == [["fresh@example.com"], [owner.email]]
    assert sent_code("fresh@example.com")
    notice = mail.outbox[1].body
    assert not re.search(r"\b\d{6}\b", notice)
    assert User.objects.filter(email="olga@example.com").count() == 1
    fresh = User.objects.get(email="fresh@example.com")
    assert fresh.contact_verified_at is None


def test_the_right_code_verifies_and_signs_the_new_person_in(db: None) -> None:
    client = english()
    answer = register_through_page(client, fields(email="nia@example.com"))
    assert answer.status_code == 302 and answer["Location"] == "/accounts/workspace/"
    assert signed_in(client)
    user = User.objects.get(email="nia@example.com")
    assert verification.is_verified(user)
    assert str(user.pk) == client.session["_auth_user_id"]
    assert client.get(REGISTER_CONFIRM)["Location"] == "/accounts/workspace/"


def test_a_mobile_number_gets_its_code_by_text_message(db: None, sms: Any) -> None:
    client = english()
    answer = client.post(REGISTER, fields(phone="13812345678"))
    text = page(client.get(answer["Location"]))
    assert "by text message to the mobile number you entered" in text
    [(to, _message)] = sms
    assert to == "+8613812345678"
    assert confirm(client, sent_code(to))["Location"] == "/accounts/workspace/"
    assert signed_in(client)


def test_wrong_codes_answer_alike_for_a_new_and_a_taken_address(db: None) -> None:
    make_person("Olga", "olga@example.com")
    pages = {}
    for email in ("fresh@example.com", "olga@example.com"):
        client = english()
        client.post(REGISTER, fields(email=email))
        wrong = "000000" if email == "olga@example.com" else _not(sent_code(email))
        seen = [confirm(client, "12a")]
        seen += [confirm(client, wrong) for _ in range(verification.MAX_ATTEMPTS + 1)]
        seen.append(client.post(REGISTER_CONFIRM, {"send": "1"}))  # too soon
        pages[email] = [(r.status_code, page(r)) for r in seen]
        assert not signed_in(client)
    new, taken = pages.values()
    assert new == taken
    statuses = [status for status, _ in new]
    assert statuses == [422] + [422] * verification.MAX_ATTEMPTS + [422, 422]
    assert "That code is not right." in new[1][1]
    assert "Too many wrong codes. Ask for a new one." in new[-2][1]
    assert "A code was sent a moment ago" in new[-1][1]


def test_the_code_step_without_a_registration_goes_back_to_the_form(db: None) -> None:
    client = english()
    assert client.get(REGISTER_CONFIRM)["Location"] == REGISTER
    session = client.session
    session["nomadcloud.signup"] = "forged"
    session.save()
    assert client.get(REGISTER_CONFIRM)["Location"] == REGISTER


def test_other_refusals_stay_on_the_form(db: None) -> None:
    response = english().post(REGISTER, {**fields(email="nia@example.com"), "password": "short"})
    assert response.status_code == 422
    assert not User.objects.filter(email="nia@example.com").exists()


def _not(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_the_code_step_speaks_chinese(db: None) -> None:
    client = Client()
    answer = client.post(
        REGISTER, {**fields(email="chen@example.com"), "preferred_language": "zh-hans"}
    )
    text = client.get(answer["Location"]).content.decode()
    assert "输入验证码" in text and "我们已向您填写的电子邮箱发送了六位数验证码" in text
    assert "如果该邮箱或手机号已属于某个账户" in text
    wrong = confirm(client, _not(sent_code("chen@example.com")))
    assert "验证码不正确。" in wrong.content.decode() and wrong.status_code == 422
