"""Query templates, differential-privacy aggregates and downloads of pool files through the
storage API (docs/datapools.md, decision 0048)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.datapools import aggregates, downloads, poolfiles
from nomadcloud.datapools import querytemplates as qt
from nomadcloud.datapools.models import QueryTemplate, UsageEvent
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error, in_parallel


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _draft(sql: str, parameters: list[dict[str, object]] | None = None) -> qt.TemplateDraft:
    return parse_draft(
        qt.TemplateDraft,
        {
            "title": {"zh-Hans": "模板", "en": "Template"},
            "sql": sql,
            "parameters": b.TEMPLATE_PARAMETERS if parameters is None else parameters,
        },
    )


@pytest.mark.parametrize(
    ("sql", "parameters", "says"),
    [
        ("DELETE FROM release WHERE mode = $mode AND day > $since", None, "Only one SELECT"),
        ("SELECT 1 AS n; SELECT 2 AS n", [], "Only one SELECT"),
        (
            "SELECT count(*) AS n FROM read_csv('/etc/passwd') WHERE $mode = 'a' AND $since > 1",
            None,
            "Table functions",
        ),
        (
            "SELECT count(*) AS n FROM auth_user WHERE $mode = '' AND $since = $since",
            None,
            "auth_user",
        ),
        ("SELECT count(*) AS n FROM release WHERE mode = $mode", None, "parameters"),
        (
            "SELECT area, count(*) AS c FROM release "
            "WHERE mode = $mode AND day >= $since GROUP BY area",
            None,
            "group size n",
        ),
        (
            "SELECT nosuch, count(*) AS n FROM release WHERE mode = $mode AND day >= $since",
            None,
            "fails",
        ),
    ],
)
def test_template_sql_must_be_one_read_only_select_over_the_release(
    world: World, sql: str, parameters: list[dict[str, object]] | None, says: str
) -> None:
    pool = b.busy_pool(world)
    with pytest.raises(InvalidInput) as caught:
        qt.write_template(
            principal=Principal.for_user(world.olivia), pool=pool, draft=_draft(sql, parameters)
        )
    assert caught.value.code == "sql_refused"
    assert says in caught.value.fields["sql"][0]
    assert not QueryTemplate.objects.exists()


def test_a_template_runs_with_typed_parameters_and_suppresses_small_groups(world: World) -> None:
    agreed = b.agreement_for(world, "query_template")
    draft = b.template(world, "draft")
    charlie = Principal.for_user(world.charlie)
    good = {"mode": "car", "since": "2026-11-01"}
    with pytest.raises(InvalidInput) as unapproved:
        qt.run(principal=charlie, negotiation=agreed, template=draft, parameters=good)
    assert unapproved.value.code == "template_not_approved"
    template = qt.decide_template(
        principal=Principal.for_user(world.olivia), template=draft, action="approve"
    )
    result = qt.run(principal=charlie, negotiation=agreed, template=template, parameters=good)
    assert result["rows"] == [{"area": "yangpu", "n": 12, "trips": 78}]
    (use,) = UsageEvent.objects.filter(mode="query_template")
    assert use.parameters == {
        "template": str(template.public_id),
        "parameters": {"mode": "car", "since": "2026-11-01"},
    }
    for parameters, code, field in [
        ({**good, "extra": 1}, "unknown_parameter", "parameters.extra"),
        ({**good, "since": "yesterday"}, "wrong_type", "parameters.since"),
        ({**good, "mode": "plane"}, "wrong_type", "parameters.mode"),
        ({"mode": "car"}, "missing_parameter", "parameters.since"),
        # Sandu's bus trips since 5 November are 6 rows, fewer than k.
        ({"mode": "bus", "since": "2026-11-05"}, "group_below_k", "parameters"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            qt.run(principal=charlie, negotiation=agreed, template=template, parameters=parameters)
        assert caught.value.code == code, parameters
        assert field in caught.value.fields
    assert UsageEvent.objects.filter(mode="query_template").count() == 1
    with pytest.raises(Conflict):
        qt.decide_template(
            principal=Principal.for_user(world.olivia), template=template, action="approve"
        )
    with pytest.raises(Forbidden) as steward:
        qt.decide_template(
            principal=Principal.for_user(world.charlie), template=template, action="withdraw"
        )
    assert steward.value.code == "steward_only"


def test_templates_through_the_api(world: World) -> None:
    agreed = b.agreement_for(world, "query_template")
    template = b.template(world)
    path = f"/api/v1/datapools/negotiations/{agreed.public_id}/template-runs"
    ok = api_post(
        world.charlie,
        path,
        {"template": str(template.public_id), "parameters": {"mode": "bus", "since": "2026-11-01"}},
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["rows"] == [{"area": "sandu", "n": 10, "trips": 10}]
    assert_error(
        api_post(
            world.charlie,
            path,
            {"template": str(template.public_id), "parameters": {"mode": 3, "since": "x"}},
        ),
        "wrong_type",
        "parameters.mode",
    )
    aggregate_only = b.agreement_for(world, "aggregate")
    assert_error(
        api_post(
            world.charlie,
            f"/api/v1/datapools/negotiations/{aggregate_only.public_id}/template-runs",
            {"template": str(template.public_id), "parameters": {}},
        ),
        "mode_not_agreed",
    )
    listed = client_for(world.charlie).get(
        f"/api/v1/datapools/pools/{template.pool.public_id}/templates"
    )
    assert [t["id"] for t in listed.json()["items"]] == [str(template.public_id)]


def test_noisy_aggregates_spend_the_agreements_budget(world: World) -> None:
    agreed = b.agreement_for(world, "aggregate", dp_epsilon_budget="1.0")
    charlie = Principal.for_user(world.charlie)
    answer = aggregates.aggregate(
        principal=charlie,
        negotiation=agreed,
        group_by=["area"],
        sum_of="trips",
        epsilon=Decimal("0.6"),
    )
    assert [g["area"] for g in answer["groups"]] == ["sandu", "yangpu"]
    assert all(isinstance(g["count"], int) and g["count"] >= 0 for g in answer["groups"])
    assert answer["epsilon"] == Decimal("0.6") and answer["epsilon_left"] == Decimal("0.4")
    with pytest.raises(InvalidInput) as exhausted:
        aggregates.aggregate(
            principal=charlie, negotiation=agreed, group_by=["area"], epsilon=Decimal("0.5")
        )
    assert exhausted.value.code == "privacy_budget_exhausted"
    assert "0.4" in exhausted.value.fields["epsilon"][0]
    assert UsageEvent.objects.filter(negotiation=agreed).count() == 1
    with pytest.raises(InvalidInput) as summed:
        aggregates.aggregate(
            principal=charlie, negotiation=agreed, group_by=["area"], sum_of="note"
        )
    assert summed.value.fields["sum_of"]


def test_exact_aggregates_refuse_epsilon_without_a_budget(world: World) -> None:
    agreed = b.agreement_for(world, "aggregate")
    charlie = Principal.for_user(world.charlie)
    with pytest.raises(InvalidInput) as caught:
        aggregates.aggregate(
            principal=charlie, negotiation=agreed, group_by=["area"], epsilon=Decimal("0.1")
        )
    assert caught.value.code == "dp_not_offered"
    exact = aggregates.aggregate(
        principal=charlie, negotiation=agreed, group_by=["area"], sum_of="trips"
    )
    assert exact["groups"] == [
        {"area": "sandu", "count": 10, "sum": 10.0},
        {"area": "yangpu", "count": 12, "sum": 78.0},
    ]


def test_the_laplace_mechanism_spends_what_opendp_says() -> None:
    from nomadcloud.datapools import noise

    assert noise.loss(2.0) == pytest.approx(0.5)
    draws = [noise.noisy_count(1000, Decimal("1")) for _ in range(200)]
    assert 990 < sum(draws) / len(draws) < 1010
    assert len(set(draws)) > 1


def test_a_download_link_is_signed_checked_and_streamed(world: World) -> None:
    agreed = b.agreement_for(world, "download")
    link = downloads.issue_link(principal=Principal.for_user(world.charlie), negotiation=agreed)
    assert link["version"] == 2 and link["bytes"] > 0
    name = poolfiles.extract_name(agreed.pool.versions.get(number=2))
    assert default_storage.exists(name)
    (use,) = UsageEvent.objects.filter(mode="download")
    assert use.rows == 22
    response = client_for(world.charlie).get(link["url"])
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    import io

    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(body))
    assert table.num_rows == 22 and "day" in table.column_names
    # Someone else, even of the consumer, cannot use Charlie's link.
    assert client_for(world.olivia).get(link["url"]).status_code == 404
    # An expired link, or one whose agreement ended, is refused.
    later = timezone.now() + timedelta(seconds=downloads.LINK_SECONDS + 5)
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = client_for(world.charlie).get(link["url"])
    assert expired.status_code == 410  # refused (link_expired), saying so
    agreed.expires_at = timezone.now() - timedelta(seconds=1)
    agreed.save(update_fields=["expires_at"])
    assert client_for(world.charlie).get(link["url"]).status_code == 410  # no_agreement


def test_downloads_need_the_download_mode(world: World) -> None:
    agreed = b.agreement_for(world, "query_template")
    assert_error(
        api_post(world.charlie, f"/api/v1/datapools/negotiations/{agreed.public_id}/downloads"),
        "mode_not_agreed",
    )


def test_an_s3_storage_presigns_the_download_offline(world: World, tmp_path: object) -> None:
    from unittest import mock

    from storages.backends.s3 import S3Storage

    agreed = b.agreement_for(world, "download")
    version = agreed.pool.versions.get(number=2)
    poolfiles.ensure_extract(version)  # in the local storage, to copy from
    s3 = S3Storage(
        bucket_name="pools",
        endpoint_url="https://obs.example.test",
        region_name="cn-south-1",
        access_key="AKIDEXAMPLE",
        secret_key="secret-example",
    )
    with (
        mock.patch.object(poolfiles, "storage", return_value=s3),
        mock.patch.object(s3, "exists", return_value=True),
        mock.patch.object(s3, "size", return_value=1234),
    ):
        link = downloads.issue_link(principal=Principal.for_user(world.charlie), negotiation=agreed)
        # The link handed out is the platform's own (revocable, decision 0058); opening it
        # redirects to a presigned GET of a minute, so the bytes never pass the web process.
        opened = client_for(world.charlie).get(link["url"])
    assert link["bytes"] == 1234 and link["url"].startswith("/datapools/downloads/")
    assert opened.status_code == 302
    presigned = opened["Location"]
    assert presigned.startswith("https://")
    assert "X-Amz-Signature=" in presigned and "X-Amz-Expires=60" in presigned
    assert f"datapools/extracts/{version.public_id}.parquet" in presigned


def test_the_pages_write_approve_and_run_a_template(world: World) -> None:
    pool = b.busy_pool(world)
    agreed = b.agreement_for(world, "query_template")
    steward = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    refused = steward.post(
        f"/datapools/{pool.public_id}/templates/",
        {
            "title_zh-Hans": "坏模板",
            "title_en": "Bad",
            "sql": "SELECT count(*) AS n FROM read_csv('x')",
            "parameters": "[]",
        },
    )
    assert refused.status_code == 422
    assert "Table functions" in refused.content.decode()
    written = steward.post(
        f"/datapools/{pool.public_id}/templates/",
        {
            "title_zh-Hans": "按区域",
            "title_en": "By area",
            "sql": "SELECT area, count(*) AS n FROM release WHERE day >= $since GROUP BY area",
            "parameters": '[{"name": "since", "type": "date"}]',
        },
    )
    assert written.status_code == 302, written.content.decode()[:2000]
    template = QueryTemplate.objects.get(pool=pool)
    assert steward.post(f"/datapools/templates/{template.public_id}/approve/").status_code == 302
    template.refresh_from_db()
    assert template.status == "approved"
    consumer = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    page = consumer.get(f"/datapools/negotiations/{agreed.public_id}/")
    assert b"run-templates" in page.content
    runs = f"/datapools/negotiations/{agreed.public_id}/templates/"
    wrong = consumer.post(runs, {"template": str(template.public_id), "p_since": "soon"})
    assert wrong.status_code == 422
    assert "Expected a date" in wrong.content.decode()
    ran = consumer.post(runs, {"template": str(template.public_id), "p_since": "2026-11-01"})
    assert ran.status_code == 200
    assert b'data-testid="template-result"' in ran.content and b"yangpu" in ran.content


def test_the_negotiation_page_offers_the_download_and_the_budget(world: World) -> None:
    agreed = b.agreement_for(world, "download")
    consumer = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    issued = consumer.post(f"/datapools/negotiations/{agreed.public_id}/download/")
    assert issued.status_code == 200
    assert b'data-testid="download-link"' in issued.content
    noisy = b.agreement_for(world, "aggregate", dp_epsilon_budget="1.0")
    page = consumer.get(f"/datapools/negotiations/{noisy.public_id}/")
    assert b'data-testid="privacy-budget"' in page.content
    pool_page = consumer.get(f"/datapools/{noisy.pool.public_id}/")
    assert b'data-testid="charter-epsilon"' in pool_page.content
    answered = consumer.post(
        f"/datapools/negotiations/{noisy.public_id}/aggregate/",
        {"group_by": ["area"], "epsilon": "0.8"},
    )
    assert answered.status_code == 200 and b"spent" in answered.content
    refused = consumer.post(
        f"/datapools/negotiations/{noisy.public_id}/aggregate/",
        {"group_by": ["area"], "epsilon": "0.8"},
    )
    assert refused.status_code == 422
    assert b"exhausted" in refused.content


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="real parallel requests need PostgreSQL (NOMADCLOUD_TEST_DB=postgres)",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_noisy_aggregates_never_overspend_the_budget(world: World) -> None:
    agreed = b.agreement_for(world, "aggregate", dp_epsilon_budget="1.0")
    path = f"/api/v1/datapools/negotiations/{agreed.public_id}/aggregate"
    clients = [client_for(world.charlie) for _ in range(4)]
    answers = in_parallel(
        4, lambda i: api_post(clients[i], path, {"group_by": ["area"], "epsilon": "0.5"})
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 422, 422]
    for refused in (a for a in answers if a.status_code == 422):
        assert_error(refused, "privacy_budget_exhausted", "epsilon")
    assert UsageEvent.objects.filter(negotiation=agreed).count() == 2


def test_an_object_store_release_is_cached_locally_for_duckdb(world: World) -> None:
    """A storage without local paths (as S3): the release is saved through it and copied,
    streamed, to DATA_DIR/cache once; the aggregate reads the copy."""
    from unittest import mock

    from django.core.files.base import ContentFile
    from django.core.files.storage import Storage

    class ObjectStore(Storage):
        """Names to bytes, and no local paths (``Storage.path`` refuses), as on S3."""

        def __init__(self) -> None:
            self.files: dict[str, bytes] = {}

        def _save(self, name: str, content: Any) -> str:
            self.files[name] = b"".join(content.chunks())
            return name

        def _open(self, name: str, mode: str = "rb") -> Any:
            return ContentFile(self.files[name], name=name)

        def exists(self, name: str) -> bool:
            return name in self.files

        def size(self, name: str) -> int:
            return len(self.files[name])

    agreed = b.agreement_for(world, "aggregate")
    memory = ObjectStore()
    with mock.patch.object(poolfiles, "storage", return_value=memory):
        answer = aggregates.aggregate(
            principal=Principal.for_user(world.charlie), negotiation=agreed, group_by=["area"]
        )
        version = agreed.pool.versions.get(number=2)
        name = poolfiles.release_name(version)
        assert memory.exists(name)
        cached = poolfiles.local_path(name)
    assert cached.is_relative_to(Path(settings.DATA_DIR) / "cache")
    assert cached.read_bytes() == memory.files[name]
    assert [g["count"] for g in answer["groups"]] == [10, 12]
