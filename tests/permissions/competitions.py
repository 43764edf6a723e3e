"""Permission cases for maker competitions: published competitions and their leaderboards
are public; Acme's owner and the zone operator manage Acme's (``organiser_only`` for Rita,
read-only, who sees them); anyone signed in enters; only the entrant (Rita) submits and
selects finals (``entrant_only`` for the organiser who sees the entry)."""

from __future__ import annotations

from nomadcloud.accounts.models import Organisation
from nomadcloud.competitions.models import Appeal, Award, FollowUp, Introduction
from tests.builders.competitions import (
    acme_draft,
    acme_open,
    acme_results,
    competition_body,
    rita_entry,
    rita_submission,
    round_body,
)
from tests.builders.taxonomy import concept
from tests.builders.world import World, verify_org
from tests.permissions import AUTHENTICATED, EVERYONE, MEMBERS_AND_OPERATOR, Case, expect

API = "/api/v1/competitions"
ORGANISER = expect("owner", "operator", sees=("readonly",), because="organiser_only")
ENTRANT = expect("readonly", sees=("owner", "operator"), because="entrant_only")
# A published (public) competition: every signed-in person sees it, only the organiser acts.
ORGANISER_PUBLIC = expect(
    "owner", "operator", sees=("readonly", "outsider", "reviewer"), because="organiser_only"
)
JUROR = expect("reviewer")  # Wendy sits on the jury
GLOBEX = expect("outsider", "operator")  # Charlie owns Globex, offered the winning project
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


def _api(stage: str, tail: str) -> object:
    return lambda w: f"{API}/{acme_results(w, stage).public_id}/{tail}"


def _entry_of(w: object, stage: str) -> str:
    return str(acme_results(w, stage).entries.get().public_id)  # type: ignore[arg-type]


RESULTS_API_CASES = [
    Case(
        "api add a rubric criterion",
        "POST",
        _api("jury_draft", "criteria"),
        ORGANISER,
        body=lambda w: {
            "round": 1,
            "code": "impact",
            "title": {"zh-Hans": "影响力", "en": "Impact"},
            "weight": 2,
        },
        api=True,
        route=f"{API}/{{competition_id}}/criteria",
    ),
    Case(
        "api assign a jury member",
        "POST",
        _api("jury_open", "judges"),
        ORGANISER_PUBLIC,
        body=lambda w: {"round": 1, "email": w.bob.email},
        api=True,
        route=f"{API}/{{competition_id}}/judges",
    ),
    Case(
        "api score an entry",
        "POST",
        _api("scoring", "jury/scores"),
        JUROR,
        body=lambda w: {"entry": _entry_of(w, "scoring"), "points": {"innovation": 7}},
        api=True,
        route=f"{API}/{{competition_id}}/jury/scores",
    ),
    Case(
        "api declare a conflict of interest",
        "POST",
        _api("scoring", "jury/recusals"),
        JUROR,
        body=lambda w: {"entry": _entry_of(w, "scoring"), "reason": "前同事"},
        api=True,
        route=f"{API}/{{competition_id}}/jury/recusals",
    ),
    Case(
        "api jury board",
        "GET",
        _api("results", "rounds/1/jury"),
        EVERYONE,
        api=True,
        route=f"{API}/{{competition_id}}/rounds/{{number}}/jury",
    ),
    Case(
        "api appeal",
        "POST",
        lambda w: f"{API}/entries/{_entry_of(w, 'results')}/appeals",
        ENTRANT,
        body=lambda w: {"round": 1, "grounds": "评分有误"},
        api=True,
        route=f"{API}/entries/{{entry_id}}/appeals",
    ),
    Case(
        "api winners",
        "GET",
        _api("awarded", "winners"),
        EVERYONE,
        api=True,
        route=f"{API}/{{competition_id}}/winners",
    ),
    Case(
        "api announce the winners",
        "POST",
        _api("announceable", "winners"),
        ORGANISER_PUBLIC,
        body=lambda w: _announce_api(w),
        api=True,
        route=f"{API}/{{competition_id}}/winners",
    ),
    Case(
        "api make the awards final",
        "POST",
        _api("publicity", "award"),
        ORGANISER_PUBLIC,
        api=True,
        route=f"{API}/{{competition_id}}/award",
    ),
]


