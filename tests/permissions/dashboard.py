"""Permission cases for the dashboard: the leadership screen, its JSON and the figures page
are for government departments and the zone operator (others: 403 ``not_department``); a
figure is seen and approved by its indicator's owner (Wendy reviews for 市科工信局) or the
zone operator, and hidden (404) from everyone else; the public view and the exports are open
(the public gets published figures only)."""

from __future__ import annotations

import datetime as dt

from tests.builders.dashboard import approved_kegongxin_figure, kegongxin_figure
from tests.permissions import FORBIDDEN, Case, expect

DEPARTMENTS = expect(
    "reviewer", "operator", sees=("outsider", "readonly", "owner"), because="not_department"
)
# A figure is seen only by its indicator's owner unit and the zone operator: others get 404.
OWNER_OF_INDICATOR = expect("reviewer", "operator")

API = "/api/v1/dashboard"
# Wendy reports 市科工信局's indicator; the zone operator sees every figure but reports
# through no unit; the others are not departments.
REPORTERS = expect(
    "reviewer",
    sees=("outsider", "readonly", "owner"),
    because="not_department",
    operator=FORBIDDEN.because("not_indicator_owner"),
)
PUBLISHER = expect("operator", reviewer=FORBIDDEN.because("not_operator"))


def _last_year_figure(w: object) -> dict[str, str]:
    last_year = dt.date.today().year - 1
    return {
        "indicator": "dashboard.incubated_enterprises",
        "period": str(last_year),
        "value": "4",
        "finality": "F",
        "as_of": f"{last_year}-12-31",
        "source": "高新技术企业证书",
    }


API_CASES = [
    Case("api screen", "GET", lambda w: f"{API}/screen", DEPARTMENTS, api=True),
    Case("api observations", "GET", lambda w: f"{API}/observations", DEPARTMENTS, api=True),
    Case(
        "api report a figure",
        "POST",
        lambda w: f"{API}/observations",
        REPORTERS,
        body=_last_year_figure,
        api=True,
    ),
    Case(
        "api approve a figure",
        "POST",
        lambda w: f"{API}/observations/{kegongxin_figure(w).public_id}/approve",
        OWNER_OF_INDICATOR,
        api=True,
        route=f"{API}/observations/{{observation_id}}/approve",
    ),
    Case(
        "api publish a figure",
        "POST",
        lambda w: f"{API}/observations/{approved_kegongxin_figure(w).public_id}/publish",
        PUBLISHER,
        api=True,
        route=f"{API}/observations/{{observation_id}}/publish",
    ),
]

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
PUBLIC_API = {("GET", f"{API}/indicators"), ("GET", f"{API}/public")}

APPS = ("dashboard",)
