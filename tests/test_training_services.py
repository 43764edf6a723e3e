"""The training use cases: publishing with a rubric, enrolment within capacity and dates,
submissions with checked files, assessment with an exact weighted score, completion feeding
the skill record, and the verified completions read by the proof-of-work issue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.accounts.models import Membership
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.models import AuditEvent
from nomadcloud.notifications.models import Notification
from nomadcloud.talent.models import ProfileSkill, SkillEvidence
from nomadcloud.training import access, rubric, services
from nomadcloud.training.access import Action
from nomadcloud.training.models import Enrolment, Scenario
from nomadcloud.training.schemas import ScenarioChanges, ScenarioDraft
from tests.builders.demands import make_concepts
from tests.builders.training import (
    PDF,
    as_,
    draft_scenario,
    enrolment,
    passed,
    published_scenario,
    scenario_fields,
    submitted,
    with_material,
)
from tests.conftest import World, database_fingerprint, make_person


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture(autouse=True)
def _concepts(db: None) -> None:
    make_concepts()


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


class TestRubric:
    def test_the_weighted_score_is_exact_and_rounds_half_up(self) -> None:
        assert rubric.weighted_score([rubric.Line(2, 10, 9), rubric.Line(1, 5, 4)]) == Decimal(
            "86.67"
        )
        assert rubric.weighted_score([rubric.Line(1, 8, 1)]) == Decimal("12.50")
        assert rubric.weighted_score([rubric.Line(1, 3, 1)]) == Decimal("33.33")
        assert rubric.weighted_score([rubric.Line(1, 3, 2)]) == Decimal("66.67")
        assert rubric.weighted_score([rubric.Line(1, 200, 1)]) == Decimal("0.50")
        assert rubric.weighted_score([rubric.Line(1, 400, 1)]) == Decimal("0.25")
        assert rubric.weighted_score([rubric.Line(1, 10, 10), rubric.Line(5, 10, 10)]) == 100

    def test_points_out_of_range_are_refused(self) -> None:
        with pytest.raises(ValueError):
            rubric.weighted_score([rubric.Line(1, 10, 11)])
        with pytest.raises(ValueError):
            rubric.weighted_score([])

    def test_the_pass_mark_is_inclusive(self) -> None:
        assert rubric.passes(Decimal("60.00"), Decimal("60"))
        assert not rubric.passes(Decimal("59.99"), Decimal("60"))


class TestScenarios:
    def test_a_draft_with_rubric_and_skills(self, world: World) -> None:
        scenario = draft_scenario(world)
        assert scenario.status == Scenario.Status.DRAFT
        assert [(c.position, c.weight, c.max_points) for c in scenario.criteria.all()] == [
            (1, 2, 10),
            (2, 1, 5),
        ]
        assert [(s.concept.code, s.level) for s in scenario.skills.all()] == [
            ("nc.python", 3),
            ("nc.docker", 4),
        ]
        assert AuditEvent.objects.filter(action="training.scenario.create").exists()

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"title_zh": "", "title_en": ""}, "title_zh"),
            ({"capacity": 0}, "capacity"),
            ({"pass_score": "100.01"}, "pass_score"),
            ({"pass_score": 60.5}, "pass_score"),
            ({"skills": [{"code": "nc.nope", "level": 3}]}, "skills.0"),
            ({"skills": [{"code": "nc.python", "level": 6}]}, "skills.0.level"),
            (
                {"criteria": [{"title_zh": "x", "weight": 1, "max_points": 0}]},
                "criteria.0.max_points",
            ),
            ({"criteria": [{"title_zh": "", "weight": 1, "max_points": 5}]}, "criteria.0.title_zh"),
            ({"enrol_until": timezone.localdate() - timedelta(days=5)}, "enrol_until"),
        ],
    )
    def test_bad_fields_are_refused_by_name(
        self, world: World, extra: dict[str, Any], field: str
    ) -> None:
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as refused:
            draft_scenario(world, **extra)
        assert list(refused.value.fields) == [field]
        assert database_fingerprint() == before

    def test_publishing_needs_a_rubric_and_open_enrolment(self, world: World) -> None:
        scenario = draft_scenario(world, criteria=[])
        with pytest.raises(InvalidInput) as refused:
            services.publish_scenario(principal=as_(world.olivia), scenario=scenario)
        assert list(refused.value.fields) == ["criteria"]
        services.publish_scenario(principal=as_(world.olivia), scenario=draft_scenario(world))
        with pytest.raises(Conflict):  # not a draft any more
            services.publish_scenario(
                principal=as_(world.olivia),
                scenario=Scenario.objects.filter(status="published").get(),
            )

    def test_once_published_only_places_and_closing_dates_change(self, world: World) -> None:
        scenario = published_scenario(world)
        services.update_scenario(
            principal=as_(world.olivia), scenario=scenario, changes=ScenarioChanges(capacity=8)
        )
        assert Scenario.objects.get(pk=scenario.pk).capacity == 8
        before = database_fingerprint()
        with pytest.raises(Conflict) as refused:
            services.update_scenario(
                principal=as_(world.olivia), scenario=scenario, changes=ScenarioChanges(criteria=[])
            )
        assert refused.value.code == "scenario_fixed"
        assert database_fingerprint() == before

    def test_a_linked_demand_must_be_the_enterprises_own(self, world: World) -> None:
        from nomadcloud.demands import services as demands
        from tests.builders.demands import demand_draft

        theirs = demands.create_demand(
            principal=as_(world.charlie), organisation=world.globex, draft=demand_draft()
        )
        with pytest.raises(InvalidInput):
            services.create_scenario(
                principal=as_(world.olivia),
                organisation=world.acme,
                demand=theirs,
                draft=parse_draft(ScenarioDraft, scenario_fields()),
            )

    def test_materials_are_files_or_links_checked_before_storing(
        self, world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
    ) -> None:
        scenario, material = with_material(world)
        assert (material.kind, material.content_type, material.size) == (
            "file",
            "application/pdf",
            len(PDF),
        )
        link = services.add_material(
            principal=as_(world.olivia),
            scenario=scenario,
            title="Docs",
            url="https://docs.docker.com",
        )
        assert link.kind == "link"
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as refused:
            services.add_material(
                principal=as_(world.olivia),
                scenario=scenario,
                title="Tool",
                file=SimpleUploadedFile("tool.pdf", b"\x7fELF binary"),
            )
        assert refused.value.code == "file_type"
        with pytest.raises(InvalidInput):
            services.add_material(principal=as_(world.olivia), scenario=scenario, title="none")
        assert database_fingerprint() == before
        assert len(stored_files(tmp_path)) == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.remove_material(principal=as_(world.olivia), material=material)
        assert stored_files(tmp_path) == []


class TestEnrolment:
    def test_capacity_is_enforced_and_a_refusal_changes_nothing(self, world: World) -> None:
        scenario = published_scenario(world, capacity=1)
        services.enrol(principal=as_(world.wendy), scenario=scenario)
        assert Scenario.objects.get(pk=scenario.pk).enrolled == 1
        before = database_fingerprint()
        with pytest.raises(Conflict) as refused:
            services.enrol(principal=as_(world.charlie), scenario=scenario)
        assert refused.value.code == "full"
        assert database_fingerprint() == before

    def test_withdrawing_frees_the_place(self, world: World) -> None:
        scenario = published_scenario(world, capacity=1)
        taken = services.enrol(principal=as_(world.wendy), scenario=scenario)
        services.withdraw(principal=as_(world.wendy), enrolment=taken)
        assert Scenario.objects.get(pk=scenario.pk).enrolled == 0
        services.enrol(principal=as_(world.charlie), scenario=scenario)
        again = services.enrol  # Wendy cannot come back: the only place is taken
        with pytest.raises(Conflict):
            again(principal=as_(world.wendy), scenario=scenario)

    def test_the_counter_never_passes_capacity(self, world: World) -> None:
        """The place is taken by a conditional UPDATE: even a stale object that still shows a
        free place cannot overfill the scenario."""
        scenario = published_scenario(world, capacity=2)
        stale = Scenario.objects.get(pk=scenario.pk)
        for person in (world.wendy, world.charlie):
            services.enrol(principal=as_(person), scenario=scenario)
        with pytest.raises(Conflict):
            services.enrol(principal=as_(world.oscar), scenario=stale)
        assert Scenario.objects.get(pk=scenario.pk).enrolled == 2

    def test_members_cannot_enrol_in_their_own_scenario(self, world: World) -> None:
        scenario = published_scenario(world)
        for person in (world.olivia, world.rita, world.bob):
            with pytest.raises(Forbidden) as refused:
                services.enrol(principal=as_(person), scenario=scenario)
            assert refused.value.code == "own_organisation"

    def test_drafts_closed_scenarios_and_closed_enrolment_refuse(self, world: World) -> None:
        with pytest.raises(Conflict):
            services.enrol(principal=as_(world.wendy), scenario=draft_scenario(world))
        later = published_scenario(world, enrol_from=timezone.localdate() + timedelta(days=2))
        with pytest.raises(Conflict) as refused:
            services.enrol(principal=as_(world.wendy), scenario=later)
        assert refused.value.code == "enrolment_closed"
        closed = services.close_scenario(
            principal=as_(world.olivia), scenario=published_scenario(world)
        )
        with pytest.raises(Conflict):
            services.enrol(principal=as_(world.wendy), scenario=closed)

    def test_enrolling_twice_is_refused(self, world: World) -> None:
        item = enrolment(world)
        with pytest.raises(Conflict) as refused:
            services.enrol(principal=as_(world.wendy), scenario=item.scenario)
        assert refused.value.code == "already_enrolled"


class TestSubmissionAndAssessment:
    def test_a_pass_completes_and_adds_verified_work_to_the_skill_record(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        item = submitted(world)
        assert item.status == Enrolment.Status.SUBMITTED
        assert Notification.objects.filter(
            recipient=world.olivia, kind="training.submitted"
        ).exists()
        with django_capture_on_commit_callbacks(execute=True):
            assessment = services.assess(
                principal=as_(world.olivia),
                enrolment=item,
                scores=[services.Score(1, 9, "好"), services.Score(2, 4)],
                comment="通过",
            )
        # (2·9/10 + 1·4/5) / 3 · 100 = 86.666… → 86.67
        assert (assessment.score, assessment.pass_score, assessment.passed) == (
            Decimal("86.67"),
            Decimal("60.00"),
            True,
        )
        item.refresh_from_db()
        assert item.status == "passed" and item.score == Decimal("86.67") and item.completed_at
        skill = ProfileSkill.objects.get(profile__user=world.wendy, concept__code="nc.python")
        evidence = skill.evidence.get(kind=SkillEvidence.Kind.VERIFIED_WORK)
        assert (evidence.source, evidence.reference, evidence.level) == (
            "training",
            f"training:{item.public_id}",
            3,
        )
        assert skill.level == 3
        assert Notification.objects.filter(recipient=world.wendy, kind="training.passed").exists()

    def test_a_fail_can_be_submitted_again_and_then_pass(self, world: World) -> None:
        item = submitted(world)
        services.assess(
            principal=as_(world.olivia),
            enrolment=item,
            scores=[services.Score(1, 3), services.Score(2, 2)],
        )
        item.refresh_from_db()
        assert (item.status, item.score) == ("failed", Decimal("33.33"))
        assert not ProfileSkill.objects.filter(profile__user=world.wendy).exists()
        services.submit_work(principal=as_(world.wendy), enrolment=item, text="第二版")
        services.assess(
            principal=as_(world.olivia),
            enrolment=Enrolment.objects.get(pk=item.pk),
            scores=[services.Score(1, 10), services.Score(2, 5)],
        )
        item.refresh_from_db()
        assert (item.status, item.score) == ("passed", Decimal("100.00"))
        assert item.submissions.count() == 2 and item.assessments.count() == 2

    def test_every_criterion_must_be_scored_within_its_range(self, world: World) -> None:
        item = submitted(world)
        before = database_fingerprint()
        for scores in (
            [services.Score(1, 9)],
            [services.Score(1, 11), services.Score(2, 1)],
            [services.Score(1, 5), services.Score(1, 5)],
            [services.Score(1, 5), services.Score(3, 1)],
        ):
            with pytest.raises(InvalidInput):
                services.assess(principal=as_(world.olivia), enrolment=item, scores=scores)
        assert database_fingerprint() == before

    def test_only_submitted_work_is_assessed_and_passed_work_is_final(self, world: World) -> None:
        item = enrolment(world)
        with pytest.raises(Conflict):
            services.assess(
                principal=as_(world.olivia),
                enrolment=item,
                scores=[services.Score(1, 9), services.Score(2, 4)],
            )
        done = passed(world)
        with pytest.raises(Conflict):
            services.submit_work(principal=as_(world.wendy), enrolment=done, text="更多")
        with pytest.raises(Conflict):
            services.withdraw(principal=as_(world.wendy), enrolment=done)

    def test_who_may_assess(self, world: World) -> None:
        item = submitted(world)
        admin = make_person("Ada Admin", "ada@example.com")
        Membership.objects.create(user=admin, organisation=world.acme, role="admin")
        reviewer = make_person("Remy Reviewer", "remy@example.com")
        Membership.objects.create(user=reviewer, organisation=world.acme, role="reviewer")
        from nomadcloud.accounts.principal import Principal

        for person in (world.rita, world.bob, world.charlie, world.oscar):
            with pytest.raises(Exception) as refused:
                access.enrolment_for(Principal.for_user(person), item.public_id, Action.ASSESS)
            assert type(refused.value).__name__ in {"Forbidden", "NotFound"}
        with pytest.raises(Forbidden) as own:
            access.enrolment_for(Principal.for_user(world.wendy), item.public_id, Action.ASSESS)
        assert own.value.code == "own_work"
        for person in (world.olivia, admin, reviewer):
            assert access.enrolment_for(Principal.for_user(person), item.public_id, Action.ASSESS)

    def test_submissions_need_content_and_checked_files(self, world: World, tmp_path: Path) -> None:
        item = enrolment(world)
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as empty:
            services.submit_work(principal=as_(world.wendy), enrolment=item)
        assert list(empty.value.fields) == ["text"]
        with pytest.raises(InvalidInput) as bad_link:
            services.submit_work(
                principal=as_(world.wendy), enrolment=item, links=["javascript:alert(1)"]
            )
        assert list(bad_link.value.fields) == ["links.0"]
        with pytest.raises(InvalidInput) as bad_file:
            services.submit_work(
                principal=as_(world.wendy),
                enrolment=item,
                text="见附件",
                files=[
                    SimpleUploadedFile("ok.pdf", PDF),
                    SimpleUploadedFile("evil.png", b"GIF89a"),
                ],
            )
        assert bad_file.value.code == "file_type"
        assert database_fingerprint() == before
        assert stored_files(tmp_path) == []
        services.submit_work(
            principal=as_(world.wendy),
            enrolment=item,
            files=[SimpleUploadedFile("notes.md", "# 部署说明\n".encode())],
        )
        assert item.submissions.get().files.get().content_type == "text/markdown; charset=utf-8"

    def test_submissions_only_while_the_scenario_runs(self, world: World) -> None:
        scenario = published_scenario(world, runs_from=timezone.localdate() + timedelta(days=1))
        item = services.enrol(principal=as_(world.wendy), scenario=scenario)
        with pytest.raises(Conflict) as refused:
            services.submit_work(principal=as_(world.wendy), enrolment=item, text="早了")
        assert refused.value.code == "not_running"


def test_completed_trainings_are_listed_for_the_proof_of_work(world: World) -> None:
    done = passed(world)
    submitted_only = submitted(world)  # a second scenario, not yet assessed
    [completion] = services.completed_trainings_for(world.wendy)
    assert completion.reference == f"training:{done.public_id}"
    assert completion.scenario_id == done.scenario.public_id
    assert (completion.score, completion.pass_score) == (Decimal("86.67"), Decimal("60.00"))
    assert completion.skills == (("nc.python", 3), ("nc.docker", 4))
    assert completion.assessed_by_id == world.olivia.public_id
    assert completion.organisation_id == world.acme.public_id
    assert submitted_only.status == "submitted"
    assert services.completed_trainings_for(world.charlie) == []
