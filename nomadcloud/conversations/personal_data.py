"""What conversations hold about a person (core/privacy.py): the conversations they are the
nomad of, and the messages and files they wrote. The export lists them; erasure blanks the
text of the person's messages and deletes their files (the other party keeps the
conversation, its dates and its own messages, which then name the pseudonymous person)."""

from __future__ import annotations

from typing import Any

from nomadcloud.conversations.models import Attachment, Conversation, Message
from nomadcloud.core import privacy


def export(user: Any) -> dict[str, Any]:
    return {
        "conversations": [
            {
                "public_id": str(c.public_id),
                "demand_public_id": str(c.demand.public_id),
                "created_at": privacy.json_safe(c.created_at),
            }
            for c in Conversation.objects.filter(nomad=user).select_related("demand")
        ],
        "messages": [
            {
                "conversation_public_id": str(m.conversation.public_id),
                "body": m.body,
                "created_at": privacy.json_safe(m.created_at),
                "files": [a.original_name for a in m.attachments.all()],
            }
            for m in Message.objects.filter(author=user)
            .select_related("conversation")
            .prefetch_related("attachments")
        ],
    }


def erase(user: Any) -> None:
    files = list(Attachment.objects.filter(message__author=user))
    for attachment in files:
        if attachment.file:
            attachment.file.delete(save=False)
    Attachment.objects.filter(pk__in=[a.pk for a in files]).delete()
    Message.objects.filter(author=user).update(body="")
