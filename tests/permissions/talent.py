"""Permission cases for nomad profiles, certification rules, applications, reviews and
certificates (builders: tests/builders/talent.py).

In the matrix Rita (read-only persona) is a nomad with a profile and an application awaiting
review; Wendy (reviewer) also reviews for 市人社局 (renshe); Bob holds a certificate that
renshe issued."""

from __future__ import annotations

import base64
from types import SimpleNamespace

from tests.builders.talent import (
    PDF,
    talent_zone,
)
from tests.conftest import World
from tests.permissions import (
    AUTHENTICATED,
    CONFLICT,
    EVERYONE,
    INVALID,
    OPERATOR_ONLY,
    Case,
    expect,
)

# --- the matrix ------------------------------------------------------------------------------


def _z(w: World) -> SimpleNamespace:
    return talent_zone(w)


def _pdf_b64() -> str:
    return base64.b64encode(PDF).decode()


API = "/api/v1/talent"

API_CASES = [
    Case("talent get my profile", "GET", lambda w: f"{API}/me/profile", AUTHENTICATED, api=True),
    Case(
        "talent patch my profile",
        "PATCH",
        lambda w: f"{API}/me/profile",
        AUTHENTICATED,
        lambda w: {"headline_en": "Remote developer", "time_zone": "Europe/Lisbon"},
        api=True,
    ),
    Case(
        "talent set language",
        "POST",
        lambda w: f"{API}/me/languages",
        AUTHENTICATED,
        lambda w: {"language": "fr", "level": "B1"},
        api=True,
    ),
    Case(
        "talent add link",
        "POST",
        lambda w: f"{API}/me/links",
        AUTHENTICATED,
        lambda w: {"title": "GitHub", "url": "https://github.com/example"},
        api=True,
    ),
    Case(
        "talent declare skill",
        "POST",
        lambda w: (_z(w), f"{API}/me/skills")[1],
        AUTHENTICATED,
        lambda w: {"skill": "nc.python", "level": 4},
        api=True,
    ),
    Case(
        "talent add project",
        "POST",
        lambda w: (_z(w), f"{API}/me/projects")[1],
        AUTHENTICATED,
        lambda w: {
            "title_zh": "客服机器人",
            "role": "Developer",
            "started_on": "2024-01-01",
            "skills": ["nc.python", "nc.figma"],
        },
        api=True,
    ),
    Case(
        "talent set tool",
        "POST",
        lambda w: (_z(w), f"{API}/me/tools")[1],
        AUTHENTICATED,
        lambda w: {"tool": "nc.figma", "proficiency": 3, "years": 1},
        api=True,
    ),
    Case(
        "talent remove skill",
        "DELETE",
        lambda w: f"{API}/me/skills/{_z(w).skill.pk}",
        expect("readonly"),
        api=True,
        route=f"{API}/me/{{section}}/{{item_id}}",
    ),
    Case(
        "talent public profile",
        "GET",
        lambda w: f"{API}/nomads/{_z(w).profile.public_id}",
        EVERYONE,
        api=True,
    ),
    Case(
        "talent list rule sets",
        "GET",
        lambda w: (_z(w), f"{API}/rule-sets")[1],
        EVERYONE,
        api=True,
    ),
    Case(
        "talent create rule set",
        "POST",
        lambda w: f"{API}/rule-sets",
        expect("operator", sees=("outsider", "readonly", "owner", "reviewer")),
        lambda w: {
            "track": "domestic",
            "criteria": {"min_planned_stay_days": 60},
            "effective_from": "2026-01-01",
        },
        api=True,
    ),
    Case(
        "talent eligibility",
        "GET",
        lambda w: (
            _z(w),
            f"{API}/eligibility?track=domestic&remote_income_cny_12m=70000&planned_stay_days=100",
        )[1],
        AUTHENTICATED,
        api=True,
        route=f"{API}/eligibility",
    ),
    Case("talent my applications", "GET", lambda w: f"{API}/applications", AUTHENTICATED, api=True),
    Case(
        "talent apply",
        "POST",
        lambda w: (_z(w), f"{API}/applications")[1],
        expect("outsider", "owner", "reviewer", "operator", readonly=CONFLICT("already_applied")),
        lambda w: {
            "track": "domestic",
            "remote_income_cny_12m": "90000.00",
            "clients_outside_city": 1,
            "planned_stay_days": 100,
            "evidence": [
                {"kind": "income", "file_name": "income.pdf", "content_base64": _pdf_b64()}
            ],
        },
        api=True,
    ),
    Case(
        "talent add evidence",
        "POST",
        lambda w: f"{API}/applications/{_z(w).application.public_id}/evidence",
        expect("readonly"),
        lambda w: {"kind": "contract", "file_name": "contract.pdf", "content_base64": _pdf_b64()},
        api=True,
    ),
    Case(
        "talent withdraw",
        "POST",
        lambda w: f"{API}/applications/{_z(w).application.public_id}/withdraw",
        expect("readonly"),
        api=True,
    ),
    Case(
        "talent review queue",
        "GET",
        lambda w: (_z(w), f"{API}/reviews/applications")[1],
        AUTHENTICATED,
        api=True,
    ),
    Case(
        "talent decide",
        "POST",
        lambda w: f"{API}/reviews/applications/{_z(w).application.public_id}/decision",
        expect("reviewer"),
        lambda w: {
            "approve": True,
            "reason": "Income statements checked.",
            "checked_evidence": True,
        },
        api=True,
    ),
    Case(
        "talent my certificates", "GET", lambda w: f"{API}/me/certificates", AUTHENTICATED, api=True
    ),
    Case(
        "talent verify certificate",
        "GET",
        lambda w: f"{API}/certificates/{_z(w).certificate.verification_code}",
        EVERYONE,
        api=True,
        route=f"{API}/certificates/{{code}}",
    ),
    Case(
        "talent revoke certificate",
        "POST",
        lambda w: f"{API}/certificates/{_z(w).certificate.verification_code}/revoke",
        expect("reviewer", "operator"),
        lambda w: {"reason": "Obtained with false contracts."},
        api=True,
        route=f"{API}/certificates/{{code}}/revoke",
    ),
]

