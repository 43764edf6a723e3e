"""Monthly partitions of the audit log (issue 21 item 4): the conversion runs on the test
database's own ``core_auditevent`` inside the test's transaction (PostgreSQL's DDL is
transactional, so the table is plain again afterwards) and keeps rows, ids, indexes and the
append-only trigger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from nomadcloud.core import partitions
from nomadcloud.core.models import AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)


def _event(when: dt.datetime, action: str) -> AuditEvent:
    event = AuditEvent.objects.create(action=action, channel="system")
    with connection.cursor() as cursor:  # back-date it below the triggers' notice
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE core_auditevent SET created_at = %s WHERE id = %s", [when, event.pk])
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
    return event


def test_the_audit_log_becomes_monthly_partitions_and_stays_append_only(db: None) -> None:
    now = timezone.now()
    old = _event(now - dt.timedelta(days=70), "probe.old")
    recent = _event(now, "probe.recent")
    before = AuditEvent.objects.count()

    created = partitions.convert("core_auditevent", "created_at", months_ahead=2)

    assert partitions.is_partitioned("core_auditevent")
    this_month = partitions.partition_name("core_auditevent", now.date().replace(day=1))
    assert this_month in created and "core_auditevent_default" in created
    assert len(created) >= 4  # the old month, this month, two ahead, default
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.get(pk=old.pk).action == "probe.old"
    newer = AuditEvent.objects.create(action="probe.after", channel="system")
    assert newer.pk > recent.pk  # the identity continues
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {this_month} WHERE action LIKE 'probe.%%'")
        assert cursor.fetchone()[0] == 2
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'core_auditevent'")
        assert any("created_at" in row[0] for row in cursor.fetchall())
    for statement in (
        "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [old.pk])

    assert partitions.convert("core_auditevent", "created_at") == []  # once only
    later = (now + dt.timedelta(days=120)).date()
    made = partitions.ensure("core_auditevent", "created_at", months_ahead=1, today=later)
    assert partitions.partition_name("core_auditevent", later.replace(day=1)) in made
    call_command("partition_tables")  # the scheduler's daily run: nothing to fail
