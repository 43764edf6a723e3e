"""The shared test helpers themselves: the shared data folder skips a test on a developer's
machine but fails it under CI, and ``assert_error`` refuses anything but the exact envelope."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from django.http import HttpResponse, JsonResponse

from tests import helpers
from tests.helpers import assert_error, needs_shared_data, shared_cases, shared_data


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "vectors" / "jcs").mkdir(parents=True)
    monkeypatch.setattr(helpers, "SHARED_DATA", tmp_path)
    return tmp_path


def test_a_present_folder_is_returned(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert shared_data("vectors", "jcs") == folder / "vectors" / "jcs"


def test_an_absent_folder_skips_on_a_developers_machine(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent"):
        shared_data("vectors", "nothing")


def test_an_absent_folder_fails_under_ci(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI it must be present"):
        shared_data("vectors", "nothing")


def test_a_test_needing_the_folder_keeps_its_signature_and_is_checked_first(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[int] = []

    @needs_shared_data("crowd")
    @pytest.mark.parametrize("n", [1])
    def needs_crowd(n: int) -> None:
        ran.append(n)

    assert list(inspect.signature(needs_crowd).parameters) == ["n"]
    assert [m.name for m in needs_crowd.pytestmark] == ["parametrize"]  # type: ignore[attr-defined]
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception):
        needs_crowd(1)
    assert ran == []
    (folder / "crowd").mkdir()
    needs_crowd(2)
    assert ran == [2]


def test_no_cases_become_one_placeholder_case() -> None:
    assert shared_cases([1, 2]) == [1, 2]
    [only] = shared_cases([], width=2)
    assert (only.values, only.id) == ((None, None), "absent")


def envelope(status: int, code: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": "Why.", "fields": fields or {}}, status=status)


def test_assert_error_checks_the_whole_envelope() -> None:
    body = assert_error(envelope(404, "not_found"), "not_found")
    assert body == {"code": "not_found", "message": "Why.", "fields": {}}
    assert_error(envelope(409, "already_rated"), "already_rated", status=409)
    assert_error(envelope(422, "invalid_input", {"name": ["No."]}), "invalid_input", "name")
    failing = [
        lambda: assert_error(envelope(409, "conflict"), "not_found"),  # another code
        lambda: assert_error(envelope(403, "not_found"), "not_found"),  # another status
        lambda: assert_error(envelope(422, "invalid_input"), "invalid_input", "name"),  # no field
        lambda: assert_error(HttpResponse("<html>", status=404), "not_found"),  # a page
        lambda: assert_error(JsonResponse({"code": "not_found"}, status=404), "not_found"),
    ]
    for check in failing:
        with pytest.raises(AssertionError):
            check()
