"""获奖项目—企业对接 (decision 0035): the organiser offers an awarded project to a verified
enterprise (an investor is an enterprise here), whose owners or administrators accept or
decline; an accepted introduction is followed up 30, 90 and 180 days after it was accepted.
The daily job ``create_follow_ups`` creates each follow-up on its due day; the organiser
records its outcome, with evidence unless nothing came of it."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions.models import Award, Competition, FollowUp, Introduction
from nomadcloud.competitions.schemas import CompetitionIntroductionDraft, CompetitionOutcomeDraft
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.orders import conversions
from nomadcloud.orders.models import Conversion

AWARDED = (Competition.Status.PUBLICITY, Competition.Status.AWARDED)


@transaction.atomic
def offer(award: Award, *, actor: User | None, draft: CompetitionIntroductionDraft) -> Introduction:
    award = Award.objects.select_related("competition").get(pk=award.pk)
    if award.competition.status != Competition.Status.AWARDED:
        raise Conflict(
            _("A project is introduced once its award is final (after the 公示)."),
            code="not_awarded",
        )
    organisation = Organisation.objects.filter(
        Q(kind=Organisation.Kind.ENTERPRISE) | Q(park__isnull=False),
        public_id=draft.organisation,
        verification_status=Organisation.Verification.VERIFIED,
    ).first()
    if organisation is None:
        raise invalid_field("organisation", _("Choose a verified enterprise."))
    if Introduction.objects.filter(award=award, organisation=organisation).exists():
        raise invalid_field(
            "organisation", _("This project has already been introduced to this enterprise.")
        )
    item = Introduction.objects.create(
        award=award, organisation=organisation, note=draft.note, offered_by=actor
    )
    audit.record(
        actor=actor,
        action="competitions.introduction.offer",
        obj=item,
        organisation=award.competition.organiser,
        after={"organisation": str(organisation.public_id)},
    )
    return item


@transaction.atomic
def answer(introduction: Introduction, *, actor: User | None, accept: bool) -> Introduction:
    item = Introduction.objects.select_for_update().get(pk=introduction.pk)
    if item.status != Introduction.Status.OFFERED:
        raise Conflict(_("This introduction has been answered."), code="already_answered")
    item.status = Introduction.Status.ACCEPTED if accept else Introduction.Status.DECLINED
    item.answered_by = actor
    item.answered_at = timezone.now()
    item.save(update_fields=["status", "answered_by", "answered_at"])
    audit.record(
        actor=actor,
        action="competitions.introduction.answer",
        obj=item,
        organisation=item.organisation,
        after={"status": item.status},
    )
    return item


def create_follow_ups(*, today: date | None = None) -> list[FollowUp]:
    """The daily job: each accepted introduction's follow-up at 30, 90 and 180 days, created
    on its due day (or later, if the job did not run). Idempotent."""
    today = today or timezone.localdate()
    created: list[FollowUp] = []
    accepted = Introduction.objects.filter(
        status=Introduction.Status.ACCEPTED,
        answered_at__date__lte=today - timedelta(days=FollowUp.DAYS[0]),
    ).prefetch_related("follow_ups")
    for intro in accepted:
        assert intro.answered_at is not None
        start = timezone.localdate(intro.answered_at)
        have = {f.after_days for f in intro.follow_ups.all()}
        for days in FollowUp.DAYS:
            due = start + timedelta(days=days)
            if days in have or due > today:
                continue
            follow_up, made = FollowUp.objects.get_or_create(
                introduction=intro, after_days=days, defaults={"due_on": due}
            )
            if made:
                created.append(follow_up)
    return created


@transaction.atomic
def record_outcome(
    follow_up: FollowUp, *, actor: User | None, draft: CompetitionOutcomeDraft
) -> FollowUp:
    item = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if item.recorded_at is not None:
        raise Conflict(_("This follow-up's outcome is recorded."), code="already_recorded")
    evidence = draft.evidence.strip()
    if draft.outcome != "nothing" and not evidence:
        raise invalid_field(
            "evidence",
            _("Give the evidence of the outcome (a contract, an investment, a registration)."),
        )
    if draft.outcome == "registered_in_zone":
        _record_conversion(item, actor=actor, credit_code=draft.credit_code, note=evidence)
    item.outcome = draft.outcome
    item.evidence = evidence
    item.recorded_by = actor
    item.recorded_at = timezone.now()
    item.save(update_fields=["outcome", "evidence", "recorded_by", "recorded_at"])
    audit.record(
        actor=actor,
        action="competitions.follow_up.record",
        obj=item.introduction,
        after={"after_days": item.after_days, "outcome": item.outcome},
    )
    return item


def _record_conversion(
    follow_up: FollowUp, *, actor: User | None, credit_code: str, note: str
) -> None:
    """A winning project registered as a business in the zone is a conversion (落地转化) of
    the introduced organisation with the winner (the person who entered, or the team's lead),
    like a studio's registration after a challenge (bounties/services/studios.py)."""
    if not credit_code.strip():
        raise invalid_field(
            "credit_code",
            _("Give the unified social credit code of the business registered in the zone."),
        )
    intro = Introduction.objects.select_related(
        "organisation", "award__entry__team__lead", "award__entry__person"
    ).get(pk=follow_up.introduction_id)
    entry = intro.award.entry
    nomad = entry.team.lead if entry.team is not None else entry.person
    if nomad is None:
        raise Conflict(_("This winning project has no one to record it with."), code="no_winner")
    conversions.record_conversion(
        principal=Principal(user=actor),
        organisation=intro.organisation,
        nomad=nomad,
        kind=Conversion.Kind.BUSINESS,
        business_name=entry.team.name if entry.team is not None else entry.name,
        credit_code=credit_code,
        registered_on=timezone.localdate(),
        note=note,
        linked=True,
    )
