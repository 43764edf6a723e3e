"""Use cases of cross-border export (docs/crossborder.md): assess a request, submit
evidence, the 网信办 pre-check, log a transfer, reassess, remind renewals.

The counters: a request is decided over the exporter's year-to-date totals, read and
increased under a row lock on the exporter's counter, so that two requests filed at once
are counted one after the other and cannot both slip under a threshold. Transfers exempt by
scenario (Order 16 arts. 3–5 (a)–(e)) or by the free-trade-zone list are not counted (the
specification's "excluding exempt transfers"); those exempt under (f) are, or splitting
would avoid the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from nomadcloud.core.errors import Conflict, DomainError, invalid_field
from nomadcloud.crossborder import access, negative_list, procedure
from nomadcloud.crossborder.models import (
    ExportCounter,
    ExportRequest,
    Obligation,
    RequestEvent,
    Route,
    TransferEvent,
    WhitelistEntry,
)
from nomadcloud.crossborder.schemas import (
    SENSITIVE_CATEGORIES,
    EvidenceDraft,
    ExportRequestDraft,
    ReviewDraft,
    TransferDraft,
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


@dataclass(frozen=True)
class _Refusal:
    error: DomainError


def log_transfer(
    *, principal: Principal, entry: WhitelistEntry, draft: TransferDraft
) -> TransferEvent:
    """Log one transfer under an entry. A transfer that changes the purpose, the recipient
    or the categories, or goes over the cap, is refused and the entry marked
    ``reassessment_required`` (kept: the marking is committed, the transfer is not)."""
    outcome = _log(principal, entry, draft)
    if isinstance(outcome, _Refusal):
        raise outcome.error
    return outcome


@transaction.atomic
def _log(
    principal: Principal, entry: WhitelistEntry, draft: TransferDraft, *, source: str = ""
) -> TransferEvent | _Refusal:
    entry = WhitelistEntry.objects.select_for_update().get(pk=entry.pk)
    today = timezone.localdate()
    if draft.sensitive_count > draft.pi_count:
        raise invalid_field(
            "sensitive_count",
            _("The people with sensitive information are among those counted: at most %(n)s.")
            % {"n": draft.pi_count},
        )
    if (
        entry.status in (WhitelistEntry.Status.EXPIRED, WhitelistEntry.Status.REASSESSMENT_REQUIRED)
        or not entry.valid_from <= today <= entry.valid_to
    ):
        if entry.status == WhitelistEntry.Status.REASSESSMENT_REQUIRED:
            raise Conflict(
                _("This entry needs a reassessment before anything more is sent."),
                code="reassessment_required",
            )
        if entry.status != WhitelistEntry.Status.EXPIRED:
            entry.status = WhitelistEntry.Status.EXPIRED
            entry.save(update_fields=["status"])
            return _Refusal(Conflict(_("This whitelist entry has expired."), code="entry_expired"))
        raise Conflict(_("This whitelist entry has expired."), code="entry_expired")
    changed = []
    if draft.purpose != entry.purpose:
        changed.append("purpose")
    if draft.recipient_name != entry.recipient_name:
        changed.append("recipient_name")
    if not set(draft.data_categories) <= set(entry.data_categories):
        changed.append("data_categories")
    over = (
        entry.volume_used + draft.pi_count > entry.volume_cap
        or entry.sensitive_used + draft.sensitive_count > entry.sensitive_cap
    )
    if changed or over:
        reason = (
            _("over the cap")
            if over and not changed
            else _("changed: %(fields)s") % {"fields": ", ".join(changed)}
        )
        entry.status = WhitelistEntry.Status.REASSESSMENT_REQUIRED
        entry.reason = reason
        entry.save(update_fields=["status", "reason"])
        audit.record(
            actor=principal.user,
            action="crossborder.entry.reassessment",
            obj=entry,
            after={"reason": reason},
        )
        return _Refusal(
            Conflict(
                _(
                    "This transfer is outside the whitelist entry (%(reason)s): the entry "
                    "now needs a reassessment."
                )
                % {"reason": reason},
                code="reassessment_required",
            )
        )
    entry.volume_used += draft.pi_count
    entry.sensitive_used += draft.sensitive_count
    entry.save(update_fields=["volume_used", "sensitive_used"])
    counter = _counter(entry.exporter, today.year)
    counter.pi_sent += draft.pi_count
    counter.sensitive_sent += draft.sensitive_count
    counter.save(update_fields=["pi_sent", "sensitive_sent"])
    user = principal.user
    assert user is not None
    event = TransferEvent.objects.create(
        entry=entry,
        pi_count=draft.pi_count,
        sensitive_count=draft.sensitive_count,
        purpose=draft.purpose,
        data_categories=draft.data_categories,
        logged_by=user,
        source=source,
    )
    audit.record(
        actor=user,
        action="crossborder.transfer.log",
        obj=entry,
        after={"pi": draft.pi_count, "sensitive": draft.sensitive_count, "source": source},
    )
    return event


def reassess(
    *, principal: Principal, entry: WhitelistEntry, draft: ExportRequestDraft
) -> ExportRequest:
    """A new request for a changed purpose, recipient or categories (or a renewal): decided
    again over the counters; the old entry stands until the new one is whitelisted."""
    entry = WhitelistEntry.objects.select_related("request").get(pk=entry.pk)
    request = entry.request
    pending = ExportRequest.objects.filter(previous=request, state__in=PENDING).exists()
    if request.state != R.WHITELISTED or pending:
        raise Conflict(_("This entry is already being reassessed."), code="transition_not_allowed")
    if _carries_over(request, timezone.localdate()):
        # The new request replaces this one in the year's counters, so it covers what was
        # already sent under the entry.
        for field, used in (
            ("pi_count", entry.volume_used),
            ("sensitive_count", entry.sensitive_used),
        ):
            if getattr(draft, field) < used:
                raise invalid_field(
                    field,
                    _(
                        "%(n)s people were already sent under this entry this year: the "
                        "reassessment must cover them."
                    )
                    % {"n": used},
                )
    return assess_request(
        principal=principal, exporter=entry.exporter, draft=draft, previous=request
    )


PENDING = (R.OBLIGATIONS_PENDING, R.EVIDENCE_SUBMITTED, R.RETURNED)


def _carries_over(previous: ExportRequest, today: date) -> bool:
    """A reassessment decided in the year of the request it replaces takes that request's
    place in the counters, so the new entry carries over what the old one sent."""
    return previous.counted and previous.decided_on.year == today.year


def pending_reassessment(entry: WhitelistEntry) -> ExportRequest | None:
    return (
        ExportRequest.objects.filter(previous_id=entry.request_id, state__in=PENDING)
        .order_by("-id")
        .first()
    )


def remind_renewals(today: date | None = None) -> int:
    """Entries ending within the renewal window (60 working days, Order 16 art. 9) are
    marked ``renewal_due`` and their exporter's managers told, once; entries past their end
    are marked expired. How many were reminded."""
    today = today or timezone.localdate()
    WhitelistEntry.objects.filter(valid_to__lt=today).exclude(
        status=WhitelistEntry.Status.EXPIRED
    ).update(status=WhitelistEntry.Status.EXPIRED)
    window = procedure.number("renewal_notice_working_days", today)
    reminded = 0
    # 60 working days are fewer than 100 calendar days (a long holiday included).
    horizon = date.fromordinal(today.toordinal() + 100)
    candidates = WhitelistEntry.objects.filter(
        status=WhitelistEntry.Status.ACTIVE, valid_to__lte=horizon, valid_to__gte=today
    ).select_related("exporter")
    for entry in candidates:
        try:
            left = workdays.working_days_between(today, entry.valid_to)
        except workdays.CalendarNotLoaded:
            left = 0  # the calendar of the end's year is not loaded: remind now, not late
        if left > window:
            continue
        with transaction.atomic():
            changed = WhitelistEntry.objects.filter(
                pk=entry.pk, status=WhitelistEntry.Status.ACTIVE
            ).update(status=WhitelistEntry.Status.RENEWAL_DUE, reminded_on=today)
            if not changed:
                continue
            for manager in _managers(entry.exporter):
                notify(
                    manager,
                    "crossborder.renewal_due",
                    params={
                        "recipient": entry.recipient_name,
                        "valid_to": entry.valid_to.isoformat(),
                    },
                    url=f"/crossborder/entries/{entry.public_id}/",
                )
        reminded += 1
    return reminded


def _names(organisation: Organisation) -> set[str]:
    return {n.strip().casefold() for n in (organisation.name_en, organisation.name_zh) if n}


def _gap(
    entry: WhitelistEntry,
    *,
    purpose: str,
    data_categories: list[str],
    people: int,
    sensitive: int,
    day: date,
) -> str | None:
    """Why ``entry`` does not cover this use (in the reader's language), or None."""
    recipient = entry.recipient_name
    if entry.status == WhitelistEntry.Status.REASSESSMENT_REQUIRED:
        return _("the entry for %(recipient)s needs a reassessment (%(reason)s)") % {
            "recipient": recipient,
            "reason": entry.reason,
        }
    if entry.status == WhitelistEntry.Status.EXPIRED or not (
        entry.valid_from <= day <= entry.valid_to
    ):
        return _("the entry for %(recipient)s is valid only from %(start)s to %(end)s") % {
            "recipient": recipient,
            "start": entry.valid_from.isoformat(),
            "end": entry.valid_to.isoformat(),
        }
    if purpose != entry.purpose:
        return _("the entry for %(recipient)s is for the purpose %(entry)s, not %(asked)s") % {
            "recipient": recipient,
            "entry": entry.purpose,
            "asked": purpose,
        }
    missing = [c for c in data_categories if c not in entry.data_categories]
    if missing:
        return _("the entry for %(recipient)s does not cover the categories %(categories)s") % {
            "recipient": recipient,
            "categories": ", ".join(missing),
        }
    if entry.volume_used >= entry.volume_cap or (
        sensitive and entry.sensitive_used >= entry.sensitive_cap
    ):
        return _("the entry for %(recipient)s has reached its cap of %(cap)s people") % {
            "recipient": recipient,
            "cap": entry.volume_cap,
        }
    if (
        entry.volume_used + people > entry.volume_cap
        or entry.sensitive_used + sensitive > entry.sensitive_cap
    ):
        return _(
            "the entry for %(recipient)s has %(left)s people (%(sensitive)s sensitive) left "
            "under its cap, fewer than this transfer's %(people)s (%(asked)s sensitive)"
        ) % {
            "recipient": recipient,
            "left": entry.volume_cap - entry.volume_used,
            "sensitive": entry.sensitive_cap - entry.sensitive_used,
            "people": people,
            "asked": sensitive,
        }
    return None


def agreement_entry(
    *,
    exporter: Organisation,
    recipient: Organisation,
    country: str,
    purpose: str,
    data_categories: list[str],
    people: int = 0,
    sensitive: int = 0,
    on: date | None = None,
) -> WhitelistEntry | str:
    """The whitelist entry that covers a pool agreement (or one of its transfers) with a
    recipient outside China — same exporter, country, recipient (the consumer organisation
    by name), purpose, categories, valid on the day, room under the caps — or, when none
    does, why (localized): the gap of the most recent entry naming that recipient."""
    day = on or timezone.localdate()
    entries = list(
        WhitelistEntry.objects.filter(exporter=exporter, recipient_country=country).order_by(
            "-valid_to", "-id"
        )
    )
    if not entries:
        return _("%(exporter)s has no whitelist entry for a recipient in %(country)s") % {
            "exporter": exporter,
            "country": country,
        }
    names = _names(recipient)
    named = [e for e in entries if e.recipient_name.strip().casefold() in names]
    if not named:
        return _("no whitelist entry for %(country)s names %(recipient)s as the recipient") % {
            "country": country,
            "recipient": recipient,
        }
    gaps = []
    for entry in named:
        gap = _gap(
            entry,
            purpose=purpose,
            data_categories=data_categories,
            people=people,
            sensitive=sensitive,
            day=day,
        )
        if gap is None:
            return entry
        gaps.append(gap)
    return gaps[0]


def log_agreement_transfer(
    *,
    principal: Principal,
    exporter: Organisation,
    recipient: Organisation,
    country: str,
    purpose: str,
    data_categories: list[str],
    pi_count: int,
    sensitive_count: int,
    source: str,
) -> TransferEvent:
    """A transfer abroad under a pool agreement (one use of its data): logged against the
    covering entry and counted in the entry and the exporter's year, like a transfer logged
    by hand; refused (``whitelist_entry_required``, naming why) when no entry covers it.
    Runs inside the caller's transaction, so a refused use leaves nothing behind."""
    found = agreement_entry(
        exporter=exporter,
        recipient=recipient,
        country=country,
        purpose=purpose,
        data_categories=data_categories,
        people=pi_count,
        sensitive=sensitive_count,
    )
    if isinstance(found, str):
        raise Conflict(
            _("This transfer abroad needs a valid cross-border whitelist entry: %(why)s.")
            % {"why": found},
            code="whitelist_entry_required",
        )
    draft = TransferDraft(
        pi_count=pi_count,
        sensitive_count=sensitive_count,
        purpose=purpose,
        data_categories=data_categories or found.data_categories,
        recipient_name=found.recipient_name,
    )
    outcome = _log(principal, found, draft, source=source)
    if isinstance(outcome, _Refusal):
        raise outcome.error
    return outcome