PROFILE_FORM = {
    "headline_zh": "远程开发者",
    "headline_en": "Remote developer",
    "bio_zh": "",
    "bio_en": "",
    "location": "儋州",
    "time_zone": "Asia/Shanghai",
    "availability": "partly",
    "rate_amount": "450.00",
    "rate_unit": "hour",
    "about_visibility": "public",
    "rate_visibility": "members",
    "languages_visibility": "public",
    "links_visibility": "public",
    "skills_visibility": "public",
    "projects_visibility": "public",
    "tools_visibility": "public",
}

PAGE_CASES = [
    Case(
        "talent profile",
        "GET",
        lambda w: "/talent/profile/",
        AUTHENTICATED,
        url_name="talent:profile",
    ),
    Case(
        "talent profile save",
        "POST",
        lambda w: "/talent/profile/",
        AUTHENTICATED,
        lambda w: PROFILE_FORM,
        url_name="talent:profile",
    ),
    Case(
        "talent add language",
        "POST",
        lambda w: "/talent/profile/languages/",
        AUTHENTICATED,
        lambda w: {"language": "fr", "level": "B2"},
        url_name="talent:add_language",
    ),
    Case(
        "talent add link",
        "POST",
        lambda w: "/talent/profile/links/",
        AUTHENTICATED,
        lambda w: {"title": "Portfolio", "url": "https://example.com/work"},
        url_name="talent:add_link",
    ),
    Case(
        "talent add skill",
        "POST",
        lambda w: (_z(w), "/talent/profile/skills/")[1],
        AUTHENTICATED,
        lambda w: {"skill": "nc.python", "level": "4"},
        url_name="talent:add_skill",
    ),
    Case(
        "talent add project",
        "POST",
        lambda w: (_z(w), "/talent/profile/projects/")[1],
        AUTHENTICATED,
        lambda w: {
            "title_en": "Shop",
            "role": "Designer",
            "started_on": "2023-05-01",
            "skills": "nc.figma",
        },
        url_name="talent:add_project",
    ),
    Case(
        "talent add tool",
        "POST",
        lambda w: (_z(w), "/talent/profile/tools/")[1],
        AUTHENTICATED,
        lambda w: {"tool": "nc.figma", "proficiency": "2", "years": "1"},
        url_name="talent:add_tool",
    ),
    Case(
        "talent remove item",
        "POST",
        lambda w: f"/talent/profile/projects/{_z(w).project.pk}/remove/",
        expect("readonly"),
        url_name="talent:remove_item",
    ),
    Case(
        "talent public profile page",
        "GET",
        lambda w: f"/talent/nomads/{_z(w).profile.public_id}/",
        EVERYONE,
        url_name="talent:public_profile",
    ),
    Case(
        "talent certification",
        "GET",
        lambda w: "/talent/certification/",
        AUTHENTICATED,
        url_name="talent:certification",
    ),
    Case(
        "talent check",
        "GET",
        lambda w: "/talent/certification/check/",
        AUTHENTICATED,
        url_name="talent:check",
    ),
    Case(
        "talent apply page",
        "POST",
        lambda w: (_z(w), "/talent/certification/apply/")[1],
        expect("outsider", "owner", "reviewer", "operator", readonly=INVALID()),
        lambda w: {
            "track": "domestic",
            "remote_income_cny_12m": "70000",
            "contract_value_cny_12m": "0",
            "clients_outside_city": "1",
            "planned_stay_days": "100",
            "evidence_kind": "income",
        },
        url_name="talent:apply",
    ),
    Case(
        "talent application",
        "GET",
        lambda w: f"/talent/certification/applications/{_z(w).application.public_id}/",
        expect("readonly"),
        url_name="talent:application",
    ),
    Case(
        "talent withdraw page",
        "POST",
        lambda w: f"/talent/certification/applications/{_z(w).application.public_id}/withdraw/",
        expect("readonly"),
        url_name="talent:withdraw",
    ),
    Case("talent rules", "GET", lambda w: "/talent/rules/", AUTHENTICATED, url_name="talent:rules"),
    Case(
        "talent rules new version",
        "POST",
        lambda w: "/talent/rules/",
        OPERATOR_ONLY,
        lambda w: {
            "track": "foreign",
            "effective_from": "2026-03-01",
            "criteria": '{"nationality": "foreign", "permit_months": {"min": 6, "max": 12}}',
        },
        url_name="talent:rules",
    ),
    Case(
        "talent reviews",
        "GET",
        lambda w: "/talent/reviews/",
        AUTHENTICATED,
        url_name="talent:reviews",
    ),
    Case(
        "talent review",
        "GET",
        lambda w: f"/talent/reviews/{_z(w).application.public_id}/",
        expect("reviewer"),
        url_name="talent:review",
    ),
    Case(
        "talent review decide",
        "POST",
        lambda w: f"/talent/reviews/{_z(w).application.public_id}/",
        expect("reviewer"),
        lambda w: {"approve": "1", "reason": "Checked the contracts.", "checked_evidence": "on"},
        url_name="talent:review",
    ),
    Case(
        "talent certificate page",
        "GET",
        lambda w: f"/talent/certificates/{_z(w).certificate.verification_code}/",
        EVERYONE,
        url_name="talent:certificate",
    ),
    Case(
        "talent revoke confirmation page",
        "GET",
        lambda w: (
            f"/talent/certificates/{_z(w).certificate.verification_code}/revoke/"
            "?reason=False+contracts."
        ),
        expect("reviewer", "operator"),
        url_name="talent:revoke",
    ),
    Case(
        "talent revoke page",
        "POST",
        lambda w: f"/talent/certificates/{_z(w).certificate.verification_code}/revoke/",
        expect("reviewer", "operator"),
        lambda w: {"reason": "False contracts.", "confirm": "yes"},
        url_name="talent:revoke",
    ),
]

# The apps whose tables these requests write (profiles, applications and certificates, which
# notify): the fingerprint covers them and the audit log.
APPS = ("talent", "notifications")
