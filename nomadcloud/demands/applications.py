"""Use cases for nomads' applications to demands: apply, shortlist or decline (the
enterprise), withdraw (the nomad), and the move to "invited to an order" that the order
made from the application makes. Every move asks the table in ``transitions.py`` first,
then writes the application, an ``ApplicationEvent`` and an audit event in one transaction,
and notifies the other side in their own language.

Proofs of work attached to an application are the nomad's own credentials. Credentials live
in ``proofs`` (above this app), so the app that can read them registers the lookup at
start-up (``register_proof_lookup``); without one, no proof can be attached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.models import Membership, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.core.money import to_cny
from nomadcloud.demands import access, transitions
from nomadcloud.demands.events import ApplicationShortlisted, application_shortlisted
from nomadcloud.demands.models import ApplicationEvent, Demand, DemandApplication
from nomadcloud.demands.schemas import ApplicationDraft
from nomadcloud.demands.transitions import Role
from nomadcloud.notifications.services import notify

S = DemandApplication.Status
# Kinds a nomad applies to here; data tasks and trainings have their own flows.
APPLYING_KINDS = frozenset({Demand.Kind.JOB, Demand.Kind.PROJECT})

ProofLookup = Callable[[User, Sequence[str] | None], dict[str, str]]
_proof_lookups: list[ProofLookup] = []


def register_proof_lookup(lookup: ProofLookup) -> None:
    """``lookup(user, ids)`` answers ``{id: label}`` for the ids that are that person's own
    credentials still valid (not revoked), the others left out; ``ids`` None: all of them."""
    _proof_lookups[:] = [lookup]


def proof_labels(user: User, ids: Sequence[str] | None) -> dict[str, str]:
    """Labels of the person's own valid proofs among ``ids`` (all of them for None)."""
    if ids is not None and not ids:
        return {}
    if not _proof_lookups:
        return {}
    return _proof_lookups[0](user, ids)


# --- who acts, who is told ------------------------------------------------------------------------


def roles_in(principal: Principal, application: DemandApplication) -> list[Role]:
    if not principal.can_write:
        return []
    roles = []
    if principal.user is not None and principal.user.pk == application.applicant_id:
        roles.append(Role.NOMAD)
    if role_in(principal, application.demand.organisation) in access.EDITORS:
        roles.append(Role.ENTERPRISE)
    return roles


def moves_for(principal: Principal, application: DemandApplication) -> list[str]:
    return transitions.moves_for(application.status, roles_in(principal, application))


def _enterprise_people(demand: Demand) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=demand.organisation, role__in=access.EDITORS, user__is_active=True
        ).select_related("user")
    ]


def _tell(people: Sequence[User], kind: str, application: DemandApplication, url: str) -> None:
    demand = application.demand
    for person in {p.pk: p for p in people}.values():
        language = person.preferred_language
        with translation.override(language):
            params = {
                "demand": localized(demand, "title", language),
                "organisation": localized(demand.organisation, "name", language),
                "nomad": str(application.applicant),
            }
        notify(person, kind, params=params, url=url)


def _nomad_url(application: DemandApplication) -> str:
    return "/demands/applications/mine/"


def _enterprise_url(application: DemandApplication) -> str:
    return f"/demands/{application.demand.public_id}/applications/"


def _lock(application: DemandApplication) -> DemandApplication:
    return (
        DemandApplication.objects.select_for_update(of=("self",))
        .select_related("demand__organisation", "applicant")
        .get(pk=application.pk)
    )


def _move(
    principal: Principal, application: DemandApplication, target: str, note: str = ""
) -> None:
    row = transitions.check(application, target, roles_in(principal, application))
    before = application.status
    application.status = target
    update = ["status"]
    if target != S.WITHDRAWN:
        application.decided_at = timezone.now()
        update.append("decided_at")
    if note:
        application.decision_note = note[:500]
        update.append("decision_note")
    application.save(update_fields=update)
    ApplicationEvent.objects.create(
        application=application,
        from_status=before,
        to_status=target,
        role=row.role,
        actor=principal.user,
        note=note[:500],
    )
    audit.record(
        actor=principal.user,
        action="demands.application.transition",
        obj=application,
        organisation=application.demand.organisation,
        before={"status": before},
        after={"status": target, "role": str(row.role), **({"note": note} if note else {})},
        token=principal.token,
    )


# --- the use cases --------------------------------------------------------------------------------


