"""Filing and assessing a request over the exporter's year-to-date counters (read and increased
under a row lock), its separate consents and evidence, and the pre-check clock."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import DECIDING_ROLES, MANAGERS
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import dpv
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core import audit, rules, workdays
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.crossborder import access, negative_list, procedure
from nomadcloud.crossborder.models import (
    ExportCounter,
    ExportRequest,
    Obligation,
    RequestEvent,
    Route,
)
from nomadcloud.crossborder.schemas import (
    SENSITIVE_CATEGORIES,
    EvidenceDraft,
    ExportRequestDraft,
)
from nomadcloud.notifications.services import notify

R = ExportRequest.State
K = Obligation.Kind
UNCOUNTED = {"exempt:a", "exempt:b", "exempt:c", "exempt:d", "exempt:e", "exempt:ftz_list"}
OBLIGATIONS: dict[str, tuple[str, ...]] = {
    Route.EXEMPT: (),
    Route.STANDARD_CONTRACT: (K.FILING_RECEIPT,),
    Route.CERTIFICATION: (K.CERTIFICATE,),
    Route.SECURITY_ASSESSMENT: (K.CAC_DECISION,),
    Route.BLOCKED: (),
}


def reviewing_department() -> Organisation:
    department = Organisation.objects.filter(
        kind=Organisation.Kind.DEPARTMENT, code=access.REVIEWING_UNIT
    ).first()
    if department is None:
        raise Conflict(
            _("No 网信办 is registered to review cross-border requests."), code="no_reviewer"
        )
    return department


def _check(draft: ExportRequestDraft) -> None:
    """The rules that need more than one field (the draft checked each alone)."""
    if draft.sensitive_count > draft.pi_count:
        raise invalid_field(
            "sensitive_count",
            _("The people with sensitive information are among those counted: at most %(n)s.")
            % {"n": draft.pi_count},
        )
    sensitive = SENSITIVE_CATEGORIES & set(draft.data_categories)
    if sensitive and draft.sensitive_count == 0:
        raise invalid_field(
            "sensitive_count",
            _(
                "The categories include sensitive personal information (PIPL art. 28): count "
                "its people."
            ),
        )
    if draft.ftz_entry and not draft.in_ftz:
        raise invalid_field(
            "ftz_entry", _("Only an exporter inside the free-trade port matches its list.")
        )
    if draft.ftz_entry and draft.ftz_entry not in negative_list.ENTRIES:
        raise invalid_field(
            "ftz_entry",
            _("Not an entry of the negative list: %(code)s.") % {"code": draft.ftz_entry},
        )
    if draft.chosen_route and (draft.is_ciio or draft.is_important_data or draft.is_core_data):
        raise invalid_field(
            "chosen_route",
            _(
                "A critical information infrastructure operator, or an export of important "
                "data, goes through the security assessment; a standard contract or "
                "certification cannot be chosen."
            ),
            code="route_not_available",
        )


def _counter(exporter: Organisation, year: int) -> ExportCounter:
    """The exporter's counter for ``year``, locked until the transaction ends."""
    ExportCounter.objects.get_or_create(exporter=exporter, year=year)
    return ExportCounter.objects.select_for_update().get(exporter=exporter, year=year)


def _event(
    request: ExportRequest, actor: User | None, action: str, before: str, reason: str = ""
) -> None:
    RequestEvent.objects.create(
        request=request,
        actor=actor,
        action=action,
        from_state=before,
        to_state=request.state,
        reason=reason[:500],
        rule_version=request.rule_version,
    )


CLOCK_KIND = "crossborder.exportrequest"


def _start_precheck_clock(request: ExportRequest) -> None:
    """The 网信办's pre-check clock (5 working days); none while the calendar of its end is
    not loaded (the page says so; no deadline is guessed)."""
    try:
        workdays.start_clock(
            CLOCK_KIND,
            str(request.public_id),
            limit=procedure.number("precheck_working_days", timezone.localdate()),
            name="precheck",
        )
    except workdays.CalendarNotLoaded:
        return


