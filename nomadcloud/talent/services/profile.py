"""The profile itself: its fields, languages, portfolio links, and removing an item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    require_person,
    require_write,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.money import to_cny
from nomadcloud.core.numbers import NumberRefused
from nomadcloud.talent.events import send_profile_changed
from nomadcloud.talent.models import (
    SECTIONS,
    PortfolioLink,
    Profile,
    ProfileLanguage,
    ProfileSkill,
    ProfileTool,
    Project,
)
from nomadcloud.talent.schemas import ProfileChanges
from nomadcloud.talent.services._common import (
    LANGUAGE_CODE,
    clean_text,
    clean_url,
    ensure_profile,
    record,
    time_zones,
)
from nomadcloud.taxonomy import naming

# --- the profile -----------------------------------------------------------------------------


@transaction.atomic
def update_profile(*, principal: Principal, changes: ProfileChanges) -> Profile:
    """Change the profile's own fields; only what is given (not null) changes.
    ``rate_amount`` ``""`` with ``rate_unit`` ``""`` clears the expected rate."""
    user = require_person(principal)
    require_write(principal)
    new: dict[str, Any] = {  # the texts and the availability, as the draft checked them
        name: getattr(changes, name)
        for name in changes.model_fields_set - {"visibility", "rate_amount", "rate_unit"}
        if getattr(changes, name) is not None
    }
    if "time_zone" in new and new["time_zone"] not in time_zones():
        raise invalid_field(
            "time_zone", _("Enter an IANA time zone such as Asia/Shanghai or Europe/Lisbon.")
        )
    if changes.rate_amount is not None or changes.rate_unit is not None:
        amount: Decimal | None
        if changes.rate_amount in (None, ""):
            amount = None
        else:
            try:
                amount = to_cny(changes.rate_amount)
            except NumberRefused as exc:  # the same message as the form's (core/numbers.py)
                raise invalid_field("rate_amount", exc.message) from None
            if amount < 0 or amount >= Decimal("10000000000"):
                raise invalid_field("rate_amount", _("Enter an amount from 0 to 9,999,999,999."))
        unit = changes.rate_unit or ""
        if (amount is None) != (unit == ""):
            raise invalid_field(
                "rate_unit" if amount is not None else "rate_amount",
                _("Give both the amount and whether it is per hour, day or month."),
            )
        new["rate_amount"] = amount
        new["rate_unit"] = unit
    for section in SECTIONS:
        value = getattr(changes.visibility, section, None)
        if value is not None:
            new[f"{section}_visibility"] = value
    profile = ensure_profile(user)
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    changed = [f for f, v in new.items() if getattr(profile, f) != v]
    if changed:
        for field in changed:
            setattr(profile, field, new[field])
        profile.save(update_fields=[*changed, "updated_at"])
        # Names only: profile text is the nomad's own data and stays out of the audit log.
        record(principal, "talent.profile.update", profile, {"fields": sorted(changed)})
        send_profile_changed([profile.pk])
    return profile


@transaction.atomic
def set_language(*, principal: Principal, language: str, level: str) -> ProfileLanguage:
    user = require_person(principal)
    require_write(principal)
    code = language.strip().lower()
    if not LANGUAGE_CODE.match(code) or len(code) > 12 or code in naming.ISO_ALIASES:
        # Not a code: a name such as 中文 or English.
        code = naming.language_iso(language, field="language")
    if level not in ProfileLanguage.Level.values:
        raise invalid_field("level", _("Choose a level from A1 to C2, or native."))
    profile = ensure_profile(user)
    item, _created = ProfileLanguage.objects.update_or_create(
        profile=profile, language=code, defaults={"level": level}
    )
    record(principal, "talent.language.set", item, {"language": code, "level": level})
    send_profile_changed([profile.pk])
    return item


@transaction.atomic
def add_link(*, principal: Principal, title: str, url: str) -> PortfolioLink:
    user = require_person(principal)
    require_write(principal)
    title = clean_text("title", title, 100)
    if not title:
        raise invalid_field("title", _("This field is required."))
    clean = clean_url("url", url)
    if not clean:
        raise invalid_field("url", _("This field is required."))
    profile = ensure_profile(user)
    if profile.links.count() >= 20:
        raise Conflict(_("A profile holds at most 20 links."), code="too_many_links")
    link = PortfolioLink.objects.create(profile=profile, title=title, url=clean)
    record(principal, "talent.link.add", link, {"url": clean})
    return link


@transaction.atomic
def remove_item(
    *,
    principal: Principal,
    item: ProfileLanguage | PortfolioLink | ProfileSkill | Project | ProfileTool,
) -> None:
    """Remove a row of one's own profile (fetched with ``access.own_item``)."""
    require_write(principal)
    record(principal, f"talent.{item._meta.model_name}.remove", item, before={"id": item.pk})
    item.delete()
    if not isinstance(item, PortfolioLink):  # links are not matched on
        send_profile_changed([item.profile_id])
