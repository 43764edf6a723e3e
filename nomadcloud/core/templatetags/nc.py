from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.html import conditional_escape, format_html
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nomadcloud.core import display
from nomadcloud.core.i18n import is_machine_translated, language_of, localized, localized_text
from nomadcloud.core.money import format_cny, format_cny_headline
from nomadcloud.core.workdays import clock_state

register = template.Library()


@register.filter
def cny(amount: Decimal | None) -> str:
    return "" if amount is None else format_cny(Decimal(amount))


@register.filter
def cny_headline(amount: Decimal | int | None) -> str:
    """``{{ amount|cny_headline }}``: 20亿元 on Chinese pages, ¥2 billion on English ones.

    Rounded for reading (core.money.format_cny_headline): only for headline figures, never
    where the exact amount matters (prices, balances, payments use ``cny``).
    """
    if amount is None:
        return ""
    chinese = (get_language() or "").lower().startswith("zh")
    return format_cny_headline(Decimal(amount), chinese=chinese)


@register.filter
def language_label(code: str) -> str:
    """``{{ "en"|language_label }}``: 英语 on Chinese pages, English on English ones (CLDR names
    through Babel); an unknown code is shown as it is."""
    ui = "zh_Hans" if (get_language() or "").lower().startswith("zh") else "en"
    try:
        return str(Locale.parse(ui).languages.get(str(code).replace("-", "_"), code))
    except (ValueError, UnknownLocaleError):
        return str(code)


@register.simple_tag
def loc(obj: Any, field: str) -> str:
    """``{% loc org "name" %}``: the reader's language, the other one as fallback."""
    return localized(obj, field)


def _audit_value(value: Any, field: Any) -> str:
    """One recorded value as a person reads it: choice labels, yes/no, no braces."""
    if value == "[personal]":
        return _("(personal, not shown)")
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(field, "flatchoices", None) or ())
    if not isinstance(value, list | dict) and value in choices:
        return str(choices[value])
    if isinstance(value, list):
        return "、".join(_audit_value(v, None) for v in value) if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_audit_value(v, None)}" for k, v in value.items())
    if isinstance(value, str):
        return display.readable(value) or value
    return str(value)


def _model_of(event: Any) -> type[Model] | None:
    try:
        return apps.get_model(str(event.object_type))
    except (LookupError, ValueError):
        return None


@register.filter
def audit_object(event: Any) -> str:
    """``person 12`` rather than ``accounts.user:12``."""
    model = _model_of(event)
    name = capfirst(model._meta.verbose_name) if model else event.object_type
    return f"{name} {event.object_id}"


@register.filter
def audit_changes(event: Any) -> list[tuple[str, str, str]]:
    """``(field label, before, after)`` for each field an audit event recorded."""
    summary = event.summary if isinstance(event.summary, dict) else {}
    before = summary.get("before") or {}
    after = summary.get("after") or {}
    model = _model_of(event)
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        try:
            field = model._meta.get_field(key) if model else None
        except FieldDoesNotExist:
            field = None
        label = capfirst(str(getattr(field, "verbose_name", "") or key.replace("_", " ")))
        rows.append(
            (
                label,
                _audit_value(before.get(key), field) if key in before else "—",
                _audit_value(after.get(key), field) if key in after else "—",
            )
        )
    return rows


@register.filter
def tr(value: Any) -> str:
    """``{{ service.name|tr }}``: a multilingual JSON value in the reader's language (the
    fallback chain of core/i18n.py). Text in another language than the page's carries its
    ``lang``; machine-translated text is marked for the reader."""
    text = localized_text(value)
    if not text:
        return ""
    tag = language_of(value)
    page = (get_language() or "zh-hans").lower()
    same = tag.lower() == page or tag.lower().split("-")[0] == page.split("-")[0]
    if is_machine_translated(value):
        return format_html(
            '<span lang="{}" class="nc-machine">{}</span> '
            '<small class="nc-machine-note">{}</small>',
            tag,
            text,
            _("(machine translation)"),
        )
    if same:
        return conditional_escape(text)
    return format_html('<span lang="{}">{}</span>', tag, text)


@register.inclusion_tag("core/clock.html")
def clock(c: Any, now: Any = None) -> dict[str, Any]:
    """``{% clock application.clock %}``: the deadline, its colour (green, yellow from 80 %,
    red overdue) and what is left; nothing for no clock."""
    if c is None:
        return {"clock": None}
    return {"clock": c, "state": clock_state(c, now)}


@register.filter
def unit_label(name: str) -> str:
    """A dated parameter's unit in words (core.rules.unit_label)."""
    from nomadcloud.core import rules

    return rules.unit_label(str(name))
