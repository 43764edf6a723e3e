"""Data resource pools (还数于民; docs/datapools.md): a pool with its versioned charter,
contributions given under per-purpose consent records, and the pool's dataset with its
versions. A contribution's rows are kept with it (small, validated records); a dataset
version names the contributions it holds, so a withdrawn consent leaves the next version."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualField
from nomadcloud.core.money import MoneyField


class Pool(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        OPEN = "open", _("open for contributions")
        CLOSED = "closed", _("closed")
        ARCHIVED = "archived", _("archived")
        REJECTED = "rejected", _("rejected")

    class Kind(models.TextChoices):
        CONSUMPTION = "consumption", _("Culture and tourism consumption")
        TRAFFIC = "traffic", _("Traffic behaviour")
        METAVERSE = "metaverse", _("Metaverse assets")
        LABELLED = "labelled", _("Labelled data")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = MultilingualField(_("title"))
    description = MultilingualField(_("description"))
    steward = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="stewarded_pools",
        verbose_name=_("steward (authorised operator)"),
    )
    lead_department = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="led_pools",
        verbose_name=_("lead department"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    # The newest connector import: payments after this moment are read next time.
    connector_watermark = models.DateTimeField(null=True, blank=True)
    # The provincial registry's registration query code (登记查询码) of the data product,
    # once registered (registration.py); public.
    registration_code = models.CharField(_("registration query code"), max_length=40, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data pool")
        verbose_name_plural = _("data pools")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.title.get("en", "")) if isinstance(self.title, dict) else str(self.pk)

    @property
    def recipient(self) -> str:
        """The recipient named in contributors' consent records."""
        return f"datapools:{self.public_id}"


