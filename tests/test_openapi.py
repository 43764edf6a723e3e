"""The committed OpenAPI document is the code's: change the API on purpose, then run
`make openapi` to update docs/api/openapi.json."""

import json
from pathlib import Path

from django.test import Client

from nomadcloud.api import api

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"


def test_committed_document_matches_the_code() -> None:
    generated = json.loads(json.dumps(api.get_openapi_schema(), sort_keys=True))
    assert json.loads(COMMITTED.read_text()) == generated


def test_document_and_interactive_docs_are_served(db: None) -> None:
    document = Client().get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "NomadCloud API"
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content  # Swagger UI comes from our static files


def test_every_operation_declares_the_error_envelope() -> None:
    schema = json.loads(json.dumps(api.get_openapi_schema()))
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= codes, f"{method.upper()} {path}"


def test_the_document_is_built_once_per_process_and_language() -> None:
    from django.utils import translation

    with translation.override("en"):
        first = api.get_openapi_schema(path_prefix="/api/v1/")
        first["paths"].clear()  # what a caller does to its copy stays in its copy
        again = api.get_openapi_schema(path_prefix="/api/v1/")
        assert again["paths"] and again is not first
        assert api._schemas  # built once, kept for the process
