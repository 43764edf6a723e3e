"""Showing concepts and languages by name in templates, never by code."""

from __future__ import annotations

from django import template

from nomadcloud.taxonomy import lookup, naming

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """A working language's name in the page's language, from its ISO 639 code."""
    return naming.language_name(str(code))


@register.filter
def concept_label(code: str) -> str:
    """A concept's label in the page's language, from its code."""
    return lookup.label_of(str(code)) or str(code)
