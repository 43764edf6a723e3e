"""Database triggers that refuse changes to the ledger's history (transfers, entries, lot
moves) for every client of the database, not only the app (the models refuse them too)."""

from django.db import migrations

from nomadcloud.points.book import triggers


def forwards(apps, schema_editor):
    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
