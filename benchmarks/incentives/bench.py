"""Incentives benchmark (docs/incentives.md, issue 17 "Real parts and checks").

On a throwaway PostgreSQL server (as the tests start one), seeds with bulk inserts (COPY) a
year of facts for ``--enterprises`` enterprises (10,000) and ``--nomads`` nomads (200,000):
each nomad's certificate (most certified, some for part of the year, a few revoked), labour
contracts (some under twelve months, some open-ended), flexible engagements, training passes
of the enterprises' scenarios and introductions (one or two introducers per nomad, most
confirmed; the earliest confirmed counts). Then times the nightly job's real path:

- ``entitlements_s``: ``services.compute_entitlements(year)`` as ``nomadcloud
  compute_entitlements --no-notify`` runs it: the facts read from the database in bulk
  (``incentives/facts.py``), every rule evaluated, one ``Entitlement`` per organisation ×
  policy written (inputs, reasons, parameters used, rule version);
- ``automatic_claims_s``: the job's next step, a 免申即享 claim opened and submitted (with
  one item per fact) for every eligible entitlement of an automatic policy (training);
- ``reverify_s``: every stored entitlement read back from the database and re-run from its
  stored inputs and parameter snapshot (``services.reproduce``); ``mismatches`` must be 0.

Target: ``entitlements_s`` ≤ 60 on the project's 2-core machine. The last line is one JSON
object, e.g. ``{"entitlements_s": …, "reverify_s": …, "decisions": …, …}``.

    benchmarks/incentives/run [--enterprises 10000] [--nomads 200000] [--year 2025] [--seed 17]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.points import common


def _copy(model: Any, objects: Sequence[Any], first_id: int) -> None:
    """Insert model instances with ids from ``first_id`` in one COPY (defaults applied by
    the constructor, ``auto_now_add`` by the fields)."""
    from nomadcloud.core.bulk import insert_rows

    fields = list(model._meta.concrete_fields)
    for offset, obj in enumerate(objects):
        obj.pk = first_id + offset
    rows = [tuple(f.pre_save(obj, True) for f in fields) for obj in objects]
    insert_rows(model, [f.name for f in fields], rows)


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequences(models: Iterable[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def seed(enterprises: int, nomads: int, year: int, seed_value: int) -> dict[str, int]:
    from django.db import connection

    from nomadcloud.accounts.models import Organisation, User
    from nomadcloud.incentives.models import Introduction
    from nomadcloud.orders.models import Conversion
    from nomadcloud.talent.models import Application, Certificate, RuleSet
    from nomadcloud.training.models import Enrolment, Scenario

    rng = random.Random(seed_value)
    first = date(year, 1, 1)

    def day() -> date:
        return first + timedelta(days=rng.randint(0, 364))

    department = Organisation.objects.filter(kind="department").first() or (
        Organisation.objects.create(kind="department", name_en="Bureau", code="bench-dept")
    )
    rule_set = RuleSet.objects.filter(track="domestic").first() or RuleSet.objects.create(
        track="domestic", version=1, effective_from=date(2020, 1, 1), criteria=[]
    )
    org_base = _next_id(Organisation)
    _copy(
        Organisation,
        [
            Organisation(
                kind="enterprise",
                name_zh=f"企业{i}",
                name_en=f"Enterprise {i}",
                verification_status="verified" if i % 5 else "unverified",
            )
            for i in range(enterprises)
        ],
        org_base,
    )
    user_base = _next_id(User)
    people = []
    for i in range(nomads):
        person = User(display_name=f"Nomad {i}", email=f"n{i}@bench.example", is_nomad=True)
        person.password = "!"  # unusable  # noqa: S105
        people.append(person)
    _copy(User, people, user_base)
    del people

    applications, certificates = [], []
    revoked_at = datetime(year, 6, 30, tzinfo=UTC)
    for n in range(nomads):
        if rng.random() < 0.85:  # most nomads certified, some for part of the year only
            start = first - timedelta(days=rng.randint(0, 300))
            end = start + timedelta(days=rng.choice([180, 365, 730]))
            revoked = rng.random() < 0.02
            applications.append(
                Application(
                    applicant_id=user_base + n,
                    track="domestic",
                    rule_set=rule_set,
                    status="approved",
                    reviewing_department=department,
                )
            )
            certificates.append(
                Certificate(
                    verification_code=f"B{n:09d}",
                    holder_id=user_base + n,
                    track="domestic",
                    rule_version="domestic-v1",
                    issued_by=department,
                    valid_from=start,
                    valid_until=end,
                    revoked_at=revoked_at if revoked else None,
                    revocation_reason="bench" if revoked else "",
                )
            )
    app_base = _next_id(Application)
    _copy(Application, applications, app_base)
    for offset, certificate in enumerate(certificates):
        certificate.application_id = app_base + offset
    _copy(Certificate, certificates, _next_id(Certificate))
    del applications, certificates

    trainers = max(1, enterprises // 5)  # one in five enterprises trains nomads
    scenario_base = _next_id(Scenario)
    _copy(
        Scenario,
        [
            Scenario(
                organisation_id=org_base + i * 5,
                status="closed",
                title_en=f"Scenario {i}",
                capacity=1000,
                enrol_from=first,
                enrol_until=first + timedelta(days=300),
                runs_from=first,
                runs_until=first + timedelta(days=364),
            )
            for i in range(trainers)
        ],
        scenario_base,
    )
    contracts, flexible, passes = [], [], []
    for n in range(nomads):
        nomad = user_base + n
        if rng.random() < 0.5:
            on = day()
            months = rng.choice([6, 11, 12, 12, 24, 36, None])
            ends = (
                None
                if months is None
                else on + timedelta(days=int(months * 30.44)) - (timedelta(days=1))
            )
            contracts.append(
                Conversion(
                    kind="contract",
                    organisation_id=org_base + rng.randrange(enterprises),
                    nomad_id=nomad,
                    starts_on=on,
                    ends_on=ends,
                    term_months=months,
                    one_year_or_more=months is None or months >= 12,
                    occurred_on=on,
                )
            )
        if rng.random() < 0.3:
            on = day()
            days = rng.randint(5, 200)
            flexible.append(
                Conversion(
                    kind="flexible",
                    organisation_id=org_base + rng.randrange(enterprises),
                    nomad_id=nomad,
                    starts_on=on,
                    ends_on=on + timedelta(days=days - 1),
                    term_days=days,
                    occurred_on=on,
                )
            )
        if rng.random() < 0.4:
            done = datetime.combine(day(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=4)
            passes.append(
                Enrolment(
                    scenario_id=scenario_base + rng.randrange(trainers),
                    nomad_id=nomad,
                    status="passed",
                    enrolled_at=done - timedelta(days=20),
                    completed_at=done,
                    score=Decimal("80.00"),
                )
            )
    _copy(Conversion, contracts + flexible, _next_id(Conversion))
    _copy(Enrolment, passes, _next_id(Enrolment))
    counts = {"contracts": len(contracts), "flexible": len(flexible), "training": len(passes)}
    del contracts, flexible, passes

    records: dict[tuple[int, int, date], Introduction] = {}
    for n in range(nomads):  # one or two introducers; the earliest confirmed counts
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            on, org = day(), org_base + rng.randrange(enterprises)
            confirmed = rng.random() < 0.8
            records[(n, org, on)] = Introduction(
                nomad_id=user_base + n,
                introducer_id=org,
                introduced_on=on,
                channel="employment",
                status="confirmed" if confirmed else "recorded",
                confirmed_on=on + timedelta(days=30) if confirmed else None,
            )
    _copy(Introduction, list(records.values()), _next_id(Introduction))
    counts["introductions"] = len(records)
    counts["certificates"] = Certificate.objects.count()
    _reset_sequences([Organisation, User, Application, Certificate, Scenario, Conversion])
    _reset_sequences([Enrolment, Introduction])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--nomads", type=int, default=200_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--profile", action="store_true", help="print where the job spends")
    args = parser.parse_args()

    with common.postgres() as cluster, common.workdir() as tmp:
        common.setup_django(cluster.url, tmp)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from nomadcloud.incentives import services
        from nomadcloud.incentives.models import Entitlement, Policy

        started = time.perf_counter()
        counts = seed(args.enterprises, args.nomads, args.year, args.seed)
        seed_s = time.perf_counter() - started
        facts = sum(v for k, v in counts.items() if k != "certificates")
        print(
            f"seeded {facts:,} facts ({counts}) for {args.enterprises:,} enterprises and "
            f"{args.nomads:,} nomads in {seed_s:.1f} s"
        )

        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        stored = services.compute_entitlements(
            args.year, notify_organisations=False, claim_automatic=False
        )
        entitlements_s = time.perf_counter() - started
        # the job's next step: 免申即享 claims opened for the automatic policies' entitlements
        started = time.perf_counter()
        automatic = [
            claim
            for policy in services.platform_policies()
            if policy.mode == Policy.Mode.AUTOMATIC
            for claim in services.claim_automatic_entitlements(
                policy, args.year, today=date(args.year + 1, 3, 1)
            )
        ]
        automatic_claims_s = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        eligible = Entitlement.objects.filter(year=args.year, eligible=True).count()
        total = sum(
            Entitlement.objects.filter(year=args.year).values_list("amount", flat=True),
            Decimal(0),
        )
        print(
            f"job: {stored:,} entitlements ({eligible:,} eligible, {total:,.2f} CNY) read and "
            f"written in {entitlements_s:.1f} s; {len(automatic):,} automatic claims (免申即享) "
            f"opened in {automatic_claims_s:.1f} s"
        )

        policies = {p.pk: p for p in Policy.objects.all()}
        mismatches = 0
        decisions = 0
        started = time.perf_counter()
        rows = Entitlement.objects.filter(year=args.year).values_list(
            "policy_id", "inputs", "rule_version", "amount"
        )
        for policy_id, inputs, rule_version, amount in rows.iterator(chunk_size=2000):
            record = {"inputs": inputs, "rule_version": rule_version}
            decisions += 1
            if services.reproduce(policies[policy_id], args.year, record) != amount:
                mismatches += 1
        reverify_s = time.perf_counter() - started
        print(f"re-verified {decisions:,} decisions in {reverify_s:.1f} s, {mismatches} mismatches")
        from benchmarks.baseline import indexed_lookup_ms, ratio

        lookup = indexed_lookup_ms()
        per_entitlement_ms = entitlements_s * 1000 / max(stored, 1)
        times = ratio(per_entitlement_ms, lookup)
        print(f"baseline: an indexed lookup {lookup} ms (median); one entitlement"
              f" {per_entitlement_ms:.3f} ms = {times} lookups")  # fmt: skip
        print(
            json.dumps(
                {
                    "database": "postgresql",
                    "enterprises": args.enterprises,
                    "nomads": args.nomads,
                    "facts": facts,
                    "decisions": decisions,
                    "eligible": eligible,
                    "total_cny": str(total),
                    "seed_s": round(seed_s, 1),
                    "entitlements_s": round(entitlements_s, 2),
                    "automatic_claims": len(automatic),
                    "automatic_claims_s": round(automatic_claims_s, 2),
                    "reverify_s": round(reverify_s, 2),
                    "mismatches": mismatches,
                    "target_entitlements_s": 60,
                    "baseline_lookup_ms": lookup,
                    "entitlement_ms_to_lookup_ratio": ratio(per_entitlement_ms, lookup),
                }
            )
        )
    return 0 if mismatches == 0 and entitlements_s <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
