"""The accounts use cases, as the pages and the API both call them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from nomadcloud.accounts import services
from nomadcloud.accounts.models import ApiToken, Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.schemas import OrganisationChanges, OrganisationDraft
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.core.models import AuditEvent
from tests.conftest import PASSWORD, World, credit_code, make_person


def as_(user: User) -> Principal:
    return Principal.for_user(user)


class TestRegistration:
    def test_with_a_chinese_mobile_number_only(self, db: None) -> None:
        user = services.register_person(
            consent=True, display_name="张伟", phone="138 1234 5678", password=PASSWORD
        )
        assert user.phone == "+8613812345678"
        assert user.email is None
        assert user.password.startswith("argon2")
        assert AuditEvent.objects.filter(
            action="accounts.person.register", object_id=str(user.pk)
        ).exists()

    def test_e_mail_is_case_insensitive_and_unique(self, db: None) -> None:
        make_person("A", "Ana@Example.com")
        with pytest.raises(InvalidInput) as caught:
            services.register_person(
                consent=True, display_name="B", email="ana@example.COM", password=PASSWORD
            )
        assert caught.value.code == "identifier_taken"
        assert User.objects.count() == 1

    def test_needs_an_identifier_and_a_strong_password(self, db: None) -> None:
        with pytest.raises(InvalidInput) as no_id:
            services.register_person(consent=True, display_name="X", password=PASSWORD)
        assert no_id.value.code == "identifier_required"
        with pytest.raises(InvalidInput) as weak:
            services.register_person(
                consent=True, display_name="X", email="x@example.com", password="123"
            )
        assert weak.value.code == "weak_password"
        assert "password" in weak.value.fields
        assert User.objects.count() == 0

    def test_consent_to_the_privacy_notice_is_required_and_recorded(self, db: None) -> None:
        with pytest.raises(InvalidInput) as caught:
            services.register_person(display_name="X", email="x@example.com", password=PASSWORD)
        assert caught.value.code == "consent_required"
        user = make_person("Y", "y@example.com")
        assert user.privacy_notice_version == services.PRIVACY_NOTICE_VERSION
        assert user.privacy_consented_at is not None

    def test_unknown_language_and_country_are_refused(self, db: None) -> None:
        with pytest.raises(InvalidInput) as language:
            services.register_person(
                consent=True,
                display_name="X",
                email="x@example.com",
                password=PASSWORD,
                preferred_language="klingon",
            )
        assert language.value.code == "unknown_language"
        with pytest.raises(InvalidInput) as country:
            services.register_person(
                consent=True,
                display_name="X",
                email="x@example.com",
                password=PASSWORD,
                nationality="XX",
            )
        assert "nationality" in country.value.fields


class TestForeignPersons:
    def test_passport_is_encrypted_at_rest_and_shown_masked(self, world: World) -> None:
        services.set_foreign_details(
            principal=as_(world.bob),
            user=world.bob,
            nationality="de",
            passport_number="c01x00t47",
            permit_kind="talent",
        )
        world.bob.refresh_from_db()
        assert "C01X00T47" not in world.bob.passport_number_encrypted
        assert world.bob.masked_passport == "C******47"
        assert world.bob.is_foreign
        event = AuditEvent.objects.filter(action="accounts.person.foreign_details").get()
        assert "C01X00T47" not in str(event.summary)

    def test_permit_end_before_start_is_refused(self, world: World) -> None:
        from datetime import date

        with pytest.raises(InvalidInput) as caught:
            services.set_foreign_details(
                principal=as_(world.bob),
                user=world.bob,
                nationality="FR",
                permit_valid_from=date(2027, 1, 1),
                permit_valid_until=date(2026, 1, 1),
            )
        assert "permit_valid_until" in caught.value.fields


class TestPersonalData:
    def test_export_holds_everything_about_the_person(self, world: World) -> None:
        data = services.export_personal_data(principal=as_(world.olivia), user=world.olivia)
        mine = data["sections"]["accounts"]
        assert mine["person"]["email"] == "olivia@example.com"
        assert {m["role"] for m in mine["memberships"]} == {"owner"}
        assert [t["name"] for t in mine["api_tokens"]] == ["laptop"]

    def test_nobody_exports_someone_else(self, world: World) -> None:
        with pytest.raises(Forbidden):
            services.export_personal_data(principal=as_(world.charlie), user=world.olivia)

    def test_erasure_blanks_personal_data_and_keeps_records(self, world: World) -> None:
        events_before = AuditEvent.objects.count()
        services.erase_account(principal=as_(world.bob), user=world.bob, password=PASSWORD)
        bob = User.objects.get(pk=world.bob.pk)
        assert (bob.email, bob.phone, bob.display_name) == (None, None, "")
        assert not bob.is_active and bob.erased_at is not None
        assert not bob.has_usable_password()
        assert not Membership.objects.filter(user=bob).exists()
        foreign = AuditEvent.objects.filter(actor=bob).values_list("summary", flat=True)
        assert "bob@example.com" not in str(list(foreign))
        assert AuditEvent.objects.count() > events_before
        assert AuditEvent.objects.filter(actor=bob).exists()  # the trail stays, pseudonymous
        assert str(bob) == bob.pseudonym

    def test_a_sole_owner_must_hand_over_first(self, world: World) -> None:
        with pytest.raises(Conflict) as caught:
            services.erase_account(
                principal=as_(world.olivia), user=world.olivia, password=PASSWORD
            )
        assert caught.value.code == "sole_owner"
        assert User.objects.get(pk=world.olivia.pk).email == "olivia@example.com"

    def test_a_wrong_password_changes_nothing(self, world: World) -> None:
        with pytest.raises(InvalidInput):
            services.erase_account(principal=as_(world.bob), user=world.bob, password="nope")
        assert User.objects.get(pk=world.bob.pk).is_active


class TestOrganisations:
    def test_creator_becomes_owner(self, world: World) -> None:
        org = services.create_organisation(
            principal=as_(world.bob),
            draft=OrganisationDraft(kind="merchant", name_zh="椰林餐厅"),
        )
        assert Membership.objects.get(organisation=org).role == "owner"

    def test_invalid_and_duplicate_credit_codes_are_refused(self, world: World) -> None:
        with pytest.raises(InvalidInput) as invalid:
            services.create_organisation(
                principal=as_(world.bob),
                draft=OrganisationDraft(
                    kind="enterprise", name_en="X", credit_code="91350100M000100Y44"
                ),
            )
        assert invalid.value.code == "invalid_credit_code"
        with pytest.raises(InvalidInput) as taken:
            services.create_organisation(
                principal=as_(world.bob),
                draft=OrganisationDraft(
                    kind="enterprise", name_en="X", credit_code=world.acme.credit_code
                ),
            )
        assert taken.value.code == "credit_code_taken"
        assert Organisation.objects.filter(name_en="X").count() == 0

    def test_only_the_operator_registers_departments(self, world: World) -> None:
        with pytest.raises(Forbidden):
            services.create_organisation(
                principal=as_(world.bob),
                draft=OrganisationDraft(kind="department", name_zh="市某局"),
            )
        services.create_organisation(
            principal=as_(world.oscar),
            draft=OrganisationDraft(kind="department", name_zh="市统计局"),
        )

    def test_verification_goes_to_the_right_department_and_is_recorded(self, world: World) -> None:
        services.request_verification(principal=as_(world.olivia), organisation=world.acme)
        world.acme.refresh_from_db()
        assert world.acme.verification_status == "pending"
        assert world.acme.reviewing_department == world.department
        decision = services.decide_verification(
            principal=as_(world.wendy),
            organisation=world.acme,
            department=world.department,
            approve=True,
            reason="Checked against the registry.",
        )
        world.acme.refresh_from_db()
        assert world.acme.verification_status == "verified"
        assert decision.decided_by == world.wendy
        assert decision.rule_version == services.ORG_VERIFICATION_RULE_VERSION
        assert decision.evidence["credit_code"] == world.acme.credit_code

    def test_a_decision_needs_a_reason_and_a_pending_request(self, world: World) -> None:
        with pytest.raises(InvalidInput):
            services.decide_verification(
                principal=as_(world.wendy),
                organisation=world.pending,
                department=world.department,
                approve=False,
                reason=" ",
            )
        with pytest.raises(Conflict):
            services.decide_verification(
                principal=as_(world.wendy),
                organisation=world.acme,
                department=world.department,
                approve=True,
                reason="ok",
            )

    def test_changing_the_credit_code_drops_verification(self, world: World) -> None:
        Organisation.objects.filter(pk=world.acme.pk).update(verification_status="verified")
        world.acme.refresh_from_db()
        services.update_organisation(
            principal=as_(world.olivia),
            organisation=world.acme,
            changes=OrganisationChanges(credit_code=credit_code("another")),
        )
        world.acme.refresh_from_db()
        assert world.acme.verification_status == "unverified"


class TestMembers:
    def test_invitation_is_mailed_after_commit_in_both_languages_and_accepted_once(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _invitation, token = services.invite_member(
                principal=as_(world.olivia),
                organisation=world.acme,
                email="Dora@Example.com",
                role="reviewer",
            )
        assert mail.outbox == []  # nothing leaves before the transaction commits
        for callback in callbacks:
            callback()
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert token in body and "邀请" in body and "invites you" in body
        dora = make_person("Dora", "dora@example.com")
        membership = services.accept_invitation(principal=as_(dora), token=token)
        assert membership.role == "reviewer"
        with pytest.raises(InvalidInput):
            services.accept_invitation(principal=as_(world.charlie), token=token)

    def test_an_admin_cannot_make_owners_or_demote_them(self, world: World) -> None:
        services.change_member_role(
            principal=as_(world.olivia), membership=world.bob_membership, role="admin"
        )
        owner_membership = Membership.objects.get(user=world.olivia, organisation=world.acme)
        with pytest.raises(Forbidden):
            services.change_member_role(
                principal=as_(world.bob), membership=owner_membership, role="member"
            )
        rita = Membership.objects.get(user=world.rita)
        with pytest.raises(Forbidden):
            services.change_member_role(principal=as_(world.bob), membership=rita, role="owner")

    def test_the_last_owner_stays(self, world: World) -> None:
        owner_membership = Membership.objects.get(user=world.olivia, organisation=world.acme)
        with pytest.raises(Conflict) as caught:
            services.change_member_role(
                principal=as_(world.olivia), membership=owner_membership, role="admin"
            )
        assert caught.value.code == "last_owner"
        with pytest.raises(Conflict):
            services.remove_member(principal=as_(world.olivia), membership=owner_membership)

    def test_read_tokens_cannot_decide_accept_or_revoke(self, world: World) -> None:
        from nomadcloud.core.errors import Forbidden as Refused

        token, _secret = services.create_personal_token(
            principal=as_(world.wendy), name="ro", scope="read"
        )
        read_only = Principal(user=world.wendy, token=token)
        with pytest.raises(Refused):
            services.decide_verification(
                principal=read_only,
                organisation=world.pending,
                department=world.department,
                approve=True,
                reason="x",
            )
        with pytest.raises(Refused):
            services.revoke_token(principal=read_only, token=token)

    def test_a_member_may_leave(self, world: World) -> None:
        services.remove_member(principal=as_(world.bob), membership=world.bob_membership)
        assert not Membership.objects.filter(pk=world.bob_membership.pk).exists()


class TestTokens:
    def test_only_a_hash_is_stored_and_the_secret_authenticates(self, world: World) -> None:
        token, secret = services.create_personal_token(
            principal=as_(world.bob), name="cli", scope="read"
        )
        assert secret.startswith("ncp_") and secret not in token.secret_hash
        assert services.authenticate_token(secret) == token
        assert services.authenticate_token(secret[:-1] + "x") is None
        services.revoke_token(principal=as_(world.bob), token=token)
        assert services.authenticate_token(secret) is None

    def test_expired_tokens_do_not_authenticate(self, world: World) -> None:
        from datetime import timedelta

        from django.utils import timezone

        ApiToken.objects.filter(pk=world.olivia_token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert services.authenticate_token(world.olivia_token_secret) is None

    def test_token_lifetime_is_bounded(self, world: World) -> None:
        with pytest.raises(InvalidInput):
            services.create_personal_token(
                principal=as_(world.bob), name="x", scope="read", expires_in_days=1000
            )
