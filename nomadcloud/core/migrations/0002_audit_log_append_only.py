"""Database triggers that refuse UPDATE and DELETE on the audit log, for every client of the
database, not only the app (the model refuses them too)."""

from django.db import migrations

from nomadcloud.core import triggers


def forwards(apps, schema_editor):
    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_log_and_idempotency")]

    operations = [migrations.RunPython(forwards, backwards)]
