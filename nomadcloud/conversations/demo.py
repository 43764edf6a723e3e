"""Demo conversations: a few messages in each conversation the demo applications opened
(idempotent: conversations that have messages are left as they are)."""

from __future__ import annotations

from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.principal import Principal
from nomadcloud.conversations import services
from nomadcloud.conversations.models import Conversation

LINES = [
    ("nomad", "您好！我看了需求，想先确认一下数据量和交付时间。"),
    ("enterprise", "您好，第一批约 5,000 条，两周内交付。我们可以按两个里程碑来签订单。"),
    ("nomad", "没问题，我可以先做 200 条样例给您验收。"),
]


def seed() -> dict[str, int]:
    posted = 0
    for conversation in Conversation.objects.filter(messages__isnull=True).select_related(
        "organisation", "nomad"
    ):
        owner = (
            Membership.objects.filter(
                organisation=conversation.organisation, role=Membership.Role.OWNER
            )
            .select_related("user")
            .first()
        )
        if owner is None:
            continue
        for who, body in LINES:
            author = conversation.nomad if who == "nomad" else owner.user
            services.post_message(
                principal=Principal(user=author), conversation=conversation, body=body
            )
            posted += 1
    return {"conversation_messages": posted}
