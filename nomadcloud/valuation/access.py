"""The access chokepoints for valuations and the bubble watch (docs/valuation.md).

- A data asset and its valuations are seen by the holder's members, the valuation firm's
  members (for the valuations it performs), the reviewing department's members and the zone
  operator (read only, as the auditor); to everyone else they do not exist (404).
- The holder's editors register assets, request valuations and withdraw them.
- The valuation firm's editors collect data, pass the legal gate, assess quality, compute,
  reconcile, sign as the licensed valuer and issue.
- A deciding member of the reviewing department signs as the second reviewer.
- An alert is seen and moved by the deciding members of the department it is routed to, and
  seen by the zone operator and the holder's members.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    DECIDING_ROLES,
    Role,
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
from nomadcloud.valuation.models import Alert, DataAsset, Valuation
from nomadcloud.valuation.transitions import Side

EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})


def member_organisations(principal: Principal) -> QuerySet[Organisation]:
    if principal.key_organisation is not None:
        return Organisation.objects.filter(pk=principal.key_organisation.pk)
    if principal.user is None:
        return Organisation.objects.none()
    ids = Membership.objects.filter(user=principal.user).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids)


def valuations_scope(principal: Principal) -> Q:
    """The valuations the asker may see, as a filter."""
    if is_zone_operator(principal):
        return Q()
    orgs = member_organisations(principal)
    return Q(asset__holder__in=orgs) | Q(valuer__in=orgs) | Q(department__in=orgs)


def may_see_valuation(principal: Principal, valuation: Valuation) -> bool:
    return (
        is_zone_operator(principal)
        or role_in(principal, valuation.asset.holder) is not None
        or role_in(principal, valuation.valuer) is not None
        or role_in(principal, valuation.department) is not None
    )


def sides_of(principal: Principal, valuation: Valuation) -> set[Side]:
    sides: set[Side] = set()
    if principal.can_write and role_in(principal, valuation.asset.holder) in EDITORS:
        sides.add(Side.HOLDER)
    if principal.can_write and role_in(principal, valuation.valuer) in EDITORS:
        sides.add(Side.VALUER)
    if (
        principal.user is not None
        and principal.key_organisation is None
        and principal.can_write
        and role_in(principal, valuation.department) in DECIDING_ROLES
    ):
        sides.add(Side.DEPARTMENT)
    return sides


def require_side(principal: Principal, valuation: Valuation, side: Side) -> None:
    require_authenticated(principal)
    require_write(principal)
    if side is Side.DEPARTMENT:
        require_person(principal)
        if role_in(principal, valuation.department) not in DECIDING_ROLES:
            raise Forbidden(
                _("Only a reviewer of %(department)s signs this.")
                % {"department": valuation.department},
                code="department_only",
            )
        return
    if side is Side.VALUER:
        if role_in(principal, valuation.valuer) not in EDITORS:
            raise Forbidden(
                _("Only the valuation firm (%(firm)s) can do this.") % {"firm": valuation.valuer},
                code="valuer_only",
            )
        return
    if role_in(principal, valuation.asset.holder) not in EDITORS:
        raise Forbidden(
            _("Only the asset's holder (%(holder)s) can do this.")
            % {"holder": valuation.asset.holder},
            code="holder_only",
        )


def valuation_for(principal: Principal, public_id: object) -> Valuation:
    valuation = (
        Valuation.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such valuation."))
        )
        .select_related("asset__holder", "asset__pool", "valuer", "department")
        .first()
    )
    if valuation is None or not may_see_valuation(principal, valuation):
        raise NotFound(_("No such valuation."))
    return valuation


def may_see_asset(principal: Principal, asset: DataAsset) -> bool:
    if is_zone_operator(principal) or role_in(principal, asset.holder) is not None:
        return True
    orgs = member_organisations(principal)
    return asset.valuations.filter(Q(valuer__in=orgs) | Q(department__in=orgs)).exists()


def asset_for(principal: Principal, public_id: object, *, edit: bool = False) -> DataAsset:
    asset = (
        DataAsset.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such data asset."))
        )
        .select_related("holder", "pool")
        .first()
    )
    if asset is None or not may_see_asset(principal, asset):
        raise NotFound(_("No such data asset."))
    if edit:
        require_authenticated(principal)
        require_write(principal)
        if role_in(principal, asset.holder) not in EDITORS:
            raise Forbidden(
                _("Only the asset's holder (%(holder)s) can do this.") % {"holder": asset.holder},
                code="holder_only",
            )
    return asset


def holder_organisation(principal: Principal, public_id: object) -> Organisation:
    """The organisation an asset is registered for: one where the asker is an editor."""
    org_id = parse_public_id(public_id, message=_("No such organisation."))
    organisation = Organisation.objects.filter(public_id=org_id).first()
    if organisation is None or role_in(principal, organisation) is None:
        raise NotFound(_("No such organisation."))
    require_write(principal)
    if role_in(principal, organisation) not in EDITORS:
        raise Forbidden(
            _("Only an editor of %(org)s can register its data assets.") % {"org": organisation},
            code="holder_only",
        )
    return organisation


def alerts_scope(principal: Principal) -> Q:
    if is_zone_operator(principal):
        return Q()
    orgs = member_organisations(principal)
    return Q(department__in=orgs) | Q(asset__holder__in=orgs)


def alert_for(principal: Principal, public_id: object, *, decide: bool = False) -> Alert:
    alert = (
        Alert.objects.filter(public_id=parse_public_id(public_id, message=_("No such alert.")))
        .select_related("asset__holder", "department")
        .first()
    )
    if alert is None or not (
        is_zone_operator(principal)
        or role_in(principal, alert.department) is not None
        or (alert.asset is not None and role_in(principal, alert.asset.holder) is not None)
    ):
        raise NotFound(_("No such alert."))
    if decide:
        require_authenticated(principal)
        require_person(principal)
        require_write(principal)
        if role_in(principal, alert.department) not in DECIDING_ROLES:
            raise Forbidden(
                _("Only %(department)s handles this alert.") % {"department": alert.department},
                code="department_only",
            )
    return alert


def may_record_prices(principal: Principal, asset: DataAsset) -> bool:
    """Prices are recorded by the holder's editors (its own trades) and the zone operator
    (listings of the exchange)."""
    return principal.can_write and (
        is_zone_operator(principal) or role_in(principal, asset.holder) in EDITORS
    )


def decides_alert(principal: Principal, alert: Alert) -> bool:
    return (
        principal.user is not None
        and principal.key_organisation is None
        and principal.can_write
        and role_in(principal, alert.department) in DECIDING_ROLES
    )


def require_holder(principal: Principal, asset: DataAsset) -> None:
    """Only the holder's editors write its books (入表 entries)."""
    if not may_see_asset(principal, asset):
        raise NotFound(_("No such data asset."))
    require_authenticated(principal)
    require_write(principal)
    if role_in(principal, asset.holder) not in EDITORS:
        raise Forbidden(
            _("Only the asset's holder (%(holder)s) can do this.") % {"holder": asset.holder},
            code="holder_only",
        )


def may_read_books(principal: Principal, holder: Organisation) -> bool:
    """A holder's roll-forward: its members and the zone operator (the auditor's read)."""
    return is_zone_operator(principal) or role_in(principal, holder) is not None


def require_books_reader(principal: Principal, holder: Organisation) -> None:
    if not may_read_books(principal, holder):
        raise NotFound(_("No such organisation."))


def books_holder(principal: Principal, public_id: object) -> Organisation:
    """The organisation whose books are asked for (404 to anyone else)."""
    org_id = parse_public_id(public_id, message=_("No such organisation."))
    holder = Organisation.objects.filter(public_id=org_id).first()
    if holder is None or not may_read_books(principal, holder):
        raise NotFound(_("No such organisation."))
    return holder


def may_write_books(principal: Principal, holder: Organisation) -> bool:
    return principal.can_write and role_in(principal, holder) in EDITORS


def require_books_writer(principal: Principal, holder: Organisation) -> None:
    require_write(principal)
    if role_in(principal, holder) not in EDITORS:
        raise Forbidden(
            _("Only the asset's holder (%(holder)s) can do this.") % {"holder": holder},
            code="holder_only",
        )
