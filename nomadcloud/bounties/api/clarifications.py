"""Questions and answers (Q&A) of a challenge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access
from nomadcloud.bounties.api._common import _errors
from nomadcloud.bounties.models import (
    Clarification,
)
from nomadcloud.bounties.schemas import (
    ClarificationOut,
    ClarificationRowOut,
    QuestionDraft,
    ReplyDraft,
)
from nomadcloud.bounties.services import (
    challenges,
)
from nomadcloud.core.api import CursorPagination
from nomadcloud.core.errors import NotFound

router = Router()


def clarification_out(q: Clarification) -> ClarificationOut:
    return ClarificationOut(
        id=q.pk,
        question=q.question,
        answer=q.answer,
        asked_at=q.asked_at,
        answered_at=q.answered_at,
    )


@router.get(
    "/{challenge_id}/clarifications",
    response=_errors({200: list[ClarificationRowOut]}),
    **PUBLIC,
    summary="Public Q&A",
    operation_id="nomadcloud_bounties_api_list_clarifications",
)
@paginate(CursorPagination)
def list_clarifications(request: HttpRequest, challenge_id: str) -> Any:
    c = access.challenge_for(Principal.of(request), challenge_id)
    return c.clarifications.all()


@router.post(
    "/{challenge_id}/clarifications",
    response=_errors({201: ClarificationOut}),
    summary="Ask",
    operation_id="nomadcloud_bounties_api_ask",
)
def ask(request: HttpRequest, challenge_id: str, body: QuestionDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return Status(
        201,
        clarification_out(challenges.ask_question(principal=principal, challenge=c, draft=body)),
    )


@router.post(
    "/clarifications/{clarification_id}/answer",
    response=_errors({200: ClarificationOut}),
    summary="Answer a question",
    operation_id="nomadcloud_bounties_api_answer",
)
def answer(request: HttpRequest, clarification_id: int, body: ReplyDraft) -> ClarificationOut:
    principal = Principal.of(request)
    q = Clarification.objects.filter(pk=clarification_id).select_related("challenge").first()
    if q is None or not access.may_see(principal, q.challenge):
        raise NotFound(_("No such question."))
    return clarification_out(
        challenges.answer_question(principal=principal, clarification=q, draft=body)
    )
