"""``{{ value|tr }}``: catalogue text in the reader's language (onecard/content.py), with
machine-translated text marked."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from nomadcloud.onecard import content

register = template.Library()


@register.filter
def tr(value: Any) -> SafeString | str:
    text = content.text(value)
    if content.is_machine(value):
        return format_html('{} <small class="machine">({})</small>', text, _("machine-translated"))
    return text
