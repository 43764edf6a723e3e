"""The dashboard (design §4.9): indicators registered by their apps, daily snapshots with
provenance, official figures reported and imported in one CSV/XLSX format (line-numbered
errors, nothing stored; an export imports back unchanged), targets judged against their
trajectory, and screens that show each viewer what it may see."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import translation

from nomadcloud.core import indicators
from nomadcloud.core.errors import DomainError, Forbidden
from nomadcloud.dashboard import queries, services
from nomadcloud.dashboard.models import ImportBatch, Observation, Snapshot, Target
from tests.builders.dashboard import statistics_clerk, targets
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error

API = "/api/v1/dashboard"

TODAY = dt.date(2026, 7, 1)


def _figure(**changes: str) -> services.Figure:
    values = {
        "indicator": "dashboard.core_revenue",
        "period": "2026",
        "area": "DZ",
        "value": "512000000.00",
        "unit": "currency-CNY",
        "finality": "P",
        "as_of": "2026-06-30",
        "source": "统计局月报",
    }
    return services.Figure(**(values | changes))


def test_the_registry_holds_every_apps_indicators_with_both_languages() -> None:
    codes = {i.code for i in indicators.registered()}
    assert {
        "communities.visits",
        "talent.certified_nomads",
        "accounts.enterprises",
        "proofs.issued",
        "orders.accepted",
        "dashboard.hotel_visits",
        "dashboard.tax",
    } <= codes
    for found in indicators.registered():
        assert found.definition["zh-Hans"] and found.definition["en"]
    assert indicators.Period.parse("2026-Q2").end == dt.date(2026, 6, 30)
    with pytest.raises(DomainError) as bad:
        indicators.Period.parse("2026-13")
    assert bad.value.code == "invalid_period"
    with pytest.raises(DomainError) as unknown:
        indicators.get("nope.nothing")
    assert unknown.value.code == "unknown_indicator"


def test_snapshots_carry_their_provenance(world: World) -> None:
    written = services.take_snapshots(TODAY)
    assert written == Snapshot.objects.count() > 0
    snap = Snapshot.objects.get(indicator="accounts.enterprises", dimensions="")
    assert snap.period == "2026-07"
    assert snap.provenance["function"] == "nomadcloud.accounts.indicators.enterprises"
    assert Snapshot.objects.filter(indicator="communities.visits", period="2026").count() == 2
    assert services.take_snapshots(TODAY) == written  # replaced, not added
    assert Snapshot.objects.count() == written


def test_a_figure_is_reported_approved_published_and_revised(world: World) -> None:
    clerk = statistics_clerk()
    obs = services.submit(_figure(), actor=clerk, today=TODAY)
    assert obs.status == "submitted" and obs.unit.code == "tongji"
    with pytest.raises(Forbidden):
        services.approve(obs, actor=clerk)  # a member, not a deciding role
    with pytest.raises(Forbidden):
        services.submit(_figure(), actor=world.charlie, today=TODAY)
    services.approve(obs, actor=world.oscar)
    services.publish(obs, actor=world.oscar)
    final = services.submit(_figure(value="520000000", finality="F"), actor=clerk, today=TODAY)
    obs.refresh_from_db()
    assert obs.status == "superseded" and final.supersedes == obs
    with pytest.raises(DomainError) as no_reason:
        services.submit(_figure(value="530000000", finality="F"), actor=clerk, today=TODAY)
    assert "supersede_reason" in no_reason.value.fields
    services.submit(
        _figure(value="530000000", finality="F", supersede_reason="年报修订"),
        actor=clerk,
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"indicator": "dashboard.nope"}, "indicator"),
        ({"indicator": "communities.visits", "unit": "count"}, "indicator"),
        ({"period": "2026-05"}, "period"),
        ({"period": "2027"}, "period"),
        ({"area": "XX"}, "area"),
        ({"unit": "count"}, "unit"),
        ({"value": "1.005"}, "value"),
        ({"value": "-5"}, "value"),
        ({"source": " "}, "source"),
        ({"as_of": "2026-08-01"}, "as_of"),
    ],
)
def test_bad_figures_are_refused_by_field(
    world: World, changes: dict[str, str], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.check(_figure(**changes), TODAY)
    assert field in refused.value.fields


def _csv(*rows: str) -> bytes:
    return ("\n".join([",".join(services.COLUMNS), *rows]) + "\n").encode()


def test_an_import_is_all_or_nothing_with_line_numbers(world: World) -> None:
    clerk = statistics_clerk()
    with translation.override("en"), pytest.raises(services.ImportRefused) as refused:
        services.import_file(
            "bad.csv",
            _csv(
                "dashboard.tax,2026,DZ,41500000,currency-CNY,P,2026-06-30,税务局,,",
                "dashboard.tax,2026,XX,1,currency-CNY,P,2026-06-30,税务局,,",
                "dashboard.unknown,2026,DZ,1,count,P,2026-06-30,x,,",
            ),
            actor=clerk,
            today=TODAY,
        )
    assert [e.split(":")[0] for e in refused.value.errors] == ["line 3", "line 4"]
    assert not Observation.objects.exists()
    assert ImportBatch.objects.get().status == "refused"
    with pytest.raises(services.ImportRefused) as mixed:
        services.import_file(
            "mixed.csv",
            _csv(
                "dashboard.tax,2026,DZ,1,currency-CNY,P,2026-06-30,x,,",
                "dashboard.tax,2025,DZ,1,currency-CNY,P,2025-06-30,x,,",
            ),
            actor=clerk,
            today=TODAY,
        )
    assert "one period" in " ".join(mixed.value.errors) or "2025, 2026" in " ".join(
        mixed.value.errors
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(world: World, fmt: str) -> None:
    clerk = statistics_clerk()
    batch = services.import_file(
        "in.csv",
        _csv(
            "dashboard.tax,2026,DZ,41500000.00,currency-CNY,P,2026-06-30,=税务局,证明,",
            "dashboard.core_revenue,2026,DZ,512000000,currency-CNY,F,2026-06-30,统计局,,",
            "dashboard.super_individuals,2026,DZ,2,count,P,2026-06-30,统计局,,",
        ),
        actor=clerk,
        today=TODAY,
    )
    assert batch.rows == 3 and Observation.objects.count() == 3
    rows = list(Observation.objects.all())
    exported = services.export_xlsx(rows) if fmt == "xlsx" else services.export_csv(rows).encode()
    again = services.import_file(f"out.{fmt}", exported, actor=clerk, today=TODAY)
    assert again.rows == 3 and Observation.objects.count() == 3  # identical: nothing new
    assert services.export_rows(Observation.objects.all()) == services.export_rows(rows)
    assert Observation.objects.get(indicator="dashboard.tax").source == "=税务局"


def test_targets_are_judged_against_their_trajectory(world: World) -> None:
    targets()
    assert Target.objects.count() == 6
    visits = Target.objects.get(code="visits")
    assert queries.expected(visits, dt.date(2026, 12, 31)) == Decimal("20000")
    migrants = Target.objects.get(code="migrants")
    assert queries.expected(migrants, dt.date(2027, 12, 31)) == Decimal("3000")
    assert Decimal("1000") < queries.expected(migrants, dt.date(2027, 7, 1)) < Decimal("3000")
    clerk = statistics_clerk()
    services.submit(_figure(value="600000000"), actor=clerk, today=TODAY)
    data = queries.screen(public=False, today=TODAY)
    revenue = next(t for t in data["targets"] if t["code"] == "revenue")
    assert revenue["rag"] == "green" and revenue["official"]["status"] == "submitted"
    public = queries.screen(public=True, today=TODAY)
    assert next(t for t in public["targets"] if t["code"] == "revenue")["official"] is None


def test_the_screens_answer_each_viewer(world: World) -> None:
    targets()
    clerk = statistics_clerk()
    obs = services.submit(_figure(), actor=clerk, today=timezone_today())
    for user, status in [(None, 302), (world.charlie, 403), (world.wendy, 200), (world.oscar, 200)]:
        assert client_for(user).get("/dashboard/screen.json").status_code == status
        assert client_for(user).get("/dashboard/").status_code == status
    data = json.loads(client_for(world.oscar).get("/dashboard/screen.json").content)
    assert len(data["targets"]) == 6
    public = client_for(None).get("/dashboard/public/")
    assert public.status_code == 200 and str(obs.value) not in public.content.decode()
    csv_text = client_for(None).get("/dashboard/figures/export.csv").content.decode()
    assert csv_text.splitlines() == [",".join(services.COLUMNS)]
    own = client_for(world.wendy).get("/dashboard/figures/export.csv").content.decode()
    assert "dashboard.core_revenue" not in own  # 科工信局 does not see the bureau's figures
    assert "dashboard.core_revenue" in client_for(clerk).get("/dashboard/figures/").content.decode()


def timezone_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def test_the_snapshot_command_reports_what_it_wrote(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("dashboard", "snapshot", "--day", "2026-03-31", stdout=out)
    assert json.loads(out.getvalue())["snapshots"] == Snapshot.objects.count() > 0


def test_the_api_reports_approves_and_publishes_a_figure(world: World) -> None:
    """The same use cases through /api/v1/dashboard/: the statistics bureau reports, the zone
    operator approves and publishes, the public view then carries the figure; bad input is
    refused by field with nothing stored."""
    clerk = statistics_clerk()
    year = dt.date.today().year - 1
    body = {
        "indicator": "dashboard.core_revenue",
        "period": str(year),
        "value": "512000000.00",
        "finality": "F",
        "as_of": f"{year}-12-31",
        "source": "统计局年报",
    }
    before = Observation.objects.count()
    assert_error(
        api_post(clerk, f"{API}/observations", body | {"value": "1.005"}), "invalid_input", "value"
    )
    assert_error(
        api_post(clerk, f"{API}/observations", body | {"indicator": "dashboard.nope"}),
        "unknown_indicator",
        "indicator",
    )
    # A department that does not own the indicator is told it does not exist.
    assert_error(
        api_post(world.wendy, f"{API}/observations", body), "unknown_indicator", "indicator"
    )
    assert Observation.objects.count() == before

    made = api_post(clerk, f"{API}/observations", body)
    assert made.status_code == 201, made.content
    figure = made.json()
    assert figure["status"] == "submitted" and figure["unit_code"] == "tongji"
    assert Decimal(figure["value"]) == Decimal("512000000")
    assert_error(api_post(clerk, f"{API}/observations", body), "duplicate_figure")
    path = f"{API}/observations/{figure['public_id']}"
    assert_error(api_post(clerk, f"{path}/approve"), "not_owner")
    assert api_post(world.oscar, f"{path}/approve").json()["status"] == "approved"
    assert api_post(world.oscar, f"{path}/publish").json()["status"] == "published"

    listed = api_get(world.oscar, f"{API}/observations").json()["items"]
    assert figure["public_id"] in {item["public_id"] for item in listed}
    codes = {i["code"]: i for i in api_get(None, f"{API}/indicators").json()}
    assert codes["dashboard.core_revenue"]["official"] is True
    assert codes["dashboard.core_revenue"]["unit"] == "currency-CNY"
