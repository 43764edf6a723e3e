"""``{{ value|tr }}``: multilingual content in the reader's language, marked when it was
machine-translated."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from nomadcloud.communities.text import is_machine, tr

register = template.Library()


@register.filter(name="tr")
def tr_filter(value: Any) -> SafeString:
    text = tr(value)
    if is_machine(value):
        return format_html('{} <small class="machine">({})</small>', text, _("machine translation"))
    return format_html("{}", text)
