"""Stored matches between nomads and demands, with their explanations, and invitations.

A match is computed by the engine (``nomadcloud.matching.engine``) and kept here so lists
can be paged, sorted and filtered in SQL. ``in_candidates``: among the demand's best
nomads; ``in_recommendations``: among the nomad's best demands; ``near_miss``: a hard filter
(``hidden_by`` names which) hides a pair that would otherwise score well enough, so both
sides can be told why and shown it on request. Rows are never deleted:
a match that drops out of both lists keeps its row (and when it was notified) with both
flags off.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Match(models.Model):
    demand = models.ForeignKey("demands.Demand", on_delete=models.CASCADE, related_name="matches")
    profile = models.ForeignKey("talent.Profile", on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField(_("score"))
    required_total = models.PositiveSmallIntegerField(_("required skills"), default=0)
    required_met = models.PositiveSmallIntegerField(_("required skills met"), default=0)
    certified = models.BooleanField(_("certified nomad"), default=False)
    available = models.BooleanField(_("available now"), default=True)
    explanation = models.JSONField(_("explanation"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=20)
    in_candidates = models.BooleanField(default=False)
    in_recommendations = models.BooleanField(default=False)
    near_miss = models.BooleanField(default=False)
    hidden_by = models.JSONField(
        _("hidden by"), default=list, blank=True, help_text=_("The hard filters the pair fails.")
    )
    computed_at = models.DateTimeField(_("computed"))
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["demand", "profile"], name="match_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                name="match_score_0_to_100",
            ),
        ]
        indexes = [
            models.Index(fields=["demand", "in_candidates", "-score"], name="match_candidates"),
            models.Index(
                fields=["profile", "in_recommendations", "-score"], name="match_recommendations"
            ),
            models.Index(fields=["demand", "near_miss", "-score"], name="match_near_candidates"),
            models.Index(fields=["profile", "near_miss", "-score"], name="match_near_demands"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} ↔ {self.demand}: {self.score:.0f}"

    @property
    def required_missing(self) -> int:
        return self.required_total - self.required_met


class Invitation(models.Model):
    """An enterprise invites a nomad from a demand's candidate list."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.PROTECT, related_name="invitations"
    )
    profile = models.ForeignKey(
        "talent.Profile", on_delete=models.PROTECT, related_name="invitations"
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    score = models.FloatField(_("score when invited"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to a demand")
        verbose_name_plural = _("invitations to demands")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "profile"], name="invitation_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.demand} → {self.profile}"


class ProfileStamp(models.Model):
    """When a nomad's matching data last changed: each process's in-memory index reloads
    the nomads stamped after its last look."""

    profile = models.OneToOneField("talent.Profile", on_delete=models.CASCADE, related_name="+")
    changed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.profile_id} @ {self.changed_at}"


class TextVector(models.Model):
    """The sentence vector of one prepared text under one embedding backend
    (``matching/vectors.py``; docs/decisions/0067): content-addressed, so identical texts share
    a row and an index build after a restart reads its vectors instead of encoding them again.

    No text is stored: only its SHA-256 digest and the int8 vector. Nothing refers to a person;
    a row whose text no current profile or demand has any more (an edit, an erasure) is
    unreachable and deleted by ``prune_text_vectors`` (daily, ``core/schedule.py``)."""

    backend = models.CharField(max_length=200)
    digest = models.BinaryField(max_length=32)
    vector = models.BinaryField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["backend", "digest"], name="text_vector_unique")
        ]

    def __str__(self) -> str:
        return f"{self.backend}:{bytes(self.digest).hex()[:12]}"