def _stop_precheck_clock(request: ExportRequest) -> None:
    for clock in workdays.clocks_for(CLOCK_KIND, str(request.public_id)):
        if clock.stopped_at is None:
            workdays.stop_clock(clock)


def _due(today: date, days: int) -> date | None:
    """``days`` working days after today, or None while the calendar of that year is not
    loaded (the page says so; nothing is guessed)."""
    try:
        return workdays.add_working_days(today, days)
    except workdays.CalendarNotLoaded:
        return None


@transaction.atomic
def assess_request(
    *,
    principal: Principal,
    exporter: Organisation,
    draft: ExportRequestDraft,
    previous: ExportRequest | None = None,
) -> ExportRequest:
    """File a request and decide its route at once (draft → assessed → obligations
    pending, or blocked)."""
    _check(draft)
    user = principal.user
    assert user is not None
    department = reviewing_department()
    today = timezone.localdate()
    params = procedure.parameters()
    Organisation.objects.select_for_update().filter(pk=exporter.pk).first()
    counters = [_counter(exporter, today.year)]
    if params.at("counting_from_previous_year", today)[1]:
        counters.append(_counter(exporter, today.year - 1))
    pi, sensitive = draft.pi_count, draft.sensitive_count
    replaces = previous is not None and previous.counted and previous.decided_on.year == today.year
    # A reassessment replaces the earlier request: only the increase is new.
    prior_pi = previous.pi_count if previous is not None and replaces else 0
    prior_sensitive = previous.sensitive_count if previous is not None and replaces else 0
    ytd_pi = sum(c.pi_assessed for c in counters) - prior_pi
    ytd_sensitive = sum(c.sensitive_assessed for c in counters) - prior_sensitive
    facts = {
        **draft.model_dump(
            exclude={
                "recipient_name",
                "recipient_country",
                "purpose",
                "data_categories",
                "ftz_entry",
                "source",
            }
        ),
        "ftz_list_match": bool(draft.ftz_entry),
        "chosen_route": draft.chosen_route or procedure.CONTRACT,
        "ytd_pi": ytd_pi,
        "ytd_sensitive": ytd_sensitive,
    }
    decision = procedure.BOOK.decide(
        "cross_border_route", facts, rules.parse_period(today.isoformat()), params
    )
    route = procedure.route_of(decision)
    counted = route != Route.BLOCKED and not (UNCOUNTED & set(decision.reasons))
    request = ExportRequest.objects.create(
        exporter=exporter,
        department=department,
        created_by=user,
        state=R.BLOCKED if route == Route.BLOCKED else R.OBLIGATIONS_PENDING,
        recipient_name=draft.recipient_name,
        recipient_country=draft.recipient_country,
        purpose=draft.purpose,
        data_categories=draft.data_categories,
        scenario=draft.scenario,
        pi_count=pi,
        sensitive_count=sensitive,
        is_ciio=draft.is_ciio,
        in_ftz=draft.in_ftz,
        ftz_entry=draft.ftz_entry,
        is_important_data=draft.is_important_data,
        is_core_data=draft.is_core_data,
        automotive=draft.automotive,
        vehicle_flow_data=draft.vehicle_flow_data,
        returned_abroad=draft.returned_abroad,
        chosen_route=draft.chosen_route,
        source=draft.source,
        previous=previous,
        route=route,
        reasons=list(decision.reasons),
        rule_version=decision.rule_version,
        params_used=rules.plain(decision.params_used),
        ytd_pi=ytd_pi,
        ytd_sensitive=ytd_sensitive,
        counted=counted,
        decided_on=today,
    )
    if counted or replaces:
        counter = counters[0]
        counter.pi_assessed += (pi if counted else 0) - prior_pi
        counter.sensitive_assessed += (sensitive if counted else 0) - prior_sensitive
        counter.save(update_fields=["pi_assessed", "sensitive_assessed"])
    if route != Route.BLOCKED:
        kinds: list[str] = [K.IMPACT_ASSESSMENT]
        if pi:
            kinds.insert(0, K.SEPARATE_CONSENT)
        kinds += OBLIGATIONS[route]
        filing = procedure.number("contract_filing_working_days", today)
        Obligation.objects.bulk_create(
            Obligation(
                request=request,
                kind=kind,
                due_on=_due(today, filing) if kind == K.FILING_RECEIPT else None,
            )
            for kind in kinds
        )
    _event(request, user, "reassess" if previous else "assess", "", ", ".join(decision.reasons))
    audit.record(
        actor=user,
        action="crossborder.request.assess",
        obj=request,
        organisation=exporter,
        after={
            "route": route,
            "rule_version": decision.rule_version,
            "pi": pi,
            "sensitive": sensitive,
        },
    )
    return request


