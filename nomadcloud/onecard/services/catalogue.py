"""The catalogue's use cases: items, their immutable versions and their life
(draft → in_review → published ⇄ suspended → retired)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.units import resolve_unit
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError, InvalidInput
from nomadcloud.onecard import content, transitions
from nomadcloud.onecard.models import ItemVersion, ServiceItem
from nomadcloud.onecard.transitions import Role

TRANSLATED = ("name", "summary", "legal_basis")


@dataclass
class VersionDraft:
    """What a new version of an item's guide says."""

    content: dict[str, dict[str, str]]
    statutory_days: int
    promised_days: int
    conditions: list[dict[str, Any]] = field(default_factory=list)
    materials: list[dict[str, Any]] = field(default_factory=list)
    form_schema: dict[str, Any] = field(default_factory=dict)
    legal_basis_url: str = ""
    fee: Decimal = Decimal("0.00")
    visits: int = 0
    result_type: str = "certificate"
    four_eyes: bool = False
    allows_gaps: bool = False
    channels: list[str] = field(default_factory=lambda: ["online", "window", "phone"])
    phone: str = "0898-12345"


def responsible_unit(text: str) -> Organisation:
    """The competent department named by ``text`` (code, name or the way plans write it),
    resolved through the units registry (``unknown_unit`` with suggestions); a unit that
    is not a government department is refused (``not_a_department``)."""
    unit = resolve_unit(text)
    if unit.kind != Organisation.Kind.DEPARTMENT:
        message = _("The competent authority must be a government department.")
        raise InvalidInput(message, code="not_a_department", fields={"department": [message]})
    return unit


def _check_version(draft: VersionDraft) -> None:
    problems: dict[str, list[str]] = {}
    if draft.promised_days > draft.statutory_days:
        problems["promised_days"] = [
            _("The promised time limit cannot be longer than the statutory one.")
        ]
    if draft.promised_days < 1:
        problems["promised_days"] = [_("Give a time limit of at least one working day.")]
    if draft.visits not in (0, 1):
        problems["visits"] = [_("An item needs at most one visit in person (最多跑一次).")]
    if draft.fee < 0:
        problems["fee"] = [_("A fee cannot be negative.")]
    if draft.form_schema:
        try:
            Draft202012Validator.check_schema(draft.form_schema)
        except SchemaError as exc:
            problems["form_schema"] = [
                _("The form is not a valid JSON Schema: %(error)s") % {"error": exc.message[:200]}
            ]
    url = draft.legal_basis_url
    if url and (not url.startswith(("https://", "http://")) or len(url) > 200 or " " in url):
        problems["legal_basis_url"] = [_("Give the legal basis link as an http(s) address.")]
    codes = [m.get("code") for m in draft.materials]
    if len(codes) != len(set(codes)) or not all(isinstance(c, str) and c for c in codes):
        problems["materials"] = [_("Every material needs its own code.")]
    if problems:
        raise InvalidInput(_("The item's guide has problems."), fields=problems)


def _fields(draft: VersionDraft) -> dict[str, Any]:
    return {
        "content": draft.content,
        "legal_basis_url": draft.legal_basis_url,
        "conditions": draft.conditions,
        "materials": draft.materials,
        "form_schema": draft.form_schema,
        "statutory_days": draft.statutory_days,
        "promised_days": draft.promised_days,
        "fee": draft.fee,
        "visits": draft.visits,
        "result_type": draft.result_type,
        "four_eyes": draft.four_eyes,
        "allows_gaps": draft.allows_gaps,
        "channels": draft.channels,
        "phone": draft.phone,
    }


def _version(item: ServiceItem, draft: VersionDraft, number: int) -> ItemVersion:
    return ItemVersion.objects.create(
        item=item,
        number=number,
        content=draft.content,
        legal_basis_url=draft.legal_basis_url,
        conditions=draft.conditions,
        materials=draft.materials,
        form_schema=draft.form_schema,
        statutory_days=draft.statutory_days,
        promised_days=draft.promised_days,
        fee=draft.fee,
        visits=draft.visits,
        result_type=draft.result_type,
        four_eyes=draft.four_eyes,
        allows_gaps=draft.allows_gaps,
        channels=draft.channels,
        phone=draft.phone,
        valid_from=timezone.localdate(),
    )


