"""The migrated template database (nomadcloud/testing/template_db.py, decision 0028): its name
follows everything a migration run reads, and the copied database is the migrated one."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from nomadcloud.testing import template_db


def test_the_template_follows_the_migrations_and_the_modules_they_import() -> None:
    sources = {p.as_posix() for p in template_db.migration_sources()}
    assert any(
        s.endswith("nomadcloud/core/migrations/0002_audit_log_append_only.py") for s in sources
    )
    assert any(s.endswith("django/contrib/auth/migrations/0001_initial.py") for s in sources)
    # imported by migrations: the append-only triggers' SQL
    assert any(s.endswith("nomadcloud/core/triggers.py") for s in sources)
    assert any(s.endswith("nomadcloud/points/book/triggers.py") for s in sources)


def test_the_name_changes_when_a_migration_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = template_db.key(connection)
    assert before == template_db.key(connection)
    original = template_db.migration_sources
    extra = Path(__file__)  # stands in for a changed or added migration
    monkeypatch.setattr(template_db, "migration_sources", lambda: [*original(), extra])
    assert template_db.key(connection) != before
    assert before.startswith(connection.vendor + "-")


@pytest.mark.django_db
def test_the_copied_database_is_fully_migrated() -> None:
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    from django.contrib.contenttypes.models import ContentType

    assert ContentType.objects.filter(app_label="orders", model="order").exists()
