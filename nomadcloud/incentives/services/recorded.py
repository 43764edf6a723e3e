"""Facts recorded for the two policies nothing else holds facts for: a community's fixed-asset
investments (task 12, confirmed against the statistics bureau's 纳统 figure) and the
conferences and exhibitions an organiser held in the zone (task 13). Each is recorded with its
evidence file; the department verifies it item by item when it is claimed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, uploads
from nomadcloud.core.errors import Forbidden, invalid_field
from nomadcloud.incentives import access
from nomadcloud.incentives.models import Conference, Investment, Policy
from nomadcloud.incentives.schemas import ConferenceDraft, InvestmentDraft


def _policy(fact_kind: str) -> Policy:
    return Policy.objects.get(fact_kind=fact_kind)


def _within_validity(policy: Policy, day: date, field: str) -> None:
    """A fact dated before the policy took effect or after it ended, or in the future, is
    refused: it could never be counted."""
    if day > timezone.localdate():
        raise invalid_field(field, _("The date is in the future."), code="future_date")
    if day < policy.effective_from or (
        policy.effective_until is not None and day > policy.effective_until
    ):
        raise invalid_field(
            field,
            _("The policy is in force from %(start)s%(end)s; this date is outside it.")
            % {
                "start": policy.effective_from,
                "end": f" – {policy.effective_until}" if policy.effective_until else "",
            },
            code="outside_validity",
        )


def _evidence(evidence: UploadedFile[Any] | None) -> uploads.CheckedFile:
    if evidence is None:
        raise invalid_field(
            "evidence",
            _("Attach the evidence (contract, invoice or sign-in list) as a file."),
            code="missing_evidence",
        )
    return uploads.check_file(evidence, field="evidence")


@transaction.atomic
def record_investment(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: InvestmentDraft,
    evidence: UploadedFile[Any] | None,
) -> Investment:
    """A community operator records a fixed-asset investment of its demonstration site, with
    its evidence (contract, invoice, acceptance report)."""
    access.check_claimant(principal, organisation, access.Action.RECORD)
    user = require_person(principal)
    if organisation.kind != Organisation.Kind.COMMUNITY:
        raise Forbidden(
            _("Only community operators record demonstration-site investments."),
            code="not_a_community",
        )
    _within_validity(_policy("community_investment"), draft.invested_on, "invested_on")
    checked = _evidence(evidence)
    investment = Investment(
        organisation=organisation,
        invested_on=draft.invested_on,
        amount=draft.amount,
        category=draft.category,
        description=draft.description,
        recorded_by=user,
    )
    uploads.store(investment, checked)
    investment.save()
    audit.record(
        actor=user,
        action="incentives.investment.record",
        obj=investment,
        organisation=organisation,
        after={"invested_on": draft.invested_on.isoformat(), "amount": str(draft.amount)},
        token=principal.token,
    )
    return investment


@transaction.atomic
def record_conference(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: ConferenceDraft,
    evidence: UploadedFile[Any] | None,
) -> Conference:
    """An organiser records a conference or exhibition it held in the zone, with the
    attendance it declares and the evidence of it (sign-in list, check-in export)."""
    access.check_claimant(principal, organisation, access.Action.RECORD)
    user = require_person(principal)
    if draft.ends_on < draft.starts_on:
        raise invalid_field("ends_on", _("The event cannot end before it starts."))
    if draft.ends_on > timezone.localdate():
        raise invalid_field(
            "ends_on",
            _("Record the event once it has been held, with its attendance."),
            code="not_held_yet",
        )
    _within_validity(_policy("events"), draft.starts_on, "starts_on")
    checked = _evidence(evidence)
    conference = Conference(
        organiser=organisation,
        title_zh=draft.title_zh,
        title_en=draft.title_en,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        venue=draft.venue,
        participants=draft.participants,
        international=draft.international,
        recorded_by=user,
    )
    uploads.store(conference, checked)
    conference.save()
    audit.record(
        actor=user,
        action="incentives.conference.record",
        obj=conference,
        organisation=organisation,
        after={"starts_on": draft.starts_on.isoformat(), "participants": draft.participants},
        token=principal.token,
    )
    return conference


def investments_of(organisation: Organisation) -> QuerySet[Investment]:
    return Investment.objects.filter(organisation=organisation)


def conferences_of(organisation: Organisation) -> QuerySet[Conference]:
    return Conference.objects.filter(organiser=organisation)
