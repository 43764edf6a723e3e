"""``{% icon "check" %}``: an icon from the platform's own SVG sprite (static
nomadcloud/icons.svg, docs/decisions/0015) instead of an emoji. Decorative by default (hidden
from screen readers: the text beside it says the same); ``label="…"`` makes it an image with
that name. Sized by attributes (1.25em), coloured by the text around it: no inline style."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

ICONS = frozenset({"check", "x", "ban", "alert", "info", "bell", "chart"})


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    if name not in ICONS:
        raise template.TemplateSyntaxError(f"unknown icon {name!r}")
    href = f"{static('nomadcloud/icons.svg')}#{name}"
    if label:
        return format_html(
            '<svg class="icon icon-{}" width="1.25em" height="1.25em" role="img" '
            'aria-label="{}"><use href="{}"></use></svg>',
            name,
            label,
            href,
        )
    return format_html(
        '<svg class="icon icon-{}" width="1.25em" height="1.25em" aria-hidden="true" '
        'focusable="false"><use href="{}"></use></svg>',
        name,
        href,
    )