def _announce_api(w: object) -> dict[str, object]:
    form = _announce(w)
    entry = _entry_of(w, "announceable")
    return {
        "budget": form["budget"],
        "awards": [{"entry": entry, "rank": 1, "prize": "1000.00"}],
    }


def _url(stage: str, tail: str) -> object:
    return lambda w: f"/competitions/{acme_results(w, stage).public_id}/{tail}"


RESULTS_PAGE_CASES = [
    Case(
        "add a rubric criterion",
        "POST",
        _url("jury_draft", "criteria/"),
        ORGANISER,
        body=lambda w: {
            "round": 1,
            "code": "impact",
            "title_zh-Hans": "影响力",
            "title_en": "Impact",
            "weight": 2,
            "max_points": 10,
        },
        url_name="competitions:add_criterion",
    ),
    Case(
        "assign a jury member",
        "POST",
        _url("jury_open", "judges/"),
        ORGANISER_PUBLIC,
        body=lambda w: {"round": 1, "email": w.bob.email},
        url_name="competitions:assign_judge",
    ),
    Case("jury score sheets", "GET", _url("scoring", "jury/"), JUROR, url_name="competitions:jury"),
    Case(
        "score an entry",
        "POST",
        _url("scoring", "jury/score/"),
        JUROR,
        body=lambda w: {
            "entry": str(acme_results(w, "scoring").entries.get().public_id),
            "points-innovation": 7,
        },
        url_name="competitions:score",
    ),
    Case(
        "declare a conflict of interest",
        "POST",
        _url("scoring", "jury/recuse/"),
        JUROR,
        body=lambda w: {
            "entry": str(acme_results(w, "scoring").entries.get().public_id),
            "reason": "前同事",
        },
        url_name="competitions:recuse",
    ),
    Case(
        "close the jury's scoring",
        "POST",
        _url("scored", "rounds/1/close-scoring/"),
        ORGANISER_PUBLIC,
        url_name="competitions:close_scoring",
    ),
    Case(
        "appeal against results",
        "POST",
        lambda w: (
            f"/competitions/entries/{acme_results(w, 'results').entries.get().public_id}/appeal/"
        ),
        ENTRANT,
        body=lambda w: {"round": 1, "grounds": "评分有误"},
        url_name="competitions:appeal",
    ),
    Case(
        "decide an appeal",
        "POST",
        lambda w: (
            "/competitions/appeals/"
            f"{Appeal.objects.get(round__competition=acme_results(w, 'appealed')).public_id}"
            "/decide/"
        ),
        ORGANISER_PUBLIC,
        body=lambda w: {"upheld": "0", "reason": "复核无误"},
        url_name="competitions:decide_appeal",
    ),
    Case(
        "announce the winners",
        "POST",
        _url("announceable", "announce/"),
        ORGANISER_PUBLIC,
        body=lambda w: _announce(w),
        url_name="competitions:announce",
    ),
    Case(
        "make the awards final",
        "POST",
        _url("publicity", "award/"),
        ORGANISER_PUBLIC,
        url_name="competitions:award",
    ),
    Case("winners", "GET", _url("awarded", "winners/"), EVERYONE, url_name="competitions:winners"),
    Case(
        "introduce a winning project",
        "POST",
        lambda w: (
            "/competitions/awards/"
            f"{Award.objects.get(competition=acme_results(w, 'awarded')).public_id}/introduce/"
        ),
        ORGANISER_PUBLIC,
        body=lambda w: _introduce(w),
        url_name="competitions:introduce",
    ),
    Case(
        "introductions",
        "GET",
        lambda w: "/competitions/introductions/",
        AUTHENTICATED,
        url_name="competitions:introductions",
    ),
    Case(
        "answer an introduction",
        "POST",
        lambda w: f"/competitions/introductions/{_introduction(w).public_id}/answer/",
        GLOBEX,
        body=lambda w: {"accept": "1"},
        url_name="competitions:answer",
    ),
    Case(
        "record a follow-up's outcome",
        "POST",
        lambda w: f"/competitions/follow-ups/{_follow_up(w).pk}/outcome/",
        ORGANISER_PUBLIC,
        body=lambda w: {
            "outcome": "registered_in_zone",
            "evidence": "营业执照",
            "credit_code": "91460100MA5TCP002T",
        },
        url_name="competitions:record_outcome",
    ),
]


