"""Who may see and act on cross-border requests and whitelist entries.

- The exporter's members see its requests and entries; its owners and admins (the PI
  protection officer is one of them) file requests, submit evidence and log transfers.
- Reviewers (owner, admin, reviewer) of the 网信办 department a request names see it and
  decide the pre-check.
- The zone operator sees everything (read only).
- Anyone else: "no such request" (404), so that nothing reveals a request exists.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts import access as shared
from nomadcloud.accounts.access import (
    DECIDING_ROLES,
    MANAGERS,
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.crossborder.models import ExportRequest, WhitelistEntry

# The department that pre-checks requests: the zone's 网信办 (units registry code).
REVIEWING_UNIT = "wangxin"


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # file, give evidence, log transfers
    REVIEW = "review"


ROLES_FOR = {Action.VIEW: shared.ALL_ROLES, Action.EDIT: MANAGERS}


def exporter_for(principal: Principal, raw_id: object, action: Action) -> Organisation:
    """An enterprise exporting data, as its members see it."""
    return shared.enterprise_for(
        principal,
        raw_id,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only an enterprise exports data."),
    )


def _reviewing_departments(principal: Principal) -> list[int]:
    if principal.user is None or principal.key_organisation is not None:
        return []
    return list(
        Membership.objects.filter(
            user=principal.user,
            organisation__kind=Organisation.Kind.DEPARTMENT,
            organisation__code=REVIEWING_UNIT,
            role__in=DECIDING_ROLES,
        ).values_list("organisation_id", flat=True)
    )


def is_reviewer(principal: Principal) -> bool:
    return bool(_reviewing_departments(principal))


def may_review(principal: Principal, request: ExportRequest) -> bool:
    return request.department_id in _reviewing_departments(principal)


def requests_visible_to(principal: Principal) -> QuerySet[ExportRequest]:
    require_authenticated(principal)
    base = ExportRequest.objects.select_related("exporter", "department").prefetch_related(
        "obligations"
    )
    if is_zone_operator(principal):
        return base
    orgs = _member_orgs(principal)
    return base.filter(
        Q(exporter_id__in=orgs) | Q(department_id__in=_reviewing_departments(principal))
    )


def _member_orgs(principal: Principal) -> list[int]:
    if principal.key_organisation is not None:
        return [principal.key_organisation.pk]
    if principal.user is None:
        return []
    return list(
        Membership.objects.filter(user=principal.user).values_list("organisation_id", flat=True)
    )


def request_for(principal: Principal, raw_id: object, action: Action) -> ExportRequest:
    public_id = parse_public_id(raw_id, message=_("No such export request."))
    found = requests_visible_to(principal).filter(public_id=public_id).first()
    if found is None:
        raise NotFound(_("No such export request."))
    if action == Action.VIEW:
        return found
    require_write(principal)
    if action == Action.REVIEW:
        require_person(principal)
        if found.department_id not in _reviewing_departments(principal):
            raise Forbidden(_("Only the 网信办 reviewing this request decides it."))
        return found
    if role_in(principal, found.exporter) not in MANAGERS:
        raise Forbidden(
            _("Your role in %(organisation)s does not allow this.")
            % {"organisation": found.exporter}
        )
    return found


def entries_visible_to(principal: Principal) -> QuerySet[WhitelistEntry]:
    require_authenticated(principal)
    base = WhitelistEntry.objects.select_related("exporter")
    if is_zone_operator(principal) or is_reviewer(principal):
        return base
    return base.filter(exporter_id__in=_member_orgs(principal))


def entry_for(principal: Principal, raw_id: object, action: Action) -> WhitelistEntry:
    public_id = parse_public_id(raw_id, message=_("No such whitelist entry."))
    found = entries_visible_to(principal).filter(public_id=public_id).first()
    if found is None:
        raise NotFound(_("No such whitelist entry."))
    if action != Action.VIEW:
        require_write(principal)
        if role_in(principal, found.exporter) not in MANAGERS:
            raise Forbidden(
                _("Your role in %(organisation)s does not allow this.")
                % {"organisation": found.exporter}
            )
    return found
