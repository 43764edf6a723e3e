"""How pages show a service's refusal: shared by the views of every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from nomadcloud.core.errors import DomainError, Forbidden, NotFound

View = Callable[..., HttpResponse]


def domain_errors(view: View) -> View:
    """NotFound → 404, Forbidden → 403 page; any other refusal → message and back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            return render(request, "core/error.html", {"message": exc.message}, status=403)
        except DomainError as exc:
            messages.error(request, exc.message)
            back = request.headers.get("Referer", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = request.path
            return redirect(back)

    return wrapper


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error on the form: on its field when the form has it."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, messages_ in exc.fields.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def form_status(*forms: Any) -> int:
    """A page shown again with form errors answers 422, so clients and tests see a refusal."""
    return 422 if any(f.is_bound and f.errors for f in forms) else 200


# --- confirming big actions (accept, settle, exchange, refund, revoke …) -------------------------
# A big action's page links (GET) to a confirmation page stating what will happen and the
# amount; its form posts the action with ``confirm=yes``. The action's view refuses a POST
# without it (nothing changed), so one click can never do it. API clients confirm by calling.

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def require_confirmation(request: HttpRequest) -> None:
    """Refuse a big action posted without its confirmation (``confirmation_required``)."""
    from django.utils.translation import gettext as _

    from nomadcloud.core.errors import Conflict

    if not confirmed(request):
        raise Conflict(
            _(
                "This action cannot be undone, so it must be confirmed on its confirmation "
                "page first. Nothing was changed."
            ),
            code="confirmation_required",
        )


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    action: str,
    button: str,
    back: str,
    summary: list[tuple[str, str]],
    consequences: list[str],
    fields: dict[str, str] | None = None,
    status: int = 200,
    irreversible: bool = True,
) -> HttpResponse:
    """The confirmation page of a big action: ``summary`` (label, value) rows, what will
    happen (``consequences``), and a form posting ``fields`` and the confirmation to
    ``action``; ``back`` cancels. ``irreversible=False`` for a big action that can be changed
    back later (a programme's authority): the page does not say it cannot be undone."""
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "action": action,
            "button": button,
            "back": back,
            "summary": summary,
            "consequences": consequences,
            "fields": sorted((fields or {}).items()),
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
            "irreversible": irreversible,
        },
        status=status,
    )
