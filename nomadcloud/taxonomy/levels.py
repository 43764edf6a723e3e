"""The five national vocational skill levels (国家职业技能等级), shared by nomad profiles and
demands. The number is the national grade: 5 is the entry level (五级/初级工, "beginner") and
1 the top (一级/高级技师, "expert"), so a *higher* level has a *smaller* number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ENTRY_LEVEL = 5
TOP_LEVEL = 1


class SkillLevel(models.IntegerChoices):
    GRADE_5 = 5, _("Level 5 (五级/初级工) · beginner")
    GRADE_4 = 4, _("Level 4 (四级/中级工) · intermediate")
    GRADE_3 = 3, _("Level 3 (三级/高级工) · advanced")
    GRADE_2 = 2, _("Level 2 (二级/技师) · proficient")
    GRADE_1 = 1, _("Level 1 (一级/高级技师) · expert")


def is_higher(level: int, than: int | None) -> bool:
    """True when ``level`` is a higher skill level than ``than`` (smaller national grade)."""
    return than is None or level < than


def meets(level: int, minimum: int) -> bool:
    """True when a skill at ``level`` meets a requirement of at least ``minimum``."""
    return level <= minimum
