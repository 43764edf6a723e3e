"""免申即享: the training reward is claimed by the platform itself (mode ``automatic``): the
passes it counts are the platform's own training records, so the nightly job opens and
submits the claim for every eligible organisation (docs/incentives.md, decision 0033).
New databases get the mode from 0002's table; this sets it on databases seeded before."""

from typing import Any

from django.db import migrations


def automatic(apps: Any, schema_editor: Any) -> None:
    apps.get_model("incentives", "Policy").objects.filter(code="training").update(mode="automatic")


def by_application(apps: Any, schema_editor: Any) -> None:
    apps.get_model("incentives", "Policy").objects.filter(code="training").update(
        mode="application"
    )


class Migration(migrations.Migration):
    dependencies = [("incentives", "0002_seed_policies")]
    operations = [migrations.RunPython(automatic, by_application)]
