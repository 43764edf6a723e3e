"""Privacy rights that cover every app (issue 15, item 5): the registry of personal data,
the export (session, or a write token with the password; never cached) and the erasure of a
nomad with something in every app; token revocation on password reset and erasure;
registration and password-reset answers that do not tell whether an identifier exists;
lock-outs per person across identifiers and per client address; global throttles."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.core import mail
from django.db import models
from django.test import Client

from nomadcloud.accounts import services
from nomadcloud.accounts.models import ApiToken, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import privacy
from nomadcloud.core.models import AuditEvent, IdempotencyRecord
from nomadcloud.datatasks.models import Answer
from nomadcloud.notifications.models import Notification
from nomadcloud.orders.models import Message, Order
from nomadcloud.points import models as m
from nomadcloud.proofs.models import Credential
from nomadcloud.talent.models import Application, Profile, ProfileLanguage, ProfileSkill
from tests.builders.privacy import HEADLINE, LOCATION, MESSAGE, full_nomad
from tests.conftest import PASSWORD, World, client_for, make_person
from tests.helpers import api_post, assert_error

EXPORT = "/api/v1/me/export"

# Apps that refer to a person without holding personal data about them, with the reason.
NOT_PERSONAL = {
    "taxonomy": "an import run names the operator who ran it, nothing about them",
}


def _bearer(secret: str, **extra: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def _token(user: User, scope: str) -> str:
    return services.create_personal_token(
        principal=Principal.for_user(user), name=f"t-{scope}", scope=scope
    )[1]


# ---- the registry ----------------------------------------------------------------------------


def test_every_app_that_refers_to_a_person_registers_its_personal_data() -> None:
    """A new app with a reference to a person must register with core.privacy (see its
    module docstring) or be listed above with its reason."""
    user_model = apps.get_model(django_settings.AUTH_USER_MODEL)
    missing = []
    for config in apps.get_app_configs():
        if not config.name.startswith("nomadcloud."):
            continue
        refers = any(
            isinstance(field, models.ForeignKey) and field.related_model is user_model
            for model in config.get_models()
            for field in model._meta.get_fields()
        )
        if refers and not privacy.registered(config.label) and config.label not in NOT_PERSONAL:
            missing.append(config.label)
    assert not missing, f"register these apps with core.privacy: {missing}"
    for app in ("accounts", "talent", "demands", "orders", "datatasks", "training", "proofs"):
        assert privacy.registered(app)
    for app in ("points", "matching", "notifications", "core"):
        assert privacy.registered(app)


# ---- export ----------------------------------------------------------------------------------


def test_the_export_holds_a_nomad_in_every_app_and_is_never_cached(world: World) -> None:
    nomad = full_nomad(world)
    response = client_for(world.wendy).get(EXPORT)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    sections = response.json()["sections"]
    assert set(sections) == {h.app_label for h in privacy.holders()}
    assert sections["accounts"]["person"]["email"] == "wendy@example.com"
    profile = sections["talent"]["profile"]
    assert (profile["headline_en"], profile["location"]) == (HEADLINE, LOCATION)
    assert [x["language"] for x in sections["talent"]["languages"]] == ["fr"]
    assert sections["talent"]["skills"] and sections["talent"]["projects"]
    assert str(nomad.application.public_id) in json.dumps(
        sections["talent"]["certification_applications"]
    )
    assert str(nomad.order.public_id) in json.dumps(sections["orders"]["orders_taken"])
    assert sections["orders"]["applications"] and sections["orders"]["deliverables"]
    assert MESSAGE in json.dumps(sections["orders"]["messages"], ensure_ascii=False)
    assert len(sections["datatasks"]["answers"]) == nomad.answered
    assert str(nomad.credential.public_id) in json.dumps(sections["proofs"]["credentials"])
    assert sections["points"]["accounts"] and sections["points"]["transfers"]
    assert sections["notifications"]["notifications"]
    assert sections["core"]["audit_events"]


def test_a_token_exports_only_with_write_scope_and_the_password(world: World) -> None:
    read, write = _token(world.bob, "read"), _token(world.bob, "write")
    User.objects.filter(pk=world.bob.pk).update(preferred_language="zh-hans")
    zh = _bearer(read, HTTP_ACCEPT_LANGUAGE="zh-hans")
    refused = assert_error(zh.get(EXPORT), "scope", status=403)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused["message"])  # localized
    assert_error(api_post(zh, EXPORT, {"password": PASSWORD}), "scope", status=403)
    assert_error(_bearer(write).get(EXPORT), "reauthentication_required", status=403)
    wrong = api_post(_bearer(write), EXPORT, {"password": "not-it"})
    assert_error(wrong, "wrong_password", field="password", status=422)
    ok = api_post(_bearer(write), EXPORT, {"password": PASSWORD}, HTTP_IDEMPOTENCY_KEY="x-1")
    assert ok.status_code == 200
    assert ok["Cache-Control"] == "no-store"
    assert ok.json()["sections"]["accounts"]["person"]["email"] == "bob@example.com"
    assert not IdempotencyRecord.objects.filter(key="x-1").exists()  # never stored


def test_wrong_passwords_at_re_authentication_lock_it(world: World, settings: Any) -> None:
    settings.THROTTLES = {
        **settings.THROTTLES,
        "reauthentication_failures_per_person": (2, 900),
    }
    client = client_for(world.bob)
    for _ in range(2):
        assert_error(api_post(client, EXPORT, {"password": "no"}), "wrong_password", status=422)
    locked = api_post(client, EXPORT, {"password": PASSWORD})
    assert_error(locked, "too_many_requests", status=429)


# ---- erasure ---------------------------------------------------------------------------------


def test_erasure_removes_or_pseudonymises_a_nomad_in_every_app(world: World) -> None:
    nomad = full_nomad(world)
    wendy = nomad.user
    transfers_before = m.Transfer.objects.count()
    response = api_post(client_for(wendy), "/api/v1/me/erase", {"password": PASSWORD})
    assert response.status_code == 204, response.content

    erased = User.objects.get(pk=wendy.pk)
    assert erased.erased_at is not None and erased.email is None and erased.display_name == ""
    # talent: the profile is emptied and private, its parts gone; the application's answers too
    profile = Profile.objects.get(user=erased)
    assert (profile.headline_en, profile.location) == ("", "")
    assert profile.about_visibility == "private"
    assert not ProfileLanguage.objects.filter(profile=profile).exists()
    assert not ProfileSkill.objects.filter(profile=profile).exists()
    assert Application.objects.get(pk=nomad.application.pk).answers == {}
    # orders: the contract stays with the pseudonym; her texts are removed
    assert Order.objects.get(pk=nomad.order.pk).nomad_id == erased.pk
    assert not Message.objects.filter(author=erased).exclude(body="").exists()
    assert not Message.objects.filter(body=MESSAGE).exists()
    # labelled items, credentials and the ledger stay, under the pseudonym
    assert Answer.objects.filter(worker=erased).count() == nomad.answered
    assert Credential.objects.filter(pk=nomad.credential.pk, user=erased).exists()
    assert m.Transfer.objects.count() == transfers_before
    # notifications and tokens
    assert not Notification.objects.filter(recipient=erased).exists()
    assert not ApiToken.objects.filter(user=erased, revoked_at__isnull=True).exists()
    assert_error(_bearer(nomad.token_secret).get("/api/v1/me"), "not_authenticated")
    # the audit trail stays, naming no contact or text of hers
    trail = json.dumps(
        list(AuditEvent.objects.filter(actor=erased).values("summary")), ensure_ascii=False
    )
    assert AuditEvent.objects.filter(actor=erased, action="accounts.person.erase").exists()
    for secret in ("wendy@example.com", HEADLINE, LOCATION, MESSAGE):
        assert secret not in trail


# ---- tokens end with a password reset --------------------------------------------------------


def test_a_password_reset_revokes_the_persons_tokens(world: World) -> None:
    import re

    secret = _token(world.bob, "write")
    assert _bearer(secret).get("/api/v1/me").status_code == 200
    mail.outbox.clear()
    client = Client()
    client.post("/accounts/password-reset/", {"email": "bob@example.com"})
    link = re.search(r"https?://[^/]+(/accounts/password-reset/[^\s]+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    new = "another-long-passphrase-77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert User.objects.get(pk=world.bob.pk).check_password(new)
    assert_error(_bearer(secret).get("/api/v1/me"), "not_authenticated")
    assert not ApiToken.objects.filter(user=world.bob, revoked_at__isnull=True).exists()


# ---- answers that do not tell whether an identifier exists ----------------------------------


def _register(email: str = "", phone: str = "", password: str = PASSWORD) -> Any:
    body = {"display_name": "New", "password": password, "consent": True}
    body |= {"email": email} if email else {"phone": phone}
    return api_post(Client(HTTP_ACCEPT_LANGUAGE="en"), "/api/v1/people", body)


def test_registration_answers_alike_for_a_new_and_a_registered_identifier(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    users = User.objects.count()
    new = _register("brand-new@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        taken = _register("BOB@example.com")
    assert (new.status_code, new.content) == (taken.status_code, taken.content)
    assert new.status_code == 202
    assert User.objects.count() == users + 1  # only the new one
    assert User.objects.filter(email="bob@example.com").count() == 1
    notices = [x for x in mail.outbox if x.to == ["bob@example.com"]]
    assert len(notices) == 1  # the owner learns someone tried
    # every other refusal is the same too: a weak password is refused for both
    weak_new = _register("other-new@example.com", password="123")
    weak_taken = _register("bob@example.com", password="123")
    assert_error(weak_new, "weak_password")
    assert (weak_new.status_code, weak_new.content) == (weak_taken.status_code, weak_taken.content)


def test_registration_by_a_registered_mobile_number_answers_alike(world: World) -> None:
    services.register_person(
        consent=True, display_name="Mo", phone="+8613900003333", password=PASSWORD
    )
    new = _register(phone="13900004444")
    taken = _register(phone="139 0000 3333")
    assert (
        (new.status_code, new.content)
        == (taken.status_code, taken.content)
        == (
            202,
            new.content,
        )
    )
    assert User.objects.filter(phone="+8613900003333").count() == 1


def test_password_reset_answers_alike_for_a_known_and_an_unknown_address(world: World) -> None:
    known = Client().post("/accounts/password-reset/", {"email": "bob@example.com"})
    unknown = Client().post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code,
        unknown["Location"],
        unknown.content,
    )


# ---- lock-outs and throttles ----------------------------------------------------------------


def _sign_in(client: Client, identifier: str, password: str = "wrong") -> Any:
    return client.post("/accounts/login/", {"username": identifier, "password": password})


def test_e_mail_and_mobile_number_share_one_lock_out(db: None, settings: Any) -> None:
    make_person("Lena", "lena@example.com", phone="+8613900005555")
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        identifier = "lena@example.com" if attempt % 2 else "139 0000 5555"
        _sign_in(Client(REMOTE_ADDR=f"10.0.0.{attempt + 1}"), identifier)
    locked = _sign_in(Client(REMOTE_ADDR="10.0.1.1"), "LENA@example.com", PASSWORD)
    assert locked.status_code == 429


def test_failed_sign_ins_are_counted_per_client_address(db: None, settings: Any) -> None:
    settings.THROTTLES = {**settings.THROTTLES, "sign_in_failures_per_address": (3, 900)}
    for n in range(3):
        make_person(f"P{n}", f"p{n}@example.com")
        assert _sign_in(Client(REMOTE_ADDR="10.9.9.9"), f"p{n}@example.com").status_code == 200
    make_person("Right", "right@example.com")
    refused = _sign_in(Client(REMOTE_ADDR="10.9.9.9"), "right@example.com", PASSWORD)
    assert refused.status_code == 429
    elsewhere = _sign_in(Client(REMOTE_ADDR="10.9.9.10"), "right@example.com", PASSWORD)
    assert elsewhere.status_code == 302


def test_sign_ups_are_throttled_per_address_and_overall(db: None, settings: Any) -> None:
    settings.THROTTLES = {
        **settings.THROTTLES,
        "sign_up_per_address": (2, 3600),
        "sign_up_global": (3, 60),
    }

    def sign_up(n: int, address: str) -> Any:
        body = {"display_name": "S", "password": PASSWORD, "email": f"s{n}@example.com"}
        body["consent"] = True
        return api_post(Client(REMOTE_ADDR=address), "/api/v1/people", body)

    assert sign_up(1, "10.1.1.1").status_code == 202
    assert sign_up(2, "10.1.1.1").status_code == 202
    assert_error(sign_up(3, "10.1.1.1"), "too_many_requests", status=429)
    assert sign_up(4, "10.1.1.2").status_code == 202  # another address: third overall
    assert_error(sign_up(5, "10.1.1.3"), "too_many_requests", status=429)  # global ceiling
    assert not User.objects.filter(email__in=["s3@example.com", "s5@example.com"]).exists()


def test_sign_ins_have_a_global_ceiling(db: None, settings: Any) -> None:
    settings.THROTTLES = {**settings.THROTTLES, "sign_in_global": (2, 60)}
    make_person("G", "g@example.com")
    for n in range(2):
        _sign_in(Client(REMOTE_ADDR=f"10.2.0.{n}"), "nobody@example.com")
    assert _sign_in(Client(REMOTE_ADDR="10.2.1.1"), "g@example.com", PASSWORD).status_code == 429
