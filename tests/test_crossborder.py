"""Cross-border export (docs/crossborder.md): the rule book's cases, splitting across
requests, bad inputs refused with nothing changed, evidence from consent records, the 网信办
pre-check, transfers against the entry, reassessment, renewal reminders, pages and the
datapools hook (an agreement with a recipient abroad needs an entry)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import rules, workdays
from nomadcloud.core.errors import Conflict, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.crossborder import procedure, services
from nomadcloud.crossborder.models import (
    ExportCounter,
    ExportRequest,
    TransferEvent,
    WhitelistEntry,
)
from nomadcloud.crossborder.schemas import (
    EvidenceDraft,
    ExportRequestDraft,
    ReviewDraft,
    TransferDraft,
)
from nomadcloud.notifications.models import Notification
from tests.builders import crossborder as b
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error, in_parallel

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _next_year_loaded(db: None) -> None:
    # A filing deadline counted in December runs into 2027 (not in the package yet).
    workdays.declare_year_loaded(2027, actor=None)


def test_every_rule_case_passes() -> None:
    results = rules.run_tests(procedure.BOOK)
    assert len(results) >= 61
    assert [r.message for r in results if not r.passed] == []


def test_a_split_export_is_counted_together(world: World) -> None:
    first = b.assessed(world, pi_count=60_000)
    second = b.assessed(world, pi_count=60_000)
    assert (first.route, second.route) == ("exempt", "standard_contract")
    assert "exempt:f" in first.reasons and "trigger:ytd_pi" in second.reasons
    assert (second.ytd_pi, second.rule_version.split("@")[1][:17]) == (60_000, procedure.VERSION)
    counter = ExportCounter.objects.get(exporter=world.acme)
    assert counter.pi_assessed == 120_000
    # Exempt by scenario (a booking the individual asked for): not counted.
    booking = b.assessed(world, scenario="contract", pi_count=5_000)
    assert booking.route == "exempt" and not booking.counted
    counter.refresh_from_db()
    assert counter.pi_assessed == 120_000
    assert [o.kind for o in second.obligations.all()] == [
        "separate_consent",
        "impact_assessment",
        "filing_receipt",
    ]


BAD = [
    ({"pi_count": None}, "pi_count"),
    ({"data_categories": []}, "data_categories"),
    ({"pi_count": -1}, "pi_count"),
    ({"recipient_country": "CN"}, "recipient_country"),
    ({"recipient_country": ""}, "recipient_country"),
    ({"purpose": "dpv:Marketing"}, "purpose"),
    ({"sensitive_count": 11, "pi_count": 10}, "sensitive_count"),
    ({"data_categories": ["pd:TravelHistory"]}, "sensitive_count"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_requests_are_refused_with_the_field_and_nothing_changes(
    world: World, change: dict[str, Any], field: str
) -> None:
    b.cac(world)
    body = {k: v for k, v in b.fields(**change).items() if v is not None}
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans")
    answer = api_post(
        client, f"/api/v1/crossborder/exporters/{world.acme.public_id}/requests", body
    )
    envelope = assert_error(answer, "invalid_input", field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in envelope["message"]), envelope
    assert not ExportRequest.objects.exists() and not ExportCounter.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"is_ciio": True, "chosen_route": "standard_contract"},
        {"is_important_data": True, "chosen_route": "certification"},
    ],
)
def test_a_route_the_law_closes_cannot_be_chosen(world: World, change: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        b.assessed(world, **change)
    assert caught.value.code == "route_not_available"
    assert not ExportRequest.objects.exists()


def test_evidence_comes_from_consent_records_and_must_not_be_expired(world: World) -> None:
    request = b.assessed(world)
    olivia = Principal.for_user(world.olivia)
    with pytest.raises(InvalidInput) as none:
        services.submit_evidence(
            principal=olivia, request=request, kind="separate_consent", draft=EvidenceDraft()
        )
    assert none.value.code == "no_separate_consent"
    b.separate_consent(world)
    services.submit_evidence(
        principal=olivia, request=request, kind="separate_consent", draft=EvidenceDraft()
    )
    assert request.obligations.get(kind="separate_consent").consents == 1
    old = timezone.localdate() - timedelta(days=1)
    with pytest.raises(InvalidInput) as expired:
        services.submit_evidence(
            principal=olivia,
            request=request,
            kind="impact_assessment",
            draft=parse_draft(EvidenceDraft, {"reference": "PIA-1", "valid_until": old}),
        )
    assert expired.value.code == "evidence_expired"


def _transfer(world: World, entry: WhitelistEntry, **change: Any) -> TransferEvent:
    body = {
        "pi_count": 1_000,
        "sensitive_count": 0,
        "purpose": entry.purpose,
        "data_categories": entry.data_categories,
        "recipient_name": entry.recipient_name,
        **change,
    }
    return services.log_transfer(
        principal=Principal.for_user(world.olivia),
        entry=entry,
        draft=parse_draft(TransferDraft, body),
    )


def test_precheck_whitelists_and_transfers_count_against_the_entry(world: World) -> None:
    entry = b.whitelisted(world)
    request = entry.request
    assert request.state == ExportRequest.State.WHITELISTED
    assert (entry.route, entry.reference, entry.volume_cap) == (
        "standard_contract",
        "琼网信备〔2026〕118号",
        150_000,
    )
    assert entry.valid_to.year == entry.valid_from.year + 3
    (clock,) = workdays.clocks_for(services.CLOCK_KIND, str(request.public_id))
    assert (clock.name, clock.limit, clock.stopped_at is not None) == ("precheck", 5, True)
    _transfer(world, entry, pi_count=100_000)
    entry.refresh_from_db()
    assert entry.volume_used == 100_000
    assert ExportCounter.objects.get(exporter=world.acme).pi_sent == 100_000
    with pytest.raises(Conflict) as over:
        _transfer(world, entry, pi_count=60_000)
    assert over.value.code == "reassessment_required"
    entry.refresh_from_db()
    assert entry.status == WhitelistEntry.Status.REASSESSMENT_REQUIRED
    assert entry.volume_used == 100_000 and TransferEvent.objects.count() == 1
    # Reassessed with more people: only the increase is new to the year's counter.
    again = services.reassess(
        principal=Principal.for_user(world.olivia),
        entry=entry,
        draft=parse_draft(ExportRequestDraft, b.fields(pi_count=300_000)),
    )
    assert again.previous_id == request.pk and again.route == "standard_contract"
    assert ExportCounter.objects.get(exporter=world.acme).pi_assessed == 300_000


def test_a_changed_purpose_needs_reassessment_and_an_expired_entry_refuses(
    world: World,
) -> None:
    entry = b.whitelisted(world)
    with pytest.raises(Conflict) as changed:
        _transfer(world, entry, purpose="dpv:ResearchAndDevelopment")
    assert changed.value.code == "reassessment_required"
    entry.refresh_from_db()
    assert "purpose" in entry.reason
    other = b.whitelisted(world, recipient_name="Kyoto Inn", recipient_country="JP")
    WhitelistEntry.objects.filter(pk=other.pk).update(
        valid_to=timezone.localdate() - timedelta(days=1),
        valid_from=timezone.localdate() - timedelta(days=10),
    )
    other.refresh_from_db()
    with pytest.raises(Conflict) as expired:
        _transfer(world, other)
    assert expired.value.code == "entry_expired"
    assert not TransferEvent.objects.exists()


def test_renewal_is_reminded_within_60_working_days(world: World) -> None:
    entry = b.whitelisted(world)
    today = timezone.localdate()
    WhitelistEntry.objects.filter(pk=entry.pk).update(valid_to=today + timedelta(days=120))
    assert services.remind_renewals(today) == 0
    WhitelistEntry.objects.filter(pk=entry.pk).update(valid_to=today + timedelta(days=60))
    assert services.remind_renewals(today) == 1
    assert services.remind_renewals(today) == 0  # once
    entry.refresh_from_db()
    assert entry.status == WhitelistEntry.Status.RENEWAL_DUE
    assert Notification.objects.filter(
        recipient=world.olivia, kind="crossborder.renewal_due"
    ).exists()


def test_pages_show_the_route_with_its_clauses_in_both_languages(world: World) -> None:
    entry = b.whitelisted(world)
    olivia = client_for(world.olivia)
    page = olivia.get(f"/crossborder/requests/{entry.request.public_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "《个人信息出境标准合同办法》" in text and "CAC Order 13" in text
    assert olivia.get(f"/crossborder/org/{world.acme.public_id}/").status_code == 200
    assert olivia.get(f"/crossborder/entries/{entry.public_id}/").status_code == 200
    assert client_for(world.wendy).get("/crossborder/review/").status_code == 200
    assert client_for(world.charlie).get("/crossborder/review/").status_code == 404
    assert (
        client_for(world.charlie).get(f"/crossborder/entries/{entry.public_id}/").status_code == 404
    )
    form = olivia.post(
        f"/crossborder/org/{world.acme.public_id}/new/",
        {
            "recipient_name": "X",
            "recipient_country": "DE",
            "purpose": b.PURPOSE,
            "scenario": "other",
        },
    )
    assert form.status_code == 422
    assert ExportRequest.objects.count() == 1


def _abroad_negotiation(world: World) -> Any:
    from nomadcloud.datapools import negotiation
    from tests.builders import datapools as pools
    from tests.builders.world import verify_org

    pool = pools.busy_pool(world)
    verify_org(world.globex)
    return negotiation.request_access(
        principal=Principal.for_user(world.charlie),
        pool=pool,
        consumer=world.globex,
        spatial="PT",
        purpose="dpv:ResearchAndDevelopment",
        access_mode="aggregate",
        duration_days=90,
    )


def test_a_pool_agreement_abroad_needs_a_covering_entry_when_agreed(world: World) -> None:
    from nomadcloud.datapools import negotiation
    from nomadcloud.datapools.models import NegotiationEvent

    with pytest.raises(InvalidInput) as none:
        _abroad_negotiation(world)
    assert "has no whitelist entry for a recipient in PT" in none.value.fields["spatial"][0]
    # An entry for another recipient does not cover Globex.
    b.whitelisted(world)
    with pytest.raises(InvalidInput) as other:
        _abroad_negotiation(world)
    assert "names Globex" in other.value.fields["spatial"][0]
    entry = b.whitelisted(world, **b.abroad(world))
    asked = _abroad_negotiation(world)
    olivia = Principal.for_user(world.olivia)
    today = timezone.localdate()
    good = {"valid_from": entry.valid_from, "valid_to": entry.valid_to, "volume_used": 0}
    gaps = [
        (
            {"valid_from": today - timedelta(days=30), "valid_to": today - timedelta(days=1)},
            "有效",
        ),
        ({"volume_used": entry.volume_cap}, "上限"),
        ({"data_categories": ["pd:Location"]}, "pd:TravelHistory"),
    ]
    for change, why in gaps:
        WhitelistEntry.objects.filter(pk=entry.pk).update(**{**good, **change})
        with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
            negotiation.move(principal=olivia, negotiation=asked, action="agree")
        message = refused.value.fields["spatial"][0]
        assert refused.value.code == "constraint_failed" and why in message, message
        asked.refresh_from_db()
        assert asked.state == "requested"
        assert NegotiationEvent.objects.filter(negotiation=asked).count() == 1
    # The same refusal on the page (a message naming the gap) and in the API.
    shown = client_for(world.olivia).post(
        f"/datapools/negotiations/{asked.public_id}/agree/",
        {},
        follow=True,
        HTTP_REFERER=f"http://testserver/datapools/negotiations/{asked.public_id}/",
    )
    assert "pd:TravelHistory" in shown.content.decode()
    answer = api_post(
        client_for(world.olivia),
        f"/api/v1/datapools/negotiations/{asked.public_id}/moves",
        {"action": "agree"},
    )
    assert "pd:TravelHistory" in assert_error(answer, "constraint_failed", "spatial")["message"]
    asked.refresh_from_db()
    assert asked.state == "requested"
    WhitelistEntry.objects.filter(pk=entry.pk).update(
        **good, data_categories=["pd:Location", "pd:TravelHistory"]
    )
    confirming = negotiation.move(principal=olivia, negotiation=asked, action="agree")
    assert confirming.state == "confirming"
    # The entry is checked again at the department's 核定 (decision 0062): time passes.
    wendy = Principal.for_user(world.wendy)
    WhitelistEntry.objects.filter(pk=entry.pk).update(volume_used=entry.volume_cap)
    with pytest.raises(InvalidInput) as lapsed:
        negotiation.move(principal=wendy, negotiation=confirming, action="confirm")
    assert lapsed.value.code == "constraint_failed"
    WhitelistEntry.objects.filter(pk=entry.pk).update(volume_used=0)
    agreed = negotiation.move(principal=wendy, negotiation=confirming, action="confirm")
    assert agreed.state == "agreed"


def test_each_use_of_a_pool_agreement_abroad_is_a_counted_transfer(world: World) -> None:
    from nomadcloud.datapools import aggregates, negotiation
    from nomadcloud.datapools import services as pool_services
    from nomadcloud.datapools.models import UsageEvent
    from tests.builders import datapools as pools

    entry = b.whitelisted(world, **b.abroad(world))
    agreed = negotiation.move(
        principal=Principal.for_user(world.wendy),
        negotiation=negotiation.move(
            principal=Principal.for_user(world.olivia),
            negotiation=_abroad_negotiation(world),
            action="agree",
        ),
        action="confirm",
    )
    pool = agreed.pool
    rows = "".join(f"2026-11-{d:02d},sandu,bus,1,1,\n" for d in range(3, 11))
    pools.contribute(
        world, pool, who="charlie", data=f"day,area,mode,trips,km,note\n{rows}".encode()
    )
    pool_services.release_version(principal=Principal.for_user(world.olivia), pool=pool)
    charlie = Principal.for_user(world.charlie)
    aggregates.aggregate(principal=charlie, negotiation=agreed, group_by=["area"])
    (sent,) = TransferEvent.objects.filter(entry=entry)
    # Two contributors (Bob and Charlie), all sensitive (行踪轨迹 is among the categories).
    assert (sent.pi_count, sent.sensitive_count) == (2, 2)
    assert sent.source == f"datapools:{agreed.public_id}"
    entry.refresh_from_db()
    assert (entry.volume_used, entry.sensitive_used) == (2, 2)
    assert ExportCounter.objects.get(exporter=world.acme).pi_sent == 2
    # One person of room left under the cap: the next use is refused and nothing is kept.
    WhitelistEntry.objects.filter(pk=entry.pk).update(volume_used=entry.volume_cap - 1)
    with pytest.raises(Conflict) as refused:
        aggregates.aggregate(principal=charlie, negotiation=agreed, group_by=["area"])
    assert refused.value.code == "whitelist_entry_required"
    assert "1 people" in refused.value.message
    assert UsageEvent.objects.filter(negotiation=agreed).count() == 1
    assert TransferEvent.objects.filter(entry=entry).count() == 1
    page = client_for(world.olivia).get(f"/crossborder/entries/{entry.public_id}/")
    assert "数据池协议" in page.content.decode()


def test_a_reassessment_covers_what_was_sent_and_runs_once(world: World) -> None:
    entry = b.whitelisted(world)
    _transfer(world, entry, pi_count=120_000)
    olivia = Principal.for_user(world.olivia)
    with pytest.raises(InvalidInput) as short:
        services.reassess(
            principal=olivia,
            entry=entry,
            draft=parse_draft(ExportRequestDraft, b.fields(pi_count=100_000)),
        )
    assert short.value.fields["pi_count"]
    again = services.reassess(
        principal=olivia,
        entry=entry,
        draft=parse_draft(
            ExportRequestDraft, b.fields(purpose="dpv:ResearchAndDevelopment", pi_count=200_000)
        ),
    )
    with pytest.raises(Conflict) as twice:
        services.reassess(
            principal=olivia, entry=entry, draft=parse_draft(ExportRequestDraft, b.fields())
        )
    assert twice.value.code == "transition_not_allowed"
    page = client_for(world.olivia).get(f"/crossborder/entries/{entry.public_id}/")
    assert 'data-testid="pending-reassessment"' in page.content.decode()
    assert services.pending_reassessment(entry) == again
    # Whitelisted, the new entry replaces the old one and carries what was already sent.
    b.separate_consent(world, again.recipient_name, again.purpose)
    for obligation in list(again.obligations.all()):
        again = services.submit_evidence(
            principal=olivia,
            request=again,
            kind=obligation.kind,
            draft=parse_draft(EvidenceDraft, b.evidence_for(again)[obligation.kind]),
        )
    services.review(
        principal=Principal.for_user(world.wendy),
        request=again,
        draft=parse_draft(ReviewDraft, {"approve": True}),
    )
    new = WhitelistEntry.objects.get(request=again)
    assert (new.purpose, new.volume_used, new.volume_cap) == (
        "dpv:ResearchAndDevelopment",
        120_000,
        200_000,
    )
    entry.refresh_from_db()
    assert entry.status == WhitelistEntry.Status.EXPIRED
    assert ExportRequest.objects.get(pk=entry.request_id).state == "superseded"
    assert ExportCounter.objects.get(exporter=world.acme).pi_assessed == 200_000


def test_the_renewal_reminders_run_daily_from_the_schedule(world: World) -> None:
    from django.utils.module_loading import import_string

    from nomadcloud.core import schedule

    (job,) = [j for j in schedule.SCHEDULE if j.task.startswith("nomadcloud.crossborder.")]
    assert (job.task, job.every) == ("nomadcloud.crossborder.tasks.remind_renewals", schedule.DAY)
    entry = b.whitelisted(world)
    WhitelistEntry.objects.filter(pk=entry.pk).update(
        valid_to=timezone.localdate() + timedelta(days=30)
    )
    now = timezone.now()

    def run(when: Any) -> list[str]:
        return schedule.run_due(
            when, schedule=(job,), starter=lambda j: import_string(j.task).call()
        )

    assert run(now) == [job.name]
    entry.refresh_from_db()
    assert entry.status == WhitelistEntry.Status.RENEWAL_DUE
    assert run(now + timedelta(hours=23)) == []  # once a day
    assert run(now + timedelta(days=1)) == [job.name]


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="real parallel requests need PostgreSQL (NOMADCLOUD_TEST_DB=postgres)"
)
@pytest.mark.django_db(transaction=True)
def test_two_parallel_requests_cannot_both_slip_under_a_threshold(world: World) -> None:
    b.cac(world)
    workdays.declare_year_loaded(2027, actor=None)
    path = f"/api/v1/crossborder/exporters/{world.acme.public_id}/requests"
    clients = [client_for(world.olivia) for _ in range(2)]
    answers = in_parallel(2, lambda i: api_post(clients[i], path, b.fields(pi_count=60_000)))
    assert [a.status_code for a in answers] == [201, 201], [a.content[:300] for a in answers]
    routes = sorted(a.json()["route"] for a in answers)
    assert routes == ["exempt", "standard_contract"]
    assert ExportCounter.objects.get(exporter=world.acme).pi_assessed == 120_000
