"""Parallel approvals of incentive claims on PostgreSQL never commit more than the
policy's budget: six claims of ¥10,000 approved at the same moment against ¥25,000 — two
are approved, four refused with ``budget_exceeded``, nothing half-done."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.core.errors import Conflict
from nomadcloud.incentives import services
from nomadcloud.incentives.models import Claim
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget, Commitment
from tests.builders.incentives import as_, certify, contract, last_year, load_calendar, policy
from tests.builders.world import make_org, make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; threads need PostgreSQL here")


def test_parallel_approvals_never_exceed_the_budget(postgres_only: None) -> None:
    load_calendar()
    year = last_year()
    department = Organisation.objects.create(
        kind="department", name_zh="市科工信局", code="kegongxin"
    )
    verifier = make_person("Vera Verifier", "vera@example.com")
    approver = make_person("Alan Approver", "alan@example.com")
    Membership.objects.create(user=verifier, organisation=department, role="reviewer")
    Membership.objects.create(user=approver, organisation=department, role="admin")
    contracts = policy("contract")
    payouts.create_budget(
        programme_code=services.programme_code(contracts),
        year=year,
        amount=Decimal("25000.00"),
        owner=department,
        actor=None,
    )
    claims = []
    for n in range(6):
        owner = make_person(f"Owner {n}", f"owner{n}@example.com")
        org = make_org(owner, f"Parallel {n}")
        for i in range(2):
            nomad = make_person(f"Nomad {n}-{i}", f"nomad{n}-{i}@example.com")
            certify(nomad, date(year - 1, 1, 1), date(year + 1, 1, 1), department)
            contract(org, nomad, date(year, 3, 1 + i), 12)
        claim = services.start_claim(
            principal=as_(owner), organisation=org, policy=contracts, year=year
        )
        claim = services.submit_claim(principal=as_(owner), claim=claim, declaration="True.")
        for item in claim.items.all():
            services.verify_item(
                principal=as_(verifier), claim=claim, reference=item.reference, counted=True
            )
        claim = services.complete_verification(principal=as_(verifier), claim=claim)
        assert claim.amount == Decimal("10000.00")
        at = timezone.now() - timedelta(days=30)
        claims.append(services.open_publicity(principal=as_(verifier), claim=claim, at=at))

    barrier = threading.Barrier(len(claims))
    refused: list[str] = []
    errors: list[BaseException] = []

    def work(claim: Claim) -> None:
        try:
            barrier.wait()
            services.approve_claim(principal=as_(approver), claim=claim)
        except Conflict as exc:
            refused.append(exc.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(c,)) for c in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(refused) == ["budget_exceeded"] * 4
    assert Claim.objects.filter(status=Claim.Status.APPROVED).count() == 2
    assert Claim.objects.filter(status=Claim.Status.PUBLICITY, payout__isnull=True).count() == 4
    budget = Budget.objects.get(programme_code="incentives-contract", year=year)
    assert Commitment.objects.filter(budget=budget).count() == 2
    assert payouts.available(budget) == Decimal("5000.00")