class Charter(models.Model):
    """One version of a pool's charter; a new version is a new row, never an edit."""

    class Classification(models.TextChoices):
        GENERAL = "general", _("general data")
        IMPORTANT = "important", _("important data")

    class Grade(models.TextChoices):
        NONE = "none", _("no personal information")
        PI = "pi", _("personal information")
        SENSITIVE = "sensitive", _("sensitive personal information")

    pool = models.ForeignKey(Pool, models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField(_("version"))
    purposes = models.JSONField(_("purposes"), default=list)
    data_categories = models.JSONField(_("personal data categories"), default=list)
    classification = models.CharField(
        _("classification"), max_length=10, choices=Classification.choices
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    consent_notice_version = models.CharField(_("consent notice version"), max_length=40)
    access_modes = models.JSONField(_("access modes"), default=list)
    points_per_row = models.PositiveIntegerField(_("points per accepted row"), default=0)
    fee_share_percent = models.PositiveSmallIntegerField(
        _("contributors' share of fees (%)"), default=0
    )
    distribution_period = models.CharField(_("distribution period"), max_length=10)
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    # The data contract: [{"name", "type", "required", "min", "max", "values", "personal"}]
    columns = models.JSONField(_("schema"), default=list)
    # Differential privacy (docs/decisions/0048): when set, every aggregate under an agreement
    # for this pool adds Laplace noise and spends ε from this budget per agreement.
    dp_epsilon_budget = models.DecimalField(
        _("ε budget per agreement (differential privacy)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # Asset provenance (provenance.py, decision 0057): each contribution carries its asset
    # file with a SHA-256 (and optionally a C2PA manifest reference) the platform checks.
    requires_provenance = models.BooleanField(
        _("assets need hash provenance (SHA-256, optional C2PA)"), default=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pool charter")
        ordering = ["pool", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "version"], name="datapools_charter_version")
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} v{self.version}"

    def column_names(self) -> list[str]:
        return [str(c["name"]) for c in self.columns]


class PoolEvent(models.Model):
    """Append-only history of a pool's moves."""

    pool = models.ForeignKey(Pool, models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.pool_id} {self.action}"


class Contribution(models.Model):
    class Status(models.TextChoices):
        VALIDATING = "validating", _("received, being checked")
        ACCEPTED = "accepted", _("accepted")
        QUARANTINED = "quarantined", _("quarantined: undeclared personal data")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("consent withdrawn")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("uploaded file")
        POINTS_PAYMENTS = "points_payments", _("points payments (connector)")
        DATATASKS = "datatasks", _("accepted labelling work (connector)")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="contributions")
    charter = models.ForeignKey(Charter, models.PROTECT, related_name="+")
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="pool_contributions",
        verbose_name=_("contributor"),
    )
    consents = models.ManyToManyField("consent.ConsentRecord", related_name="+")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    rows: Any = models.JSONField(_("rows"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    findings = models.JSONField(_("findings"), default=list)
    received_at = models.DateTimeField(_("received"))
    # What a connector read it from, e.g. ``datatasks:<batch public id>``: a connector reads
    # each source once per contributor (unique below), so a second import adds nothing.
    source_ref = models.CharField(max_length=80, blank=True, default="")
    # The asset file and its provenance, where the charter requires it (provenance.py).
    asset_name = models.CharField(_("asset file"), max_length=200, blank=True, default="")
    asset_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, default="")
    c2pa_manifest = models.CharField(
        _("C2PA manifest reference"), max_length=500, blank=True, default=""
    )
    asset_file = models.CharField(max_length=300, blank=True, default="")  # storage name
    asset_size = models.PositiveBigIntegerField(default=0)
    # A large upload (decision 0064) is checked by a background job (uploads_check.py): it
    # is ``validating`` until then. Accepted, its typed rows are a Parquet file in storage
    # (``rows_file``) instead of ``rows``; rejected, ``errors`` holds the first errors, each
    # in every language of the site ({"zh-Hans": …, "en": …}).
    rows_file = models.CharField(max_length=300, blank=True, default="")  # storage name
    errors = models.JSONField(_("errors"), default=list)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contribution")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["pool", "status"], name="datapools_contrib_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "source_ref", "contributor"],
                condition=~models.Q(source_ref=""),
                name="datapools_contrib_source_once",
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class DatasetVersion(models.Model):
    """A release of a pool's dataset (a DCAT 3 dataset in the pool's dataset series): the
    accepted contributions whose consents were valid at release, and its quality scores
    (GB/T 36344-2018 dimensions, 0–100)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    charter = models.ForeignKey(Charter, models.PROTECT, related_name="+")
    contributions = models.ManyToManyField(Contribution, related_name="versions")
    row_count = models.PositiveIntegerField(_("rows"))
    contributor_count = models.PositiveIntegerField(_("contributors"))
    excluded_withdrawn = models.PositiveIntegerField(_("contributions left out (withdrawn)"))
    quality = models.JSONField(_("quality by dimension"), default=dict)
    quality_score = models.PositiveSmallIntegerField(_("quality score"))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released"))

    class Meta:
        verbose_name = _("dataset version")
        ordering = ["pool", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "number"], name="datapools_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} v{self.number}"


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


class DistributionRun(models.Model):
    """The contributor reward run of a pool for one period (a month, ``YYYY-MM``): at most
    one per (pool, period), enforced by the database."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="distribution_runs")
    period = models.CharField(_("period"), max_length=7)
    uses = models.PositiveIntegerField(_("uses counted"))
    total_points = models.PositiveBigIntegerField(_("points paid"))
    # Money (the charter's share of fees): the fees the period's agreements brought, the
    # contributors' share paid out of ``commitment`` (payouts app), zero when none.
    fees = MoneyField(_("fees received"), default=0)
    total_amount = MoneyField(_("contributors' share paid (CNY)"), default=0)
    commitment = models.ForeignKey(
        "payouts.Commitment", models.PROTECT, null=True, blank=True, related_name="+"
    )
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    run_at = models.DateTimeField(_("run at"))

    class Meta:
        verbose_name = _("distribution run")
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "period"], name="datapools_one_run_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} {self.period}"