@transaction.atomic
def create_item(
    *,
    actor: User | None,
    code: str,
    number: int,
    kind: str,
    department: Organisation,
    handler: str,
    draft: VersionDraft,
    deep_link: str = "",
    external_url: str = "",
    audience: list[str] | None = None,
    life_events: list[str] | None = None,
) -> ServiceItem:
    if ServiceItem.objects.filter(code=code).exists():
        raise Conflict(_("An item with this code exists."), code="duplicate_code")
    if handler not in ServiceItem.Handler.values:
        raise InvalidInput(_("Unknown handler."), fields={"handler": [_("Unknown handler.")]})
    _check_version(draft)
    item = ServiceItem.objects.create(
        code=code,
        number=number,
        kind=kind,
        department=department,
        handler=handler,
        deep_link=deep_link,
        external_url=external_url,
        audience=audience or [],
        life_events=life_events or [],
    )
    version = _version(item, draft, 1)
    item.current_version = version
    item.save(update_fields=["current_version"])
    audit.record(actor=actor, action="onecard.item.create", obj=item, organisation=department)
    return item


@transaction.atomic
def save_draft(
    item: ServiceItem, *, actor: User | None, roles: set[Role], draft: VersionDraft
) -> ItemVersion:
    """Save a change to the item's guide as its draft version (``item.draft_version``).

    A version that applicants have seen is never changed: the first change after a
    publication makes a new version number; later changes before the next publication
    rewrite that unpublished draft. The draft becomes the current version only when it is
    published (``publish`` for an item in review, ``publish_version`` for a published or
    suspended one)."""
    row = (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("draft_version")
        .get(pk=item.pk)
    )
    transitions.check(transitions.ITEM, row.status, "edit", roles)
    _check_version(draft)
    pending = row.draft_version
    if pending is not None:
        for name, value in _fields(draft).items():
            setattr(pending, name, value)
        pending.save()
        version = pending
    else:
        last = row.versions.order_by("-number").values_list("number", flat=True).first()
        version = _version(row, draft, (last or 0) + 1)
        row.draft_version = version
        row.save(update_fields=["draft_version"])
    item.draft_version = version
    audit.record(
        actor=actor,
        action="onecard.item.draft",
        obj=row,
        organisation=row.department,
        after={"version": version.number},
    )
    return version


def _promote(row: ServiceItem) -> ItemVersion | None:
    """Make the draft version the current one (on publication)."""
    pending = row.draft_version
    if pending is None:
        return None
    pending.valid_from = timezone.localdate()
    pending.save(update_fields=["valid_from"])
    row.current_version = pending
    row.draft_version = None
    row.save(update_fields=["current_version", "draft_version"])
    return pending


def publication_problems(
    item: ServiceItem, version: ItemVersion | None = None
) -> dict[str, list[str]]:
    """Why the item (or the version about to be published) may not be published:
    translations, legal basis, competent authority."""
    problems: dict[str, list[str]] = {}
    version = version or item.draft_version or item.current_version
    if version is None:
        return {"version": [_("The item has no guide yet.")]}
    for key in TRANSLATED:
        missing = content.missing_languages(version.content.get(key))
        if missing:
            problems[key] = [
                _("Give the text in %(languages)s.") % {"languages": ", ".join(missing)}
            ]
    if "legal_basis" in problems:
        problems["legal_basis"] = [_("Name the legal basis in zh-Hans and en.")]
    if item.department.kind != Organisation.Kind.DEPARTMENT:
        problems["department"] = [_("The competent authority must be a government department.")]
    return problems


@transaction.atomic
def move_item(
    item: ServiceItem, action: str, *, actor: User | None, roles: set[Role]
) -> ServiceItem:
    """submit_review, publish, return, suspend, resume, retire, publish_version (the
    draft version of a published or suspended item becomes the current one)."""
    row = (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("department", "current_version", "draft_version")
        .get(pk=item.pk)
    )
    move = transitions.check(transitions.ITEM, row.status, action, roles)
    if action == "publish_version" and row.draft_version is None:
        raise Conflict(
            _("There is no changed version to publish: edit the guide first."),
            code="no_draft_version",
        )
    publishing = action in ("publish", "publish_version", "submit_review") or (
        move.target == ServiceItem.Status.PUBLISHED and row.draft_version is not None
    )
    if publishing:
        problems = publication_problems(row)
        if problems:
            raise DomainError(
                _("This item cannot be published yet."), code="not_publishable", fields=problems
            )
    before = {
        "status": row.status,
        "version": row.current_version.number if row.current_version else None,
    }
    if action in ("publish", "publish_version"):
        _promote(row)
    row.status = move.target
    row.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=f"onecard.item.{action}",
        obj=row,
        organisation=row.department,
        before=before,
        after={
            "status": row.status,
            "version": row.current_version.number if row.current_version else None,
        },
    )
    item.status = row.status
    item.current_version = row.current_version
    item.draft_version = row.draft_version
    return row
