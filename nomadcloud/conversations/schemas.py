"""Typed API input and output of conversations."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict

from nomadcloud.conversations.models import Attachment, Conversation, Message
from nomadcloud.core.i18n import localized
from nomadcloud.core.schemas import Input, Text
from nomadcloud.orders.schemas import MilestoneIn


class MessageIn(Input):
    body: Annotated[Text, Field(min_length=1, max_length=5000)]


# The API's body of turning a conversation into an order: every field is optional; what is
# left out is prefilled from the demand (titles, description, skills, one milestone for its
# budget). No docstring: it would show in the OpenAPI document.
class ConvertIn(Input):
    model_config = ConfigDict(extra="ignore")

    title_zh: Annotated[Text, Field(max_length=200)] | None = None
    title_en: Annotated[Text, Field(max_length=200)] | None = None
    description_zh: Annotated[Text, Field(max_length=20000)] | None = None
    description_en: Annotated[Text, Field(max_length=20000)] | None = None
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=20)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_name(obj: Attachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return settings.SITE_URL + reverse(
            "conversations:attachment", args=[obj.message.conversation.public_id, obj.pk]
        )


class MessageOut(Schema):
    id: int
    author: UUID
    author_name: str
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Message) -> UUID:
        return obj.author.public_id

    @staticmethod
    def resolve_author_name(obj: Message) -> str:
        return str(obj.author)

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Any]:
        return list(obj.attachments.all())


class ConversationOut(Schema):
    id: UUID
    demand: UUID
    demand_title: str
    organisation: UUID
    organisation_name: str
    nomad: UUID
    nomad_name: str
    origin: str
    created_at: datetime
    last_message_at: datetime | None

    @staticmethod
    def resolve_id(obj: Conversation) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_demand(obj: Conversation) -> UUID:
        return obj.demand.public_id

    @staticmethod
    def resolve_demand_title(obj: Conversation) -> str:
        return localized(obj.demand, "title")

    @staticmethod
    def resolve_organisation(obj: Conversation) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Conversation) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_nomad(obj: Conversation) -> UUID:
        return obj.nomad.public_id

    @staticmethod
    def resolve_nomad_name(obj: Conversation) -> str:
        return str(obj.nomad)

    @staticmethod
    def resolve_origin(obj: Conversation) -> str:
        return "application" if obj.application_id else "invitation"


class OrderMadeOut(Schema):
    id: UUID
    status: str
    total: Decimal
    due_on: date | None
    url: str

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return UUID(str(obj.public_id))

    @staticmethod
    def resolve_due_on(obj: Any) -> date | None:
        return obj.final_due_on  # type: ignore[no-any-return]

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return settings.SITE_URL + reverse("orders:detail", args=[obj.public_id])
