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
