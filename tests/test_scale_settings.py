"""Scale-out configuration (issue 21 item 4): the shared cache, pooling, the replica, object
storage and the job queues are parsed from the environment, and the system checks refuse
combinations that cannot work. No database is needed for any of these."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.checks import run_checks

from nomadcloud import settings_scale as scale
from nomadcloud.core import scale_checks
from nomadcloud.env import ConfigurationError

pytestmark = pytest.mark.one_database("sqlite")


class TestCacheUrl:
    def test_the_database_cache_is_the_default_and_shared_by_both_caches(self) -> None:
        caches = scale.cache_config(scale.DEFAULT_CACHE_URL)
        assert caches["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        assert caches["default"]["LOCATION"] == caches["throttle"]["LOCATION"] == "nomadcloud_cache"
        assert caches["default"]["KEY_PREFIX"] != caches["throttle"]["KEY_PREFIX"]

    @pytest.mark.parametrize(
        ("url", "location"),
        [
            ("redis://cache.internal:6379/1", "redis://cache.internal:6379/1"),
            ("valkey://:pw@cache.internal:6379/0", "redis://:pw@cache.internal:6379/0"),
            ("valkeys://cache.internal:6380/0", "rediss://cache.internal:6380/0"),
        ],
    )
    def test_valkey_and_redis_urls(self, url: str, location: str) -> None:
        caches = scale.cache_config(url)
        assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert caches["throttle"]["LOCATION"] == location

    def test_locmem_keeps_two_separate_stores(self) -> None:
        caches = scale.cache_config("locmem://")
        assert caches["default"]["LOCATION"] != caches["throttle"]["LOCATION"]

    @pytest.mark.parametrize("url", ["memcached://x", "db://bad;table", "file:///tmp/x"])
    def test_unknown_caches_are_refused(self, url: str) -> None:
        with pytest.raises(ConfigurationError, match="CACHE_URL"):
            scale.cache_config(url)


POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "zone", "PORT": "5432"}


class TestPooling:
    def test_pgbouncer_turns_off_server_side_cursors_and_prepared_statements(self) -> None:
        config = scale.pooling_options(
            dict(POSTGRES), mode="pgbouncer", pool_min=1, pool_max=2, pool_timeout=3
        )
        assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert config["OPTIONS"]["prepare_threshold"] is None
        assert "pool" not in config["OPTIONS"]

    def test_the_psycopg_pool(self) -> None:
        config = scale.pooling_options(
            dict(POSTGRES), mode="psycopg", pool_min=2, pool_max=8, pool_timeout=5
        )
        assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 5}

    def test_an_unknown_mode_is_refused(self) -> None:
        with pytest.raises(ConfigurationError, match="DB_POOL"):
            scale.pooling_options(
                dict(POSTGRES), mode="odbc", pool_min=1, pool_max=1, pool_timeout=1
            )

    def ids(self, mode: str, databases: dict[str, Any]) -> set[str]:
        return {m.id for m in scale_checks.pooling_problems(mode, databases) if m.id}

    def test_the_pool_with_persistent_connections_is_refused(self) -> None:
        databases = {
            "default": {**POSTGRES, "CONN_MAX_AGE": 60, "OPTIONS": {"pool": {"max_size": 4}}}
        }
        assert "nomadcloud.E211" in self.ids("psycopg", databases)

    def test_pooling_on_sqlite_is_refused(self) -> None:
        databases = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}
        assert self.ids("pgbouncer", databases) == {"nomadcloud.E210"}

    def test_pgbouncers_port_without_pgbouncer_settings_is_refused(self) -> None:
        bouncer = {**POSTGRES, "PORT": "6432"}
        assert self.ids("none", {"default": {**bouncer, "OPTIONS": {}}}) == {"nomadcloud.E213"}
        configured = scale.pooling_options(
            bouncer, mode="pgbouncer", pool_min=1, pool_max=1, pool_timeout=1
        )
        assert self.ids("pgbouncer", {"default": configured}) == set()


class TestReplicaConfig:
    def test_the_replica_mirrors_the_primary_in_tests_and_must_match_its_engine(self) -> None:
        entry = scale.replica_config(POSTGRES, {**POSTGRES, "HOST": "replica.internal"})
        assert entry["TEST"] == {"MIRROR": "default"}
        with pytest.raises(ConfigurationError, match="same engine"):
            scale.replica_config(POSTGRES, {"ENGINE": "django.db.backends.sqlite3"})


class TestObjectStorage:
    OPTIONS = {
        "bucket_name": "nomadcloud-uploads",
        "endpoint_url": "http://127.0.0.1:9",  # the discard port: nothing answers
        "region_name": "cn-south-1",
        "access_key": "test",
        "secret_key": "test",
        "addressing_style": "path",
    }

    def test_options_are_json_and_need_a_bucket(self) -> None:
        assert scale.storage_options(scale.S3_BACKEND, json.dumps(self.OPTIONS)) == self.OPTIONS
        with pytest.raises(ConfigurationError, match="bucket_name"):
            scale.storage_options(scale.S3_BACKEND, '{"endpoint_url": "https://oss.example.cn"}')
        with pytest.raises(ConfigurationError, match="unknown S3 option"):
            scale.storage_options(scale.S3_BACKEND, '{"bucket_name": "b", "buckett": 1}')
        with pytest.raises(ConfigurationError, match="JSON"):
            scale.storage_options(scale.S3_BACKEND, "{bucket")
        assert scale.storage_options("django.core.files.storage.FileSystemStorage", "") == {}

    def test_a_bucket_that_does_not_answer_is_an_error(self, settings: Any) -> None:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": scale.S3_BACKEND, "OPTIONS": self.OPTIONS},
        }
        messages = [m for m in run_checks() if m.id == "nomadcloud.E216"]
        assert len(messages) == 1
        assert "nomadcloud-uploads" in messages[0].msg
        assert "127.0.0.1:9" in messages[0].msg

    def test_the_file_system_needs_no_bucket(self) -> None:
        assert scale_checks.check_storage() == []


def _settings_in_a_fresh_process(**environ: str) -> dict[str, Any]:
    """Import nomadcloud.settings in a new interpreter with ``environ``: the configuration
    a deployment would get, without starting Django."""
    code = (
        "import json, nomadcloud.settings as s;"
        "print(json.dumps({'TASKS': s.TASKS, 'RQ_QUEUES': s.RQ_QUEUES,"
        " 'apps': s.INSTALLED_APPS, 'CACHES': s.CACHES, 'DATABASES': s.DATABASES,"
        " 'STORAGES': s.STORAGES}, default=str))"
    )
    # Without the test run's own choices (CACHE_URL=locmem://, TASK_BACKEND=immediate).
    inherited = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "TASK_BACKEND"}}
    env = {**inherited, **environ}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def test_switching_to_the_redis_queue_backend_is_configuration_only() -> None:
    parsed = _settings_in_a_fresh_process(
        TASK_BACKEND="rq", TASK_REDIS_URL="valkey://queue.internal:6379/2"
    )
    assert parsed["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert parsed["TASKS"]["default"]["QUEUES"] == scale.QUEUES
    assert set(parsed["RQ_QUEUES"]) == set(scale.QUEUES)  # every queue defined for django-rq
    assert {q["URL"] for q in parsed["RQ_QUEUES"].values()} == {"redis://queue.internal:6379/2"}
    assert {"django_rq", "django_tasks_rq"} <= set(parsed["apps"])
    default = _settings_in_a_fresh_process(TASK_BACKEND="database")
    assert default["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert default["RQ_QUEUES"] == {} and "django_rq" not in default["apps"]


def test_a_deployment_gets_the_database_cache_a_replica_and_pgbouncer_settings() -> None:
    parsed = _settings_in_a_fresh_process(
        DATABASE_URL="postgres://app:pw@db.internal:6432/zone",
        DATABASE_REPLICA_URL="postgres://app:pw@replica.internal:6432/zone",
        DB_POOL="pgbouncer",
        STORAGE_BACKEND=scale.S3_BACKEND,
        STORAGE_OPTIONS='{"bucket_name": "uploads", "endpoint_url": "https://oss.example.cn"}',
    )
    assert parsed["CACHES"]["default"]["BACKEND"].endswith("DatabaseCache")
    assert set(parsed["DATABASES"]) == {"default", "replica"}
    for alias in ("default", "replica"):
        assert parsed["DATABASES"][alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert parsed["DATABASES"]["replica"]["HOST"] == "replica.internal"
    assert parsed["STORAGES"]["default"]["OPTIONS"]["bucket_name"] == "uploads"
