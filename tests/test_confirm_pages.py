"""Irreversible page actions are confirmed on their own page (issue 14 item 7): GET states
what will happen, a POST without ``confirm=yes`` is refused and changes nothing, a POST with
it acts. (Orders, proofs' revocation and merchants' payments test theirs beside their pages.)"""

from __future__ import annotations

from nomadcloud.accounts.models import ApiToken, Invitation
from nomadcloud.points.models import ProgrammeOperator
from nomadcloud.points.programme import services as programme
from nomadcloud.talent.models import Certificate
from tests.builders.talent import talent_zone
from tests.conftest import World, client_for


def test_revoking_a_certificate_is_confirmed_first(world: World) -> None:
    certificate = talent_zone(world).certificate
    oscar = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    path = f"/talent/certificates/{certificate.verification_code}/revoke/"
    page = oscar.get(path, {"reason": "Forged statement."}).content.decode()
    assert 'name="confirm" value="yes"' in page and "Revoke the certificate" in page
    assert "Forged statement." in page
    refused = oscar.post(path, {"reason": "Forged statement."})
    assert refused.status_code == 302  # refused with a message
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None
    done = oscar.post(path, {"reason": "Forged statement.", "confirm": "yes"})
    assert done.status_code == 302
    revoked = Certificate.objects.get(pk=certificate.pk)
    assert revoked.revoked_at is not None and revoked.revocation_reason == "Forged statement."


def test_revoking_a_token_is_confirmed_first(world: World) -> None:
    token = world.olivia_token
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    path = f"/accounts/tokens/{token.public_id}/revoke/"
    page = olivia.get(path).content.decode()
    assert 'name="confirm" value="yes"' in page and "Revoke the token" in page
    assert token.name in page and olivia.post(path).status_code == 302  # refused
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert olivia.post(path, {"confirm": "yes"}).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_withdrawing_an_invitation_is_confirmed_first(world: World) -> None:
    invitation = world.invitation
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    path = f"/accounts/organisations/{world.acme.public_id}/invitations/{invitation.pk}/revoke/"
    page = olivia.get(path).content.decode()
    assert 'name="confirm" value="yes"' in page and invitation.email in page
    assert olivia.post(path).status_code == 302  # refused
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert olivia.post(path, {"confirm": "yes"}).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_authorising_a_programme_is_confirmed_first(world: World) -> None:
    programme.ensure_assets()
    oscar = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    path = "/points/operator/programmes/"
    form = {"organisation": str(world.globex.public_id), "asset": "ZP", "active": "on"}
    page = oscar.get(path, form).content.decode()
    assert 'name="confirm" value="yes"' in page and str(world.globex) in page
    assert "cannot be undone" not in page  # the authority can be withdrawn later
    assert oscar.post(path, form).status_code == 302  # refused
    assert not ProgrammeOperator.objects.filter(organisation=world.globex).exists()
    assert oscar.post(path, {**form, "confirm": "yes"}).status_code == 302
    assert ProgrammeOperator.objects.get(organisation=world.globex).active
    withdraw = {"organisation": str(world.globex.public_id), "asset": "ZP"}
    assert "Withdraw the authority" in oscar.get(path, withdraw).content.decode()
    assert oscar.post(path, withdraw).status_code == 302  # refused
    assert ProgrammeOperator.objects.get(organisation=world.globex).active
    assert oscar.post(path, {**withdraw, "confirm": "yes"}).status_code == 302
    assert not ProgrammeOperator.objects.get(organisation=world.globex).active
    unknown = oscar.get(path, {**form, "organisation": "00000000-0000-0000-0000-000000000000"})
    assert unknown.status_code == 422 and b"No such organisation." in unknown.content
