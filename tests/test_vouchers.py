"""Data innovation vouchers (issue 17 item 6): the programme and its budget in payouts,
provider registration and review, application, issue with a code and a commitment,
redemption with evidence, the enterprise's confirmation, the anti-fraud rules that hold a
redemption, verification approving the payout, expiry releasing the budget, and every bad
input of the specification refused with its code and field, nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Commitment, Payout
from nomadcloud.vouchers import engine, services
from nomadcloud.vouchers.models import Provider, Redemption, Voucher
from nomadcloud.vouchers.schemas import ApplicationDraft, RedemptionDraft, ServiceDraft
from tests.builders import vouchers as b
from tests.conftest import World, database_fingerprint

V, R = Voucher.Status, Redemption.Status


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


def as_(user: Any) -> Principal:
    return Principal.for_user(user)


def refused(call: Any, code: str, field: str | None = None) -> DomainError:
    """``call()`` raises a DomainError with ``code`` (naming ``field``) and changes nothing."""
    before = database_fingerprint(["vouchers", "payouts"])
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    if field is not None:
        assert field in caught.value.fields, caught.value.fields
    assert database_fingerprint(["vouchers", "payouts"]) == before
    return caught.value


def redeem(w: World, voucher: Voucher, files: Any = None, **extra: Any) -> Redemption:
    return services.request_redemption(
        principal=as_(w.charlie),
        voucher=voucher,
        draft=parse_draft(RedemptionDraft, b.redemption_fields(**extra)),
        files=b.evidence() if files is None else files,
    )


class TestTheWholeWay:
    def test_issue_commits_redeem_verifies_and_approves_the_payout(self, world: World) -> None:
        programme = b.programme(world)
        assert programme.budget is not None
        assert payouts.available(programme.budget) == Decimal("1000000.00")

        voucher = b.applied_voucher(world)
        assert voucher.status == V.APPLIED and voucher.code is None
        assert voucher.face_value == Decimal("35000.00")  # 50,000 less the 15,000 co-pay

        voucher = services.decide_application(
            principal=as_(world.wendy), voucher=voucher, approve=True
        )
        assert voucher.status == V.ISSUED
        assert voucher.code and voucher.code.startswith(f"DV{programme.year}-")
        assert voucher.valid_until == voucher.valid_from + timedelta(days=180)  # type: ignore[operator]
        commitment = Commitment.objects.get(subject_kind="vouchers.voucher")
        assert commitment.subject_id == str(voucher.public_id)
        assert commitment.amount == Decimal("35000.00")
        programme.budget.refresh_from_db()
        assert payouts.available(programme.budget) == Decimal("965000.00")

        redemption = redeem(world, voucher, amount="30000.00")
        assert redemption.status == R.AWAITING_CONFIRMATION
        assert redemption.evidence.count() == 1
        voucher.refresh_from_db()
        assert voucher.status == V.REDEEMING

        redemption = services.confirm_delivery(principal=as_(world.olivia), voucher=voucher)
        assert redemption.status == R.SUBMITTED, redemption.findings
        assert redemption.rule_version.startswith("vouchers-1+")
        assert set(redemption.params_used) == engine.REQUIRED

        redemption = services.decide_redemption(
            principal=as_(world.wendy), voucher=voucher, verify=True
        )
        voucher.refresh_from_db()
        assert voucher.status == V.REDEEMED and redemption.status == R.VERIFIED
        payout = Payout.objects.get()
        assert payout.amount == Decimal("30000.00") and payout.status == Payout.Status.APPROVED
        assert payout.payee_id == str(world.globex.public_id)
        commitment.refresh_from_db()
        assert commitment.remaining == Decimal("0.00")  # the 5,000 not used was released
        programme.budget.refresh_from_db()
        assert payouts.available(programme.budget) == Decimal("970000.00")
        assert [e.action for e in voucher.events.all()] == [
            "apply",
            "approve",
            "redeem",
            "confirm_delivery",
            "verify",
        ]

    def test_payout_is_confirmed_only_with_an_external_reference(self, world: World) -> None:
        voucher = b.submitted_voucher(world)
        redemption = services.decide_redemption(
            principal=as_(world.wendy), voucher=voucher, verify=True
        )
        assert redemption.payout is not None
        payout = payouts.schedule(redemption.payout, actor=world.wendy)
        payout = payouts.send(payout, actor=world.wendy)
        with pytest.raises(DomainError):
            payouts.confirm(payout, actor=world.wendy)
        if payout.status == Payout.Status.PAYING:  # the fake bank answers later
            payout = payouts.mark_paid(payout, external_reference="BOC-2026-778899")
        payout = payouts.confirm(payout, actor=world.wendy)
        assert payout.status == Payout.Status.CONFIRMED
        confirmed = voucher.events.get(action="payout_confirmed")
        assert (
            "BOC-2026-778899" in confirmed.reason or payout.external_reference in confirmed.reason
        )

    def test_expiry_releases_the_commitment_once(self, world: World) -> None:
        voucher = b.issued_voucher(world)
        assert voucher.valid_until is not None
        assert services.expire_vouchers(today=voucher.valid_until) == []
        expired = services.expire_vouchers(today=voucher.valid_until + timedelta(days=1))
        assert [v.pk for v in expired] == [voucher.pk]
        voucher.refresh_from_db()
        assert voucher.status == V.EXPIRED
        assert voucher.commitment is not None
        voucher.commitment.refresh_from_db()
        assert voucher.commitment.remaining == Decimal("0.00")
        assert services.expire_vouchers(today=voucher.valid_until + timedelta(days=2)) == []

    def test_the_expiry_command_expires_what_is_due(self, world: World) -> None:
        from io import StringIO

        from django.core.management import call_command

        voucher = b.issued_voucher(world)
        Voucher.objects.filter(pk=voucher.pk).update(
            valid_until=timezone.localdate() - timedelta(days=1)
        )
        out = StringIO()
        call_command("expire_vouchers", stdout=out)
        assert "1 vouchers expired." in out.getvalue()
        voucher.refresh_from_db()
        assert voucher.status == V.EXPIRED
        assert voucher.events.filter(action="expire").count() == 1

    def test_revoking_releases_the_budget_and_ends_the_redemption(self, world: World) -> None:
        voucher = b.redeeming_voucher(world)
        refused(
            lambda: services.revoke_voucher(principal=as_(world.wendy), voucher=voucher, reason=""),
            "invalid_input",
            "reason",
        )
        services.revoke_voucher(principal=as_(world.wendy), voucher=voucher, reason="假发票")
        voucher.refresh_from_db()
        assert voucher.status == V.REVOKED
        assert Redemption.objects.get().status == R.REJECTED

    def test_a_disputed_delivery_lets_the_provider_redeem_again(self, world: World) -> None:
        voucher = b.redeeming_voucher(world)
        services.dispute_delivery(principal=as_(world.olivia), voucher=voucher, reason="未交付")
        voucher.refresh_from_db()
        assert voucher.status == V.ISSUED
        redeem(world, voucher)  # the same invoice number again: the first was rejected
        voucher.refresh_from_db()
        assert voucher.status == V.REDEEMING


class TestBadInputs:
    @pytest.fixture(autouse=True)
    def _catalogue(self, world: World) -> None:
        b.service(world)  # built before each refusal, which must change nothing

    def test_a_provider_not_registered_is_refused(self, world: World) -> None:
        provider = b.applied_provider(world)
        item = services.add_service(
            principal=as_(world.charlie),
            provider=provider,
            draft=parse_draft(
                ServiceDraft, {"kind": "data_cleaning", "name_en": "X", "list_price": "90000"}
            ),
        )
        draft = parse_draft(ApplicationDraft, {**b.application_fields(world), "service": item.pk})
        # (application_fields registered Globex: a second provider, still applied, is needed)
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.APPLIED)
        refused(
            lambda: services.apply_for_voucher(
                principal=as_(world.olivia),
                programme=provider.programme,
                enterprise=world.acme,
                draft=draft,
            ),
            "provider_not_registered",
            "service",
        )

    def test_a_suspended_provider_cannot_redeem(self, world: World) -> None:
        voucher = b.issued_voucher(world)
        services.decide_provider(
            principal=as_(world.wendy), provider=voucher.provider, decision="suspend", reason="查"
        )
        refused(lambda: redeem(world, voucher), "provider_not_registered")

    def test_co_pay_below_the_ratio(self, world: World) -> None:
        error = refused(
            lambda: b.applied_voucher(world, copay_amount="14999.99"),
            "copay_below_ratio",
            "copay_amount",
        )
        assert "15,000.00" in error.message

    def test_co_pay_not_declared(self, world: World) -> None:
        refused(
            lambda: b.applied_voucher(world, copay_declared=False),
            "copay_not_declared",
            "copay_declared",
        )

    def test_a_price_above_the_catalogue(self, world: World) -> None:
        refused(
            lambda: b.applied_voucher(world, agreed_price="60000.01", copay_amount="20000"),
            "above_list_price",
            "agreed_price",
        )

    def test_a_service_not_in_the_catalogue(self, world: World) -> None:
        refused(
            lambda: b.applied_voucher(world, service=999999), "service_not_in_catalogue", "service"
        )
        provider = b.registered_provider(world)
        refused(
            lambda: services.add_service(
                principal=as_(world.charlie),
                provider=provider,
                draft=parse_draft(
                    ServiceDraft, {"kind": "data_product", "name_en": "X", "list_price": "9"}
                ),
            ),
            "service_not_in_catalogue",
            "kind",
        )

    def test_the_provider_cannot_be_the_enterprise(self, world: World) -> None:
        item = b.service(world)
        refused(
            lambda: services.apply_for_voucher(
                principal=as_(world.charlie),
                programme=item.provider.programme,
                enterprise=world.globex,
                draft=parse_draft(ApplicationDraft, b.application_fields(world)),
            ),
            "provider_is_enterprise",
            "service",
        )

    def test_an_invoice_outside_the_validity(self, world: World) -> None:
        voucher = b.issued_voucher(world)
        assert voucher.valid_until is not None
        refused(
            lambda: redeem(world, voucher, invoice_date=voucher.valid_until + timedelta(days=1)),
            "invoice_outside_validity",
            "invoice_date",
        )

    def test_a_redemption_over_the_face_value(self, world: World) -> None:
        voucher = b.issued_voucher(world)
        refused(lambda: redeem(world, voucher, amount="35000.01"), "over_face_value", "amount")

    def test_a_second_redemption(self, world: World) -> None:
        voucher = b.redeeming_voucher(world)
        refused(lambda: redeem(world, voucher, invoice_number="INV-2"), "already_redeemed")
        services.confirm_delivery(principal=as_(world.olivia), voucher=voucher)
        services.decide_redemption(principal=as_(world.wendy), voucher=voucher, verify=True)
        voucher.refresh_from_db()
        refused(lambda: redeem(world, voucher, invoice_number="INV-3"), "already_redeemed")

    def test_a_duplicate_invoice_number(self, world: World) -> None:
        first = b.redeeming_voucher(world)
        services.confirm_delivery(principal=as_(world.olivia), voucher=first)
        services.decide_redemption(principal=as_(world.wendy), voucher=first, verify=True)
        # A second voucher for Acme (the first is finished), redeemed with the same invoice.
        second = b.issued_voucher(world, agreed_price="20000", copay_amount="6000")
        refused(
            lambda: redeem(world, second, amount="14000"), "duplicate_invoice", "invoice_number"
        )

    def test_one_live_voucher_per_programme_and_the_yearly_cap(self, world: World) -> None:
        b.applied_voucher(world)
        refused(lambda: b.applied_voucher(world), "one_voucher_at_a_time")

    def test_the_yearly_cap(self, world: World) -> None:
        first = b.submitted_voucher(world)
        services.decide_redemption(principal=as_(world.wendy), voucher=first, verify=True)
        # 35,000 used; 42,000 more is over the 70,000 cap.
        refused(
            lambda: b.applied_voucher(world, agreed_price="60000", copay_amount="18000"),
            "annual_cap_exceeded",
            "agreed_price",
        )

    def test_the_budget_cannot_be_exceeded(self, world: World) -> None:
        voucher = b.applied_voucher(world)
        assert voucher.programme.budget is not None
        payouts.commit(
            voucher.programme.budget,
            subject_kind="test",
            subject_id="other",
            amount=Decimal("980000"),
            actor=world.wendy,
            reason="another voucher",
        )
        refused(
            lambda: services.decide_application(
                principal=as_(world.wendy), voucher=voucher, approve=True
            ),
            "budget_exceeded",
            "amount",
        )

    def test_only_the_department_decides(self, world: World) -> None:
        voucher = b.applied_voucher(world)
        with pytest.raises(Forbidden):
            services.decide_application(principal=as_(world.olivia), voucher=voucher, approve=True)

    def test_draft_limits_name_the_field(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            parse_draft(RedemptionDraft, b.redemption_fields(amount=1.5))
        assert "amount" in caught.value.fields


class TestAntiFraud:
    def test_related_parties_are_held_with_the_reason(self, world: World) -> None:
        voucher = b.issued_voucher(world, bank_account="6222-0000-1111-2222")
        redeem(world, voucher)
        redemption = services.confirm_delivery(principal=as_(world.olivia), voucher=voucher)
        assert redemption.status == R.HELD
        assert [f["rule"] for f in redemption.findings] == ["related_parties"]
        with translation.override("en"):
            assert "bank account" in engine.reason(redemption.findings[0])
        with translation.override("zh-hans"):
            assert "银行账户" in engine.reason(redemption.findings[0])

    def test_a_person_in_both_organisations_is_related(self, world: World) -> None:
        Membership.objects.create(user=world.bob, organisation=world.globex, role="member")
        voucher = b.redeeming_voucher(world)
        redemption = services.confirm_delivery(principal=as_(world.olivia), voucher=voucher)
        assert redemption.status == R.HELD
        assert redemption.findings[0]["params"]["shared"] == "member"

    def test_no_delivery_evidence_is_held(self, world: World) -> None:
        voucher = b.issued_voucher(world)
        redeem(world, voucher, files=[])
        redemption = services.confirm_delivery(principal=as_(world.olivia), voucher=voucher)
        assert [f["rule"] for f in redemption.findings] == ["no_delivery_evidence"]

    def test_split_invoices_are_held(self, world: World) -> None:
        first = b.submitted_voucher(world)
        services.decide_redemption(principal=as_(world.wendy), voucher=first, verify=True)
        second = b.issued_voucher(world, agreed_price="20000", copay_amount="6000")
        redeem(world, second, invoice_number="INV-2026-0002", amount="14000")
        redemption = services.confirm_delivery(principal=as_(world.olivia), voucher=second)
        assert [f["rule"] for f in redemption.findings] == ["split_invoices"]
        assert "INV-2026-0001" in engine.reason(redemption.findings[0])

    def test_a_held_redemption_is_released_only_with_a_reason(self, world: World) -> None:
        voucher = b.issued_voucher(world)
        redeem(world, voucher, files=[])
        services.confirm_delivery(principal=as_(world.olivia), voucher=voucher)
        refused(
            lambda: services.decide_redemption(
                principal=as_(world.wendy), voucher=voucher, verify=True
            ),
            "reason_required",
            "reason",
        )
        redemption = services.decide_redemption(
            principal=as_(world.wendy), voucher=voucher, verify=True, reason="纸质验收单已核"
        )
        assert redemption.status == R.VERIFIED

    def test_the_rules_are_pure_and_read_the_parameters_at_the_date(self) -> None:
        today = timezone.localdate()
        facts = engine.Facts(
            on=today,
            amount=Decimal("100"),
            issued_on=today - timedelta(days=91),
            delivered_on=today,
            evidence_files=1,
            related=(),
            nearby_invoices=(),
        )
        decision, findings = engine.screen(facts, engine.parameters())
        assert not decision.eligible and [f["rule"] for f in findings] == ["late_completion"]
        assert decision.params_used["completion_days"][1] == Decimal(90)


class TestProviders:
    def test_registration_is_reviewed(self, world: World) -> None:
        provider = b.applied_provider(world)
        assert provider.status == Provider.Status.APPLIED
        refused(
            lambda: services.decide_provider(
                principal=as_(world.wendy), provider=provider, decision="reject", reason=" "
            ),
            "invalid_input",
            "reason",
        )
        provider = services.decide_provider(
            principal=as_(world.wendy), provider=provider, decision="register", reason=""
        )
        assert provider.status == Provider.Status.REGISTERED
        with pytest.raises(Conflict):
            services.decide_provider(
                principal=as_(world.wendy), provider=provider, decision="register", reason=""
            )

    def test_an_organisation_registers_once(self, world: World) -> None:
        b.applied_provider(world)
        with pytest.raises(Conflict) as caught:
            services.register_provider(
                principal=as_(world.charlie),
                programme=b.programme(world),
                organisation=world.globex,
                draft=parse_draft(b.ProviderDraft, b.provider_fields()),
            )
        assert caught.value.code == "already_applied"


class TestMoves:
    def test_each_side_is_offered_what_the_state_allows(self) -> None:
        from nomadcloud.vouchers import transitions as t

        def moves(status: str, *sides: t.Side) -> frozenset[str]:
            return t.voucher_moves(Voucher(status=status), sides)

        assert moves("applied", t.Side.DEPARTMENT) == {"approve", "reject"}
        assert moves("applied", t.Side.ENTERPRISE) == {"cancel"}
        assert moves("issued", t.Side.PROVIDER) == {"redeem"}
        assert moves("issued", t.Side.DEPARTMENT) == {"revoke"}
        assert moves("redeeming", t.Side.PROVIDER) == frozenset()
        for status in ("redeemed", "rejected", "expired", "revoked", "cancelled"):
            assert moves(status, *t.Side) == frozenset()

        def redemption(status: str, side: t.Side) -> frozenset[str]:
            return t.redemption_moves(Redemption(status=status), [side])

        assert redemption("awaiting", t.Side.ENTERPRISE) == {"confirm", "dispute"}
        assert redemption("held", t.Side.DEPARTMENT) == {"verify", "reject"}
        assert redemption("verified", t.Side.DEPARTMENT) == frozenset()
