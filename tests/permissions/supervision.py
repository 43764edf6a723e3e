"""Permission cases for supervision: the task list is for the office (the zone operator) and
members of government departments and public units; the plan import is the office's; a task
is seen by the office and the units on it (Wendy's 市科工信局 is a responsible unit of the
test plan's first task); anyone else gets no such task (404)."""

from __future__ import annotations

from tests.builders.supervision import small_plan
from tests.permissions import SIGNED_IN, Case, expect

UNITS = expect("reviewer", "operator", sees=("outsider", "readonly", "owner"))
OFFICE = expect("operator", sees=SIGNED_IN, because="not_office")

PAGE_CASES = [
    Case("plan tasks", "GET", lambda w: "/supervision/", UNITS, url_name="supervision:list"),
    Case(
        "import a plan",
        "GET",
        lambda w: "/supervision/import/",
        OFFICE,
        url_name="supervision:import",
    ),
    Case(
        "a plan task",
        "GET",
        lambda w: f"/supervision/tasks/{small_plan(w.bob)[0].public_id}/",
        expect("reviewer", "operator"),
        url_name="supervision:detail",
    ),
    Case(
        "quarterly evaluation",
        "GET",
        lambda w: "/supervision/evaluation/",
        OFFICE,
        url_name="supervision:evaluation",
    ),
    Case(
        "quarterly evaluation export",
        "GET",
        lambda w: "/supervision/evaluation.csv",
        OFFICE,
        url_name="supervision:evaluation_export",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("supervision", "accounts")
