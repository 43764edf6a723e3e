"""Settings from the environment, system checks, SQLite tuning, health and logging."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

import pytest
from django.core.checks import WARNING, run_checks
from django.db import connection
from django.test import Client

from nomadcloud.env import ConfigurationError, env_bool, env_int, env_list
from tests.helpers import assert_error, assert_page_refused


class TestEnvironmentHelpers:
    def test_typed_values(self) -> None:
        environ = {"A": "yes", "B": "42", "C": "a.example, b.example,", "D": "off"}
        assert env_bool("A", environ=environ) is True
        assert env_bool("D", environ=environ) is False
        assert env_bool("MISSING", True, environ=environ) is True
        assert env_int("B", 1, environ=environ) == 42
        assert env_list("C", environ=environ) == ["a.example", "b.example"]

    @pytest.mark.parametrize(
        ("call", "name"),
        [
            (lambda e: env_bool("X", environ=e), "X"),
            (lambda e: env_int("X", 1, environ=e), "X"),
            (lambda e: env_int("Y", 1, minimum=10, environ=e), "Y"),
        ],
    )
    def test_malformed_values_name_the_variable(self, call: Any, name: str) -> None:
        with pytest.raises(ConfigurationError, match=name):
            call({"X": "maybe", "Y": "3"})


class TestSystemChecks:
    def ids(self) -> set[str]:
        return {message.id for message in run_checks()}

    def test_a_correct_configuration_passes(self, settings: Any) -> None:
        # Only the note naming the active embedding backend (an Info, not a problem).
        assert {i for i in self.ids() if i.startswith("nomadcloud.")} == {"nomadcloud.I019"}
        assert all(m.level < WARNING for m in run_checks() if m.id == "nomadcloud.I019")

    def test_missing_secrets_are_errors_outside_debug(self, settings: Any) -> None:
        settings.SECRET_KEY_FROM_ENV = ""
        settings.FIELD_ENCRYPTION_KEYS = []
        assert {"nomadcloud.E001", "nomadcloud.E002"} <= self.ids()

    def test_bad_field_key_wildcard_host_and_unknown_backend(self, settings: Any) -> None:
        settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
        settings.ALLOWED_HOSTS = ["*"]
        settings.TASK_BACKEND = "carrier-pigeon"
        assert {"nomadcloud.E003", "nomadcloud.E005", "nomadcloud.E006"} <= self.ids()

    def test_production_hashes_passwords_with_argon2(self) -> None:
        from nomadcloud import settings as project_settings

        assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


class TestDatabaseConfig:
    def test_sqlite_files_use_wal_a_busy_timeout_and_immediate_transactions(
        self, tmp_path: Any
    ) -> None:
        from django.db.backends.sqlite3.base import DatabaseWrapper

        from nomadcloud.dbconfig import database_config

        config = database_config(f"sqlite:///{tmp_path / 'zone.sqlite3'}", sqlite_timeout=7)
        assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        wrapper = DatabaseWrapper(
            {
                **config,
                "TIME_ZONE": None,
                "AUTOCOMMIT": True,
                "ATOMIC_REQUESTS": False,
                "CONN_HEALTH_CHECKS": False,
            }
        )
        raw = wrapper.get_new_connection(wrapper.get_connection_params())
        wrapper.connection = raw
        wrapper.init_connection_state()
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 7000
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert isinstance(raw, sqlite3.Connection)
        raw.close()

    def test_postgres_urls_and_unknown_schemes(self) -> None:
        from nomadcloud.dbconfig import database_config

        config = database_config("postgres://zone:pw@db.internal:5433/nomadcloud")
        assert (config["ENGINE"], config["HOST"], config["PORT"]) == (
            "django.db.backends.postgresql",
            "db.internal",
            5433,
        )
        with pytest.raises(ConfigurationError, match="DATABASE_URL"):
            database_config("mongodb://nope")


class TestHealthAndLogging:
    def test_healthz_reports_the_database(self, db: None) -> None:
        response = Client().get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": connection.vendor}

    def test_every_response_carries_a_request_id(self, db: None) -> None:
        response = Client().get("/healthz")
        assert len(response["X-Request-ID"]) == 32
        echoed = Client().get("/healthz", HTTP_X_REQUEST_ID="abc-12345678")
        assert echoed["X-Request-ID"] == "abc-12345678"
        rejected = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\n")
        assert rejected["X-Request-ID"] != "bad id\n"

    def test_json_log_lines_carry_the_request_id(self) -> None:
        import io

        from pythonjsonlogger.json import JsonFormatter

        from nomadcloud.core.logging import RequestIdFilter
        from nomadcloud.core.request_context import request_id_var

        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(request_id)s %(message)s"))
        handler.addFilter(RequestIdFilter())
        logger = logging.getLogger("nomadcloud.test")
        logger.setLevel(logging.INFO)
        logger.propagate = False
        logger.addHandler(handler)
        token = request_id_var.set("req-1")
        try:
            logger.warning("hello")
        finally:
            request_id_var.reset(token)
            logger.removeHandler(handler)
        line = json.loads(stream.getvalue())
        assert line["request_id"] == "req-1" and line["message"] == "hello"


class TestLockOut:
    def test_five_failures_lock_the_login_even_with_the_right_password(
        self, db: None, settings: Any
    ) -> None:
        from tests.conftest import PASSWORD, make_person

        make_person("Lena", "lena@example.com")
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = client.post(
                "/accounts/login/", {"username": "lena@example.com", "password": "wrong"}
            )
            assert response.status_code == 200
        last = client.post(
            "/accounts/login/", {"username": "lena@example.com", "password": "wrong"}
        )
        assert last.status_code == 429
        locked = client.post(
            "/accounts/login/", {"username": "lena@example.com", "password": PASSWORD}
        )
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_other_notations_of_the_same_number_share_one_counter(
        self, db: None, settings: Any
    ) -> None:
        from nomadcloud.accounts import services
        from tests.conftest import PASSWORD

        services.register_person(
            consent=True, display_name="Mo", phone="+8613900002222", password=PASSWORD
        )
        client = Client()
        notations = ["13900002222", "+86 139 0000 2222", "+86-139-0000-2222", "8613900002222"]
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                "/accounts/login/",
                {"username": notations[attempt % len(notations)], "password": "wrong"},
            )
        locked = client.post("/accounts/login/", {"username": "13900002222", "password": PASSWORD})
        assert locked.status_code == 429

    def test_sign_in_by_mobile_number_in_any_notation(self, db: None) -> None:
        from nomadcloud.accounts import services
        from tests.conftest import PASSWORD

        services.register_person(
            consent=True, display_name="Ma", phone="+86 139 0000 1111", password=PASSWORD
        )
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": "13900001111", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert "_auth_user_id" in client.session


class TestFieldKeys:
    def test_rotation_re_encrypts_with_the_new_key_and_old_keys_can_go(
        self, world: Any, settings: Any
    ) -> None:
        from io import StringIO

        from django.core.management import call_command

        from nomadcloud.accounts import services
        from nomadcloud.accounts.models import User
        from nomadcloud.accounts.principal import Principal
        from nomadcloud.core import crypto

        services.set_foreign_details(
            principal=Principal.for_user(world.bob),
            user=world.bob,
            nationality="FR",
            passport_number="12AB34567",
        )
        out = StringIO()
        call_command("generate_field_key", stdout=out)
        new_key = out.getvalue().strip()
        old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
        settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
        call_command("rotate_field_keys", stdout=StringIO())
        settings.FIELD_ENCRYPTION_KEYS = [new_key]
        bob = User.objects.get(pk=world.bob.pk)
        assert crypto.decrypt_text(bob.passport_number_encrypted) == "12AB34567"


class TestIdempotencyPruning:
    def test_expired_records_are_pruned(self, db: None, settings: Any) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from nomadcloud.core.idempotency import prune_expired
        from nomadcloud.core.models import IdempotencyRecord

        record = IdempotencyRecord.objects.create(
            owner="user:1",
            key="k",
            method="POST",
            path="/api/v1/x",
            fingerprint="f",
            status_code=201,
            response_body=b"{}",
        )
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            created_at=timezone.now() - settings.IDEMPOTENCY_KEY_TTL - timedelta(minutes=1)
        )
        IdempotencyRecord.objects.create(
            owner="user:1",
            key="fresh",
            method="POST",
            path="/api/v1/x",
            fingerprint="f",
            status_code=201,
            response_body=b"{}",
        )
        assert prune_expired() == 1
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_garbage_collector_threshold_comes_from_settings(settings: Any) -> None:
    import gc

    from nomadcloud.core.runtime import tune_garbage_collector

    before = gc.get_threshold()
    try:
        settings.GC_THRESHOLD = 12_345
        tune_garbage_collector()
        assert gc.get_threshold() == (12_345, before[1], before[2])
        settings.GC_THRESHOLD = 0  # keeps what is set
        tune_garbage_collector()
        assert gc.get_threshold() == (12_345, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def test_a_process_starts_with_the_configured_threshold() -> None:
    """The setting is applied when the apps are ready, in every process (web, worker,
    commands): here a fresh interpreter with NOMADCLOUD_GC_THRESHOLD, and one with a bad
    value, which stops start-up."""
    import os
    import subprocess
    import sys

    code = "import django, gc; django.setup(); print(gc.get_threshold()[0])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nomadcloud.settings"}
    ok = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "NOMADCLOUD_GC_THRESHOLD": "4321"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert ok.stdout.strip() == "4321"
    bad = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "NOMADCLOUD_GC_THRESHOLD": "lots"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "NOMADCLOUD_GC_THRESHOLD" in bad.stderr


def test_a_nul_character_in_a_query_or_path_is_refused_everywhere(world: Any) -> None:
    """PostgreSQL cannot hold NUL in text: a query parameter with one used to reach the
    database and fail with a 500 (found by the API fuzzer). Now it is refused up front,
    localized and naming the parameter, and nothing runs."""
    from nomadcloud.core.models import AuditEvent

    operator = Client()
    operator.force_login(world.oscar)  # prefers Chinese, the default
    before = AuditEvent.objects.count()
    api = operator.get("/api/v1/points/operator/rates", {"scenario": "\x94\x00x"})
    body = assert_error(api, "invalid_input")
    assert body["fields"] == {"scenario": ["文本中不能包含 NUL（U+0000）字符。"]}
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = assert_error(
        english.get("/api/v1/proofs/inclusion", {"index": "0\x00", "size": "1"}), "invalid_input"
    )
    assert answer["fields"] == {"index": ["Text must not contain NUL (U+0000) characters."]}
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/proofs/verify/", {"credential": "a\x00b"})
    assert_page_refused(page, 400, "Text must not contain NUL (U+0000) characters.")
    path = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/proofs/credentials/%00/revocation")
    assert_error(path, "invalid_input", field="__path__")
    assert AuditEvent.objects.count() == before
    # An ordinary query is untouched.
    assert operator.get("/api/v1/points/operator/rates").status_code == 200
