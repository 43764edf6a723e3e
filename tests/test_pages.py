"""Page flows through the Django test client (the browser tests drive the main ones in
Chromium)."""

from __future__ import annotations

import re

from django.test import Client

from nomadcloud.accounts.models import Membership, Organisation, User
from tests.conftest import PASSWORD, World, client_for
from tests.helpers import assert_page_refused, register_through_page


def test_registration_signs_in_and_shows_the_nomad_workspace(db: None) -> None:
    client = Client()
    answer = register_through_page(
        client,
        {
            "display_name": "Mia",
            "email": "mia@example.com",
            "phone": "",
            "password": PASSWORD,
            "nationality": "NZ",
            "preferred_language": "en",
            "is_nomad": "on",
            "consent": "on",
        },
    )
    response = client.get(answer["Location"])
    assert response.status_code == 200
    assert 'data-testid="nomad-panel"' in response.content.decode()
    assert User.objects.get(email="mia@example.com").is_foreign


def test_registration_errors_are_shown_on_the_fields_and_nothing_is_saved(db: None) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/register/",
        {
            "display_name": "Mia",
            "email": "",
            "phone": "123",
            "password": PASSWORD,
            "preferred_language": "en",
            "consent": "on",
        },
    )
    assert_page_refused(response, 422, "This telephone number is not valid")
    assert User.objects.count() == 0


def test_registration_requires_consent(db: None) -> None:
    response = Client().post(
        "/accounts/register/",
        {
            "display_name": "Mia",
            "email": "mia@example.com",
            "password": PASSWORD,
            "preferred_language": "en",
        },
    )
    assert response.status_code == 422
    assert not User.objects.exists()


def test_workspace_shows_each_role_its_work(world: World) -> None:
    reviewer_page = client_for(world.wendy).get("/accounts/workspace/").content.decode()
    assert 'data-testid="department-panel"' in reviewer_page
    operator_page = client_for(world.oscar).get("/accounts/workspace/").content.decode()
    assert 'data-testid="operator-panel"' in operator_page
    owner_page = client_for(world.olivia).get("/accounts/workspace/").content.decode()
    assert 'data-testid="enterprise-panel"' in owner_page
    assert 'data-testid="operator-panel"' not in owner_page


def test_department_reviewers_see_only_their_queue(world: World) -> None:
    other = Organisation.objects.create(kind="department", name_zh="市旅文局", code="lvwen")
    Membership.objects.create(user=world.charlie, organisation=other, role="reviewer")
    mine = client_for(world.wendy).get("/accounts/reviews/").content.decode()
    theirs = client_for(world.charlie).get("/accounts/reviews/").content.decode()
    assert "Pending Ltd" in mine
    assert "Pending Ltd" not in theirs
    assert (
        client_for(world.charlie).get(f"/accounts/reviews/{world.pending.public_id}/").status_code
        == 404
    )


def test_invitation_link_flow(world: World) -> None:
    owner = client_for(world.olivia)
    owner.post(
        f"/accounts/organisations/{world.acme.public_id}/invite/",
        {"email": "dan@example.com", "role": "member"},
    )
    page = owner.get(f"/accounts/organisations/{world.acme.public_id}/").content.decode()
    link = re.search(r'data-testid="invitation-url">([^<]+)<', page)
    assert link is not None
    path = link.group(1).split("testserver", 1)[-1]
    dan = User.objects.create_user("dan@example.com", PASSWORD, display_name="Dan")
    response = client_for(dan).post(path, follow=True)
    assert response.status_code == 200
    assert Membership.objects.get(user=dan, organisation=world.acme).role == "member"


def test_secrets_are_shown_once(world: World) -> None:
    owner = client_for(world.olivia)
    owner.post(
        f"/accounts/organisations/{world.acme.public_id}/keys/",
        {"name": "ERP", "scope": "write", "expires_in_days": ""},
    )
    first = owner.get(f"/accounts/organisations/{world.acme.public_id}/").content.decode()
    second = owner.get(f"/accounts/organisations/{world.acme.public_id}/").content.decode()
    assert 'data-testid="new-key">nco_' in first
    assert 'data-testid="new-key"' not in second


def test_personal_data_download_and_erasure(world: World) -> None:
    client = client_for(world.bob)
    download = client.get("/accounts/settings/export/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download.json()["sections"]["accounts"]["person"]["email"] == "bob@example.com"
    assert download["Cache-Control"] == "no-store"
    response = client.post("/accounts/settings/erase/", {"password": PASSWORD})
    assert response.status_code == 302
    bob = User.objects.get(pk=world.bob.pk)
    assert bob.email is None and bob.erased_at is not None
    assert client.get("/accounts/workspace/").status_code == 302  # signed out


def test_masked_passport_on_the_settings_page(world: World) -> None:
    client = client_for(world.bob)
    client.post(
        "/accounts/settings/",
        {
            "form": "foreign",
            "nationality": "GB",
            "passport_number": "123456789",
            "permit_kind": "visa",
        },
    )
    page = client.get("/accounts/settings/").content.decode()
    assert "1******89" in page
    assert "123456789" not in page


def test_list_pages_use_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.oscar)
    for index in range(30):
        Organisation.objects.create(kind="merchant", name_en=f"Shop {index}")
    with django_assert_max_num_queries(12):
        assert client.get("/accounts/organisations/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/accounts/audit/").status_code == 200


def test_password_reset_by_e_mail(world: World) -> None:
    from django.core import mail

    mail.outbox.clear()
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": "bob@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/[^\s]+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new_password = "another-long-passphrase-77"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert User.objects.get(pk=world.bob.pk).check_password(new_password)
