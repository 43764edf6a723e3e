"""Data pools (docs/datapools.md): the lifecycle by its sides, contributions under
per-purpose consent, schema errors by line, quarantine of undeclared personal data, the
points-payments connector, dataset versions with quality scores that leave out withdrawn
consents, pages and API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import services as consent
from nomadcloud.core import privacy
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.datapools import charters, services, validation
from nomadcloud.datapools.models import Contribution, Pool
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_lifecycle_moves_belong_to_their_side(world: World) -> None:
    pool = b.traffic_pool(world, Pool.Status.PROPOSED)
    olivia, wendy = Principal.for_user(world.olivia), Principal.for_user(world.wendy)
    with pytest.raises(Forbidden) as caught:
        services.move(principal=olivia, pool=pool, action="approve")
    assert caught.value.code == "department_only"
    with pytest.raises(Conflict) as conflict:
        services.move(principal=olivia, pool=pool, action="open")
    assert conflict.value.code == "transition_not_allowed"
    pool = services.move(principal=wendy, pool=pool, action="approve")
    with pytest.raises(Forbidden) as steward:
        services.move(principal=wendy, pool=pool, action="open")
    assert steward.value.code == "steward_only"
    for action in ("open", "close", "archive"):
        pool = services.move(principal=olivia, pool=pool, action=action)
    assert pool.status == Pool.Status.ARCHIVED
    assert [e.action for e in pool.events.all()] == [
        "propose",
        "approve",
        "open",
        "close",
        "archive",
    ]


def test_wrong_lead_department_and_charter_versions(world: World) -> None:
    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.datapools.inputs import CharterDraft, PoolDraft

    with pytest.raises(InvalidInput) as caught:
        services.propose_pool(
            principal=Principal.for_user(world.olivia),
            steward=world.acme,
            department=world.department,
            draft=parse_draft(PoolDraft, b.pool_fields(kind="consumption")),
        )
    assert caught.value.code == "wrong_department"
    pool = b.traffic_pool(world)
    charter = services.revise_charter(
        principal=Principal.for_user(world.olivia),
        pool=pool,
        draft=parse_draft(CharterDraft, {**b.pool_fields()["charter"], "retention_days": 365}),
    )
    assert charter.version == 2
    assert charters.current_charter(pool).retention_days == 365


def test_contribution_needs_consent_of_the_charters_version(world: World) -> None:
    pool = b.traffic_pool(world)
    bob = Principal.for_user(world.bob)
    with pytest.raises(InvalidInput) as missing:
        services.contribute(
            principal=bob,
            pool=pool,
            data=b.GOOD_CSV,
            consent_notice_version=b.NOTICE,
            give_consent=False,
        )
    assert missing.value.code == "consent_missing"
    with pytest.raises(InvalidInput) as old:
        services.contribute(
            principal=bob,
            pool=pool,
            data=b.GOOD_CSV,
            consent_notice_version="2025-01",
            give_consent=True,
        )
    assert old.value.code == "consent_version_mismatch"
    assert not Contribution.objects.filter(pool=pool).exists()
    contribution = b.contribute(world, pool)
    assert contribution.status == Contribution.Status.ACCEPTED
    assert contribution.row_count == 2
    (record,) = contribution.consents.all()
    assert record.purpose == "dpv:ResearchAndDevelopment"
    assert record.recipients == [pool.recipient]
    # The consent on file serves the next contribution without asking again.
    again = services.contribute(
        principal=bob,
        pool=pool,
        data=b.GOOD_CSV,
        consent_notice_version=b.NOTICE,
        give_consent=False,
    )
    assert list(again.consents.all()) == [record]


def test_schema_errors_are_numbered_by_line_and_nothing_is_stored(world: World) -> None:
    pool = b.traffic_pool(world)
    bad = b"day,area,mode,trips,km,note\n2026-11-31,yangpu,car,4,1,\n2026-11-02,mars,car,-1,1,\n"
    with pytest.raises(InvalidInput) as caught:
        b.contribute(world, pool, data=bad)
    assert caught.value.code == "schema_mismatch"
    errors = caught.value.fields["file"]
    assert errors == [
        "Line 2, day: Not a date (YYYY-MM-DD).",
        "Line 3, area: Not one of: yangpu, baimajing, sandu.",
        "Line 3, trips: Below the minimum 0.",
    ]
    with pytest.raises(InvalidInput) as encoding:
        b.contribute(world, pool, data="day,area\n2026-11-02,洋浦\n".encode("gbk"))
    assert "Line 2" in encoding.value.fields["file"][0]
    with pytest.raises(InvalidInput) as column:
        b.contribute(world, pool, data=b"day,area,mode,trips,plate\n2026-11-02,yangpu,car,1,x\n")
    assert column.value.fields["file"] == ["Line 1, plate: The schema has no such column."]
    assert not Contribution.objects.filter(pool=pool).exists()


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("id 11010519491231002X", "id_card"),
        ("call 13912345678", "phone"),
        ("passport E12345678", "passport"),
        ("car 琼A12345", "plate"),
        ("mail bob@example.com", "email"),
    ],
)
def test_undeclared_personal_data_is_quarantined_without_its_rows(
    world: World, note: str, kind: str
) -> None:
    pool = b.traffic_pool(world)
    data = f"day,area,mode,trips,km,note\n2026-11-02,yangpu,car,4,1,{note}\n".encode()
    contribution = b.contribute(world, pool, data=data)
    assert contribution.status == Contribution.Status.QUARANTINED
    assert contribution.rows == []
    assert contribution.findings == [{"line": 2, "column": "note", "kind": kind}]


def test_an_id_number_with_a_wrong_check_digit_is_not_personal_data() -> None:
    rows = [{"note": "110105194912310021"}]
    assert validation.scan_personal([{"name": "note", "type": "string"}], rows) == []


def test_release_scores_quality_and_leaves_out_withdrawn_consent(world: World) -> None:
    pool = b.traffic_pool(world)
    mine = b.contribute(world, pool, who="bob")
    b.contribute(world, pool, who="charlie")
    olivia = Principal.for_user(world.olivia)
    first = services.release_version(principal=olivia, pool=pool)
    assert (first.number, first.row_count, first.contributor_count) == (1, 4, 2)
    assert set(first.quality) == {
        "accuracy",
        "consistency",
        "completeness",
        "conformity",
        "timeliness",
        "accessibility",
    }
    assert first.quality["completeness"] == 92  # 11 of 12 cells: one note is empty
    assert first.quality["consistency"] == 50  # the two files are the same rows
    (record,) = mine.consents.all()
    consent.withdraw_consent(record, actor=world.bob)
    mine.refresh_from_db()
    assert mine.status == Contribution.Status.WITHDRAWN
    second = services.release_version(principal=olivia, pool=pool)
    assert (second.number, second.row_count, second.excluded_withdrawn) == (2, 2, 1)
    assert mine not in second.contributions.all()
    assert mine in first.contributions.all()
    with pytest.raises(Forbidden):
        services.release_version(principal=Principal.for_user(world.rita), pool=pool)


def test_points_payments_connector_reads_only_consenting_persons(world: World) -> None:
    from tests.builders.points_merchants import confirmed_payment

    with pytest.raises(Conflict) as caught:
        services.import_points_payments(
            principal=Principal.for_user(world.olivia), pool=b.traffic_pool(world)
        )
    assert caught.value.code == "connector_not_allowed"
    pool = b.consumption_pool(world)
    charlie = Principal.for_user(world.charlie)
    confirmed_payment(world, 120)  # Wendy pays before opting in: never read
    assert services.import_points_payments(principal=charlie, pool=pool) == []
    consent.give_consent(
        world.wendy,
        purpose="dpv:ResearchAndDevelopment",
        data_categories=["pd:PurchasesAndSpendingHabit"],
        recipients=[pool.recipient],
        notice_version=b.NOTICE,
        method="web_form",
    )
    confirmed_payment(world, 600)
    (made,) = services.import_points_payments(principal=charlie, pool=pool)
    assert made.contributor == world.wendy
    (row,) = made.rows
    assert row["amount_band"] == "500+"
    assert set(row) == {"merchant_category", "scenario", "amount_band", "day", "area"}
    assert services.import_points_payments(principal=charlie, pool=pool) == []


def test_api_and_pages(world: World) -> None:
    pool = b.traffic_pool(world)
    proposed = b.traffic_pool(world, Pool.Status.PROPOSED)
    listed = api_get(None, "/api/v1/datapools/pools").json()["items"]
    assert [p["id"] for p in listed] == [str(pool.public_id)]
    assert_error(api_get(None, f"/api/v1/datapools/pools/{proposed.public_id}"), "not_found")
    detail = api_get(world.wendy, f"/api/v1/datapools/pools/{proposed.public_id}").json()
    assert detail["charter"]["version"] == 1
    response = api_post(
        world.bob,
        f"/api/v1/datapools/pools/{pool.public_id}/contributions",
        {"csv": b.GOOD_CSV.decode(), "consent_notice_version": b.NOTICE, "consent": True},
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "accepted"
    mine = api_get(world.bob, "/api/v1/datapools/contributions").json()["items"]
    assert [c["id"] for c in mine] == [response.json()["id"]]
    moved = api_post(
        world.wendy, f"/api/v1/datapools/pools/{proposed.public_id}/moves", {"action": "approve"}
    )
    assert moved.json()["status"] == "approved"
    assert client_for(None).get("/datapools/").status_code == 200
    page = client_for(world.olivia).get(f"/datapools/{pool.public_id}/")
    assert b'data-testid="release"' in page.content
    assert client_for(world.bob).get("/datapools/mine/").status_code == 200


def test_privacy_export_and_erasure(world: World) -> None:
    pool = b.traffic_pool(world)
    b.contribute(world, pool)
    from nomadcloud.datapools import personal_data

    assert privacy.registered("datapools")
    assert len(privacy.export_for(world.bob)["datapools"]["contributions"]) == 1

    assert len(personal_data.export(world.bob)["contributions"]) == 1
    personal_data.erase(world.bob)
    assert Contribution.objects.get(contributor=world.bob).rows == []
