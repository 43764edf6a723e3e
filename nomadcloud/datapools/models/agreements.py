"""Access: negotiations (the in-force states, events, uses), the department's confirmation, query
templates, transfers, download links and the protocol's callbacks."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualField

from .pools import Pool
from .releases import DatasetVersion


class Negotiation(models.Model):
    """An enterprise's access request and its contract negotiation (Dataspace Protocol
    2025-1 states, lower-case): the current ODRL policy is the offer on the table; every move
    is a ``NegotiationEvent`` with the policy it carried. An agreed negotiation is the
    agreement its uses are logged against."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        OFFERED = "offered", _("counter-offered")
        # Both sides agree; the lead department's 核定 is awaited (decision 0062).
        CONFIRMING = "confirming", _("awaiting the department's confirmation")
        AGREED = "agreed", _("agreed")
        VERIFIED = "verified", _("agreement verified")
        FINALIZED = "finalized", _("finalized: access granted")
        TERMINATED = "terminated", _("terminated")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="negotiations")
    consumer = models.ForeignKey(
        "accounts.Organisation", models.PROTECT, related_name="+", verbose_name=_("consumer")
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    policy = models.JSONField(_("ODRL policy"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    deadline = models.DateTimeField(_("answer due by"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("agreement ends"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # Dataspace Protocol (dsp.py): the other connector's id for this negotiation and the
    # base URL it receives messages at (empty for a negotiation made on the platform).
    consumer_pid = models.CharField(_("consumer process id"), max_length=200, blank=True)
    callback_address = models.URLField(_("callback address"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("access negotiation")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "deadline"], name="datapools_nego_deadline")]

    def __str__(self) -> str:
        return str(self.public_id)


# The states in which an agreement is in force (until it ends): never before the lead
# department's 核定 (``confirming`` is not one of them).
IN_FORCE = (Negotiation.State.AGREED, Negotiation.State.VERIFIED, Negotiation.State.FINALIZED)


class NegotiationEvent(models.Model):
    negotiation = models.ForeignKey(Negotiation, models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    to_state = models.CharField(max_length=12)
    policy = models.JSONField()
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.negotiation_id} {self.action}"


class UsageEvent(models.Model):
    """One use of the data under an agreement: what was asked (its hash and parameters),
    which version, how many groups came back."""

    negotiation = models.ForeignKey(Negotiation, models.PROTECT, related_name="uses")
    version = models.ForeignKey(DatasetVersion, models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=20)
    query_hash = models.CharField(max_length=64)
    parameters = models.JSONField()
    rows = models.PositiveIntegerField()
    at = models.DateTimeField()
    # The privacy budget this use spent (differential privacy), or null.
    epsilon = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.negotiation_id} {self.query_hash[:8]}"


class AgreementConfirmation(models.Model):
    """The lead department's 核定 of an agreement (decision 0062): who decided, when, with
    what note, under which charter version; a refusal ends the negotiation naming it."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        REFUSED = "refused", _("refused")

    negotiation = models.OneToOneField(
        Negotiation, models.CASCADE, related_name="confirmation", verbose_name=_("negotiation")
    )
    department = models.ForeignKey(
        "accounts.Organisation", models.PROTECT, related_name="+", verbose_name=_("department")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The rule the decision applied: the pool's charter version at the time.
    rule_version = models.CharField(_("rule version"), max_length=60)

    class Meta:
        verbose_name = _("agreement confirmation (核定)")

    def __str__(self) -> str:
        return f"{self.negotiation_id} {self.outcome}"


class QueryTemplate(models.Model):
    """A parameterised DuckDB SELECT over a pool's release (the view ``release``), written
    and approved by the steward (docs/datapools.md, decision 0048). Consumers under an
    agreement for query templates run an approved one with typed parameters; an approved
    template never changes (withdraw it and write a new one)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        WITHDRAWN = "withdrawn", _("withdrawn")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="query_templates")
    title = MultilingualField(_("title"))
    sql = models.TextField(_("SQL"))
    # [{"name", "type": integer|number|string|date|enum, "values": [...] (enum)}]
    parameters = models.JSONField(_("parameters"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("query template")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.public_id)


class Transfer(models.Model):
    """A Dataspace Protocol transfer process under an agreement (``REQUESTED → STARTED ↔
    SUSPENDED → COMPLETED | TERMINATED``): the other connector's access to the agreed mode,
    through the data address it is given when the transfer starts."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        STARTED = "started", _("started")
        SUSPENDED = "suspended", _("suspended")
        COMPLETED = "completed", _("completed")
        TERMINATED = "terminated", _("terminated")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    negotiation = models.ForeignKey(Negotiation, models.PROTECT, related_name="transfers")
    consumer_pid = models.CharField(_("consumer process id"), max_length=200)
    format = models.CharField(_("format"), max_length=100)
    callback_address = models.URLField(_("callback address"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    code = models.CharField(_("code"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("transfer process")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.public_id)


class TransferEvent(models.Model):
    transfer = models.ForeignKey(Transfer, models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    to_state = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.action}"


class DownloadLink(models.Model):
    """A download link issued under an agreement (decision 0058): the URL handed out is the
    platform's own, naming this row, so the steward (or the agreement ending) can revoke it
    before it expires; opening it streams the file or redirects to a presigned URL of a
    minute."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    negotiation = models.ForeignKey(Negotiation, models.CASCADE, related_name="download_links")
    version = models.ForeignKey(DatasetVersion, models.PROTECT, related_name="+")
    issued_to = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("why revoked"), max_length=40, blank=True)
    # The reason the person who revoked this one link gave (decision 0064); the code above
    # says who: ``steward``, ``holder`` (the person it was issued to) or ``ended``.
    revoke_note = models.CharField(_("reason given"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("download link")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return str(self.public_id)

    @classmethod
    def revoke_live(cls, negotiation: Negotiation, actor: Any, reason: str) -> int:
        """Revoke every live link of the agreement; how many there were."""
        from django.utils import timezone

        return cls.objects.filter(negotiation=negotiation, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor, revoke_reason=reason
        )


class DspCallback(models.Model):
    """A Dataspace Protocol message to the other connector's ``callbackAddress`` (an
    outbox row written with the state change it reports; delivered by a job, retried with
    backoff, in order per process; decision 0062)."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("delivered")
        FAILED = "failed", _("given up")

    negotiation = models.ForeignKey(
        Negotiation, models.CASCADE, null=True, blank=True, related_name="callbacks"
    )
    transfer = models.ForeignKey(
        Transfer, models.CASCADE, null=True, blank=True, related_name="callbacks"
    )
    message_type = models.CharField(_("message"), max_length=60)
    url = models.URLField(_("address"), max_length=800)
    body = models.JSONField()
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Dataspace Protocol callback")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="datapools_cb_due"),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} → {self.url}"
