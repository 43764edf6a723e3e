"""A studio that carried out a challenge registers its business in the zone: recorded as a
conversion (orders.Conversion, kind ``business``) with the registration's evidence, linked to
the challenge and the team (issue 18 item 1)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator, require_person, require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, transitions
from nomadcloud.bounties.models import Application, Challenge, StudioRegistration
from nomadcloud.bounties.schemas import StudioRegistrationDraft
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.orders import conversions
from nomadcloud.orders.models import Conversion
from nomadcloud.teams.models import Team

STARTED = (
    Challenge.Status.IN_PROGRESS,
    Challenge.Status.FINAL_ACCEPTANCE,
    Challenge.Status.REWARDED,
    Challenge.Status.CLOSED,
)


@transaction.atomic
def record_registration(
    *,
    principal: Principal,
    challenge: Challenge,
    draft: StudioRegistrationDraft,
    documents: list[UploadedFile[Any]],
) -> StudioRegistration:
    """The department (or the zone operator) records that the signed studio registered in
    the zone, with evidence (at least one document, e.g. the business licence)."""
    user = require_person(principal)
    require_write(principal)
    if not is_zone_operator(principal) and transitions.DEPARTMENT not in access.roles_in(
        principal, challenge
    ):
        raise Forbidden(
            _("Only the department or the zone operator records a registration."),
            code="role_not_allowed",
        )
    app = challenge.applications.filter(status=Application.Status.SIGNED).first()
    if app is None or challenge.status not in STARTED:
        raise Conflict(_("No team has signed this challenge."), code="not_signed")
    team = app.team
    if team.kind != Team.Kind.STUDIO:
        raise invalid_field("team", _("Only a studio registers as a business."), code="not_studio")
    if StudioRegistration.objects.filter(team=team).exists():
        raise Conflict(_("This studio's registration is recorded already."), code="duplicate")
    if not documents:
        raise invalid_field(
            "documents", _("Attach the evidence of the registration."), code="required"
        )
    conversion = conversions.record_conversion(
        principal=principal,
        organisation=challenge.issuer,
        nomad=team.lead,
        kind=Conversion.Kind.BUSINESS,
        business_name=team.name,
        credit_code=team.credit_code,
        registered_on=draft.registered_on,
        note=draft.note or _("Studio of the challenge %(id)s") % {"id": challenge.public_id},
        documents=documents,
        linked=True,
    )
    return StudioRegistration.objects.create(
        challenge=challenge, team=team, conversion=conversion, recorded_by=user
    )
