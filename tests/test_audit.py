"""The audit log is append-only for the app and for anyone else with database access."""

import pytest
from django.db import DatabaseError, connection, transaction

from nomadcloud.core.models import AppendOnlyError, AuditEvent
from tests.conftest import World, client_for


def test_the_model_refuses_updates_and_deletes(world: World) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_them_too(world: World) -> None:
    from nomadcloud.core import triggers

    triggers.install(connection)  # as migration 0002 does (idempotent)
    event = AuditEvent.objects.first()
    assert event is not None
    for statement in (
        f"UPDATE core_auditevent SET action = 'x' WHERE id = {event.pk}",
        f"DELETE FROM core_auditevent WHERE id = {event.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_personal_data_never_enters_a_summary(world: World) -> None:
    client = client_for(world.bob)
    client.post(
        "/accounts/settings/",
        {
            "form": "profile",
            "display_name": "Robert",
            "email": "robert@example.com",
            "phone": "",
            "preferred_language": "zh-hans",
        },
    )
    event = AuditEvent.objects.filter(action="accounts.person.update").get()
    assert "robert@example.com" not in str(event.summary)
    assert event.summary["after"]["email"] == "[personal]"
    assert event.channel == "web"


def test_operators_browse_and_filter_the_log_page(world: World) -> None:
    client = client_for(world.oscar)
    page = client.get("/accounts/audit/?action=accounts.invitation")
    assert page.status_code == 200
    rows = page.content.decode()
    assert "accounts.invitation.create" in rows
    assert "accounts.organisation.create" not in rows


def test_admin_shows_the_log_but_offers_no_change(world: World) -> None:
    world.oscar.is_staff = world.oscar.is_superuser = True
    world.oscar.save()
    client = client_for(world.oscar)
    event = AuditEvent.objects.first()
    assert event is not None
    assert client.get("/admin/core/auditevent/").status_code == 200
    response = client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
