"""Who sees a conversation: its nomad and the members of its enterprise. Everyone else —
other nomads, other enterprises, the zone operator, a visitor — gets NotFound, as if it did
not exist. Turning it into an order needs an editor's role in the enterprise."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import parse_public_id, require_authenticated, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.conversations.models import Conversation
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.demands import access as demand_access


def is_nomad(principal: Principal, conversation: Conversation) -> bool:
    return principal.user is not None and principal.user.pk == conversation.nomad_id


def is_party(principal: Principal, conversation: Conversation) -> bool:
    return is_nomad(principal, conversation) or (
        role_in(principal, conversation.organisation) is not None
    )


def conversation_for(principal: Principal, public_id: object) -> Conversation:
    require_authenticated(principal)
    key = parse_public_id(public_id, message=_("No such conversation."))
    conversation = (
        Conversation.objects.filter(public_id=key)
        .select_related("demand__organisation", "organisation", "nomad", "application")
        .first()
    )
    if conversation is None or not is_party(principal, conversation):
        raise NotFound(_("No such conversation."))
    return conversation


def can_contract(principal: Principal, conversation: Conversation) -> bool:
    return principal.can_write and (
        role_in(principal, conversation.organisation) in demand_access.EDITORS
    )


def check_contract(principal: Principal, conversation: Conversation) -> None:
    """May the principal turn this conversation into an order? (an editor of the enterprise,
    a write scope). The nomad sees the conversation, so is refused, not told it is missing."""
    if role_in(principal, conversation.organisation) is None:
        raise Forbidden(
            _("Only the enterprise turns a conversation into an order."), code="enterprise_only"
        )
    demand_access.check_enterprise(principal, conversation.organisation, demand_access.Action.EDIT)
