from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from nomadcloud.core.crypto import decrypt_text, mask


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        user = self.model(email=self.normalize_email(email) if email else None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("display_name", "Administrator")
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with e-mail or mobile number; may be a nomad and a member of any
    number of organisations. Erasure blanks personal data and keeps the row under a pseudonym,
    so that ledgers and the audit log still refer to someone."""

    class PermitKind(models.TextChoices):
        NONE = "", _("None")
        VISA = "visa", _("Visa")
        RESIDENCE = "residence", _("Residence permit")
        WORK = "work", _("Work permit")
        TALENT = "talent", _("Talent visa (R)")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("mobile number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("International format, e.g. +8613812345678."),
    )
    display_name = models.CharField(_("name"), max_length=100)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_nomad = models.BooleanField(_("digital nomad"), default=False)
    nationality = CountryField(_("nationality"), blank=True)
    passport_number_encrypted = models.TextField(_("passport number (encrypted)"), blank=True)
    permit_kind = models.CharField(
        _("visa or permit"), max_length=12, choices=PermitKind.choices, blank=True, default=""
    )
    permit_valid_from = models.DateField(_("valid from"), null=True, blank=True)
    permit_valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    privacy_notice_version = models.CharField(
        _("privacy notice accepted"), max_length=20, blank=True
    )
    privacy_consented_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    contact_verified_at = models.DateTimeField(
        _("contact verified at"),
        null=True,
        blank=True,
        help_text=_("When the person proved an e-mail address or mobile number with a code."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False)
                | Q(phone__isnull=False)
                | Q(erased_at__isnull=False),
                name="user_has_identifier_unless_erased",
            ),
            models.CheckConstraint(
                condition=Q(permit_valid_until__isnull=True)
                | Q(permit_valid_from__isnull=True)
                | Q(permit_valid_until__gte=models.F("permit_valid_from")),
                name="user_permit_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.pseudonym

    @property
    def pseudonym(self) -> str:
        return f"person-{self.public_id.hex[:12]}"

    @property
    def is_foreign(self) -> bool:
        return bool(self.nationality) and self.nationality.code != "CN"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def login_identifier(self) -> str:
        return self.email or self.phone or self.pseudonym

    @property
    def masked_email(self) -> str:
        if not self.email:
            return ""
        local, _at, domain = self.email.partition("@")
        return f"{mask(local, keep_start=1, keep_end=0)}@{domain}"

    @property
    def masked_phone(self) -> str:
        return mask(self.phone, keep_start=4, keep_end=4) if self.phone else ""

    @property
    def masked_passport(self) -> str:
        return (
            mask(decrypt_text(self.passport_number_encrypted))
            if self.passport_number_encrypted
            else ""
        )


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        MERCHANT = "merchant", _("Merchant")
        COMMUNITY = "community", _("Community operator")
        DEPARTMENT = "department", _("Government department")
        OPERATOR = "operator", _("Zone operator")
        PUBLIC_UNIT = "public_unit", _("Public unit")

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("Not verified")
        PENDING = "pending", _("Verification pending")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Verification rejected")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Short stable code, used for departments (e.g. kegongxin)."),
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    country = CountryField(_("country of registration"), default="CN")
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("18 characters, for organisations registered in China."),
    )
    registration_number = models.CharField(
        _("registration number"),
        max_length=64,
        blank=True,
        help_text=_("For organisations registered outside China."),
    )
    verification_status = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    reviewing_department = models.ForeignKey(
        "self",
        verbose_name=_("reviewing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations_reviewed",
        limit_choices_to={"kind": "department"},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organisation_credit_code_unique",
            ),
            models.CheckConstraint(
                condition=~Q(name_zh="") | ~Q(name_en=""), name="organisation_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "name")


class UnitAlias(models.Model):
    """Another name a unit goes by in plans and documents (科工信局 for 市科工信局; 环湾办 for
    市政府环湾办), resolved by ``accounts.units.resolve_unit``. Stored normalised (no spaces,
    full-width letters folded)."""

    text = models.CharField(_("alias"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        ordering = ["text"]

    def __str__(self) -> str:
        return f"{self.text} → {self.organisation_id}"


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")
        REVIEWER = "reviewer", _("Reviewer")
        READONLY = "readonly", _("Read-only")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class VerificationDecision(models.Model):
    """A department's decision on an organisation's verification: who, when, on what
    evidence, under which rule version."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="verification_decisions"
    )
    approved = models.BooleanField(_("approved"))
    reason = models.TextField(_("reason"))
    evidence = models.JSONField(_("evidence"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=40)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_for = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deciding department"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification decision")
        verbose_name_plural = _("verification decisions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.organisation}: {'approved' if self.approved else 'rejected'}"


class ApiToken(models.Model):
    """A personal access token or an organisation API key. Only a SHA-256 of the secret is
    kept (the secret has 256 bits of entropy, so a slow hash adds nothing); it is shown once."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal access token")
        ORGANISATION = "organisation", _("Organisation API key")

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="api_tokens"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="personal") & Q(user__isnull=False) & Q(organisation__isnull=True)
                )
                | (Q(kind="organisation") & Q(organisation__isnull=False) & Q(user__isnull=True)),
                name="api_token_owner_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class ContactCode(models.Model):
    """A one-time code sent to prove an e-mail address or mobile number. Only a keyed hash
    of the code is kept; it expires, allows a few attempts, and a newer code supersedes it
    (``accounts/verification.py``)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_codes")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    target = models.CharField(_("sent to"), max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact verification code")
        verbose_name_plural = _("contact verification codes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="contactcode_user_time")]

    def __str__(self) -> str:
        return f"{self.channel} code for {self.user_id}"
