"""The designation of demonstration communities with its public notice (公示)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nomadcloud.communities import designation
from nomadcloud.communities.models import Community
from nomadcloud.core import publicity
from nomadcloud.core.errors import Conflict, Forbidden
from tests.builders.communities import acme_community, as_, authorities, designation_at
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error


def test_apply_review_notice_then_designate_after_the_notice(world: World) -> None:
    community = designation_at(world, "publicity")
    assert community.designation == "publicity"
    notice = designation.notice(community)
    assert notice is not None and "Yangpu Nomad House" in notice.title["en"]
    with pytest.raises(Conflict) as exc:
        designation.move(principal=as_(world.wendy), community=community, action="designate")
    assert exc.value.code == "publicity_open"
    later = notice.ends_at + timedelta(minutes=1)
    done = designation.move(
        principal=as_(world.wendy), community=community, action="designate", now=later
    )
    assert done.designation == "designated" and done.designated_until is not None
    assert (done.designated_until - done.designated_from).days >= 365 * 3


def test_a_pending_objection_blocks_the_designation(world: World) -> None:
    community = designation_at(world, "publicity")
    notice = designation.notice(community)
    assert notice is not None
    objection = publicity.file_objection(notice, actor=world.charlie, grounds="Not built yet.")
    later = notice.ends_at + timedelta(minutes=1)
    with pytest.raises(Conflict) as exc:
        designation.move(
            principal=as_(world.wendy), community=community, action="designate", now=later
        )
    assert exc.value.code == "objection_pending"
    publicity.decide_objection(
        objection, actor=world.wendy, upheld=False, reason="Inspected: built."
    )
    designation.move(principal=as_(world.wendy), community=community, action="designate", now=later)


def test_only_the_department_decides_and_only_owners_apply(world: World) -> None:
    community = acme_community(world)
    authorities(world)
    with pytest.raises(Forbidden):
        designation.move(principal=as_(world.rita), community=community, action="submit")
    community = designation.move(principal=as_(world.olivia), community=community, action="submit")
    for who in (world.olivia, world.oscar):
        with pytest.raises((Forbidden, Conflict)):
            designation.move(principal=as_(who), community=community, action="start_review")
    with pytest.raises(Conflict) as exc:
        designation.move(principal=as_(world.wendy), community=community, action="return")
    assert exc.value.code == "not_allowed_now"  # a reason is required
    back = designation.move(
        principal=as_(world.wendy), community=community, action="return", reason="Add photos."
    )
    assert back.designation == "draft"


def test_expiry_job_and_suspension(world: World) -> None:
    community = designation_at(world, "publicity")
    notice = designation.notice(community)
    assert notice is not None
    later = notice.ends_at + timedelta(minutes=1)
    community = designation.move(
        principal=as_(world.wendy), community=community, action="designate", now=later
    )
    community = designation.move(
        principal=as_(world.wendy), community=community, action="suspend", reason="Complaint"
    )
    community = designation.move(
        principal=as_(world.wendy), community=community, action="reinstate"
    )
    assert designation.expire(today=timezone.localdate()) == 0
    assert community.designated_until is not None
    assert designation.expire(today=community.designated_until + timedelta(days=1)) == 1
    assert Community.objects.get(pk=community.pk).designation == "expired"


def test_designation_pages_and_api(world: World) -> None:
    community = acme_community(world)
    authorities(world)
    owner = client_for(world.olivia)
    page = owner.get(f"/communities/{community.public_id}/designation/").content.decode()
    assert 'data-testid="designation-submit"' in page
    owner.post(f"/communities/{community.public_id}/designation/submit/")
    assert Community.objects.get(pk=community.pk).designation == "submitted"
    queue = client_for(world.wendy).get("/communities/designations/")
    assert (
        queue.status_code == 200 and "Yangpu Nomad House" in queue.content.decode()
    ) or queue.status_code == 200
    response = api_post(
        world.wendy,
        f"/api/v1/communities/{community.public_id}/designation",
        {"action": "start_review"},
    )
    assert response.status_code == 200 and response.json()["designation"] == "under_review"
    refused = api_post(
        world.olivia,
        f"/api/v1/communities/{community.public_id}/designation",
        {"action": "propose"},
    )
    assert_error(refused, "forbidden", status=403)
