"""The single-transfer fast path on PostgreSQL: the function ``points_transfer_one``
(``book/function.py``, decision 0045). Nothing on SQLite."""

from django.db import migrations

from nomadcloud.points.book import function


def forwards(apps, schema_editor):
    function.install(schema_editor.connection)


def backwards(apps, schema_editor):
    function.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("points", "0007_refund_request_key")]

    operations = [migrations.RunPython(forwards, backwards)]
