"""Use cases for conversations: open one (for a shortlisted application or an accepted
invitation, once), post a message with files, and turn the conversation into an order
prefilled from the demand (``orders.services.contract_nomad`` makes it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import Membership, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.conversations import access
from nomadcloud.conversations.models import Attachment, Conversation, Message
from nomadcloud.core import audit, uploads
from nomadcloud.core.errors import Forbidden, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.demands.models import Demand, DemandApplication
from nomadcloud.matching.models import Invitation
from nomadcloud.notifications.services import notify
from nomadcloud.orders import services as order_services
from nomadcloud.orders.models import Order
from nomadcloud.orders.schemas import OrderDraft

MAX_FILES = 5
MAX_BODY = 5000


# --- opening ----------------------------------------------------------------------------------


def _open(
    demand: Demand,
    nomad: User,
    *,
    application: DemandApplication | None = None,
    invitation: Invitation | None = None,
) -> tuple[Conversation, bool]:
    origin: dict[str, Any] = (
        {"application": application} if application is not None else {"invitation": invitation}
    )
    conversation, created = Conversation.objects.get_or_create(
        **origin,
        defaults={"demand": demand, "organisation": demand.organisation, "nomad": nomad},
    )
    if created:
        audit.record(
            actor=None,
            action="conversations.conversation.open",
            obj=conversation,
            organisation=demand.organisation,
            after={"demand": str(demand.public_id), "origin": next(iter(origin))},
        )
    return conversation, created


@transaction.atomic
def open_for_application(application_id: int) -> Conversation:
    """The conversation of a shortlisted application (the same one if it is open already)."""
    application = DemandApplication.objects.select_related("demand__organisation", "applicant").get(
        pk=application_id
    )
    conversation, _created = _open(
        application.demand, application.applicant, application=application
    )
    return conversation


@transaction.atomic
def open_for_invitation(invitation_id: int) -> Conversation:
    """The conversation of an accepted invitation; the enterprise is told."""
    invitation = Invitation.objects.select_related("demand__organisation", "profile__user").get(
        pk=invitation_id
    )
    nomad = invitation.profile.user
    conversation, created = _open(invitation.demand, nomad, invitation=invitation)
    if created:
        _tell(enterprise_people(conversation), "conversations.opened", conversation, nomad)
    return conversation


# --- who is told ------------------------------------------------------------------------------


def enterprise_people(conversation: Conversation, *, except_user: User | None = None) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=conversation.organisation, user__is_active=True
        ).select_related("user")
        if except_user is None or m.user.pk != except_user.pk
    ]


def _tell(people: Sequence[User], kind: str, conversation: Conversation, author: User) -> None:
    url = f"/conversations/{conversation.public_id}/"
    for person in {p.pk: p for p in people}.values():
        language = person.preferred_language
        with translation.override(language):
            params = {
                "demand": localized(conversation.demand, "title", language),
                "nomad": str(conversation.nomad),
                "author": str(author),
            }
        notify(person, kind, params=params, url=url)


# --- messages ---------------------------------------------------------------------------------


def post_message(
    *,
    principal: Principal,
    conversation: Conversation,
    body: str,
    files: Sequence[UploadedFile[Any]] = (),
) -> Message:
    """A message from one of the two parties, with up to five files (type and size checked
    before anything is stored); the other side is notified."""
    user = require_person(principal)
    require_write(principal)
    if not access.is_party(principal, conversation):
        raise Forbidden(_("Only the nomad and the enterprise write here."), code="parties_only")
    body = body.strip()
    if len(body) > MAX_BODY:
        raise invalid_field("body", _("Too long: at most %(n)s.") % {"n": MAX_BODY})
    if not body and not files:
        raise invalid_field("body", _("Write a message or attach a file."), code="empty_message")
    if len(files) > MAX_FILES:
        raise invalid_field(
            "files", _("At most %(n)d files per message.") % {"n": MAX_FILES}, code="too_many"
        )
    checked = [uploads.check_file(f, field=f"files.{i}") for i, f in enumerate(files)]
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            message = Message.objects.create(conversation=conversation, author=user, body=body)
            for item in checked:
                attachment = Attachment(message=message)
                uploads.store(attachment, item)
                attachment.save()
                stored.append(attachment)
            Conversation.objects.filter(pk=conversation.pk).update(last_message_at=timezone.now())
            audit.record(
                actor=user,
                action="conversations.message.create",
                obj=message,
                organisation=conversation.organisation,
                after={"length": len(body), "files": len(stored)},
                token=principal.token,
            )
            if access.is_nomad(principal, conversation):
                people = enterprise_people(conversation)
            else:
                people = [conversation.nomad]
            _tell(people, "conversations.message", conversation, user)
    except Exception:
        uploads.delete_stored(list(stored))
        raise
    return message


# --- the order --------------------------------------------------------------------------------


def order_fields(conversation: Conversation) -> dict[str, Any]:
    """The order's terms prefilled from the demand: its titles, description and skills, and
    one milestone for the budget (its upper end, or the nomad's proposed rate when the
    demand is paid in total), due when the demand's duration ends (30 days by default)."""
    demand = conversation.demand
    fields = order_services.fields_from_demand(demand)
    amount: Decimal | None = demand.budget_max or demand.budget_min
    application = conversation.application
    rate = application.proposed_rate if application is not None else None
    if rate is not None and (demand.pay_period == Demand.PayPeriod.TOTAL or amount is None):
        amount = rate
    due = timezone.localdate() + timedelta(days=demand.duration_days or 30)
    fields["milestones"] = [
        {
            "title": localized(demand, "title")[:200] or _("The work"),
            "amount": amount if amount and amount > 0 else Decimal("1.00"),
            "due_on": due,
        }
    ]
    return fields


def existing_order(conversation: Conversation) -> Order | None:
    if conversation.application_id is not None:
        return Order.objects.filter(application_id=conversation.application_id).first()
    return Order.objects.filter(invitation=conversation.invitation).first()


def convert(*, principal: Principal, conversation: Conversation, draft: OrderDraft) -> Order:
    """The enterprise turns the conversation into an order assigned to the nomad, linked to
    the application or invitation and to the demand. A second time is refused
    (``already_converted``)."""
    access.check_contract(principal, conversation)
    return order_services.contract_nomad(
        principal=principal,
        demand=conversation.demand,
        nomad=conversation.nomad,
        draft=draft,
        application=conversation.application,
        invitation=conversation.invitation,
    )
