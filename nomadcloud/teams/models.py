"""Teams and studios of nomads (issue 18 item 1; design 04-bounties "Teams and studios").

A team is led by one person who is always one of its accepted members. Others join by an
invitation they accept, giving their consent to take part; only accepted members count. A
studio or an enterprise may name its legal entity by its unified social credit code, which
a challenge's eligibility rule may require (foreign members take part through an entity).
Each accepted member's ``share`` (percent) splits the team's credit for accepted work.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_MEMBERS = 10


def max_members() -> int:
    return int(getattr(settings, "TEAM_MAX_MEMBERS", DEFAULT_MAX_MEMBERS))


class Team(models.Model):
    class Kind(models.TextChoices):
        TEAM = "team", _("Team")
        STUDIO = "studio", _("Studio")
        ENTERPRISE = "enterprise", _("Enterprise")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="teams_led",
        verbose_name=_("team lead"),
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_entity(self) -> bool:
        return bool(self.credit_code)


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Team lead")
        MEMBER = "member", _("Member")
        ADVISER = "adviser", _("Adviser")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REMOVED = "removed", _("Removed")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    share = models.DecimalField(
        _("share in percent"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="teams_member_once"),
            models.CheckConstraint(
                condition=models.Q(share__gte=0) & models.Q(share__lte=100),
                name="teams_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.user}"

    @property
    def counts(self) -> bool:
        return self.status == self.Status.ACCEPTED and self.consent_at is not None