def _announce(w: object) -> dict[str, object]:
    from nomadcloud.payouts.models import Budget
    from tests.builders.competitions import loaded_calendar

    item = acme_results(w, "announceable")  # type: ignore[arg-type]
    loaded_calendar()
    budget = Budget.objects.filter(programme_code="acme-competition").first()
    if budget is None:
        from decimal import Decimal

        from nomadcloud.payouts import services as payout_services

        budget = payout_services.create_budget(
            programme_code="acme-competition",
            year=2026,
            amount=Decimal("10000.00"),
            owner=item.organiser,
            actor=None,
        )
    entry = item.entries.get()
    return {
        "budget": str(budget.public_id),
        f"rank-{entry.public_id}": "1",
        f"prize-{entry.public_id}": "1000.00",
    }


def _introduce(w: object) -> dict[str, object]:
    from tests.builders.world import verify_org

    verify_org(w.globex)  # type: ignore[attr-defined]
    return {"organisation": str(w.globex.public_id), "note": "选品需求"}  # type: ignore[attr-defined]


def _introduction(w: object) -> Introduction:
    return Introduction.objects.get(award__competition=acme_results(w, "introduced"))  # type: ignore[arg-type]


def _follow_up(w: object) -> FollowUp:
    return FollowUp.objects.filter(
        introduction__award__competition=acme_results(w, "followed")  # type: ignore[arg-type]
    ).first()  # type: ignore[return-value]


# Operations added for the API of results (issue 18): the same typed inputs as the pages.
GLOBEX_ANSWERS = expect(
    "outsider", "operator", sees=("owner",), because="organisation_only"
)  # Olivia organises the competition and sees the introduction, Charlie's Globex answers it

MORE_RESULTS_API_CASES = [
    Case(
        "api close the jury's scoring",
        "POST",
        _api("scored", "rounds/1/close-scoring"),
        ORGANISER_PUBLIC,
        api=True,
        route=f"{API}/{{competition_id}}/rounds/{{number}}/close-scoring",
    ),
    Case(
        "api appeals of a competition",
        "GET",
        _api("appealed", "appeals"),
        ORGANISER_PUBLIC,
        api=True,
        route=f"{API}/{{competition_id}}/appeals",
    ),
    Case(
        "api decide an appeal",
        "POST",
        lambda w: (
            f"{API}/appeals/"
            f"{Appeal.objects.get(round__competition=acme_results(w, 'appealed')).public_id}"
            "/decision"
        ),
        ORGANISER_PUBLIC,
        body=lambda w: {"upheld": False, "reason": "复核无误"},
        api=True,
        route=f"{API}/appeals/{{appeal_id}}/decision",
    ),
    Case(
        "api introduce a winning project",
        "POST",
        lambda w: (
            f"{API}/awards/"
            f"{Award.objects.get(competition=acme_results(w, 'awarded')).public_id}/introductions"
        ),
        ORGANISER_PUBLIC,
        body=lambda w: _introduce(w),
        api=True,
        route=f"{API}/awards/{{award_id}}/introductions",
    ),
    Case(
        "api introductions",
        "GET",
        lambda w: f"{API}/introductions",
        AUTHENTICATED,
        api=True,
        route=f"{API}/introductions",
    ),
    Case(
        "api answer an introduction",
        "POST",
        lambda w: f"{API}/introductions/{_introduction(w).public_id}/answer",
        GLOBEX_ANSWERS,
        body=lambda w: {"accept": True},
        api=True,
        route=f"{API}/introductions/{{introduction_id}}/answer",
    ),
    Case(
        "api record a follow-up's outcome",
        "POST",
        lambda w: f"{API}/follow-ups/{_follow_up(w).pk}/outcome",
        ORGANISER_PUBLIC,
        body=lambda w: {
            "outcome": "registered_in_zone",
            "evidence": "营业执照",
            "credit_code": "91460100MA5TCP002T",
        },
        api=True,
        route=f"{API}/follow-ups/{{follow_up_id}}/outcome",
    ),
]

