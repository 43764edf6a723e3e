"""Data innovation vouchers (数据创新券): a department's programme, the service providers
registered on it with their priced services, vouchers an enterprise applies for and is issued,
the provider's redemption (兑付) against delivered work with its evidence, and the history of
every voucher. Money is not kept here: the budget, the commitment made at issue and the
payout made at redemption live in the ``payouts`` app (docs/vouchers.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.crypto import decrypt_text, encrypt_text, mask
from nomadcloud.core.money import MoneyField
from nomadcloud.core.uploads import StoredFile


class PartyDetails(models.Model):
    """A party's legal representative and bank account, personal data stored encrypted
    (``core/crypto.py``, NOMADCLOUD_FIELD_KEYS, like the passport number) and shown masked.
    Read and written in the clear through the properties of the same names."""

    legal_representative_encrypted = models.TextField(
        _("legal representative (encrypted)"), blank=True
    )
    bank_account_encrypted = models.TextField(_("bank account (encrypted)"), blank=True)

    class Meta:
        abstract = True

    @property
    def legal_representative(self) -> str:
        return decrypt_text(self.legal_representative_encrypted)

    @legal_representative.setter
    def legal_representative(self, value: str) -> None:
        self.legal_representative_encrypted = encrypt_text(value)

    @property
    def bank_account(self) -> str:
        return decrypt_text(self.bank_account_encrypted)

    @bank_account.setter
    def bank_account(self, value: str) -> None:
        self.bank_account_encrypted = encrypt_text(value)

    @staticmethod
    def encrypted(*, legal_representative: str, bank_account: str) -> dict[str, str]:
        """The stored fields for the given clear values (for ``objects.create``)."""
        return {
            "legal_representative_encrypted": encrypt_text(legal_representative),
            "bank_account_encrypted": encrypt_text(bank_account),
        }

    @property
    def masked_legal_representative(self) -> str:
        return mask(self.legal_representative, keep_start=1, keep_end=0)

    @property
    def masked_bank_account(self) -> str:
        digits = "".join(self.bank_account.split())
        return mask(digits, keep_start=4, keep_end=4)


class ServiceKind(models.TextChoices):
    """The data services a voucher may pay for (a programme permits some of them)."""

    DATA_CLEANING = "data_cleaning", _("Data cleaning")
    DATA_ANNOTATION = "data_annotation", _("Data annotation")
    DATA_ANALYTICS = "data_analytics", _("Data analytics")
    DATA_ASSET_RECOGNITION = "data_asset_recognition", _("Data asset recognition (数据资产入表)")
    DATA_COMPLIANCE = "data_compliance", _("Data compliance assessment")
    DATA_PRODUCT = "data_product", _("Data product development")


class Programme(models.Model):
    """A voucher programme of one department for one year: its budget (held in ``payouts``),
    the highest face value, the share the enterprise pays itself, the yearly cap per
    enterprise, the services it pays for, and how long an issued voucher is valid."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for applications")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="voucher_programmes",
        verbose_name=_("department"),
    )
    year = models.PositiveIntegerField(_("year"))
    budget_amount = MoneyField(_("budget"))
    budget = models.ForeignKey(
        "payouts.Budget",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("budget"),
    )
    max_face_value = MoneyField(_("highest face value"))
    copay_ratio = models.DecimalField(
        _("co-pay ratio"),
        max_digits=5,
        decimal_places=4,
        help_text=_("The share of the price the enterprise pays itself, e.g. 0.3 for 30 %."),
    )
    annual_cap = MoneyField(_("yearly cap per enterprise"))
    validity_days = models.PositiveIntegerField(_("validity (days)"))
    service_kinds = models.JSONField(_("services it pays for"), default=list)
    applications_from = models.DateField(_("applications from"))
    applications_until = models.DateField(_("applications until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(copay_ratio__gte=0) & Q(copay_ratio__lt=1),
                name="vouchers_programme_copay_ratio",
            ),
            models.CheckConstraint(
                condition=Q(applications_until__gte=models.F("applications_from")),
                name="vouchers_programme_dates",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "name")

    def kind_labels(self) -> list[str]:
        labels = dict(ServiceKind.choices)
        return [str(labels.get(k, k)) for k in self.service_kinds]


class Provider(PartyDetails):
    """A service provider's registration (备案) on a programme, reviewed by its department.
    The legal representative, registered address and bank account are what the related-party
    rule compares with the voucher holder's."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="providers", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="voucher_providers",
        verbose_name=_("organisation"),
    )
    registered_address = models.CharField(_("registered address"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("voucher service provider")
        verbose_name_plural = _("voucher service providers")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"], name="vouchers_provider_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class ProviderService(models.Model):
    """A service in a provider's catalogue, at its list price."""

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="services", verbose_name=_("provider")
    )
    kind = models.CharField(_("kind of service"), max_length=30, choices=ServiceKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    list_price = MoneyField(_("list price"))
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider service")
        verbose_name_plural = _("provider services")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price__gt=0), name="vouchers_service_price_positive"
            )
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "name")


