"""The rules a batch's draft cannot check alone (across fields and against the taxonomy), and
the shape an answer must have."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.core.errors import invalid_field
from nomadcloud.datatasks import aggregation, importer
from nomadcloud.datatasks.models import Batch, Item
from nomadcloud.datatasks.schemas import BatchDraft, SkillIn
from nomadcloud.datatasks.services._common import TaskType
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.models import Concept

FIELDS = frozenset(BatchDraft.model_fields)


# What may still change once the batch is open: the words, not the rules.
OPEN_FIELDS = frozenset({"title_zh", "title_en", "instructions_zh", "instructions_en", "deadline"})


SCALAR_FIELDS = tuple(sorted(FIELDS - {"skills"}))


SKILL_KINDS = frozenset({Concept.Kind.SKILL, Concept.Kind.KNOWLEDGE, Concept.Kind.OCCUPATION})


def _labels(labels: tuple[str, ...], task_type: str) -> list[str]:
    """What the labels may be depends on the task type; transcription has none."""
    if task_type == TaskType.TRANSCRIPTION:
        return []
    minimum = 1 if task_type == TaskType.SPANS else 2
    if len(labels) < minimum:
        raise invalid_field(
            "labels",
            _("Give at least %(n)d labels.") % {"n": minimum}
            if minimum > 1
            else _("Give at least one label."),
        )
    for label in labels:
        if len(label) > 100:
            raise invalid_field("labels", _("A label has at most 100 characters."))
        if "|" in label or (task_type == TaskType.SPANS and ":" in label):
            raise invalid_field(
                "labels",
                _("“%(label)s”: labels cannot contain | or, for spans, :.") % {"label": label},
            )
        if label == aggregation.NO_SPAN and task_type == TaskType.SPANS:
            raise invalid_field("labels", _("“O” means “no span” and cannot be a span label."))
    if len(set(labels)) != len(labels):
        raise invalid_field("labels", _("Each label may appear only once."))
    return list(labels)


def _skills(skills: tuple[SkillIn, ...]) -> list[dict[str, Any]]:
    """Each skill by code or by name (Chinese or English): names become codes through
    ``naming``; an unknown one is an error offering the closest skills."""
    kinds = tuple(SKILL_KINDS)
    codes = []
    for index, skill in enumerate(skills):
        code = naming.code_or_any(skill.code, kinds)
        if code is None:
            raise naming.unknown(f"skills.{index}", skill.code, kinds)
        codes.append(code)
    found = {c.code: c for c in Concept.objects.filter(code__in=codes, is_active=True)}
    for index, code in enumerate(codes):
        concept = found.get(code)
        if concept is None:
            raise naming.unknown(f"skills.{index}", code, kinds)
        if concept.kind not in SKILL_KINDS:
            raise invalid_field(
                f"skills.{index}", _("%(code)s is not a skill.") % {"code": code[:120]}
            )
    if len(set(codes)) != len(codes):
        raise invalid_field("skills", _("A skill is listed twice."))
    return sorted(
        ({"code": code, "level": s.level} for code, s in zip(codes, skills, strict=True)),
        key=lambda s: s["code"],
    )


def checked(draft: BatchDraft) -> dict[str, Any]:
    """The draft's settings once the rules across fields and against the taxonomy hold, in the
    shape stored and compared (skills as sorted codes)."""
    clean: dict[str, Any] = {name: getattr(draft, name) for name in SCALAR_FIELDS}
    clean["labels"] = _labels(draft.labels, draft.task_type)
    clean["skills"] = _skills(draft.skills)
    if not draft.title_zh and not draft.title_en:
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    if not draft.instructions_zh and not draft.instructions_en:
        raise invalid_field("instructions_zh", _("Give the instructions in Chinese or English."))
    if draft.method == "dawid_skene" and draft.task_type not in {"single_label", "multi_label"}:
        clean["method"] = Batch.Method.MAJORITY  # text and spans are aggregated by majority
    return clean


def spec_of(batch: Batch) -> importer.Spec:
    return importer.Spec(task_type=batch.task_type, labels=tuple(batch.labels))


def clean_answer(batch: Batch, item: Item, value: Any) -> Any:
    """A worker's answer in the batch's shape, or InvalidInput on ``answer``."""
    return importer.clean_value(spec_of(batch), value, text=item.text, field="answer")
