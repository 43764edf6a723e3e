"""Matching hears of changes through talent's ``profile_changed`` and demands'
``demand_changed``, sent by the use cases: exactly one refresh job per changed profile or
demand per transaction, whatever path wrote the rows (pages, API, feeds, bulk writes,
certification decisions, the demo seeder); a rolled-back transaction enqueues nothing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django_tasks.base import Task

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.jobs import enqueue_once_per_transaction
from nomadcloud.demands import services as demand_services
from nomadcloud.demands.models import Demand, Feed
from nomadcloud.demands.schemas import DemandPatch
from nomadcloud.matching import matcher, tasks
from nomadcloud.matching.models import Match, ProfileStamp
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.models import Certificate, Profile
from nomadcloud.talent.schemas import ProfileChanges, ProjectDraft
from tests.builders.demands import demand_draft, demand_fields, make_concepts, published
from tests.builders.talent import GOOD_ANSWERS, renshe_department, rule_sets
from tests.conftest import World, client_for

Jobs = Counter[tuple[str, int]]


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> Iterator[Jobs]:
    """Every matching job enqueued, as (task name, argument) → how many times; no job runs."""
    jobs: Jobs = Counter()

    def record(self: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
        if self.module_path.startswith("nomadcloud.matching."):
            jobs[(self.name, *args)] += 1

    monkeypatch.setattr(Task, "enqueue", record)
    yield jobs


def demands_of(jobs: Jobs) -> Jobs:
    return Counter({key: n for key, n in jobs.items() if key[0] == "refresh_demand"})


def profiles_of(jobs: Jobs) -> Jobs:
    return Counter({key: n for key, n in jobs.items() if key[0] == "refresh_profile"})


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """``with committed():`` runs the block as one transaction that commits at its end: the
    on-commit callbacks registered in it run. The test's own transaction never commits, so
    every write these tests count runs in such a block (else the next block would still
    belong to the earlier, never-committed transaction)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def refresh(kind: str, key: int) -> tuple[str, int]:
    return (kind, key)


# --- demands ----------------------------------------------------------------------------------


