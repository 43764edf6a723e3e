"""A skill as other apps state it in what they send upwards (e.g. the work a proof-of-work
credential certifies): its concept code and its labels in both languages, as plain values."""

from __future__ import annotations

from dataclasses import dataclass

from nomadcloud.taxonomy.models import Concept


@dataclass(frozen=True)
class SkillLabel:
    code: str
    label_zh: str
    label_en: str

    @classmethod
    def of(cls, concept: Concept) -> SkillLabel:
        """A concept's code and labels, each label falling back on the other (then the code)."""
        return cls(
            concept.code,
            concept.label_zh or concept.label_en or concept.code,
            concept.label_en or concept.label_zh or concept.code,
        )
