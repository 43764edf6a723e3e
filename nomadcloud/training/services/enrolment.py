"""Enrolment: enrol (capacity enforced atomically) and withdraw."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.training.models import (
    Enrolment,
    Scenario,
)
from nomadcloud.training.services.common import Status

# --- enrolment ----------------------------------------------------------------------------------


@transaction.atomic
def enrol(*, principal: Principal, scenario: Scenario) -> Enrolment:
    """Take a place. The place is counted with one conditional UPDATE, so two people can
    never take the last place together (on SQLite and PostgreSQL alike)."""
    user = require_person(principal)
    require_write(principal)
    scenario = Scenario.objects.select_related("organisation").get(pk=scenario.pk)
    if scenario.status != Status.PUBLISHED:
        raise Conflict(
            _("This scenario is %(status)s and does not take enrolments.")
            % {"status": Status(scenario.status).label},
            code="not_open",
        )
    today = timezone.localdate()
    if not scenario.enrol_from <= today <= scenario.enrol_until:
        raise Conflict(
            _("Enrolment is open from %(start)s to %(end)s.")
            % {"start": scenario.enrol_from.isoformat(), "end": scenario.enrol_until.isoformat()},
            code="enrolment_closed",
        )
    if role_in(principal, scenario.organisation) is not None:
        raise Forbidden(
            _("Members of %(organisation)s cannot enrol in its own scenarios.")
            % {"organisation": scenario.organisation},
            code="own_organisation",
        )
    existing = Enrolment.objects.select_for_update().filter(scenario=scenario, nomad=user).first()
    if existing is not None and existing.status != Enrolment.Status.WITHDRAWN:
        raise Conflict(_("You are already enrolled in this scenario."), code="already_enrolled")
    taken = Scenario.objects.filter(
        pk=scenario.pk, status=Status.PUBLISHED, enrolled__lt=F("capacity")
    ).update(enrolled=F("enrolled") + 1)
    if not taken:
        raise Conflict(_("This scenario is full."), code="full")
    now = timezone.now()
    if existing is not None:
        enrolment = existing
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.enrolled_at = now
        enrolment.withdrawn_at = None
        enrolment.save(update_fields=["status", "enrolled_at", "withdrawn_at"])
    else:
        enrolment = Enrolment.objects.create(scenario=scenario, nomad=user, enrolled_at=now)
    audit.record(
        actor=user,
        action="training.enrolment.create",
        obj=enrolment,
        organisation=scenario.organisation,
        after={"scenario": str(scenario.public_id)},
        token=principal.token,
    )
    scenario.refresh_from_db(fields=["enrolled"])
    return enrolment


@transaction.atomic
def withdraw(*, principal: Principal, enrolment: Enrolment) -> Enrolment:
    """Give the place back (before the work is assessed)."""
    user = require_person(principal)
    require_write(principal)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("scenario")
        .get(pk=enrolment.pk)
    )
    if enrolment.status not in (Enrolment.Status.ENROLLED, Enrolment.Status.SUBMITTED):
        raise Conflict(
            _("An enrolment that is %(status)s cannot be withdrawn.")
            % {"status": Enrolment.Status(enrolment.status).label},
            code="cannot_withdraw",
        )
    before = enrolment.status
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    Scenario.objects.filter(pk=enrolment.scenario_id, enrolled__gt=0).update(
        enrolled=F("enrolled") - 1
    )
    audit.record(
        actor=user,
        action="training.enrolment.withdraw",
        obj=enrolment,
        organisation=enrolment.scenario.organisation,
        before={"status": before},
        after={"status": enrolment.status},
        token=principal.token,
    )
    return enrolment
