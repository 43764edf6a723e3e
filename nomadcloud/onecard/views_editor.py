"""The catalogue editor's page of one item: its guide (办事指南) in every language it has,
edited as a draft version, and the publication of that version. The competent
department's owners and administrators and the zone operator edit; a version applicants
have seen is never changed (``services.catalogue.save_draft``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.core.pages import domain_errors
from nomadcloud.onecard import access, content, transitions
from nomadcloud.onecard.forms import CONTENT_KEYS, VersionForm
from nomadcloud.onecard.models import ItemVersion, ServiceItem
from nomadcloud.onecard.services import catalogue
from nomadcloud.onecard.views import ITEM_MOVES

EXTRA_LANGUAGES = ("ja", "ko", "ru", "fr", "de", "es")


def _languages(version: ItemVersion | None, extra: str) -> list[str]:
    """zh-Hans and en, then every language the guide already has, then one asked for."""
    found: list[str] = list(content.REQUIRED)
    for value in version.content.values() if version else []:
        found += [t for t in content.languages(value) if t not in found]
    if extra in EXTRA_LANGUAGES and extra not in found:
        found.append(extra)
    return found


def _initial(version: ItemVersion | None) -> dict[str, Any]:
    if version is None:
        return {"channels": ["online", "window", "phone"], "visits": 0}
    return {
        "content": version.content,
        "legal_basis_url": version.legal_basis_url,
        "statutory_days": version.statutory_days,
        "promised_days": version.promised_days,
        "fee": version.fee,
        "visits": version.visits,
        "four_eyes": version.four_eyes,
        "allows_gaps": version.allows_gaps,
        "channels": version.channels,
        "phone": version.phone,
        "result_type": version.result_type,
        "materials": version.materials,
        "conditions": version.conditions,
        "form_schema": version.form_schema,
    }


def version_draft(form: VersionForm) -> catalogue.VersionDraft:
    data = form.cleaned_data
    return catalogue.VersionDraft(
        content=form.content(),
        statutory_days=data["statutory_days"],
        promised_days=data["promised_days"],
        conditions=data["conditions"],
        materials=data["materials"],
        form_schema=data["form_schema"],
        legal_basis_url=data["legal_basis_url"],
        fee=data["fee"],
        visits=data["visits"],
        result_type=data["result_type"],
        four_eyes=data["four_eyes"],
        allows_gaps=data["allows_gaps"],
        channels=data["channels"],
        phone=data["phone"],
    )


@login_required
@domain_errors
def edit_item(request: HttpRequest, code: str) -> HttpResponse:
    principal = Principal.of(request)
    user = require_person(principal)
    item = access.item_for(principal, code, manage=True)
    roles = access.item_roles(principal, item)
    item = ServiceItem.objects.select_related("department", "current_version", "draft_version").get(
        pk=item.pk
    )
    shown = item.draft_version or item.current_version
    languages = _languages(shown, str(request.GET.get("language", ""))[:10])
    form = VersionForm(initial=_initial(shown), languages=languages)
    status = 200
    if request.method == "POST":
        form = VersionForm(request.POST, initial=_initial(shown), languages=languages)
        if form.is_valid():
            try:
                version = catalogue.save_draft(
                    item, actor=user, roles=roles, draft=version_draft(form)
                )
            except DomainError as exc:
                for field, problems in exc.fields.items():
                    target = field if field in form.fields else None
                    if f"c_{field}" in form.fields:
                        target = f"c_{field}"
                    for problem in problems:
                        form.add_error(target, problem)
                if not exc.fields:
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Saved as version %(number)s, not yet published.")
                    % {"number": version.number},
                )
                return redirect("onecard:edit_item", item.code)
        else:
            status = 400
    moves = transitions.moves_for(transitions.ITEM, item.status, roles)
    return render(
        request,
        "onecard/edit_item.html",
        {
            "item": item,
            "form": form,
            "content_fields": [form[f"c_{k}"] for k in CONTENT_KEYS],
            "versions": item.versions.order_by("-number"),
            "moves": [(m, label) for m, label in ITEM_MOVES.items() if m in moves],
            "may_edit": "edit" in moves,
            "extra_languages": [t for t in EXTRA_LANGUAGES if t not in languages],
        },
        status=status,
    )
