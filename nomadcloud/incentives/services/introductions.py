"""Introductions (引进): the introducer records that it brought a nomad in."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.incentives import access, facts
from nomadcloud.incentives.models import (
    Introduction,
)
from nomadcloud.incentives.services.records import _text


@transaction.atomic
def record_introduction(
    *,
    principal: Principal,
    organisation: Organisation,
    nomad: User,
    introduced_on: date,
    channel: str,
    evidence: str,
) -> Introduction:
    """The introducer records that it brought a nomad in; confirmed at once when the nomad
    is certified and has a contract or engagement in the zone within the window."""
    access.check_claimant(principal, organisation, access.Action.RECORD)
    if channel not in Introduction.Channel.values:
        raise invalid_field("channel", _("Choose a channel."))
    today = timezone.localdate()
    if introduced_on > today:
        raise invalid_field("introduced_on", _("The date is in the future."))
    if not nomad.is_nomad:
        raise invalid_field("nomad", _("This person is not registered as a nomad."))
    if Introduction.objects.filter(
        nomad=nomad, introducer=organisation, introduced_on=introduced_on
    ).exists():
        raise Conflict(_("This introduction is already recorded."), code="duplicate_introduction")
    introduction = Introduction.objects.create(
        nomad=nomad,
        introducer=organisation,
        introduced_on=introduced_on,
        channel=channel,
        evidence=_text("evidence", evidence, required=False),
        recorded_by=principal.user,
    )
    if facts.introduction_confirmable(introduction, today):
        introduction.status = Introduction.Status.CONFIRMED
        introduction.confirmed_on = today
        introduction.save(update_fields=["status", "confirmed_on"])
    audit.record(
        actor=principal.user,
        action="incentives.introduction.record",
        obj=introduction,
        organisation=organisation,
        after={"status": introduction.status, "introduced_on": introduced_on.isoformat()},
    )
    return introduction
