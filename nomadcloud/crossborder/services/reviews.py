"""The 网信办 pre-check: approving (a whitelist entry with its cap and validity) or returning a
request, and who is told."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.crossborder import procedure
from nomadcloud.crossborder.models import (
    ExportRequest,
    Route,
    WhitelistEntry,
)
from nomadcloud.crossborder.schemas import (
    ReviewDraft,
)
from nomadcloud.notifications.services import notify

from .requests import (
    K,
    R,
    _event,
    _managers,
    _stop_precheck_clock,
)
from .transfers import (
    _carries_over,
)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


VALIDITY: dict[str, str] = {
    Route.SECURITY_ASSESSMENT: "assessment_validity_years",
    Route.CERTIFICATION: "certificate_validity_years",
    Route.STANDARD_CONTRACT: "contract_validity_years",
    Route.EXEMPT: "contract_validity_years",
}


@transaction.atomic
def review(*, principal: Principal, request: ExportRequest, draft: ReviewDraft) -> ExportRequest:
    """The 网信办 pre-check: approve (a whitelist entry) or return for correction."""
    request = ExportRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != R.EVIDENCE_SUBMITTED:
        raise Conflict(
            _("A request that is “%(state)s” cannot be reviewed.")
            % {"state": R(request.state).label},
            code="transition_not_allowed",
        )
    user = principal.user
    before = request.state
    _stop_precheck_clock(request)
    if not draft.approve:
        if not draft.note:
            raise invalid_field("note", _("Say what must be corrected."))
        request.state = R.RETURNED
        request.review_note = draft.note
        request.save(update_fields=["state", "review_note"])
        _event(request, user, "return", before, draft.note)
        for manager in _managers(request.exporter):
            notify(
                manager,
                "crossborder.returned",
                params={"recipient": request.recipient_name},
                url=f"/crossborder/requests/{request.public_id}/",
            )
        audit.record(actor=user, action="crossborder.request.return", obj=request)
        return request
    today = timezone.localdate()
    obligations = list(request.obligations.all())
    expired = [o for o in obligations if o.valid_until is not None and o.valid_until < today]
    if expired:
        raise Conflict(_("Some evidence has expired: ask for it again."), code="evidence_expired")
    cap = request.pi_count if draft.volume_cap is None else draft.volume_cap
    if cap > request.pi_count:
        raise invalid_field(
            "volume_cap",
            _("The cap cannot exceed the people assessed (%(n)s).") % {"n": request.pi_count},
        )
    valid_to = _years_later(today, procedure.number(VALIDITY[request.route], today))
    ends = [o.valid_until for o in obligations if o.valid_until is not None]
    if ends:
        valid_to = min([valid_to, *ends])
    references = [
        o.reference
        for o in obligations
        if o.kind in (K.CAC_DECISION, K.CERTIFICATE, K.FILING_RECEIPT)
    ]
    reference = (
        references[0] if references else next(r for r in request.reasons if r.startswith("exempt:"))
    )
    used, sensitive_used = 0, 0
    if request.previous is not None:
        old = WhitelistEntry.objects.select_for_update().filter(request=request.previous).first()
        if old is not None and _carries_over(request.previous, request.decided_on):
            used, sensitive_used = old.volume_used, old.sensitive_used
            if cap < used:
                raise invalid_field(
                    "volume_cap",
                    _("%(n)s people were already sent under the entry this replaces.")
                    % {"n": used},
                )
        if old is not None:
            old.status = WhitelistEntry.Status.EXPIRED
            old.reason = _("Replaced after reassessment.")
            old.save(update_fields=["status", "reason"])
        ExportRequest.objects.filter(pk=request.previous.pk).update(state=R.SUPERSEDED)
    WhitelistEntry.objects.create(
        request=request,
        exporter=request.exporter,
        recipient_name=request.recipient_name,
        recipient_country=request.recipient_country,
        purpose=request.purpose,
        data_categories=request.data_categories,
        route=request.route,
        reference=reference,
        valid_from=today,
        valid_to=valid_to,
        volume_cap=cap,
        sensitive_cap=max(min(request.sensitive_count, cap), sensitive_used),
        volume_used=used,
        sensitive_used=sensitive_used,
        status=WhitelistEntry.Status.ACTIVE,
    )
    request.state = R.WHITELISTED
    request.review_note = draft.note
    request.save(update_fields=["state", "review_note"])
    _event(request, user, "approve", before, draft.note)
    for manager in _managers(request.exporter):
        notify(
            manager,
            "crossborder.whitelisted",
            params={"recipient": request.recipient_name},
            url=f"/crossborder/requests/{request.public_id}/",
        )
    audit.record(
        actor=user,
        action="crossborder.request.approve",
        obj=request,
        after={"valid_to": valid_to.isoformat(), "cap": cap},
    )
    return request
