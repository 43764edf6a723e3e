"""The catalogue editor: an item's guide is edited as a draft version (page and API), in
every language it has, and published as a new version; a published version is never
changed in place, applications keep theirs; editing is for the competent department's
owners and administrators and the zone operator only. And the daily escalation of
overdue applications to the department's head, shown on the officers' queue."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from nomadcloud.accounts.models import Membership
from nomadcloud.core.models import Clock
from nomadcloud.notifications.models import Notification
from nomadcloud.onecard.access import application_roles
from nomadcloud.onecard.models import Application, Escalation, ItemVersion, ServiceItem
from nomadcloud.onecard.services import applications as svc
from nomadcloud.onecard.services import escalation
from tests.builders.onecard import onecard_zone, rita_submitted
from tests.builders.world import make_person
from tests.conftest import World, client_for
from tests.helpers import api_post, as_client, assert_error

pytestmark = pytest.mark.django_db

CODE = "KGX-GF-002"


def _form(version: ItemVersion, **changes: Any) -> dict[str, Any]:
    c = version.content
    data: dict[str, Any] = {
        "legal_basis_url": version.legal_basis_url,
        "statutory_days": version.statutory_days,
        "promised_days": version.promised_days,
        "fee": "0.00",
        "visits": version.visits,
        "four_eyes": "on" if version.four_eyes else "",
        "channels": version.channels,
        "phone": version.phone,
        "result_type": version.result_type,
        "materials": json.dumps(version.materials),
        "conditions": json.dumps(version.conditions),
        "form_schema": json.dumps(version.form_schema),
    }
    for key in ("name", "summary", "legal_basis", "process", "location", "hours"):
        for tag in ("zh-Hans", "en"):
            data[f"c_{key}_{tag}"] = (c.get(key) or {}).get(tag, "")
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_editor_saves_a_draft_version_and_publishes_it(world: World) -> None:
    zone = onecard_zone(world)
    item = ServiceItem.objects.get(code=CODE)
    published = item.current_version
    assert published is not None
    editor = client_for(zone.approver, HTTP_ACCEPT_LANGUAGE="en")  # 科工信局's owner
    page = editor.get(f"/services/manage/{CODE}/edit/")
    assert page.status_code == 200 and 'data-testid="version-form"' in page.content.decode()

    response = editor.post(
        f"/services/manage/{CODE}/edit/",
        _form(published, promised_days="4", **{"c_name_en": "Visa letter (faster)"}),
        follow=True,
    )
    assert response.status_code == 200, response.content[:400]
    item.refresh_from_db()
    draft = item.draft_version
    assert draft is not None and draft.number == published.number + 1
    assert item.current_version_id == published.pk  # applicants still see the old one
    published.refresh_from_db()
    assert (
        published.promised_days == 5 and published.content["name"]["en"] != "Visa letter (faster)"
    )
    # A second save before publication rewrites the same unpublished draft.
    editor.post(f"/services/manage/{CODE}/edit/", _form(published, promised_days="3"))
    item.refresh_from_db()
    assert item.draft_version_id == draft.pk and item.versions.count() == 2
    # Publishing makes it current; a new application binds to it, the old one keeps v1.
    old = svc.start(actor=world.bob, item=item)
    editor.post(f"/services/manage/{CODE}/publish_version/", {"back": "edit"})
    item.refresh_from_db()
    assert item.current_version_id == draft.pk and item.draft_version_id is None
    new = svc.start(actor=world.charlie, item=item)
    assert new.version_id == draft.pk
    old.refresh_from_db()
    assert old.version_id == published.pk


def test_the_form_keeps_a_third_language_and_refuses_missing_required_ones(world: World) -> None:
    zone = onecard_zone(world)
    item = ServiceItem.objects.get(code=CODE)
    version = item.current_version
    assert version is not None
    editor = client_for(zone.approver, HTTP_ACCEPT_LANGUAGE="en")
    page = editor.get(f"/services/manage/{CODE}/edit/?language=ja").content.decode()
    assert 'name="c_name_ja"' in page  # zh-Hans, en, and a third language
    refused = editor.post(
        f"/services/manage/{CODE}/edit/?language=ja",
        _form(version, **{"c_name_zh-Hans": "", "c_name_ja": "ビザ推薦状"}),
    )
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.draft_version_id is None
    path = f"/services/manage/{CODE}/edit/?language=ja"
    editor.post(path, _form(version, c_name_ja="ビザ推薦状"))
    item.refresh_from_db()
    assert item.draft_version is not None
    assert item.draft_version.content["name"]["ja"] == "ビザ推薦状"
    bad_json = editor.post(f"/services/manage/{CODE}/edit/", _form(version, materials="[oops"))
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.content.decode()


def test_only_the_department_managers_and_the_operator_edit(world: World) -> None:
    zone = onecard_zone(world)
    item = ServiceItem.objects.get(code=CODE)
    assert item.current_version is not None
    officer = client_for(zone.officer)  # a plain member of the department
    assert officer.get(f"/services/manage/{CODE}/edit/").status_code == 403
    assert client_for(world.charlie).get(f"/services/manage/{CODE}/edit/").status_code == 403
    assert client_for(world.oscar).get(f"/services/manage/{CODE}/edit/").status_code == 200


def _api_body(version: ItemVersion, **changes: Any) -> dict[str, Any]:
    return {
        "content": {k: version.content[k] for k in ("name", "summary", "legal_basis")},
        "statutory_days": version.statutory_days,
        "promised_days": version.promised_days,
        "materials": version.materials,
        "conditions": version.conditions,
        "form_schema": version.form_schema,
        **changes,
    }


def test_the_api_saves_a_draft_and_publishes_it(world: World) -> None:
    zone = onecard_zone(world)
    item = ServiceItem.objects.get(code=CODE)
    version = item.current_version
    assert version is not None
    path = f"/api/v1/services/items/{CODE}"
    owner = as_client(zone.approver)
    response = owner.put(
        f"{path}/draft",
        json.dumps(_api_body(version, fee="10.00")),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["published"] is False and response.json()["fee"] == "10.00"
    bad = owner.put(
        f"{path}/draft",
        json.dumps(_api_body(version, content={"name": {"en": "only English"}, "summary": {}})),
        content_type="application/json",
    )
    assert_error(bad, "invalid_input")
    assert_error(
        api_post(zone.officer, f"{path}/moves", {"action": "publish_version"}),
        "not_editor",
        status=403,
    )
    moved = api_post(owner, f"{path}/moves", {"action": "publish_version"})
    assert moved.status_code == 200 and moved.json()["version"] == version.number + 1
    again = api_post(owner, f"{path}/moves", {"action": "publish_version"})
    assert_error(again, "no_draft_version", status=409)
    versions = owner.get(f"{path}/versions").json()
    assert [v["number"] for v in versions] == [version.number + 1, version.number]


def test_overdue_applications_are_escalated_once_and_shown_on_the_queue(world: World) -> None:
    zone = onecard_zone(world)
    app = rita_submitted(world)
    svc.receive(app, actor=world.wendy, roles=svc_roles(world, app))
    app.refresh_from_db()
    assert app.due_at is not None
    supervisor = make_person("Sam Supervisor", "sam@example.com")
    Membership.objects.create(user=supervisor, organisation=app.department, role="admin")
    assert escalation.escalate_overdue() == []  # not overdue yet

    later = app.due_at + timedelta(days=3)
    made = escalation.escalate_overdue(now=later)
    assert [e.application_id for e in made] == [app.pk]
    assert escalation.escalate_overdue(now=later) == []  # once per due date
    assert Notification.objects.filter(recipient=supervisor, kind="onecard.escalated").count() == 1
    assert app.events.filter(action="escalate").count() == 1

    queue = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/services/departments/{app.department.public_id}/queue/"
    )
    body = queue.content.decode()
    assert 'data-testid="escalated"' in body and 'data-testid="escalated-count"' in body

    # A decision closes the escalation.
    svc.start_review(app, actor=world.wendy, roles=svc_roles(world, app))
    svc.decide(
        app,
        actor=supervisor,
        roles=application_roles(supervisor, app),
        approve=False,
        reasons="Late but checked",
        rule_version="KGX-ZZ-023-v1",
    )
    assert Escalation.objects.get(application=app).resolved_at is not None
    assert zone is not None


def test_paused_clocks_are_not_escalated_and_the_command_runs(world: World) -> None:
    onecard_zone(world)
    app = rita_submitted(world)
    svc.receive(app, actor=world.wendy, roles=svc_roles(world, app))
    svc.request_supplement(
        app,
        actor=world.wendy,
        roles=svc_roles(world, app),
        items=[{"code": "plan", "text": "Sign it"}],
    )
    app.refresh_from_db()
    assert app.status == Application.Status.SUPPLEMENT_REQUESTED
    assert escalation.escalate_overdue(now=timezone.now() + timedelta(days=90)) == []
    assert Clock.objects.exists()
    call_command("escalate_overdue_applications", stdout=io.StringIO())


def svc_roles(world: World, app: Application) -> set[Any]:
    return application_roles(world.wendy, app)
