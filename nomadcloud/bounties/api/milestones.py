"""Milestones: reports and reviews, disputes, mid-term checks, a studio's registration and
extensions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access
from nomadcloud.bounties.api._common import _errors
from nomadcloud.bounties.models import (
    Milestone,
    MilestoneDispute,
    MilestoneExtension,
)
from nomadcloud.bounties.schemas import (
    DisputeDecisionDraft,
    DisputeDraft,
    DisputeResponseDraft,
    ExtensionDecisionDraft,
    ExtensionDraft,
    ExtensionOut,
    MidtermDraft,
    MidtermOut,
    MilestoneDisputeOut,
    MilestoneOut,
    ReportDraft,
    ReviewDraft,
    StudioRegistrationDraft,
    StudioRegistrationIn,
    StudioRegistrationOut,
)
from nomadcloud.bounties.services import (
    milestones,
    studios,
)
from nomadcloud.core import uploads

router = Router()


def milestone_out(m: Milestone) -> MilestoneOut:
    return MilestoneOut(
        id=m.public_id,
        position=m.position,
        title=m.title,
        amount=m.amount,
        due_on=m.due_on,
        status=m.status,
        deliverable_sha256=m.deliverable_sha256,
        review_due_at=m.review_due_at,
    )


@router.get(
    "/{challenge_id}/milestones",
    response=_errors({200: list[MilestoneOut]}),
    **PUBLIC,
    summary="Milestones",
    operation_id="nomadcloud_bounties_api_list_milestones",
)
def list_milestones(request: HttpRequest, challenge_id: str) -> list[MilestoneOut]:
    c = access.challenge_for(Principal.of(request), challenge_id)
    return [milestone_out(m) for m in c.milestones.all()]


@router.post(
    "/milestones/{milestone_id}/report",
    response=_errors({200: MilestoneOut}),
    summary="Submit a milestone report",
    operation_id="nomadcloud_bounties_api_report",
)
def report(request: HttpRequest, milestone_id: str, body: ReportDraft) -> MilestoneOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return milestone_out(milestones.submit(principal=principal, milestone=m, draft=body))


@router.post(
    "/milestones/{milestone_id}/review",
    response=_errors({200: MilestoneOut}),
    summary="Review a milestone",
    operation_id="nomadcloud_bounties_api_review_milestone",
)
def review_milestone(request: HttpRequest, milestone_id: str, body: ReviewDraft) -> MilestoneOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return milestone_out(milestones.review(principal=principal, milestone=m, draft=body))


# --- disputes, mid-term checks, a studio's registration ------------------------------------


def dispute_out(d: MilestoneDispute) -> MilestoneDisputeOut:
    return MilestoneDisputeOut(
        id=d.public_id,
        milestone=d.milestone.public_id,
        milestone_status=d.milestone.status,
        reason=d.reason,
        response=d.response,
        decision=d.decision,
        decision_reason=d.decision_reason,
        raised_at=d.raised_at,
        responded_at=d.responded_at,
        decided_at=d.decided_at,
    )


@router.post(
    "/milestones/{milestone_id}/dispute",
    response=_errors({201: MilestoneDisputeOut}),
    summary="Dispute a rejected milestone (the signed team)",
    operation_id="nomadcloud_bounties_api_raise_dispute",
)
def raise_dispute(request: HttpRequest, milestone_id: str, body: DisputeDraft) -> Any:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return Status(
        201, dispute_out(milestones.raise_dispute(principal=principal, milestone=m, draft=body))
    )


@router.post(
    "/milestones/{milestone_id}/dispute/response",
    response=_errors({200: MilestoneDisputeOut}),
    summary="Respond to a dispute (the issuer)",
    operation_id="nomadcloud_bounties_api_respond_dispute",
)
def respond_dispute(
    request: HttpRequest, milestone_id: str, body: DisputeResponseDraft
) -> MilestoneDisputeOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return dispute_out(milestones.respond_dispute(principal=principal, milestone=m, draft=body))


@router.post(
    "/milestones/{milestone_id}/dispute/decision",
    response=_errors({200: MilestoneDisputeOut}),
    summary="Decide a dispute with reasons (the department)",
    operation_id="nomadcloud_bounties_api_decide_dispute",
)
def decide_dispute(
    request: HttpRequest, milestone_id: str, body: DisputeDecisionDraft
) -> MilestoneDisputeOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return dispute_out(milestones.decide_dispute(principal=principal, milestone=m, draft=body))


@router.post(
    "/{challenge_id}/midterm-checks",
    response=_errors({201: MidtermOut}),
    summary="Record the mid-term check (the department)",
    operation_id="nomadcloud_bounties_api_midterm_check",
)
def midterm_check(request: HttpRequest, challenge_id: str, body: MidtermDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    row = milestones.midterm_check(principal=principal, challenge=c, draft=body)
    return Status(
        201, MidtermOut(outcome=row.outcome, findings=row.findings, checked_at=row.checked_at)
    )


@router.post(
    "/{challenge_id}/studio-registration",
    response=_errors({201: StudioRegistrationOut}),
    summary="Record that the signed studio registered in the zone (a conversion)",
    operation_id="nomadcloud_bounties_api_studio_registration",
)
def studio_registration(request: HttpRequest, challenge_id: str, body: StudioRegistrationIn) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    files = [
        uploads.decode_base64_file(d.file_name, d.content_base64, field=f"documents.{i}")
        for i, d in enumerate(body.documents)
    ]
    row = studios.record_registration(
        principal=principal,
        challenge=c,
        draft=StudioRegistrationDraft(registered_on=body.registered_on, note=body.note),
        documents=files,
    )
    conversion = row.conversion
    assert conversion.registered_on is not None
    return Status(
        201,
        StudioRegistrationOut(
            team=row.team.public_id,
            conversion=conversion.public_id,
            business_name=conversion.business_name,
            credit_code=conversion.credit_code,
            registered_on=conversion.registered_on,
        ),
    )


def extension_out(e: MilestoneExtension) -> ExtensionOut:
    return ExtensionOut(
        milestone=e.milestone.public_id,
        previous_due_on=e.previous_due_on,
        due_on=e.due_on,
        reason=e.reason,
        approved=e.approved,
        decision_reason=e.decision_reason,
        milestone_due_on=e.milestone.due_on,
    )


@router.post(
    "/milestones/{milestone_id}/extension",
    response=_errors({201: ExtensionOut}),
    summary="Ask for a later due date, with a reason (the signed team)",
    operation_id="nomadcloud_bounties_api_request_extension",
)
def request_extension(request: HttpRequest, milestone_id: str, body: ExtensionDraft) -> Any:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    row = milestones.request_extension(principal=principal, milestone=m, draft=body)
    return Status(201, extension_out(row))


@router.post(
    "/milestones/{milestone_id}/extension/decision",
    response=_errors({200: ExtensionOut}),
    summary="Approve or refuse a later due date, with reasons (the department)",
    operation_id="nomadcloud_bounties_api_decide_extension",
)
def decide_extension(
    request: HttpRequest, milestone_id: str, body: ExtensionDecisionDraft
) -> ExtensionOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return extension_out(milestones.decide_extension(principal=principal, milestone=m, draft=body))
