"""Permission cases for the dashboard: the leadership screen, its JSON and the figures page
are for government departments and the zone operator (others: 403 ``not_department``); a
figure is seen and approved by its indicator's owner (Wendy reviews for 市科工信局) or the
zone operator, and hidden (404) from everyone else; the public view and the exports are open
(the public gets published figures only)."""

from __future__ import annotations

from tests.builders.dashboard import kegongxin_figure
from tests.permissions import Case, expect

DEPARTMENTS = expect(
    "reviewer", "operator", sees=("outsider", "readonly", "owner"), because="not_department"
)
# A figure is seen only by its indicator's owner unit and the zone operator: others get 404.
OWNER_OF_INDICATOR = expect("reviewer", "operator")

PAGE_CASES = [
    Case(
        "leadership screen",
        "GET",
        lambda w: "/dashboard/",
        DEPARTMENTS,
        url_name="dashboard:screen",
    ),
    Case(
        "leadership screen json",
        "GET",
        lambda w: "/dashboard/screen.json",
        DEPARTMENTS,
        url_name="dashboard:screen_json",
    ),
    Case(
        "figures page",
        "GET",
        lambda w: "/dashboard/figures/",
        DEPARTMENTS,
        url_name="dashboard:figures",
    ),
    Case(
        "approve a figure",
        "POST",
        lambda w: f"/dashboard/figures/{kegongxin_figure(w).public_id}/approve",
        OWNER_OF_INDICATOR,
        url_name="dashboard:decide",
    ),
]

PUBLIC_PAGES = {"dashboard:public", "dashboard:public_json", "dashboard:export"}
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("dashboard",)