def test_a_published_demand_from_the_api_is_refreshed_once(
    world: World, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    make_concepts()
    body = demand_fields(status="published")
    organisation_key = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
    with committed():
        response = organisation_key.post(
            "/api/v1/demands", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 201, response.content
    demand = Demand.objects.get(public_id=response.json()["id"])
    assert demand.status == "published"
    # Before the events, this one request enqueued 7 identical jobs.
    assert enqueued == Counter({refresh("refresh_demand", demand.pk): 1})


def test_the_page_form_and_publishing_each_refresh_the_demand_once(
    world: World, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    make_concepts()
    client = client_for(world.olivia)
    with committed():
        response = client.post(
            f"/demands/organisations/{world.acme.public_id}/new/",
            {
                "kind": "job",
                "title_zh": "C++ 后端工程师",
                "skills": "nc.python 3\nnc.sql 2 optional",
                "tools": "nc.cpp",
                "languages": "zh，en",
                "work_mode": "remote",
                "pay_period": "month",
                "headcount": "2",
            },
        )
    assert response.status_code == 302
    demand = Demand.objects.get(title_zh="C++ 后端工程师")
    assert enqueued == Counter({refresh("refresh_demand", demand.pk): 1})
    with committed():
        client.post(f"/demands/{demand.public_id}/status/", {"status": "published"})
    demand.refresh_from_db()
    assert demand.status == "published"
    assert enqueued == Counter({refresh("refresh_demand", demand.pk): 2})  # once per request


def test_rows_written_in_bulk_reach_matching(
    world: World, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    """Skills and languages are written with ``bulk_create``, which fires no model signal:
    an update that changes only them used to reach no one."""
    with committed():
        demand = published(world)
    enqueued.clear()
    owner = Principal.for_user(world.olivia)
    with committed():
        demand_services.update_demand(
            principal=owner,
            demand=demand,
            changes=DemandPatch.model_validate(
                {
                    "skills": [{"code": "nc.sql", "min_level": 2, "required": True}],
                    "languages": ["en"],
                }
            ),
        )
    assert [s.concept.code for s in demand.skills.all()] == ["nc.sql"]
    assert enqueued == Counter({refresh("refresh_demand", demand.pk): 1})


def test_a_feed_sync_refreshes_each_demand_once(
    world: World, enqueued: Jobs, committed: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nomadcloud.demands import fetch

    make_concepts()
    feed = Feed.objects.create(
        organisation=world.acme,
        url="https://hr.acme.example/jobs.json",
        format="native",
        created_by=world.olivia,
    )
    served: list[dict[str, Any]] = []

    def serve(titles: dict[str, str]) -> None:
        served[:] = [demand_fields(external_id=key, title_en=t) for key, t in titles.items()]

    monkeypatch.setattr(
        fetch,
        "fetch",
        lambda url, **_: fetch.FetchResult(200, json.dumps(served).encode(), "", "", url),
    )
    titles = {f"J-{n}": f"Job {n}" for n in range(6)}
    serve(titles)
    with committed():
        sync = demand_services.sync_feed(feed.pk)
    assert (sync.created, sync.skipped) == (6, 0), sync.skipped_entries
    ids = dict(Demand.objects.filter(feed=feed).values_list("external_id", "pk"))
    assert enqueued == Counter({refresh("refresh_demand", pk): 1 for pk in ids.values()})

    # One entry changes, one disappears (closed), four stay the same.
    enqueued.clear()
    serve({**{k: v for k, v in titles.items() if k != "J-5"}, "J-0": "Job zero"})
    with committed():
        sync = demand_services.sync_feed(feed.pk)
    assert (sync.updated, sync.unchanged, sync.closed) == (1, 4, 1)
    assert enqueued == Counter(
        {refresh("refresh_demand", ids["J-0"]): 1, refresh("refresh_demand", ids["J-5"]): 1}
    )


# --- profiles ---------------------------------------------------------------------------------


def test_a_profile_edit_with_skills_tools_and_languages_refreshes_it_once(
    world: World, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    concepts = make_concepts()
    me = Principal.for_user(world.bob)
    with committed(), transaction.atomic():  # one save of the profile editor
        talent_services.update_profile(
            principal=me, changes=ProfileChanges(headline_en="Python data engineer")
        )
        talent_services.declare_skill(principal=me, concept=concepts["python"], level=4)
        talent_services.declare_skill(principal=me, concept=concepts["sql"], level=5)
        talent_services.set_tool(principal=me, concept=concepts["docker"], proficiency=3)
        talent_services.set_language(principal=me, language="en", level="C1")
        talent_services.set_language(principal=me, language="zh", level="native")
        talent_services.add_project(
            principal=me,
            draft=ProjectDraft(
                title_en="Pipelines",
                role="engineer",
                started_on=date(2025, 1, 1),
                skills=["nc.python", "nc.docker"],
            ),
        )
    profile = Profile.objects.get(user=world.bob)
    assert enqueued == Counter({refresh("refresh_profile", profile.pk): 1})
    assert ProfileStamp.objects.filter(profile=profile).exists()  # the index reloads it

    enqueued.clear()
    skill = profile.skills.get(concept=concepts["sql"])
    with committed():
        talent_services.remove_item(principal=me, item=skill)
    assert enqueued == Counter({refresh("refresh_profile", profile.pk): 1})


def test_verified_work_refreshes_each_nomad_once(
    world: World, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    """Accepted work (orders, training, data batches) lands through ``record_verified_work``:
    several skills for several nomads in one acceptance refresh each nomad once."""
    concepts = make_concepts()
    skills = [(concepts["python"], 3), (concepts["sql"], 4), (concepts["labelling"], 2)]
    with committed(), transaction.atomic():  # as in ``accept_batch``
        for user in (world.bob, world.rita):
            talent_services.record_verified_work(
                user=user,
                skills=skills,
                source="datatasks.batch",
                reference="B-1",
                occurred_at=world.bob.date_joined,
            )
    profiles = dict(Profile.objects.values_list("user_id", "pk"))
    assert enqueued == Counter(
        {
            refresh("refresh_profile", profiles[world.bob.pk]): 1,
            refresh("refresh_profile", profiles[world.rita.pk]): 1,
        }
    )
    enqueued.clear()
    with committed():  # a retry of the same work writes nothing and refreshes nothing
        talent_services.record_verified_work(
            user=world.bob,
            skills=skills,
            source="datatasks.batch",
            reference="B-1",
            occurred_at=world.bob.date_joined,
        )
    assert enqueued == Counter()


def test_a_certification_decision_refreshes_the_holder_once(
    world: World, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    renshe_department(world)
    rule_sets()
    rita = Principal.for_user(world.rita)
    with committed():
        talent_services.update_profile(
            principal=rita, changes=ProfileChanges(headline_en="Analyst")
        )
    profile = Profile.objects.get(user=world.rita)

    def decide(approve: bool) -> None:
        application = talent_services.apply_for_certification(
            principal=rita, track="domestic", answers=GOOD_ANSWERS
        )
        talent_services.decide_certification(
            principal=Principal.for_user(world.wendy),
            application=application,
            department=application.reviewing_department,
            approve=approve,
            reason="Checked.",
        )

    enqueued.clear()
    with committed():
        decide(approve=False)
    assert enqueued == Counter()  # a refusal changes nothing matching reads
    with committed():
        decide(approve=True)
    assert enqueued == Counter({refresh("refresh_profile", profile.pk): 1})
    enqueued.clear()
    with committed():
        talent_services.revoke_certificate(
            principal=Principal.for_user(world.wendy),
            certificate=Certificate.objects.get(holder=world.rita),
            reason="Withdrawn.",
        )
    assert enqueued == Counter({refresh("refresh_profile", profile.pk): 1})


# --- whole transactions -----------------------------------------------------------------------


def test_the_demo_seeder_refreshes_every_profile_and_demand_once(
    db: None, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    from nomadcloud import demo

    with committed():
        demo.seed(nomads=2)
    profiles = set(Profile.objects.values_list("pk", flat=True))
    demands = set(Demand.objects.values_list("pk", flat=True))
    assert profiles and demands
    assert profiles_of(enqueued) == Counter({("refresh_profile", pk): 1 for pk in profiles})
    assert demands_of(enqueued) == Counter({("refresh_demand", pk): 1 for pk in demands})


def test_a_rollback_enqueues_nothing_and_leaks_nothing(
    world: World, enqueued: Jobs, committed: Callable[..., Any]
) -> None:
    make_concepts()
    owner = Principal.for_user(world.olivia)
    draft = demand_draft()
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        for _ in range(2):  # ids 1 and 2, then rolled back (SQLite hands out 1 again)
            demand_services.create_demand(
                principal=owner, organisation=world.acme, status="published", draft=draft
            )
        raise RuntimeError("rolled back")
    assert not Demand.objects.exists()
    assert enqueued == Counter()
    with committed():
        kept = demand_services.create_demand(
            principal=owner, organisation=world.acme, status="published", draft=draft
        )
    assert enqueued == Counter({refresh("refresh_demand", kept.pk): 1})


@pytest.mark.django_db(transaction=True)
def test_real_transactions_commit_once_and_roll_back_to_nothing(enqueued: Jobs) -> None:
    """The same with real commits: outside a transaction a job is enqueued at once; a
    transaction enqueues each argument once, at commit; a rolled-back one enqueues nothing
    and leaves nothing for the next."""
    enqueue_once_per_transaction(tasks.refresh_demand, 1, 1)
    assert enqueued == Counter({("refresh_demand", 1): 1})
    enqueued.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_once_per_transaction(tasks.refresh_demand, 2)
        raise RuntimeError("rolled back")
    assert enqueued == Counter()
    with transaction.atomic():
        enqueue_once_per_transaction(tasks.refresh_demand, 3, 4)
        with transaction.atomic():
            enqueue_once_per_transaction(tasks.refresh_demand, 3)
        enqueue_once_per_transaction(tasks.refresh_profile, 3)
        assert enqueued == Counter()  # not before commit
    assert enqueued == Counter(
        {("refresh_demand", 3): 1, ("refresh_demand", 4): 1, ("refresh_profile", 3): 1}
    )


# --- results still follow ---------------------------------------------------------------------


def test_the_jobs_keep_matches_current_and_notify_a_strong_match_once(
    world: World, monkeypatch: pytest.MonkeyPatch, committed: Callable[..., Any], settings: Any
) -> None:
    """Jobs run as the immediate backend would (after commit, in-process): a new demand
    gets its candidates, a profile edit its recommendations, and the nomad hears of a strong
    match once."""
    from nomadcloud.notifications.models import Notification

    settings.MATCHING_STRONG_SCORE = 30
    ran: Jobs = Counter()

    def run(self: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
        if self.module_path.startswith("nomadcloud.matching."):
            ran[(self.name, *args)] += 1
            self.func(*args, **kwargs)

    monkeypatch.setattr(Task, "enqueue", run)
    concepts = make_concepts()
    matcher.reset()
    bob = Principal.for_user(world.bob)
    with committed(), transaction.atomic():
        talent_services.declare_skill(
            principal=bob,
            concept=concepts["python"],
            level=3,
            evidence=talent_services.EvidenceInput(source="Python Institute", reference="P-1"),
        )
        talent_services.set_tool(principal=bob, concept=concepts["docker"], proficiency=4)
        talent_services.set_language(principal=bob, language="en", level="C1")
        talent_services.set_language(principal=bob, language="zh", level="native")
    nomad = Profile.objects.get(user=world.bob)
    with committed():
        demand = published(world)
    match = Match.objects.get(demand=demand, profile=nomad)
    assert match.in_candidates and match.score >= 30
    with committed():
        talent_services.set_tool(principal=bob, concept=concepts["cpp"], proficiency=2)
    assert ran == Counter(
        {("refresh_profile", nomad.pk): 2, ("refresh_demand", demand.pk): 1}
    )  # one per transaction
    assert Match.objects.get(demand=demand, profile=nomad).in_recommendations
    sent = Notification.objects.filter(recipient=world.bob, kind="matching.strong_match")
    assert sent.count() == 1
