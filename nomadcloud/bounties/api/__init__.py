"""The challenges part of /api/v1/: the public list and a challenge, drafting and moves,
eligibility explained, applications, Q&A, the expert pool, assignments and score sheets,
selection, task books and signatures, milestones. Handlers only translate HTTP to service
calls. The OCDS feed is at /api/ocds/ (views.py).

One router per part, mounted in the order the operations had in the single module:
``challenges``, ``applications``, ``clarifications``, ``selection``, ``task_books`` and
``milestones``; ``_common`` holds the serialisation they share. The collection itself
(``GET``/``POST /bounties``) is here, on the parent router: a child router mounted at ``""``
would answer at ``/bounties/`` instead. Each operation keeps the id it had before the split
(``operation_id``), so the OpenAPI document does not change.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import queries
from nomadcloud.bounties.api._common import ChallengeCreateIn, _errors, challenge_out
from nomadcloud.bounties.schemas import (
    ChallengeOut,
    ChallengeRowOut,
)

# Aliased: importing the submodule ``api.challenges`` rebinds the name ``challenges`` here.
from nomadcloud.bounties.services import challenges as challenge_services
from nomadcloud.core.api import CursorPagination
from nomadcloud.core.errors import invalid_field

router = Router(tags=["bounties"])
router.add_router("", "nomadcloud.bounties.api.challenges.router")
router.add_router("", "nomadcloud.bounties.api.applications.router")
router.add_router("", "nomadcloud.bounties.api.clarifications.router")
router.add_router("", "nomadcloud.bounties.api.selection.router")
router.add_router("", "nomadcloud.bounties.api.task_books.router")
router.add_router("", "nomadcloud.bounties.api.milestones.router")


@router.get(
    "",
    response=_errors({200: list[ChallengeRowOut]}),
    **PUBLIC,
    summary="Published challenges",
    operation_id="nomadcloud_bounties_api_list_challenges",
)
@paginate(CursorPagination)
def list_challenges(request: HttpRequest) -> Any:
    return queries.public_challenges()


@router.post(
    "",
    response=_errors({201: ChallengeOut}),
    summary="Draft a challenge",
    operation_id="nomadcloud_bounties_api_create_challenge",
)
def create_challenge(request: HttpRequest, body: ChallengeCreateIn) -> Any:
    principal = Principal.of(request)
    issuer = Organisation.objects.filter(public_id=body.organisation).first()
    if issuer is None:
        raise invalid_field("organisation", _("No such organisation."))
    c = challenge_services.create_challenge(principal=principal, issuer=issuer, draft=body.draft())
    return Status(201, challenge_out(c, principal))
