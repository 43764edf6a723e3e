"""Permission cases for core's shared pages: public notices are public; objecting needs a
sign-in; an objection's decision page is for whom the owning app names (here the zone
operator); the holiday calendar is the zone operator's."""

from __future__ import annotations

from tests.builders.core import objection, public_notice
from tests.permissions import AUTHENTICATED, EVERYONE, Case, expect

OPERATOR = expect("operator")

API_CASES: list[Case] = []

PAGE_CASES = [
    Case("public notices", "GET", lambda w: "/publicity/", EVERYONE, url_name="core:publicity"),
    Case(
        "a public notice",
        "GET",
        lambda w: f"/publicity/{public_notice(w).pk}/",
        EVERYONE,
        url_name="core:notice",
    ),
    Case(
        "decide an objection",
        "GET",
        lambda w: f"/publicity/objections/{objection(w).pk}/",
        OPERATOR,
        url_name="core:decide",
    ),
    Case("holiday calendar", "GET", lambda w: "/holidays/", OPERATOR, url_name="core:holidays"),
    Case(
        "file an objection",
        "POST",
        lambda w: f"/publicity/{public_notice(w).pk}/",
        AUTHENTICATED,
        body=lambda w: {"grounds": "It is wrong."},
        url_name="core:notice",
    ),
    Case(
        "record the decision on an objection",
        "POST",
        lambda w: f"/publicity/objections/{objection(w).pk}/",
        OPERATOR,
        body=lambda w: {"upheld": "no", "reason": "Checked."},
        url_name="core:decide",
    ),
    Case(
        "record a holiday",
        "POST",
        lambda w: "/holidays/",
        OPERATOR,
        body=lambda w: {
            "form": "day",
            "date": "2030-10-01",
            "is_working_day": "no",
            "name_zh": "国庆节",
            "name_en": "National Day",
        },
        url_name="core:holidays",
    ),
]

PUBLIC_PAGES: set[str] = set()

APPS = ("core",)