def _checked_proofs(user: User, ids: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(ids))
    known = proof_labels(user, unique)
    for index, proof in enumerate(unique):
        if proof not in known:
            raise invalid_field(
                f"proofs.{index}",
                _("%(id)s is not one of your valid proofs of work.") % {"id": proof[:64]},
                code="unknown_proof",
            )
    return unique


def apply(*, principal: Principal, demand: Demand, draft: ApplicationDraft) -> DemandApplication:
    """A nomad applies to a published job or project. Refused (nothing written): the demand is
    not open (``demand_closed``), is a data task or a training (``apply_elsewhere``), belongs
    to the nomad's own organisation (``own_organisation``), or they applied before
    (``already_applied``)."""
    user = require_person(principal)
    require_write(principal)
    if demand.kind not in APPLYING_KINDS:
        raise Conflict(
            _("Data tasks and trainings are not applied to: take a batch or enrol instead."),
            code="apply_elsewhere",
        )
    deadline_passed = demand.deadline is not None and demand.deadline < timezone.localdate()
    taking = transitions.APPLY in transitions.demand_actions(demand.status, [Role.NOMAD])
    if not taking or deadline_passed:
        raise Conflict(
            _("This demand no longer takes applications."),
            code="demand_closed",
        )
    if role_in(principal, demand.organisation) is not None:
        raise Forbidden(
            _("Members of %(organisation)s cannot apply to its own demands.")
            % {"organisation": demand.organisation},
            code="own_organisation",
        )
    if DemandApplication.objects.filter(demand=demand, applicant=user).exists():
        raise Conflict(_("You have already applied to this demand."), code="already_applied")
    proofs = _checked_proofs(user, draft.proofs)
    rate = to_cny(draft.proposed_rate) if draft.proposed_rate is not None else None
    try:
        with transaction.atomic():
            application = DemandApplication.objects.create(
                demand=demand,
                applicant=user,
                note=draft.note,
                proposed_rate=rate,
                availability=draft.availability,
                proofs=proofs,
            )
            ApplicationEvent.objects.create(
                application=application, to_status=S.SUBMITTED, role=Role.NOMAD, actor=user
            )
            audit.record(
                actor=user,
                action="demands.application.create",
                obj=application,
                organisation=demand.organisation,
                after={
                    "demand": str(demand.public_id),
                    "proposed_rate": str(rate) if rate is not None else None,
                    "proofs": len(proofs),
                },
                token=principal.token,
            )
            _tell(
                _enterprise_people(demand),
                "demands.application_received",
                application,
                _enterprise_url(application),
            )
    except IntegrityError:  # a twin request won the race
        raise Conflict(
            _("You have already applied to this demand."), code="already_applied"
        ) from None
    return application


@transaction.atomic
def decide(
    *, principal: Principal, application: DemandApplication, decision: str, note: str = ""
) -> DemandApplication:
    """The enterprise shortlists or declines an application. Shortlisting opens the
    conversation between the nomad and the enterprise (``application_shortlisted``)."""
    require_write(principal)
    if decision not in (S.SHORTLISTED, S.DECLINED):
        raise invalid_field("decision", _("Choose shortlist or decline."))
    application = _lock(application)
    _move(principal, application, decision, note.strip())
    if decision == S.SHORTLISTED:
        _tell(
            [application.applicant],
            "demands.application_shortlisted",
            application,
            _nomad_url(application),
        )
        application_shortlisted.send(ApplicationShortlisted(application_id=application.pk))
    else:
        _tell(
            [application.applicant],
            "demands.application_declined",
            application,
            _nomad_url(application),
        )
    return application


@transaction.atomic
def withdraw(*, principal: Principal, application: DemandApplication) -> DemandApplication:
    """The nomad withdraws an application not yet decided (``application_decided`` after)."""
    require_person(principal)
    require_write(principal)
    application = _lock(application)
    _move(principal, application, S.WITHDRAWN)
    _tell(
        _enterprise_people(application.demand),
        "demands.application_withdrawn",
        application,
        _enterprise_url(application),
    )
    return application


def mark_ordered(*, principal: Principal, application: DemandApplication) -> DemandApplication:
    """The move an order made from this application makes (called inside the order's
    transaction by ``orders.services.contract_nomad``)."""
    application = _lock(application)
    _move(principal, application, S.ORDERED)
    _tell(
        [application.applicant],
        "demands.application_ordered",
        application,
        _nomad_url(application),
    )
    return application
