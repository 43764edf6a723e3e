"""Builders for applications and conversations: Charlie (an outsider to Acme) applies to
Acme's published demand; Olivia shortlists him, which opens their conversation."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from nomadcloud.accounts.principal import Principal
from nomadcloud.conversations import services
from nomadcloud.conversations.models import Attachment, Conversation
from nomadcloud.demands import applications
from nomadcloud.demands.models import DemandApplication
from nomadcloud.demands.schemas import ApplicationDraft
from tests.builders.demands import published
from tests.builders.world import World


def application(w: World) -> DemandApplication:
    return applications.apply(
        principal=Principal.for_user(w.charlie),
        demand=published(w),
        draft=ApplicationDraft(note="I did this before", proposed_rate="300"),
    )


def conversation(w: World) -> Conversation:
    shortlisted = applications.decide(
        principal=Principal.for_user(w.olivia), application=application(w), decision="shortlisted"
    )
    return Conversation.objects.get(application=shortlisted)


def attachment(w: World) -> Attachment:
    talk = conversation(w)
    message = services.post_message(
        principal=Principal.for_user(w.charlie),
        conversation=talk,
        body="My plan",
        files=[SimpleUploadedFile("plan.txt", b"step one\n")],
    )
    return message.attachments.get()
