"""The public scenario library (应用场景库, plan 003; docs/datapools.md): what an enterprise
made with pool data — the use case, the outcome, the pools used — written per language
(zh-Hans and en required, more allowed) and public at once, on the pool pages, the library
pages and in the catalogue (DCAT ``dct:isReferencedBy``, CKAN extra ``application_scenarios``).

Who writes one: an editor of the enterprise, and only about pools it holds an agreement for
(in force or ended, never merely requested), so the library shows real uses of the data."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import parse_public_id, require_person, require_write, role_in
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Forbidden, NotFound, invalid_field
from nomadcloud.core.i18n import localized_text
from nomadcloud.datapools import access
from nomadcloud.datapools.inputs import ScenarioDraft
from nomadcloud.datapools.models import IN_FORCE, ApplicationScenario, Negotiation, Pool


def published() -> QuerySet[ApplicationScenario]:
    """The library, newest first, with the enterprise and the (public) pools."""
    return ApplicationScenario.objects.select_related("enterprise").prefetch_related("pools")


def scenario_for(public_id: object) -> ApplicationScenario:
    found = (
        published()
        .filter(public_id=parse_public_id(public_id, message=_("No such scenario.")))
        .first()
    )
    if found is None:
        raise NotFound(_("No such scenario."))
    return found


def _agreed_pools(enterprise: Organisation) -> set[int]:
    """The pools the enterprise has (or had) an agreement for."""
    return set(
        Negotiation.objects.filter(consumer=enterprise)
        .filter(state__in=IN_FORCE)
        .values_list("pool_id", flat=True)
    )


@transaction.atomic
def add_scenario(*, principal: Principal, draft: ScenarioDraft) -> ApplicationScenario:
    user = require_person(principal)
    require_write(principal)
    enterprise = Organisation.objects.filter(
        public_id=parse_public_id(draft.enterprise, message=_("No such organisation."))
    ).first()
    if enterprise is None or role_in(principal, enterprise) is None:
        raise invalid_field("enterprise", _("No such organisation of yours."))
    if role_in(principal, enterprise) not in access.EDITORS:
        raise Forbidden(
            _("Only an editor of %(org)s can add its scenarios.") % {"org": enterprise},
            code="consumer_only",
        )
    ids = [parse_public_id(p, message=_("No such data pool.")) for p in draft.pools]
    pools = list(Pool.objects.filter(public_id__in=ids, status__in=access.PUBLIC_STATES))
    if len(pools) != len(set(ids)):
        raise invalid_field("pools", _("No such data pool."))
    agreed = _agreed_pools(enterprise)
    missing = [p for p in pools if p.pk not in agreed]
    if missing:
        raise invalid_field(
            "pools",
            _("%(org)s holds no agreement for: %(pools)s.")
            % {"org": enterprise, "pools": ", ".join(localized_text(p.title) for p in missing)},
        )
    scenario = ApplicationScenario.objects.create(
        title=draft.title,
        summary=draft.summary,
        outcome=draft.outcome,
        enterprise=enterprise,
        created_by=user,
    )
    scenario.pools.set(pools)
    audit.record(
        actor=user,
        action="datapools.scenario.add",
        obj=scenario,
        organisation=enterprise,
        after={"pools": [str(p.public_id) for p in pools]},
    )
    return scenario


def enterprises_with_agreements(principal: Principal) -> list[tuple[str, str]]:
    """The enterprises the person edits that hold an agreement, as form choices."""
    choices = access.editor_organisations(principal, Organisation.Kind.ENTERPRISE)
    agreed = set(
        Negotiation.objects.filter(state__in=IN_FORCE).values_list("consumer__public_id", flat=True)
    )
    return [(pk, name) for pk, name in choices if pk in {str(a) for a in agreed}]


def pools_agreed_by(principal: Principal) -> list[tuple[str, str]]:
    """The public pools the person's enterprises hold agreements for, as form choices."""
    orgs = [pk for pk, _name in enterprises_with_agreements(principal)]
    pools = Pool.objects.filter(
        status__in=access.PUBLIC_STATES,
        negotiations__consumer__public_id__in=orgs,
        negotiations__state__in=IN_FORCE,
    ).distinct()
    return [(str(p.public_id), localized_text(p.title)) for p in pools]
