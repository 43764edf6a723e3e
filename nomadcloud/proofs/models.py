"""Proofs of work: issuer keys, issued credentials and the transparency log that records
them (entries, the insert-only table of complete Merkle subtrees, signed checkpoints)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuerKey(models.Model):
    """An Ed25519 signing key of the zone. The private seed is Fernet-encrypted
    (core.crypto); a retired key signs nothing new but still verifies what it signed."""

    key_id = models.CharField(_("key id"), max_length=80, unique=True)
    private_key_encrypted = models.TextField(_("private key (encrypted)"))
    public_multikey = models.CharField(_("public key (Multikey)"), max_length=80, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")

    def __str__(self) -> str:
        return self.key_id


class LogHead(models.Model):
    """The single row locked (SELECT … FOR UPDATE) to serialise appends to the log."""

    size = models.BigIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("log head")
        verbose_name_plural = _("log heads")

    def __str__(self) -> str:
        return str(self.size)


class Credential(models.Model):
    class Kind(models.TextChoices):
        DATA = "data", _("Data-processing work")
        ORDER = "order", _("Order")
        TRAINING = "training", _("Training scenario")
        CHALLENGE = "challenge", _("揭榜挂帅 challenge milestone")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proof_credentials",
    )
    subject = models.CharField(_("subject"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=120)
    document = models.JSONField(_("document"))
    # Position in the Bitstring Status Lists: list number (from 1, served at
    # /proofs/status/<n>) and bit index within that list.
    status_list = models.PositiveIntegerField(_("status list"), default=1)
    status_index = models.IntegerField(_("status list index"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_reason = models.TextField(_("revocation reason"), blank=True)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source"], name="proofs_one_credential_per_source"
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="proofs_one_credential_per_status_bit"
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class LogEntry(models.Model):
    index = models.BigIntegerField(_("index"), unique=True)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    credential = models.OneToOneField(
        Credential, on_delete=models.PROTECT, related_name="log_entry"
    )

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return str(self.index)


class RevocationEntry(models.Model):
    """A revocation appended to the transparency log, so that revocations are as
    tamper-evident as issuance: the leaf is the canonical JSON of ``record`` (which credential,
    its log index and leaf hash, its status-list bit, when, why). Log indices are shared
    with ``LogEntry``: both are appended under the lock of the log head."""

    index = models.BigIntegerField(_("index"), unique=True)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    credential = models.OneToOneField(
        Credential, on_delete=models.PROTECT, related_name="revocation_entry"
    )
    record = models.JSONField(_("revocation record"))

    class Meta:
        verbose_name = _("revocation log entry")
        verbose_name_plural = _("revocation log entries")

    def __str__(self) -> str:
        return str(self.index)


class LogNode(models.Model):
    """A complete subtree of 2^level leaves starting at leaf index·2^level; insert-only."""

    level = models.SmallIntegerField(_("level"))
    index = models.BigIntegerField(_("index"))
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("log node")
        verbose_name_plural = _("log nodes")
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="proofs_lognode_level_index")
        ]

    def __str__(self) -> str:
        return f"{self.level}/{self.index}"


class Checkpoint(models.Model):
    size = models.BigIntegerField(_("size"))
    root = models.BinaryField(_("root"), max_length=32)
    note = models.TextField(_("signed note"))
    key = models.ForeignKey(
        IssuerKey,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing key"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return str(self.size)


class ExternalKey(models.Model):
    """A public key registered from outside the zone (a partner zone's issuer key, a witness
    or cosigner of checkpoints, a verifier), screened before it is stored: small-order,
    mixed-order and non-canonical Ed25519 keys are refused."""

    class Purpose(models.TextChoices):
        WITNESS = "witness", _("Witness (cosigns checkpoints)")
        COSIGNER = "cosigner", _("Partner zone cosigning checkpoints")
        ISSUER = "issuer", _("Partner zone issuer")
        VERIFIER = "verifier", _("Verifier")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    public_multikey = models.CharField(_("public key (Multikey)"), max_length=80, unique=True)
    note_verifier = models.CharField(_("signed-note verifier key"), max_length=200)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("external public key")
        verbose_name_plural = _("external public keys")

    def __str__(self) -> str:
        return self.name
