from django.core.management import call_command
from django.test import Client

from nomadcloud.accounts.demo import DEMO_PASSWORD, PERSONAS
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.validators import is_valid_uscc


def test_demo_zone_matches_the_plan(db: None) -> None:
    call_command("seed_demo", verbosity=0)
    departments = set(
        Organisation.objects.filter(kind="department").values_list("name_zh", flat=True)
    )
    assert "儋州市科学技术工业信息化局" in departments and "儋州市公安局" in departments
    assert Organisation.objects.filter(kind="enterprise").count() >= 10
    assert Organisation.objects.filter(kind="merchant").count() >= 5
    assert Organisation.objects.filter(kind="community").count() >= 3
    nomads = User.objects.filter(is_nomad=True)
    assert nomads.count() >= 60
    assert nomads.exclude(nationality="CN").count() >= 15
    codes = Organisation.objects.exclude(credit_code="").values_list("credit_code", flat=True)
    assert codes and all(is_valid_uscc(code) for code in codes)
    _assert_demo_pools()
    _assert_demo_crossborder()
    _assert_demo_valuation_books()
    call_command("seed_demo", verbosity=0)  # idempotent
    assert User.objects.filter(is_nomad=True).count() == nomads.count()


def _assert_demo_valuation_books() -> None:
    """The priced traffic agreement reached the issued valuation, whose costs are in the
    holder's books with an impairment since (decision 0063)."""
    from nomadcloud.valuation.models import BookEntry, Valuation

    issued = Valuation.objects.get(state="issued")
    assert issued.collected["platform"]["revenue"]["total"] == "48000.00"
    kinds = list(BookEntry.objects.filter(asset=issued.asset).values_list("kind", "amount"))
    assert [k for k, _ in kinds] == ["addition", "impairment"]
    assert str(kinds[0][1]) == "318000.00"


def _assert_demo_crossborder() -> None:
    """Four export requests: exempt (c) and whitelisted with a transfer and its renewal
    reminded, a standard contract awaiting its filing receipt, a security assessment, and the
    traffic pool's standard contract for 洋浦云帆科技 in Singapore, whitelisted, under which
    the pool agreement abroad was used once (decision 0064)."""
    from nomadcloud.crossborder import services
    from nomadcloud.crossborder.models import ExportRequest, TransferEvent, WhitelistEntry
    from nomadcloud.datapools.models import Negotiation
    from nomadcloud.datapools.negotiation import terms

    routes = sorted(ExportRequest.objects.values_list("route", "state"))
    assert routes == [
        ("exempt", "whitelisted"),
        ("security_assessment", "obligations_pending"),
        ("standard_contract", "obligations_pending"),
        ("standard_contract", "whitelisted"),
    ]
    entry = WhitelistEntry.objects.get(recipient_country="PT")
    assert (entry.status, entry.volume_used) == ("renewal_due", 320)
    abroad = next(n for n in Negotiation.objects.all() if terms(n)["spatial"] == "SG")
    assert abroad.state == "agreed" and abroad.pool.kind == "traffic"
    pool_entry = WhitelistEntry.objects.get(recipient_country="SG")
    assert pool_entry.recipient_name == abroad.consumer.name_zh
    assert pool_entry.exporter == abroad.pool.steward and pool_entry.status == "active"
    # The agreement is covered now, as the re-check at the agreement found (decision 0052),
    # and its one use is a transfer counted against the entry.
    charter = abroad.pool.charters.order_by("-version").first()
    assert charter is not None
    covering = services.agreement_entry(
        exporter=abroad.pool.steward,
        recipient=abroad.consumer,
        country="SG",
        purpose=charter.purposes[0],
        data_categories=charter.data_categories,
    )
    assert covering == pool_entry
    transfer = TransferEvent.objects.get(entry=pool_entry)
    assert transfer.source == f"datapools:{abroad.public_id}"
    assert (pool_entry.volume_used, pool_entry.sensitive_used) == (3, 3)


def _assert_demo_pools() -> None:
    """The three data pools: traffic and consumption released, the connector read the nomad
    persona's payment, the metaverse pool quarantined the upload holding a phone number."""
    from nomadcloud.datapools.models import Pool

    pools = {p.kind: p for p in Pool.objects.all()}
    assert set(pools) == {"traffic", "consumption", "metaverse", "labelled"}
    assert pools["labelled"].status == "open"  # empty until a batch is released (0057)
    assert all(p.status == Pool.Status.OPEN for p in pools.values())
    assert pools["traffic"].versions.get().row_count == 36
    # Agreements for aggregates (in China, and in Singapore under a whitelist entry) and for
    # query templates (one approved template run once).
    from nomadcloud.datapools.negotiation import terms

    assert sorted(
        (terms(n)["access_mode"], terms(n)["spatial"], n.state)
        for n in pools["traffic"].negotiations.all()
    ) == [
        ("aggregate", "CN", "agreed"),
        ("aggregate", "CN", "confirming"),  # awaiting 市科工信局's 核定 (decision 0062)
        ("aggregate", "SG", "agreed"),
        ("query_template", "CN", "agreed"),
        ("query_template", "CN", "agreed"),  # 洋浦云帆's priced agreement, read by valuation (0063)
    ]
    confirmed = pools["traffic"].negotiations.filter(state="agreed")
    assert all(n.confirmation.outcome == "confirmed" for n in confirmed)
    assert pools["traffic"].query_templates.filter(status="approved").count() == 1
    assert [u.mode for u in pools["metaverse"].negotiations.get().uses.all()] == []
    assert pools["consumption"].charters.get().dp_epsilon_budget == 2
    assert pools["traffic"].distribution_runs.get().total_points == 2 * 36
    consumption = pools["consumption"]
    assert consumption.contributions.filter(source="points_payments").count() == 1
    assert consumption.versions.get().row_count == 3
    assert consumption.negotiations.get().state == "requested"  # waiting for the steward
    quarantined = pools["metaverse"].contributions.get(status="quarantined")
    assert quarantined.findings == [{"line": 2, "column": "title", "kind": "phone"}]


def test_every_persona_can_sign_in(db: None) -> None:
    call_command("seed_demo", verbosity=0)
    for persona in PERSONAS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": persona.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, persona.email


def test_the_demo_zone_has_the_vocabulary_profiles_and_tagged_demands(db: None) -> None:
    from nomadcloud.demands.models import Demand, JobProfileTag
    from nomadcloud.talent.models import Profile
    from nomadcloud.taxonomy.models import Concept

    call_command("seed_demo", "--nomads", "2", verbosity=0)
    assert Concept.objects.filter(source="nomadcloud").count() >= 800
    assert not Concept.objects.filter(source="nomadcloud", label_zh="").exists()
    assert Profile.objects.count() >= 2
    published = Demand.objects.filter(status="published")
    assert published.count() >= 14
    tagged = JobProfileTag.objects.filter(demand__in=published).values("demand").distinct()
    assert tagged.count() == published.count()  # every published demand has a job profile
    counts = (Concept.objects.count(), Profile.objects.count(), Demand.objects.count())
    call_command("seed_demo", "--nomads", "2", verbosity=0)
    assert (Concept.objects.count(), Profile.objects.count(), Demand.objects.count()) == counts
