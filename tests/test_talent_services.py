"""The talent use cases: the profile, the level rule, verified work, the criteria evaluator,
uploads, decisions and certificates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.models import AuditEvent
from nomadcloud.talent import evaluator, services
from nomadcloud.talent.models import (
    Application,
    Certificate,
    CertificationDecision,
    EvidenceFile,
    ProfileSkill,
    RuleSet,
    SkillEvidence,
)
from nomadcloud.talent.schemas import ProfileChanges, ProjectDraft
from tests.builders.talent import (
    DOMESTIC_CRITERIA,
    FOREIGN_CRITERIA,
    GOOD_ANSWERS,
    PDF,
    concept,
    renshe_department,
    rule_sets,
)
from tests.conftest import World, database_fingerprint


def as_(user: User) -> Principal:
    return Principal.for_user(user)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture
def zone(world: World) -> World:
    renshe_department(world)
    rule_sets()
    concept("nc.python", "skill", "Python 编程", "Python programming")
    concept("nc.figma", "tool", "Figma", "Figma")
    return world


def python() -> Any:
    return concept("nc.python", "skill", "Python 编程", "Python programming")


class TestProfile:
    def test_fields_in_both_languages_with_exact_rate_and_visibility(self, zone: World) -> None:
        profile = services.update_profile(
            principal=as_(zone.rita),
            changes=parse_draft(
                ProfileChanges,
                {
                    "headline_zh": "数据分析师",
                    "headline_en": "Data analyst",
                    "time_zone": "Europe/Lisbon",
                    "rate_amount": "450.10",
                    "rate_unit": "hour",
                    "visibility": {"rate": "private", "skills": "public"},
                },
            ),
        )
        profile.refresh_from_db()
        assert profile.rate_amount == Decimal("450.10")
        assert (profile.rate_visibility, profile.skills_visibility) == ("private", "public")
        event = AuditEvent.objects.get(action="talent.profile.update")
        assert "Data analyst" not in str(event.summary)  # names only, never the text

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"time_zone": "Mars/Olympus"}, "time_zone"),
            ({"rate_amount": "12.345", "rate_unit": "hour"}, "rate_amount"),
            ({"rate_amount": "100", "rate_unit": ""}, "rate_unit"),
            ({"headline_en": "x" * 201}, "headline_en"),
        ],
    )
    def test_a_field_in_the_wrong_format_is_named_and_nothing_is_written(
        self, zone: World, changes: dict[str, Any], field: str
    ) -> None:
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as caught:
            services.update_profile(
                principal=as_(zone.rita),
                changes=parse_draft(ProfileChanges, {"headline_zh": "好", **changes}),
            )
        assert field in caught.value.fields
        assert database_fingerprint() == before

    def test_portfolio_links_are_http_or_https_only(self, zone: World) -> None:
        with pytest.raises(InvalidInput) as caught:
            services.add_link(principal=as_(zone.rita), title="x", url="javascript:alert(1)")
        assert "url" in caught.value.fields
        link = services.add_link(principal=as_(zone.rita), title="GitHub", url="https://github.com")
        assert link.url == "https://github.com"

    def test_languages_with_cefr_levels(self, zone: World) -> None:
        services.set_language(principal=as_(zone.rita), language="EN", level="C1")
        services.set_language(principal=as_(zone.rita), language="en", level="native")
        with pytest.raises(InvalidInput):
            services.set_language(principal=as_(zone.rita), language="english!", level="B1")
        assert list(zone.rita.nomad_profile.languages.values_list("language", "level")) == [
            ("en", "native")
        ]

    def test_projects_and_tools(self, zone: World) -> None:
        project = services.add_project(
            principal=as_(zone.rita),
            draft=parse_draft(
                ProjectDraft,
                {
                    "title_en": "Chatbot",
                    "role": "Lead developer",
                    "started_on": date(2024, 1, 1),
                    "ended_on": date(2024, 6, 30),
                    "outcome_en": "Answered 80% of questions",
                    "evidence_url": "https://example.com/chatbot",
                    "skills": ["nc.python", "nc.figma"],
                },
            ),
        )
        assert sorted(project.skills.values_list("code", flat=True)) == ["nc.figma", "nc.python"]
        with pytest.raises(InvalidInput) as caught:
            services.add_project(
                principal=as_(zone.rita),
                draft=parse_draft(
                    ProjectDraft,
                    {
                        "title_en": "Backwards",
                        "role": "Dev",
                        "started_on": date(2024, 6, 1),
                        "ended_on": date(2024, 1, 1),
                    },
                ),
            )
        assert "ended_on" in caught.value.fields
        figma = concept("nc.figma", "tool", "Figma", "Figma")
        tool = services.set_tool(
            principal=as_(zone.rita), concept=figma, proficiency=5, years=3, last_used=date.today()
        )
        assert (tool.proficiency, tool.years) == (5, 3)
        with pytest.raises(InvalidInput):
            services.set_tool(principal=as_(zone.rita), concept=python(), proficiency=3)


class TestTheLevelRule:
    def test_self_declaration_is_allowed_up_to_level_4(self, zone: World) -> None:
        skill = services.declare_skill(principal=as_(zone.rita), concept=python(), level=4)
        assert (skill.level, skill.supported_level) == (4, 4)
        assert skill.evidence.get().kind == SkillEvidence.Kind.SELF_DECLARED

    def test_a_raise_above_the_evidence_is_refused_and_changes_nothing(self, zone: World) -> None:
        services.declare_skill(principal=as_(zone.rita), concept=python(), level=4)
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as caught:
            services.declare_skill(principal=as_(zone.rita), concept=python(), level=2)
        assert caught.value.code == "level_needs_evidence"
        assert "level" in caught.value.fields
        assert database_fingerprint() == before

    def test_a_new_skill_cannot_start_above_level_4_without_evidence(self, zone: World) -> None:
        with pytest.raises(InvalidInput):
            services.declare_skill(principal=as_(zone.rita), concept=python(), level=1)
        assert not ProfileSkill.objects.exists()

    def test_a_certificate_attached_supports_the_raise(self, zone: World) -> None:
        skill = services.declare_skill(
            principal=as_(zone.rita),
            concept=python(),
            level=2,
            evidence=services.EvidenceInput(source="人社部", reference="GZ-2024-001"),
        )
        assert (skill.level, skill.supported_level) == (2, 2)
        assert skill.evidence.get().kind == SkillEvidence.Kind.CERTIFIED

    def test_lowering_and_returning_to_an_evidenced_level_needs_nothing_new(
        self, zone: World
    ) -> None:
        evidence = services.EvidenceInput(source="人社部", reference="GZ-1")
        services.declare_skill(
            principal=as_(zone.rita), concept=python(), level=3, evidence=evidence
        )
        services.declare_skill(principal=as_(zone.rita), concept=python(), level=5)
        skill = services.declare_skill(principal=as_(zone.rita), concept=python(), level=3)
        assert skill.level == 3

    def test_the_database_refuses_a_level_above_its_evidence(self, zone: World) -> None:
        skill = services.declare_skill(principal=as_(zone.rita), concept=python(), level=4)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProfileSkill.objects.filter(pk=skill.pk).update(level=1)


class TestRecordVerifiedWork:
    def test_verified_work_adds_evidence_raises_levels_and_freshens(self, zone: World) -> None:
        skill = services.declare_skill(principal=as_(zone.rita), concept=python(), level=5)
        old = skill.last_evidence_at
        when = timezone.now()
        [updated] = services.record_verified_work(
            user=zone.rita,
            skills=[(python(), 2)],
            source="work.order",
            reference="order-42",
            occurred_at=when,
        )
        assert (updated.level, updated.supported_level) == (2, 2)
        assert updated.last_evidence_at >= old
        assert updated.best_evidence_kind == SkillEvidence.Kind.VERIFIED_WORK
        assert AuditEvent.objects.filter(action="talent.skill.verified_work").count() == 1

    def test_it_never_lowers_a_level_and_is_idempotent(self, zone: World) -> None:
        evidence = services.EvidenceInput(source="人社部", reference="GZ-1")
        services.declare_skill(
            principal=as_(zone.rita), concept=python(), level=2, evidence=evidence
        )
        for _ in range(2):
            [skill] = services.record_verified_work(
                user=zone.rita,
                skills=[(python(), 4)],
                source="datatasks.batch",
                reference="b-7",
                occurred_at=timezone.now(),
            )
        assert skill.level == 2
        assert skill.evidence.filter(kind="verified_work").count() == 1

    def test_it_adds_a_skill_and_a_profile_when_new(self, zone: World) -> None:
        [skill] = services.record_verified_work(
            user=zone.charlie,
            skills=[(python(), 3)],
            source="bounties",
            reference="b-1",
            occurred_at=timezone.now(),
        )
        assert skill.profile.user == zone.charlie
        assert skill.level == 3


class TestEvaluator:
    def test_each_criterion_is_explained_in_both_languages(self) -> None:
        result = evaluator.evaluate(
            DOMESTIC_CRITERIA,
            evaluator.Facts(
                is_foreign=False,
                remote_income_cny_12m=Decimal("70000.00"),
                clients_outside_city=0,
                verified_skills=1,
                planned_stay_days=90,
            ),
        )
        by_key = {r.key: r for r in result.results}
        assert not result.qualifies
        assert by_key["earnings"].met
        assert not by_key["min_clients_outside_city"].met
        assert by_key["min_clients_outside_city"].en.startswith("Not met:")
        assert by_key["min_clients_outside_city"].zh.startswith("不符合：")
        assert "¥70,000.00" in by_key["earnings"].en
        assert by_key["min_planned_stay_days"].met

    def test_the_foreign_track_checks_nationality_and_permit_months(self) -> None:
        facts = evaluator.Facts(
            is_foreign=True,
            remote_income_cny_12m=Decimal("150000"),
            planned_stay_days=200,
            permit_months=13,
        )
        result = evaluator.evaluate(FOREIGN_CRITERIA, facts)
        assert [r.key for r in result.results if not r.met] == ["permit_months"]
        assert evaluator.validity_months(FOREIGN_CRITERIA, facts) == 13

    @pytest.mark.parametrize(
        "criteria",
        [
            {"min_remote_income_cny_12m": 60000.5},
            {"permit_months": {"min": 12, "max": 6}},
            {"surprise": 1},
            {"min_planned_stay_days": -1},
            [],
        ],
    )
    def test_bad_criteria_are_refused(self, criteria: Any) -> None:
        with pytest.raises(evaluator.CriteriaError):
            evaluator.validate_criteria(criteria)


class TestRuleSets:
    def test_the_operator_adds_versions_and_old_ones_never_change(self, zone: World) -> None:
        old = RuleSet.objects.get(track="domestic")
        new = services.create_rule_set(
            principal=as_(zone.oscar),
            track="domestic",
            criteria={"min_planned_stay_days": 30},
            effective_from=date.today(),
        )
        assert new.version == old.version + 1
        assert services.current_rule_set("domestic") == new
        with pytest.raises(RuntimeError):
            old.save()

    def test_others_may_not_and_bad_criteria_name_the_field(self, zone: World) -> None:
        with pytest.raises(Forbidden):
            services.create_rule_set(
                principal=as_(zone.wendy),
                track="domestic",
                criteria={},
                effective_from=date.today(),
            )
        with pytest.raises(InvalidInput) as caught:
            services.create_rule_set(
                principal=as_(zone.oscar),
                track="domestic",
                criteria={"min_verified_skills": "many"},
                effective_from=date.today(),
            )
        assert "criteria" in caught.value.fields


def pdf(name: str = "income.pdf", content: bytes = PDF) -> services.Upload:
    return services.Upload(kind="income", file=SimpleUploadedFile(name, content))


class TestApplying:
    def test_check_explains_and_saves_nothing(self, zone: World) -> None:
        before = database_fingerprint()
        rule_set, result = services.check_eligibility(
            principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS
        )
        assert rule_set.label == "domestic-v1"
        assert [r.key for r in result.results if not r.met] == ["min_verified_skills"]
        assert database_fingerprint() == before

    def test_an_application_stores_its_evidence_through_the_storage_api(
        self, zone: World, settings: Any
    ) -> None:
        application = services.apply_for_certification(
            principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS, uploads=[pdf()]
        )
        [stored] = application.evidence_files.all()
        assert stored.original_name == "income.pdf"
        assert stored.content_type == "application/pdf"
        assert stored.file.read() == PDF
        assert "income" not in stored.file.name  # stored under a random name
        assert application.reviewing_department.code == "renshe"
        assert application.evaluation["qualifies"] is False

    @pytest.mark.parametrize(
        ("upload", "code"),
        [
            (pdf("notes.txt", b"hello"), "file_type"),
            (pdf("fake.pdf", b"MZ\x90\x00 not a pdf"), "file_type"),
            (pdf("huge.pdf", PDF + b"0" * 2048), "file_too_large"),
        ],
    )
    def test_a_refused_upload_changes_nothing(
        self, zone: World, settings: Any, upload: services.Upload, code: str
    ) -> None:
        settings.TALENT_EVIDENCE_MAX_BYTES = 1024
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as caught:
            services.apply_for_certification(
                principal=as_(zone.rita),
                track="domestic",
                answers=GOOD_ANSWERS,
                uploads=[pdf(), upload],
            )
        assert caught.value.code == code
        assert "evidence" in caught.value.fields
        assert database_fingerprint() == before
        assert not (Path(settings.MEDIA_ROOT) / "talent").exists()

    def test_one_open_application_per_track(self, zone: World) -> None:
        services.apply_for_certification(
            principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS
        )
        with pytest.raises(Conflict):
            services.apply_for_certification(
                principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS
            )


class TestDecisions:
    def _apply(self, zone: World) -> Application:
        return services.apply_for_certification(
            principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS, uploads=[pdf()]
        )

    def test_approval_records_who_when_evidence_rule_and_issues_a_certificate(
        self, zone: World
    ) -> None:
        application = self._apply(zone)
        decision = services.decide_certification(
            principal=as_(zone.wendy),
            application=application,
            department=application.reviewing_department,
            approve=True,
            reason="Contracts and income statements checked.",
        )
        assert decision.decided_by == zone.wendy
        assert decision.decided_for.code == "renshe"
        assert decision.rule_version == "domestic-v1"
        assert decision.evidence["files"][0]["name"] == "income.pdf"
        assert decision.evidence["answers"]["remote_income_cny_12m"] == "80000.00"
        certificate = Certificate.objects.get(application=application)
        assert certificate.valid_from == timezone.localdate()
        assert certificate.valid_until == services.add_months(
            certificate.valid_from, 12
        ) - timedelta(days=1)
        assert certificate.state == "valid"
        assert len(certificate.verification_code) >= 24
        event = AuditEvent.objects.get(action="talent.application.decide")
        assert event.actor == zone.wendy
        assert event.summary["after"]["rule_version"] == "domestic-v1"

    def test_a_decision_needs_a_reason_and_is_made_once(self, zone: World) -> None:
        application = self._apply(zone)
        department = application.reviewing_department
        with pytest.raises(InvalidInput):
            services.decide_certification(
                principal=as_(zone.wendy),
                application=application,
                department=department,
                approve=True,
                reason=" ",
            )
        services.decide_certification(
            principal=as_(zone.wendy),
            application=application,
            department=department,
            approve=False,
            reason="Income not shown.",
        )
        with pytest.raises(Conflict):
            services.decide_certification(
                principal=as_(zone.wendy),
                application=application,
                department=department,
                approve=True,
                reason="Changed my mind.",
            )
        assert CertificationDecision.objects.count() == 1
        assert not Certificate.objects.exists()

    def test_revocation_and_renewal(self, zone: World) -> None:
        application = self._apply(zone)
        services.decide_certification(
            principal=as_(zone.wendy),
            application=application,
            department=application.reviewing_department,
            approve=True,
            reason="OK",
        )
        first = Certificate.objects.get()
        renewal = services.apply_for_certification(
            principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS, renews=first
        )
        services.decide_certification(
            principal=as_(zone.wendy),
            application=renewal,
            department=renewal.reviewing_department,
            approve=True,
            reason="Renewed",
        )
        second = Certificate.objects.get(application=renewal)
        assert second.valid_from == first.valid_until + timedelta(days=1)
        services.revoke_certificate(principal=as_(zone.oscar), certificate=second, reason="Fraud")
        second.refresh_from_db()
        assert second.state == "revoked"
        assert second.revoked_by == zone.oscar
        assert AuditEvent.objects.filter(action="talent.certificate.revoke").count() == 1
        with pytest.raises(Conflict):
            services.revoke_certificate(principal=as_(zone.oscar), certificate=second, reason="x")
        with pytest.raises(Conflict):
            services.apply_for_certification(
                principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS, renews=second
            )

    def test_the_foreign_certificate_lasts_as_long_as_the_permit(self, zone: World) -> None:
        zone.charlie.nationality = "FR"
        zone.charlie.save()
        application = services.apply_for_certification(
            principal=as_(zone.charlie),
            track="foreign",
            answers=services.clean_answers(
                remote_income_cny_12m="150000", planned_stay_days=200, permit_months=9
            ),
        )
        assert application.evaluation["qualifies"] is True
        services.decide_certification(
            principal=as_(zone.wendy),
            application=application,
            department=application.reviewing_department,
            approve=True,
            reason="Permit documents checked.",
        )
        certificate = Certificate.objects.get()
        assert certificate.valid_until == services.add_months(
            certificate.valid_from, 9
        ) - timedelta(days=1)


def test_evidence_files_are_kept_by_kind(zone: World) -> None:
    application = services.apply_for_certification(
        principal=as_(zone.rita), track="domestic", answers=GOOD_ANSWERS
    )
    services.add_evidence(principal=as_(zone.rita), application=application, upload=pdf())
    assert EvidenceFile.objects.get().kind == "income"


def test_the_demo_seeds_profiles_and_rules_with_a_nearly_empty_taxonomy(db: None) -> None:
    from nomadcloud.accounts.demo import DEMO_DOMAIN
    from nomadcloud.talent import demo
    from tests.conftest import make_person

    make_person("林小雨", f"nomad@{DEMO_DOMAIN}")
    make_person("Emma Schulz", f"emma@{DEMO_DOMAIN}", nationality="DE")
    assert demo.seed() == {"rule_sets": 2, "profiles": 2}
    assert demo.seed() == {"rule_sets": 0, "profiles": 0}
    emma = User.objects.get(email=f"emma@{DEMO_DOMAIN}").nomad_profile
    assert emma.skills.get(concept__code="nc.ux-design").level == 2
    assert emma.tools.count() == 2 and emma.projects.count() == 1
