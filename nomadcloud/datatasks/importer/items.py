"""Checking one item: its strings, flags, gold answer and its shape against the task's
specification."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from nomadcloud.core.errors import invalid_field
from nomadcloud.datatasks import aggregation

from .limits import (
    FALSE,
    MAX_CONTEXT,
    MAX_ID,
    MAX_TEXT,
    MAX_URL,
    TRUE,
    LineError,
    ParsedItem,
    Spec,
)

# --- checking one item ------------------------------------------------------------------------


def _string(
    line: int, record: dict[str, Any], name: str, limit: int, errors: list[LineError]
) -> str | None:
    value = record.get(name, "")
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.append(LineError(line, name, _("must be text.")))
        return None
    text = str(value).strip()
    if len(text) > limit:
        errors.append(
            LineError(line, name, _("too long: at most %(n)d characters.") % {"n": limit})
        )
        return None
    return text


def _item(
    line: int,
    record: dict[str, Any],
    spec: Spec,
    errors: list[LineError],
    *,
    from_csv: bool,
) -> ParsedItem | None:
    before = len(errors)
    external_id = _string(line, record, "id", MAX_ID, errors)
    text = _string(line, record, "text", MAX_TEXT, errors)
    context = _string(line, record, "context", MAX_CONTEXT, errors)
    media_url = _string(line, record, "media_url", MAX_URL, errors)
    explanation = _string(line, record, "explanation", MAX_CONTEXT, errors)
    if external_id == "":
        errors.append(LineError(line, "id", _("every item needs an id.")))
    if text == "":
        errors.append(LineError(line, "text", _("every item needs a text.")))
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(LineError(line, "media_url", _("not an http(s) address.")))
    qualification = _flag(line, record.get("qualification", ""), errors)
    raw_gold = record.get("gold")
    has_gold = raw_gold is not None and not (from_csv and str(raw_gold).strip() == "")
    gold = None
    if has_gold:
        gold = clean_value(
            spec,
            raw_gold,
            text=text or "",
            from_csv=from_csv,
            line=line,
            field="gold",
            errors=errors,
        )
    if qualification and not has_gold:
        errors.append(
            LineError(
                line,
                "qualification",
                _("a qualification item needs its known answer in “gold”."),
            )
        )
    if len(errors) > before:
        return None
    assert external_id is not None and text is not None
    return ParsedItem(
        line=line,
        external_id=external_id,
        text=text,
        gold=gold,
        is_gold=has_gold,
        is_qualification=bool(qualification),
        context=context or "",
        media_url=media_url or "",
        explanation=(explanation or "") if has_gold else "",
    )


def _flag(line: int, value: Any, errors: list[LineError]) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    errors.append(LineError(line, "qualification", _("write 1 or 0 (or true/false).")))
    return False


def clean_value(
    spec: Spec,
    raw: Any,
    *,
    text: str,
    from_csv: bool = False,
    line: int = 0,
    field: str = "answer",
    errors: list[LineError] | None = None,
) -> Any:
    """A gold answer or a worker's answer in the batch's shape: a label, a sorted list of
    labels, a text, or sorted ``[start, end, label]`` spans. With ``errors``, problems are
    appended and None returned; without, the first is raised as an error on ``field``."""
    found: list[LineError] = []
    value = _shape(spec, raw, text, from_csv, line, field, found)
    if found:
        if errors is None:
            message = found[0].message
            raise invalid_field(field, message[:1].upper() + message[1:])
        errors.extend(found)
        return None
    return value


def _shape(
    spec: Spec,
    raw: Any,
    text: str,
    from_csv: bool,
    line: int,
    field: str,
    errors: list[LineError],
) -> Any:
    labels = spec.labels
    listed = ", ".join(labels)
    if spec.task_type == aggregation.SINGLE_LABEL:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            errors.append(LineError(line, field, _("must be one label.")))
            return None
        label = str(raw).strip()
        if label not in labels:
            errors.append(
                LineError(
                    line,
                    field,
                    _("“%(value)s” is not one of the labels (%(labels)s).")
                    % {"value": label[:60], "labels": listed},
                )
            )
            return None
        return label
    if spec.task_type == aggregation.MULTI_LABEL:
        if from_csv or isinstance(raw, str):
            raw = [part for part in str(raw).split("|") if part.strip()]
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            errors.append(LineError(line, field, _("must be a list of labels.")))
            return None
        chosen = [v.strip() for v in raw]
        for value in chosen:
            if value not in labels:
                errors.append(
                    LineError(
                        line,
                        field,
                        _("“%(value)s” is not one of the labels (%(labels)s).")
                        % {"value": value[:60], "labels": listed},
                    )
                )
                return None
        if len(set(chosen)) != len(chosen):
            errors.append(LineError(line, field, _("a label is listed twice.")))
            return None
        return sorted(chosen, key=labels.index)
    if spec.task_type == aggregation.TRANSCRIPTION:
        if not isinstance(raw, str):
            errors.append(LineError(line, field, _("must be text.")))
            return None
        value = raw.strip()
        if not value:
            errors.append(LineError(line, field, _("must not be empty.")))
            return None
        if len(value) > MAX_TEXT:
            errors.append(
                LineError(line, field, _("too long: at most %(n)d characters.") % {"n": MAX_TEXT})
            )
            return None
        return value
    if spec.task_type == aggregation.SPANS:
        return _spans(raw, text, labels, from_csv, line, field, errors)
    raise ValueError(spec.task_type)


def _offset(raw: Any) -> int:
    """A span offset exactly as written: a JSON integer or ASCII digits. Not a boolean
    (``true`` is not 1), not a float (1.9 is not 1), not other scripts' digits."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return int(raw)
    raise ValueError(raw)


