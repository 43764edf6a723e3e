"""Two officers deciding one application at the same moment produce one decision: each
decision locks the application's row and checks the move from the state it finds there.
Real parallel requests on PostgreSQL (``NOMADCLOUD_TEST_DB=postgres``), one connection and
one ``Client`` per thread; on SQLite the writes are serialised by the database anyway."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from nomadcloud.accounts.models import Membership
from nomadcloud.onecard.models import Application, ApplicationEvent
from tests.builders.world import make_person
from tests.conftest import World, client_for
from tests.helpers import in_parallel
from tests.test_idempotency_concurrency import on_postgresql
from tests.test_onecard_applications import roles, submitted

pytestmark = [pytest.mark.django_db(transaction=True), on_postgresql]


def test_two_officers_deciding_one_application_make_one_decision(world: World) -> None:
    from nomadcloud.onecard.services import applications as svc
    from tests.builders.onecard import onecard_zone

    zone = onecard_zone(world)
    app = submitted(world)
    svc.receive(app, actor=zone.officer, roles=roles(zone.officer, app))
    svc.start_review(app, actor=zone.reviewer, roles=roles(zone.reviewer, app))
    second = make_person("Abe Approver", "abe@example.com")
    Membership.objects.create(user=second, organisation=zone.kegongxin, role="admin")
    approvers = [zone.approver, second]
    path = f"/api/v1/services/applications/{app.public_id}/moves"

    def send(i: int) -> int:
        client = client_for(approvers[i])
        body = {
            "action": "decide",
            "approve": i == 0,
            "reason": f"decision {i}",
            "rule_version": "KGX-GF-002-v1",
        }
        response = client.post(path, json.dumps(body), content_type="application/json")
        connection.close()
        return int(response.status_code)

    statuses = sorted(in_parallel(2, send))
    assert statuses == [200, 409], statuses
    app.refresh_from_db()
    assert app.status in ("approved", "rejected")
    assert ApplicationEvent.objects.filter(application=app, action="decide").count() == 1
    assert Application.objects.get(pk=app.pk).decided_by in approvers