class Voucher(PartyDetails):
    """A voucher from application to redemption. ``code`` is given at issue; ``face_value``
    is what the programme pays at most (the agreed price less the enterprise's co-pay, capped
    at the programme's highest face value); ``commitment`` is the budget reserved for it."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ISSUED = "issued", _("Issued")
        REDEEMING = "redeeming", _("Redemption in progress")
        REDEEMED = "redeemed", _("Redeemed")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("voucher code"), max_length=24, unique=True, null=True, blank=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("programme")
    )
    enterprise = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="vouchers_held",
        verbose_name=_("enterprise"),
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("provider")
    )
    service = models.ForeignKey(
        ProviderService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    agreed_price = MoneyField(_("agreed price"))
    copay_amount = MoneyField(_("co-pay by the enterprise"))
    face_value = MoneyField(_("face value"))
    purpose = models.TextField(_("what the service is for"), blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    commitment = models.ForeignKey(
        "payouts.Commitment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("budget commitment"),
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("data innovation voucher")
        verbose_name_plural = _("data innovation vouchers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="vouchers_voucher_expiry"),
            models.Index(fields=["enterprise", "programme"], name="vouchers_voucher_holder"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(face_value__gt=0) & Q(copay_amount__gte=0),
                name="vouchers_voucher_amounts",
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(self.public_id)


class Redemption(models.Model):
    """The provider's claim (兑付) against a voucher for a delivered service: the invoice,
    the delivery report and evidence files; confirmed by the enterprise, screened by the
    anti-fraud rules (held when any finds something) and verified by the department, which
    approves the payout. At most one redemption of a voucher is alive at a time (a rejected
    one does not count), and an invoice number is used once per provider."""

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting", _("Awaiting the enterprise's confirmation")
        SUBMITTED = "submitted", _("Submitted for verification")
        HELD = "held", _("Held for review")
        VERIFIED = "verified", _("Verified, payout approved")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("voucher")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("provider")
    )
    invoice_number = models.CharField(_("invoice number"), max_length=40)
    invoice_date = models.DateField(_("invoice date"))
    invoice_amount = MoneyField(_("invoice amount"))
    amount = MoneyField(_("amount claimed from the voucher"))
    delivered_on = models.DateField(_("delivered on"))
    report = models.TextField(_("delivery report"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AWAITING_CONFIRMATION
    )
    findings = models.JSONField(_("anti-fraud findings"), default=list)
    params_used = models.JSONField(_("parameters used"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=80, blank=True)
    payout = models.ForeignKey(
        "payouts.Payout",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payout"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed by the enterprise"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("voucher redemption")
        verbose_name_plural = _("voucher redemptions")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="vouchers_redemption_status")]
        constraints = [
            # The database's answer to two redemptions of one voucher racing each other.
            models.UniqueConstraint(
                fields=["voucher"],
                condition=~Q(status="rejected"),
                name="vouchers_one_live_redemption",
            ),
            models.UniqueConstraint(
                fields=["provider", "invoice_number"],
                condition=~Q(status="rejected"),
                name="vouchers_invoice_once",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(invoice_amount__gte=models.F("amount")),
                name="vouchers_redemption_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number} ({self.status})"


class Evidence(StoredFile):
    """A delivery file (report, deliverable, acceptance sheet) attached to a redemption."""

    redemption = models.ForeignKey(Redemption, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="vouchers/evidence/")

    class Meta:
        verbose_name = _("delivery evidence")
        verbose_name_plural = _("delivery evidence")
        ordering = ["id"]


class VoucherEvent(models.Model):
    """One step of a voucher's history: who moved it, from which state to which, why, and
    the rule version when rules decided. Append-only."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    rule_version = models.CharField(_("rule version"), max_length=80, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("voucher event")
        verbose_name_plural = _("voucher events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"
