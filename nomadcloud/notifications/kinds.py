"""The registry of notification kinds: each app registers the kinds it sends, with a title
and a body written as ``gettext_lazy`` templates with ``%(name)s`` parameters.

The templates are rendered when the notification is shown or e-mailed, in the reader's
language (the recipient's ``preferred_language`` for e-mail), so a stored notification keeps
only its kind and parameters. Register in the app's ``AppConfig.ready()`` (or a module it
imports), so that every kind is known before anything is sent:

    register(
        "orders.delivered",
        title=_("Work delivered: %(order)s"),
        body=_("%(nomad)s delivered work on %(order)s; please review it."),
    )
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise

MAX_KIND_LENGTH = 60


@dataclass(frozen=True)
class Kind:
    key: str
    title: Promise
    body: Promise
    email_default: bool = True
    label: Promise | None = None

    def describe(self) -> str:
        """What the kind is about, for the e-mail settings page: its label, or its title
        with the parameters left out."""
        if self.label is not None:
            return str(self.label)
        return render(self.title, {}, missing="…")


_REGISTRY: dict[str, Kind] = {}


def register(
    kind: str,
    *,
    title: Promise,
    body: Promise,
    email_default: bool = True,
    label: Promise | None = None,
) -> Kind:
    """Register (or re-register, e.g. on reload) a kind of notification. ``label`` (optional)
    names the kind on the e-mail settings page; without it the title is shown."""
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValueError(f"a notification kind needs 1–{MAX_KIND_LENGTH} characters: {kind!r}")
    spec = Kind(key=kind, title=title, body=body, email_default=email_default, label=label)
    _REGISTRY[kind] = spec
    return spec


def get(kind: str) -> Kind | None:
    return _REGISTRY.get(kind)


def all_kinds() -> list[Kind]:
    return sorted(_REGISTRY.values(), key=lambda k: k.key)


class _Params(dict[str, str]):
    """Parameters for rendering; a parameter the template names but the sender did not give
    shows as ``missing`` (an em dash) instead of failing the page."""

    missing = "—"

    def __missing__(self, key: str) -> str:
        return self.missing


def render(
    template: Promise,
    params: Mapping[str, object],
    language: str | None = None,
    *,
    missing: str = "—",
) -> str:
    """The template in ``language`` (the active language when None), filled with params."""
    values = _Params({str(k): str(v) for k, v in params.items()})
    values.missing = missing
    if language:
        with translation.override(language):
            text = str(template)
    else:
        text = str(template)
    try:
        return text % values
    except (TypeError, ValueError):  # a translation with broken placeholders
        return text
