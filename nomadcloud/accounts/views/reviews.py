"""Department reviews of organisations and the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nomadcloud.accounts import (
    access,
    queries,
    services,
    transitions,
)
from nomadcloud.accounts.forms import (
    AuditFilterForm,
    DecisionForm,
)
from nomadcloud.accounts.schemas import (
    VerificationDecisionDraft,
)
from nomadcloud.accounts.views.common import _principal, _user
from nomadcloud.core.errors import DomainError
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import (
    apply_error,
    domain_errors,
    form_status,
)
from nomadcloud.core.paging import EstimatingPaginator

# --- department reviews and the audit log ---------------------------------------------------


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/reviews.html",
        {
            "queue": queries.review_queue_for(user),
            "departments": access.departments_deciding_for(user),
        },
    )


@login_required
@domain_errors
def review(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org, department = access.review_target_for(principal, org_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, VerificationDecisionDraft)
    else:
        draft = None
    if draft is not None:
        try:
            services.decide_verification(
                principal=principal,
                organisation=org,
                department=department,
                approve=draft.approve,
                reason=draft.reason,
                evidence={"checked_registry": draft.checked_registry},
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("accounts:reviews")
    return render(
        request,
        "accounts/review.html",
        {
            "org": org,
            "department": department,
            "form": form,
            "verification_moves": transitions.verification_moves(
                org.verification_status, [transitions.Role.REVIEWER]
            ),
            "decisions": org.verification_decisions.select_related("decided_by", "decided_for"),
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def audit_log(request: HttpRequest) -> HttpResponse:
    access.require_zone_operator(_principal(request))
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = queries.audit_events(
        action=filters.get("action", ""), object_type=filters.get("object_type", "")
    )
    # 5 million rows at ten times the zone: no exact count of the whole log per page view.
    paginator = EstimatingPaginator(events, 50, filtered=any(filters.values()))
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"form": form, "page": page})
