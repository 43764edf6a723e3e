"""Builders for core's shared modules: an open public notice of a test subject kind whose
objections the zone operator decides, and a pending objection to it."""

from __future__ import annotations

from django.utils import timezone

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.core import publicity, workdays
from nomadcloud.core.models import Objection, PublicNotice
from tests.builders.world import World

KIND = "tests.matrix"
publicity.register_subject(KIND, may_decide=lambda user, notice: is_zone_operator(user))


def public_notice(w: World) -> PublicNotice:
    # Whatever today is, the notice's working days fall in loaded years.
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)
    return publicity.open_notice(
        subject_kind=KIND,
        subject_id="M-1",
        title={"zh-Hans": "公示", "en": "Notice"},
        body={"zh-Hans": "正文", "en": "Text"},
        working_days=5,
        actor=w.oscar,
    )


def objection(w: World) -> Objection:
    return publicity.file_objection(public_notice(w), actor=w.charlie, grounds="Not true.")
