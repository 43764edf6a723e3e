"""Conversations between a nomad and an enterprise about a demand, opened when the
enterprise shortlists the nomad's application or the nomad accepts the enterprise's
invitation; their messages and attached files. Only the two parties see a conversation: the
nomad and the members of the enterprise."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.uploads import StoredFile


class Conversation(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.PROTECT, related_name="conversations"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="conversations",
        verbose_name=_("enterprise"),
    )
    nomad = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="conversations",
        verbose_name=_("nomad"),
    )
    application = models.OneToOneField(
        "demands.DemandApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversation",
    )
    invitation = models.OneToOneField(
        "matching.Invitation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversation",
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False, invitation__isnull=True)
                | Q(application__isnull=True, invitation__isnull=False),
                name="conversation_has_one_origin",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nomad} ↔ {self.organisation}: {self.demand}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.body[:40]


class Attachment(StoredFile):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="conversations/%Y/%m/", max_length=255)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
