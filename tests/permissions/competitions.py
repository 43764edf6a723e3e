"""Permission cases for maker competitions: published competitions and their leaderboards
are public; Acme's owner and the zone operator manage Acme's (``organiser_only`` for Rita,
read-only, who sees them); anyone signed in enters; only the entrant (Rita) submits and
selects finals (``entrant_only`` for the organiser who sees the entry)."""

from __future__ import annotations

from tests.builders.competitions import (
    acme_draft,
    acme_open,
    competition_body,
    rita_entry,
    rita_submission,
    round_body,
)
from tests.permissions import AUTHENTICATED, EVERYONE, MEMBERS_AND_OPERATOR, Case, expect

API = "/api/v1/competitions"
ORGANISER = expect("owner", "operator", sees=("readonly",), because="organiser_only")
ENTRANT = expect("readonly", sees=("owner", "operator"), because="entrant_only")
TRACK = {"code": "cross-border", "title": {"zh-Hans": "跨境数据", "en": "Cross-border data"}}
TRACK_FORM = {"code": "cross-border", "title_zh-Hans": "跨境数据", "title_en": "Cross-border data"}


def _round_form() -> dict[str, object]:
    body = round_body()
    return {
        "title_zh-Hans": "初赛",
        "title_en": "Preliminary round",
        "opens_at": str(body["opens_at"])[:16],
        "closes_at": str(body["closes_at"])[:16],
        "max_per_day": 2,
        "max_total": 3,
        "final_count": 1,
        "scoring": "jury",
        "answers": "",
        "public_share": 30,
    }


API_CASES = [
    Case("api competitions", "GET", lambda w: f"{API}/", EVERYONE, api=True),
    Case(
        "api create a competition",
        "POST",
        lambda w: f"{API}/",
        ORGANISER,
        body=lambda w: competition_body(w.acme),
        api=True,
    ),
    Case(
        "api competition",
        "GET",
        lambda w: f"{API}/{acme_open(w).public_id}",
        EVERYONE,
        api=True,
        route=f"{API}/{{competition_id}}",
    ),
    Case(
        "api add a track",
        "POST",
        lambda w: f"{API}/{acme_draft(w).public_id}/tracks",
        ORGANISER,
        body=lambda w: TRACK,
        api=True,
        route=f"{API}/{{competition_id}}/tracks",
    ),
    Case(
        "api add a round",
        "POST",
        lambda w: f"{API}/{acme_draft(w).public_id}/rounds",
        ORGANISER,
        body=lambda w: round_body(),
        api=True,
        route=f"{API}/{{competition_id}}/rounds",
    ),
    Case(
        "api move a competition",
        "POST",
        lambda w: f"{API}/{acme_draft(w).public_id}/moves",
        ORGANISER,
        body=lambda w: {"action": "cancel"},
        api=True,
        route=f"{API}/{{competition_id}}/moves",
    ),
    Case(
        "api leaderboard",
        "GET",
        lambda w: f"{API}/{acme_open(w).public_id}/rounds/1/leaderboard",
        EVERYONE,
        api=True,
        route=f"{API}/{{competition_id}}/rounds/{{number}}/leaderboard",
    ),
    Case(
        "api enter",
        "POST",
        lambda w: f"{API}/{acme_open(w).public_id}/entries",
        AUTHENTICATED,
        body=lambda w: {"track": "data", "name": "选品助手"},
        api=True,
        route=f"{API}/{{competition_id}}/entries",
    ),
    Case(
        "api submissions of an entry",
        "GET",
        lambda w: f"{API}/entries/{rita_entry(w).public_id}/submissions",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/entries/{{entry_id}}/submissions",
    ),
    Case(
        "api submit",
        "POST",
        lambda w: f"{API}/entries/{rita_entry(w).public_id}/submissions",
        ENTRANT,
        body=lambda w: {"round": 1, "content": "item-01,cat\nitem-02,cat"},
        api=True,
        route=f"{API}/entries/{{entry_id}}/submissions",
    ),
    Case(
        "api select a final submission",
        "POST",
        lambda w: f"{API}/submissions/{rita_submission(w).public_id}/final",
        ENTRANT,
        body=lambda w: {"final": True},
        api=True,
        route=f"{API}/submissions/{{submission_id}}/final",
    ),
]

PAGE_CASES = [
    Case(
        "competitions", "GET", lambda w: "/competitions/", EVERYONE, url_name="competitions:index"
    ),
    Case(
        "competition",
        "GET",
        lambda w: f"/competitions/{acme_open(w).public_id}/",
        EVERYONE,
        url_name="competitions:detail",
    ),
    Case(
        "organise a competition",
        "GET",
        lambda w: "/competitions/new/",
        expect("owner", "operator", "outsider", sees=("readonly", "reviewer")),
        url_name="competitions:create",
    ),
    Case(
        "manage a competition",
        "GET",
        lambda w: f"/competitions/{acme_draft(w).public_id}/manage/",
        ORGANISER,
        url_name="competitions:manage",
    ),
    Case(
        "add a track",
        "POST",
        lambda w: f"/competitions/{acme_draft(w).public_id}/tracks/",
        ORGANISER,
        body=lambda w: TRACK_FORM,
        url_name="competitions:add_track",
    ),
    Case(
        "add a round",
        "POST",
        lambda w: f"/competitions/{acme_draft(w).public_id}/rounds/",
        ORGANISER,
        body=lambda w: _round_form(),
        url_name="competitions:add_round",
    ),
    Case(
        "move a competition",
        "POST",
        lambda w: f"/competitions/{acme_draft(w).public_id}/move/",
        ORGANISER,
        body=lambda w: {"action": "cancel"},
        url_name="competitions:move",
    ),
    Case(
        "enter a competition",
        "POST",
        lambda w: f"/competitions/{acme_open(w).public_id}/enter/",
        AUTHENTICATED,
        body=lambda w: {"track": "data", "name": "选品助手"},
        url_name="competitions:enter",
    ),
    Case(
        "submit",
        "POST",
        lambda w: f"/competitions/entries/{rita_entry(w).public_id}/submit/",
        ENTRANT,
        body=lambda w: {"round": 1, "content": "item-01,cat\nitem-02,cat"},
        url_name="competitions:submit",
    ),
    Case(
        "select a final submission",
        "POST",
        lambda w: f"/competitions/submissions/{rita_submission(w).public_id}/final/",
        ENTRANT,
        body=lambda w: {"final": "on"},
        url_name="competitions:final",
    ),
]

PUBLIC_PAGES = {"competitions:index", "competitions:detail"}
PUBLIC_API = {
    ("GET", f"{API}/"),
    ("GET", f"{API}/{{competition_id}}"),
    ("GET", f"{API}/{{competition_id}}/rounds/{{number}}/leaderboard"),
}

APPS = ("competitions",)
