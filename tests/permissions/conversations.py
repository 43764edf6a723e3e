"""Permission cases for applications to demands and conversations (issue 14 item 2).

Charlie (the outsider) applies to Acme's published demand; Acme's members and the zone
operator see its applications, only editors decide, only the nomad withdraws. A conversation
is seen by its two parties only — the nomad and Acme's members — and everyone else, the zone
operator too, gets 404; only an editor of Acme turns it into an order.
"""

from __future__ import annotations

from tests.builders.conversations import application, attachment, conversation
from tests.builders.demands import published
from tests.conftest import World
from tests.permissions import (
    ACME,
    AUTHENTICATED,
    MEMBERS_AND_OPERATOR,
    Case,
    expect,
)

API = "/api/v1"


def _application(w: World) -> str:
    return str(application(w).public_id)


def _conversation(w: World) -> str:
    return str(conversation(w).public_id)


# Who may apply: any person outside Acme; Acme's members are refused (their own demand).
APPLY = expect("outsider", "reviewer", "operator", sees=ACME, because="own_organisation")
# An application: the nomad who made it, Acme's members and the zone operator see it.
SEES_APPLICATION = ("outsider", *ACME, "operator")
DECIDE = expect("owner", sees=("outsider", "readonly", "operator"), because="role_not_allowed")
WITHDRAW = expect("outsider", sees=(*ACME, "operator"), because="role_not_allowed")
PARTIES = expect("outsider", *ACME)
CONTRACT = expect("owner", sees=("outsider", "readonly"))
# The API names the nomad's refusal: only the enterprise makes the order.
CONTRACT_API = CONTRACT | {
    "outsider": expect("owner", sees=("outsider",), because="enterprise_only")["outsider"]
}

API_CASES = [
    Case(
        "api apply",
        "POST",
        lambda w: f"{API}/demands/{published(w).public_id}/applications",
        APPLY,
        body=lambda w: {"note": "hi", "proposed_rate": "300"},
        api=True,
        route=f"{API}/demands/{{demand_id}}/applications",
    ),
    Case(
        "api demand applications",
        "GET",
        lambda w: f"{API}/demands/{published(w).public_id}/applications",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/demands/{{demand_id}}/applications",
    ),
    Case(
        "api my applications",
        "GET",
        lambda w: f"{API}/demands/applications/mine",
        AUTHENTICATED,
        api=True,
    ),
    Case(
        "api application",
        "GET",
        lambda w: f"{API}/demands/applications/{_application(w)}",
        expect(*SEES_APPLICATION),
        api=True,
        route=f"{API}/demands/applications/{{application_id}}",
    ),
    Case(
        "api decide application",
        "POST",
        lambda w: f"{API}/demands/applications/{_application(w)}/decision",
        DECIDE,
        body=lambda w: {"decision": "shortlisted"},
        api=True,
        route=f"{API}/demands/applications/{{application_id}}/decision",
    ),
    Case(
        "api withdraw application",
        "POST",
        lambda w: f"{API}/demands/applications/{_application(w)}/withdraw",
        WITHDRAW,
        api=True,
        route=f"{API}/demands/applications/{{application_id}}/withdraw",
    ),
    Case("api conversations", "GET", lambda w: f"{API}/conversations", AUTHENTICATED, api=True),
    Case(
        "api conversation",
        "GET",
        lambda w: f"{API}/conversations/{_conversation(w)}",
        PARTIES,
        api=True,
        route=f"{API}/conversations/{{conversation_id}}",
    ),
    Case(
        "api conversation messages",
        "GET",
        lambda w: f"{API}/conversations/{_conversation(w)}/messages",
        PARTIES,
        api=True,
        route=f"{API}/conversations/{{conversation_id}}/messages",
    ),
    Case(
        "api post message",
        "POST",
        lambda w: f"{API}/conversations/{_conversation(w)}/messages",
        PARTIES,
        body=lambda w: {"body": "Hello"},
        api=True,
        route=f"{API}/conversations/{{conversation_id}}/messages",
    ),
    Case(
        "api conversation to order",
        "POST",
        lambda w: f"{API}/conversations/{_conversation(w)}/order",
        CONTRACT_API,
        body=lambda w: {"title_en": "Pipeline"},
        api=True,
        route=f"{API}/conversations/{{conversation_id}}/order",
    ),
]

PAGE_CASES = [
    Case(
        "apply form",
        "GET",
        lambda w: f"/demands/{published(w).public_id}/apply/",
        AUTHENTICATED,
        url_name="demands:apply",
    ),
    Case(
        "apply",
        "POST",
        lambda w: f"/demands/{published(w).public_id}/apply/",
        APPLY,
        body=lambda w: {"note": "hi", "proposed_rate": "300"},
        url_name="demands:apply",
    ),
    Case(
        "my applications",
        "GET",
        lambda w: "/demands/applications/mine/",
        AUTHENTICATED,
        url_name="demands:my_applications",
    ),
    Case(
        "application",
        "GET",
        lambda w: f"/demands/applications/{_application(w)}/",
        expect(*SEES_APPLICATION),
        url_name="demands:application",
    ),
    Case(
        "decide application",
        "POST",
        lambda w: f"/demands/applications/{_application(w)}/decide/",
        DECIDE,
        body=lambda w: {"decision": "declined"},
        url_name="demands:decide",
    ),
    Case(
        "withdraw application",
        "POST",
        lambda w: f"/demands/applications/{_application(w)}/withdraw/",
        WITHDRAW,
        url_name="demands:withdraw",
    ),
    Case(
        "conversations",
        "GET",
        lambda w: "/conversations/",
        AUTHENTICATED,
        url_name="conversations:mine",
    ),
    Case(
        "conversation",
        "GET",
        lambda w: f"/conversations/{_conversation(w)}/",
        PARTIES,
        url_name="conversations:detail",
    ),
    Case(
        "post message",
        "POST",
        lambda w: f"/conversations/{_conversation(w)}/",
        PARTIES,
        body=lambda w: {"body": "Hello"},
        url_name="conversations:detail",
    ),
    Case(
        "conversation file",
        "GET",
        lambda w: (
            f"/conversations/{(a := attachment(w)).message.conversation.public_id}/files/{a.pk}/"
        ),
        PARTIES,
        url_name="conversations:attachment",
    ),
    Case(
        "order terms form",
        "GET",
        lambda w: f"/conversations/{_conversation(w)}/order/",
        CONTRACT,
        url_name="conversations:convert",
    ),
    Case(
        "applicants and invitees",
        "GET",
        lambda w: f"/conversations/demands/{published(w).public_id}/people/",
        MEMBERS_AND_OPERATOR,
        url_name="conversations:people",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

# Applications, conversations and their files, orders made from them, and notifications.
APPS = ("demands", "conversations", "orders", "notifications")
