"""Pages for notifications: the list with the unread count, opening (marks read and follows
the link), marking all read, and the e-mail preferences per kind."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.pages import domain_errors
from nomadcloud.notifications import access, queries, services

PAGE_SIZE = 50


@login_required
@domain_errors
def notification_list(request: HttpRequest) -> HttpResponse:
    user = require_person(Principal.of(request))
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(queries.notifications_of(user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread": services.unread_count(user),
            "unread_only": unread_only,
        },
    )


@login_required
@require_POST
@domain_errors
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    principal = Principal.of(request)
    notification = access.notification_for(principal, pk)
    services.mark_read(principal=principal, notification=notification)
    return redirect(notification.url or "notifications:list")


@login_required
@require_POST
@domain_errors
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(principal=Principal.of(request))
    messages.success(request, _("Marked %(n)d notifications as read.") % {"n": count})
    return redirect("notifications:list")


@login_required
@domain_errors
def preferences(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    user = require_person(principal)
    rows = queries.preferences_for(user)
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        services.set_email_preferences(
            principal=principal, email={spec.key: spec.key in chosen for spec, _on in rows}
        )
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "has_email": bool(user.email)},
    )
