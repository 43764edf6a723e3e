"""Two web processes, one PostgreSQL server (issue 21 item 4): what one process writes the
other sees — the session, a lock-out, an ``Idempotency-Key`` answer and the shared cache's
counters. Both are real ``runserver`` processes on the test database with the database
cache (CACHE_URL's default); the client keeps one cookie jar for 127.0.0.1, as a browser
behind a load balancer would."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connection

from nomadcloud.accounts import services
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from tests.conftest import PASSWORD, credit_code, make_person

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two processes share a PostgreSQL server"
    ),
    pytest.mark.django_db(transaction=True),
]

LOCKOUT_AFTER = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def servers() -> Iterator[list[str]]:
    call_command("createcachetable", "nomadcloud_cache", verbosity=0)  # as migrate does
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CACHE_URL": "db://nomadcloud_cache",
        "TASK_BACKEND": "immediate",
        "LOGIN_FAILURE_LIMIT": str(LOCKOUT_AFTER),
        "MATCHING_EMBEDDINGS": "none",
        "NOMADCLOUD_DEBUG": "false",
    }
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nomadcloud",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{port}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 180
        for base in bases:
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=20).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still loading
                    pass
                assert time.monotonic() < deadline, "a web process did not start"
                time.sleep(0.3)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _sign_in(browser: requests.Session, base: str, username: str, password: str) -> Any:
    page = browser.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.status_code
    return browser.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )


def _sign_ins_counted() -> int:
    """The site-wide sign-in counter in the shared cache, read from this process."""
    cache = DatabaseCache("nomadcloud_cache", {"KEY_PREFIX": "thr"})
    window = int(time.time()) // 60
    return sum(int(cache.get(f"throttle:sign_in_global:*:{w}", 0)) for w in (window - 1, window))


def test_a_write_in_one_process_is_seen_in_the_other(servers: list[str], settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    one, other = servers
    alice = make_person("Alice", "alice@example.cn")
    make_person("Bob", "bob@example.cn")
    counted_before = _sign_ins_counted()

    # The session made by one process is a signed-in session in the other.
    browser = requests.Session()
    assert _sign_in(browser, one, "alice@example.cn", PASSWORD).status_code == 302
    workspace = browser.get(f"{other}/accounts/workspace/", allow_redirects=False, timeout=10)
    assert workspace.status_code == 200

    # Failures counted by both processes lock the person out in both.
    stranger = requests.Session()
    for base in (one, other)[:LOCKOUT_AFTER]:
        assert _sign_in(stranger, base, "bob@example.cn", "wrong-password").status_code != 302
    locked = _sign_in(stranger, other, "bob@example.cn", PASSWORD)
    assert locked.status_code != 302 and "sessionid" not in locked.cookies
    locked_first = _sign_in(requests.Session(), one, "bob@example.cn", PASSWORD)
    assert locked_first.status_code != 302

    # Both processes count sign-ins in one shared counter (the throttles' cache).
    assert _sign_ins_counted() - counted_before == 5

    # An Idempotency-Key answered by one process is replayed by the other, not re-run.
    _token, secret = services.create_personal_token(
        principal=Principal.for_user(alice), name="two processes", scope="write"
    )
    api = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "create-org-1"}
    body = {
        "kind": "enterprise",
        "name_en": "Twin Ltd",
        "name_zh": "双子公司",
        "credit_code": credit_code("Twin Ltd"),
    }
    first = requests.post(f"{one}/api/v1/organisations", json=body, headers=api, timeout=20)
    assert first.status_code == 201, first.text
    again = requests.post(f"{other}/api/v1/organisations", json=body, headers=api, timeout=20)
    assert again.status_code == 201 and again.json() == first.json()
    assert Organisation.objects.filter(name_en="Twin Ltd").count() == 1


# A second process holding the matching index: it prints the profiles it knows, waits for a
# line, brings its index up to date (matcher.current) and prints them again.
_INDEX_HOLDER = """
import json, sys, django
django.setup()
from nomadcloud.matching import matcher
print(json.dumps(sorted(matcher.current().index.slot_of)), flush=True)
sys.stdin.readline()
print(json.dumps(sorted(matcher.current().index.slot_of)), flush=True)
"""


def test_a_profile_changed_in_one_process_reaches_the_index_of_another() -> None:
    import json

    from django.db import transaction

    from nomadcloud.talent.events import send_profile_changed
    from nomadcloud.talent.services._common import ensure_profile

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MATCHING_EMBEDDINGS": "none",
        "DJANGO_SETTINGS_MODULE": "nomadcloud.settings",
    }
    holder = subprocess.Popen(
        [sys.executable, "-c", _INDEX_HOLDER],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        before = json.loads(holder.stdout.readline())
        with transaction.atomic():  # as the talent services do: change and stamp together
            profile = ensure_profile(make_person("Chen", "chen@example.cn"))
            send_profile_changed([profile.pk])
        assert profile.pk not in before
        holder.stdin.write("go\n")
        holder.stdin.flush()
        after = json.loads(holder.stdout.readline())
        assert profile.pk in after
    finally:
        holder.kill()
        holder.wait(timeout=10)