def separate_consents(request: ExportRequest, *, at: date | None = None) -> int:
    """Separate consents (PIPL art. 39: ``dpv:ExplicitlyExpressedConsent``) on record, valid
    now, for this purpose and naming this recipient."""
    now = timezone.now()
    records = ConsentRecord.objects.filter(
        purpose=request.purpose,
        legal_basis="dpv:ExplicitlyExpressedConsent",
        withdrawn_at__isnull=True,
    ).only("recipients", "expires_at", "given_at", "withdrawn_at")
    return sum(
        1
        for r in records
        if request.recipient_name in r.recipients and r.status_at(now) == dpv.STATUS_GIVEN
    )


@transaction.atomic
def submit_evidence(
    *, principal: Principal, request: ExportRequest, kind: str, draft: EvidenceDraft
) -> ExportRequest:
    """Evidence for one obligation; once all are in, the request waits for the pre-check."""
    request = ExportRequest.objects.select_for_update().get(pk=request.pk)
    if request.state not in (R.OBLIGATIONS_PENDING, R.RETURNED):
        raise Conflict(
            _("A request that is “%(state)s” takes no evidence.")
            % {"state": R(request.state).label},
            code="transition_not_allowed",
        )
    obligation = request.obligations.filter(kind=kind).first()
    if obligation is None:
        raise invalid_field("kind", _("This request has no such obligation."))
    today = timezone.localdate()
    if draft.valid_until is not None and draft.valid_until < today:
        raise invalid_field("valid_until", _("This evidence has expired."), code="evidence_expired")
    if kind == K.SEPARATE_CONSENT:
        count = separate_consents(request)
        if count == 0:
            raise invalid_field(
                "kind",
                _("No separate consent for this purpose and recipient is on record."),
                code="no_separate_consent",
            )
        obligation.consents = count
    elif not draft.reference:
        raise invalid_field("reference", _("Give the document's reference."))
    if kind in (K.CERTIFICATE, K.CAC_DECISION) and draft.valid_until is None:
        raise invalid_field("valid_until", _("Give the date this decision or certificate ends."))
    obligation.reference = draft.reference
    obligation.valid_until = draft.valid_until
    obligation.submitted_at = timezone.now()
    obligation.submitted_by = principal.user
    obligation.save()
    user = principal.user
    if all(o.submitted_at for o in request.obligations.all()):
        before = request.state
        request.state = R.EVIDENCE_SUBMITTED
        request.save(update_fields=["state"])
        _event(request, user, "submit", before)
        _start_precheck_clock(request)
        for reviewer in _reviewers(request.department):
            notify(
                reviewer,
                "crossborder.evidence_submitted",
                params={"recipient": request.recipient_name, "exporter": request.exporter.name_en},
                url=f"/crossborder/requests/{request.public_id}/",
            )
    audit.record(
        actor=user, action="crossborder.evidence.submit", obj=request, after={"kind": kind}
    )
    return request


def _reviewers(department: Organisation) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=department, role__in=DECIDING_ROLES
        ).select_related("user")
    ]


def _managers(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=organisation, role__in=MANAGERS
        ).select_related("user")
    ]