def _spans(
    raw: Any,
    text: str,
    labels: Sequence[str],
    from_csv: bool,
    line: int,
    field: str,
    errors: list[LineError],
) -> list[list[Any]] | None:
    shape_error = _(
        "spans are written start:end:label separated by | (in JSON: a list of "
        '{"start", "end", "label"} objects).'
    )
    entries: list[tuple[Any, Any, Any]] = []
    if from_csv or isinstance(raw, str):
        for part in (p.strip() for p in str(raw).split("|")):
            if not part:
                continue
            pieces = part.split(":", 2)
            if len(pieces) != 3:
                errors.append(LineError(line, field, shape_error))
                return None
            entries.append((pieces[0].strip(), pieces[1].strip(), pieces[2].strip()))
    elif isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict) and set(entry) == {"start", "end", "label"}:
                entries.append((entry["start"], entry["end"], entry["label"]))
            elif isinstance(entry, list) and len(entry) == 3:
                entries.append((entry[0], entry[1], entry[2]))
            else:
                errors.append(LineError(line, field, shape_error))
                return None
    else:
        errors.append(LineError(line, field, shape_error))
        return None
    spans: list[list[Any]] = []
    for start_raw, end_raw, label in entries:
        try:
            start, end = _offset(start_raw), _offset(end_raw)
        except (TypeError, ValueError):
            errors.append(LineError(line, field, shape_error))
            return None
        if not 0 <= start < end <= len(text):
            errors.append(
                LineError(
                    line,
                    field,
                    _("the span %(start)s:%(end)s is outside the text (0–%(length)d).")
                    % {"start": start, "end": end, "length": len(text)},
                )
            )
            return None
        if not isinstance(label, str) or label not in labels:
            errors.append(
                LineError(
                    line,
                    field,
                    _("“%(value)s” is not one of the labels (%(labels)s).")
                    % {"value": str(label)[:60], "labels": ", ".join(labels)},
                )
            )
            return None
        spans.append([start, end, label])
    spans.sort(key=lambda s: (s[0], s[1]))
    for previous, current in itertools.pairwise(spans):
        if current[0] < previous[1]:
            errors.append(LineError(line, field, _("spans must not overlap.")))
            return None
    return spans
