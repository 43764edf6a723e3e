"""The units registry (design §3.5): government departments, the zone operator and public
units (state-owned companies, a bank branch) named by plans, supervision and routing. Plans
spell a unit several ways (科工信局, 市科工信局, 儋州市科学技术工业信息化局); ``resolve_unit``
accepts its code, either name or any ``UnitAlias``, and refuses anything else with the
closest known names as suggestions (DomainError ``unknown_unit``)."""

from __future__ import annotations

import difflib
import unicodedata

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, UnitAlias, User
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError, invalid_field

UNIT_KINDS = (
    Organisation.Kind.DEPARTMENT,
    Organisation.Kind.PUBLIC_UNIT,
    Organisation.Kind.OPERATOR,
)
MAX_SUGGESTIONS = 5


class UnknownUnit(DomainError):
    code = "unknown_unit"

    def __init__(self, text: str, suggestions: list[str]) -> None:
        if suggestions:
            message = _("No unit is called “%(text)s”. Did you mean: %(names)s?") % {
                "text": text,
                "names": "、".join(suggestions),
            }
        else:
            message = _("No unit is called “%(text)s”.") % {"text": text}
        super().__init__(message, fields={"unit": [message]})
        self.suggestions = suggestions


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits folded), whitespace removed, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def units() -> list[Organisation]:
    return list(Organisation.objects.filter(kind__in=UNIT_KINDS).order_by("id"))


def resolve_unit(text: str) -> Organisation:
    """The unit ``text`` names (code, Chinese or English name, or alias)."""
    key = normalise(text)
    if not key:
        raise UnknownUnit(text, [])
    alias = UnitAlias.objects.filter(text=key).select_related("organisation").first()
    if alias is not None:
        return alias.organisation
    candidates = units()
    for unit in candidates:
        if key in {normalise(unit.code or ""), normalise(unit.name_zh), normalise(unit.name_en)}:
            return unit
    names: dict[str, str] = {}
    for unit in candidates:
        shown = unit.name_zh or unit.name_en
        for spelling in (unit.name_zh, unit.name_en, unit.code or ""):
            if spelling:
                names[normalise(spelling)] = shown
    for alias_text, zh, en in UnitAlias.objects.values_list(
        "text", "organisation__name_zh", "organisation__name_en"
    ):
        names[alias_text] = zh or en
    close = difflib.get_close_matches(key, list(names), n=MAX_SUGGESTIONS * 2, cutoff=0.4)
    close += [spelling for spelling in names if key in spelling or spelling in key]
    suggestions = list(dict.fromkeys(names[c] for c in close))[:MAX_SUGGESTIONS]
    raise UnknownUnit(text, suggestions)


@transaction.atomic
def add_alias(*, text: str, organisation: Organisation, actor: User | None) -> UnitAlias:
    key = normalise(text)
    if not key or len(key) > 100:
        raise invalid_field("text", _("Give the alias (at most 100 characters)."))
    if organisation.kind not in UNIT_KINDS:
        raise invalid_field("organisation", _("Only departments and public units have aliases."))
    existing = UnitAlias.objects.filter(text=key).first()
    if existing is not None:
        if existing.organisation_id == organisation.pk:
            return existing
        raise Conflict(_("This alias already names another unit."), code="alias_taken")
    clash = Organisation.objects.filter(kind__in=UNIT_KINDS).exclude(pk=organisation.pk)
    if clash.filter(
        Q(name_zh=text.strip()) | Q(name_en=text.strip()) | Q(code=text.strip())
    ).exists():
        raise Conflict(_("This alias already names another unit."), code="alias_taken")
    alias = UnitAlias.objects.create(text=key, organisation=organisation)
    audit.record(
        actor=actor,
        action="accounts.unit_alias.create",
        obj=alias,
        organisation=organisation,
        after={"text": key},
    )
    return alias
