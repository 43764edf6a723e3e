"""Seed the holiday calendar from the ``chinese-calendar`` package, so that every database
counts working days from the start (``nomadcloud load_holidays`` loads newer years later)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from nomadcloud.core.workdays import package_calendar, package_years

    Holiday = apps.get_model("core", "Holiday")
    HolidayYear = apps.get_model("core", "HolidayYear")
    source = "chinese-calendar"
    rows = []
    years = package_years()
    for year in years:
        for day, working, name_zh, name_en in package_calendar(year):
            rows.append(
                Holiday(
                    date=day,
                    is_working_day=working,
                    name_zh=name_zh[:80],
                    name_en=name_en[:80],
                    source=source,
                )
            )
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    HolidayYear.objects.bulk_create(
        [HolidayYear(year=year, source=source) for year in years], ignore_conflicts=True
    )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("core", "Holiday").objects.filter(source="chinese-calendar").delete()
    apps.get_model("core", "HolidayYear").objects.filter(source="chinese-calendar").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_workdays_publicity")]

    operations = [migrations.RunPython(load, unload)]