LANDING = expect("owner", "operator", "readonly")  # organiser, operator and Rita, who won


def _award(w: object) -> Award:
    return Award.objects.get(competition=acme_results(w, "awarded"))  # type: ignore[arg-type]


MORE_RESULTS_API_CASES.append(
    Case(
        "api where a winning project may land",
        "GET",
        lambda w: f"{API}/awards/{_award(w).public_id}/landings",
        LANDING,
        api=True,
        route=f"{API}/awards/{{award_id}}/landings",
    )
)
RESULTS_PAGE_CASES.append(
    Case(
        "where a winning project may land",
        "GET",
        lambda w: f"/competitions/awards/{_award(w).public_id}/landings/",
        LANDING,
        url_name="competitions:landings",
    )
)


def _park_org(w: World) -> Organisation:
    """Acme, verified (only a verified organisation can be a park)."""
    return verify_org(w.acme)


def _park_body(w: World) -> dict[str, object]:
    return {"sectors": [concept(w).code], "capacity": 5, "note": "工位与注册地址 / desks"}


def _park_form(w: World) -> dict[str, object]:
    return {"sectors": concept(w).code, "capacity": "5", "note": "工位与注册地址 / desks"}


# A park profile: Acme's members and the zone operator see it; its owner (and the operator)
# registers it; Rita (read-only) sees it but may not change it.
PARK_EDIT = expect("owner", "operator", sees=("readonly",), because="park_managers_only")
PARK_CASES_API = [
    Case(
        "api park profile",
        "GET",
        lambda w: f"{API}/parks/{_park_org(w).public_id}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/parks/{{org_id}}",
    ),
    Case(
        "api register a park",
        "PUT",
        lambda w: f"{API}/parks/{_park_org(w).public_id}",
        PARK_EDIT,
        body=_park_body,
        api=True,
        route=f"{API}/parks/{{org_id}}",
    ),
]
PARK_PAGE_CASES = [
    Case(
        "park profile page",
        "GET",
        lambda w: f"/competitions/parks/{_park_org(w).public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="competitions:park",
    ),
    Case(
        "register a park",
        "POST",
        lambda w: f"/competitions/parks/{_park_org(w).public_id}/",
        PARK_EDIT,
        body=_park_form,
        url_name="competitions:park",
    ),
]

PAGE_CASES += RESULTS_PAGE_CASES
PAGE_CASES += PARK_PAGE_CASES
API_CASES += PARK_CASES_API
API_CASES += MORE_RESULTS_API_CASES
API_CASES += RESULTS_API_CASES

PUBLIC_PAGES = {"competitions:index", "competitions:detail", "competitions:winners"}
PUBLIC_API = {
    ("GET", f"{API}/"),
    ("GET", f"{API}/{{competition_id}}"),
    ("GET", f"{API}/{{competition_id}}/rounds/{{number}}/leaderboard"),
    ("GET", f"{API}/{{competition_id}}/rounds/{{number}}/jury"),
    ("GET", f"{API}/{{competition_id}}/winners"),
}

APPS = ("competitions", "payouts", "core", "orders")  # orders: a conversion
