"""The conversations part of /api/v1/: a person's conversations, their messages (text; files
are attached on the page), and turning a conversation into an order. Only the two parties
see a conversation; everyone else gets 404."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.conversations import access, queries, services
from nomadcloud.conversations.schemas import (
    ConversationOut,
    ConvertIn,
    MessageIn,
    MessageOut,
    OrderMadeOut,
)
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.inputs import parse_draft
from nomadcloud.orders.schemas import OrderDraft

router = Router(tags=["conversations"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("", response=_errors({200: list[ConversationOut]}))
@paginate(CursorPagination)
def list_conversations(request: HttpRequest, **kwargs: Any) -> Any:
    """Your conversations: as the nomad, or as a member of the enterprise."""
    return queries.conversations_of(require_person(Principal.of(request)))


@router.get("/{conversation_id}", response=_errors({200: ConversationOut}))
def get_conversation(request: HttpRequest, conversation_id: UUID) -> Any:
    return access.conversation_for(Principal.of(request), conversation_id)


@router.get("/{conversation_id}/messages", response=_errors({200: list[MessageOut]}))
@paginate(CursorPagination)
def list_messages(request: HttpRequest, conversation_id: UUID, **kwargs: Any) -> Any:
    conversation = access.conversation_for(Principal.of(request), conversation_id)
    return queries.messages_of(conversation)


@router.post("/{conversation_id}/messages", response=_errors({201: MessageOut}))
def post_message(request: HttpRequest, conversation_id: UUID, payload: MessageIn) -> Status[Any]:
    principal = Principal.of(request)
    conversation = access.conversation_for(principal, conversation_id)
    message = services.post_message(
        principal=principal, conversation=conversation, body=payload.body
    )
    return Status(201, message)


@router.post("/{conversation_id}/order", response=_errors({201: OrderMadeOut}))
def convert(request: HttpRequest, conversation_id: UUID, payload: ConvertIn) -> Status[Any]:
    """Turn the conversation into an order assigned to the nomad; fields left out are
    prefilled from the demand. A second order from one conversation is refused (409
    `already_converted`)."""
    principal = Principal.of(request)
    conversation = access.conversation_for(principal, conversation_id)
    access.check_contract(principal, conversation)
    fields = services.order_fields(conversation)
    given = payload.model_dump(exclude_none=True)
    draft = parse_draft(OrderDraft, {**fields, **given})
    order = services.convert(principal=principal, conversation=conversation, draft=draft)
    return Status(201, order)