class RewardLine(models.Model):
    """What one contributor earned in a run, and from which uses (the statement)."""

    run = models.ForeignKey(DistributionRun, models.PROTECT, related_name="lines")
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="pool_rewards"
    )
    rows_used = models.PositiveBigIntegerField(_("rows used"))
    points = models.PositiveBigIntegerField(_("points"))
    transfer_id = models.CharField(_("ledger transfer"), max_length=100, unique=True)
    uses = models.JSONField(_("uses"), default=list)
    amount = MoneyField(_("amount (CNY)"), default=0)
    payout = models.ForeignKey(
        "payouts.Payout", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-run__period", "-id"]

    def __str__(self) -> str:
        return self.transfer_id


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


class ApplicationScenario(models.Model):
    """An entry of the public scenario library (应用场景库, plan 003): what an enterprise made
    with the data of one or more pools, written per language."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    title = MultilingualField(_("title"))
    summary = MultilingualField(_("use case"))
    outcome = MultilingualField(_("outcome"))
    enterprise = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="application_scenarios",
        verbose_name=_("enterprise"),
    )
    pools = models.ManyToManyField(Pool, related_name="scenarios", verbose_name=_("data pools"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application scenario")
        verbose_name_plural = _("application scenarios")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.title.get("en", "")) if isinstance(self.title, dict) else str(self.pk)


class CatalogueRecord(models.Model):
    """What the catalogue's search sorts, filters and facets on, per pool, kept as columns
    (decision 0050): the last modification (the newest release, else the proposal), whether a
    version is released, and the newest charter's access modes; and the pool's CKAN package
    as JSON text in each language, with ``source``, the values of the pool, steward and
    lead department it was built from. Written only by ``records.refresh``, which the use
    cases that change versions or charters call (proposal, charter revision, release); a
    package whose ``source`` differs from the live values (a renamed steward…) is not used
    but built afresh. The pool's status is always read live from the pool."""

    pool = models.OneToOneField(
        Pool, models.CASCADE, primary_key=True, related_name="catalogue_record"
    )
    modified_at = models.DateTimeField(db_index=True)
    released = models.BooleanField(default=False)
    access_modes = models.JSONField(default=list)
    package_zh = models.TextField(blank=True)
    package_en = models.TextField(blank=True)
    source = models.TextField(blank=True)

    class Meta:
        verbose_name = _("catalogue record")

    def __str__(self) -> str:
        return f"{self.pool_id} {self.modified_at:%Y-%m-%d}"


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


class UploadSlot(models.Model):
    """A slot for one contribution uploaded straight to storage (decision 0058): declared
    size, SHA-256 and content type; the bytes go to ``key`` by a presigned (multipart) PUT,
    and ``complete`` validates the stored file as a contribution."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the file")
        COMPLETED = "completed", _("completed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.CASCADE, related_name="upload_slots")
    contributor = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    size = models.PositiveIntegerField(_("declared size (bytes)"))
    sha256 = models.CharField(_("declared SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=40)
    consent_notice_version = models.CharField(max_length=40)
    give_consent = models.BooleanField(default=False)
    key = models.CharField(_("storage key"), max_length=200)
    multipart_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("opened at"))
    expires_at = models.DateTimeField(_("expires at"))
    contribution = models.ForeignKey(
        Contribution, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("upload slot")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.public_id)


class BatchRelease(models.Model):
    """An enterprise's agreement that the accepted outputs of one of its data-labelling
    batches (datatasks) go into a labelled-data pool (connectors.py, decision 0057). Given
    by an editor of the batch's enterprise; the steward's connector reads only agreed
    batches. One row per pool and batch; withdrawing is not offered (what was read stays,
    as with any contribution)."""

    pool = models.ForeignKey(Pool, models.PROTECT, related_name="batch_releases")
    batch = models.ForeignKey(
        "datatasks.Batch", models.PROTECT, related_name="+", verbose_name=_("data batch")
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("agreed by")
    )
    agreed_at = models.DateTimeField(_("agreed at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch released to a pool")
        ordering = ["-agreed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "batch"], name="datapools_batch_release_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} → {self.pool_id}"


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
