"""The whole-platform load test (issue 21 §5; design 11-scale.md §5.5): ``benchmarks/scale/run``.

1. A throwaway PostgreSQL server (``nomadcloud.testing.pgcluster``), migrated and seeded with
   the demo zone, then grown on the server to ``--scale`` × ten times the zone's size (the
   tables that grow with people): 200,000 accounts and nomad profiles, 20,000 enterprises,
   500,000 one-card applications, 100,000 bookings and stays, 10,000 foreign guests'
   registrations, 5,000,000 audit events at ``--scale 1``.
   Rows are cloned from the demo's own rows with ``INSERT … SELECT … FROM generate_series``
   (one statement per table, no round trip per row): primary keys from their sequences, unique
   text and uuid columns made unique, a unique foreign key (a profile's user) given to the
   accounts that have none yet. The clones are valid rows of their tables (every constraint
   holds) but repeat the demo's contents.
2. Two web processes (gunicorn, 2 workers) and two job workers (``nomadcloud jobs worker``) on
   this machine, reading the same environment.
3. Locust (its own virtualenv in ``var/locust``, installed from PyPI on first use, decision
   0045), headless, a mixed workload of the main pages and API calls of every role through
   real HTTP (anonymous public, nomad, enterprise, department reviewer, community operator,
   public security, zone operator; the signed-in roles carry a session made for the demo
   person): requests per second and p50/p95/p99 per endpoint. Before the run every endpoint
   is fetched once; one that does not answer 200 is reported and left out.
4. A year's dashboard snapshot (``dashboard.services.snapshot_year``), timed.
5. Jobs: ``--jobs`` notification e-mails enqueued on the database queue; both workers are
   killed with SIGKILL mid-way and started again; the run waits for the queue to drain
   (``--drain-seconds``) and counts jobs not finished (lost) and rows left RUNNING.

The last line is one JSON object: ``requests_per_s``, ``p95_ms_max``, ``snapshot_year_s``,
``jobs_lost``, ``jobs_left_running`` and the details. Targets (issue 21): p95 ≤ 300 ms for
every endpoint at the peak the machine sustains, a year's snapshot ≤ 60 s, 0 jobs lost.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from nomadcloud.testing.scale_rows import SPEC_ROWS, grow

ROOT = Path(__file__).resolve().parents[2]
LOCUST_VERSION = "2.47.0"
LOCUST_VENV = ROOT / "var" / "locust"

ENV = {
    "SECRET_KEY": "scalebench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "NOMADCLOUD_FIELD_KEYS": "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI=",
    "DJANGO_SETTINGS_MODULE": "nomadcloud.settings",
    "TASK_BACKEND": "database",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "LOG_LEVEL": "ERROR",
    "DB_CONN_MAX_AGE": "60",
    # A short lease, so the jobs of the killed workers come back within the run (the
    # restarted workers reap once at start and once per lease; docs/operations.md).
    "JOB_LEASE_SECONDS": "15",
}
P95_TARGET_MS = 300.0
SNAPSHOT_TARGET_S = 60.0
PASSWORDLESS_ROLES = {
    # role: demo e-mail (README); the session is made directly (no login form under load)
    "nomad": "nomad@demo.nomadcloud.cn",
    "enterprise": "enterprise@demo.nomadcloud.cn",
    "reviewer": "reviewer@demo.nomadcloud.cn",
    "community": "community@demo.nomadcloud.cn",
    "police": "gongan@demo.nomadcloud.cn",  # the public security bureau's staff member
    "operator": "operator@demo.nomadcloud.cn",
}


def say(text: str) -> None:
    print(text, flush=True)


# ---- seeding ------------------------------------------------------------------------------


def seed(scale: float) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    say("migrating and loading the demo zone")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    demo_s = time.perf_counter() - began
    say(f"demo zone seeded in {demo_s:.0f} s")
    rows: dict[str, int] = {}
    for table, spec in SPEC_ROWS.items():
        started = time.perf_counter()
        target = max(int(spec * scale), 1)
        added = grow(table, target)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our constant)
            rows[table] = cursor.fetchone()[0]
        say(
            f"  {table}: {rows[table]:,} rows (+{added:,}) in {time.perf_counter() - started:.1f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"rows": rows, "seed_s": round(time.perf_counter() - began, 1)}


# ---- processes ----------------------------------------------------------------------------


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {**os.environ, **ENV, "DATABASE_URL": database_url}
    env["NOMADCLOUD_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    env.pop("NOMADCLOUD_DEBUG", None)
    return env


def start_web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [
            str(gunicorn),
            "nomadcloud.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    nomadcloud = Path(sys.executable).parent / "nomadcloud"
    return subprocess.Popen(
        [
            str(nomadcloud),
            "jobs",
            "worker",
            # Dedicated to the queue under test (docs/operations.md): a '*' worker would
            # first take the seed's matching refreshes, each loading the in-memory matching
            # index of all 200,000 profiles (minutes at --scale 1) before any e-mail.
            "--queue-name",
            "notifications",
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_http(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (localhost)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def locust_binary() -> Path:
    binary = LOCUST_VENV / "bin" / "locust"
    if not binary.exists():
        say(f"installing locust {LOCUST_VERSION} into {LOCUST_VENV} (once)")
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run(
            [str(LOCUST_VENV / "bin" / "pip"), "install", "-q", f"locust=={LOCUST_VERSION}"],
            check=True,
        )
    return binary


# ---- the workload -------------------------------------------------------------------------


def busiest_department() -> Any:
    """The department with the most one-card applications and a staff member to open its
    queue (the clones follow the demo's applications)."""
    from django.db.models import Count

    from nomadcloud.accounts.models import Organisation
    from nomadcloud.onecard.models import Application

    busiest = Application.objects.values("department").annotate(n=Count("id")).order_by("-n")
    for row in busiest[:5]:
        department = Organisation.objects.get(pk=row["department"])
        if officer_of(department) is not None:
            return department
    return None


def officer_of(department: Any) -> Any:
    """A staff member of ``department`` (may open its queue)."""
    from nomadcloud.accounts.models import Membership

    membership = (
        Membership.objects.filter(organisation=department)
        .exclude(role=Membership.Role.READONLY)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def sessions(department: Any) -> dict[str, str]:
    """A session cookie per signed-in role (stored in the database, as a login makes it)."""
    from django.test import Client

    from nomadcloud.accounts.models import User

    people = {role: User.objects.filter(email=email).first()
              for role, email in PASSWORDLESS_ROLES.items()}  # fmt: skip
    if department is not None:
        people["reviewer"] = officer_of(department) or people.get("reviewer")
    found = {}
    for role, user in people.items():
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        found[role] = client.cookies["sessionid"].value
    return found


def endpoints(department: Any) -> dict[str, list[str]]:
    """The main pages and API calls of every role (paths; the demo's own objects)."""
    queue = f"/services/departments/{department.public_id}/queue/" if department else ""
    return {
        "public": [
            "/",
            "/services/",
            "/services/catalog.jsonld",
            "/api/3/action/package_search?rows=1000",
            "/api/ocds/releases.json",
            "/dashboard/public.json",
            "/api/v1/taxonomy/search?q=%E6%95%B0%E6%8D%AE",
            "/api/v1/services/items",
            "/api/v1/communities",
        ],
        "nomad": [
            "/",
            "/points/",
            "/services/mine/",
            "/notifications/",
            "/talent/profile/",
            "/api/v1/me",
            "/api/v1/notifications",
            "/api/v1/points/wallet",
            "/api/v1/services/applications",
        ],
        "enterprise": ["/", "/demands/", "/notifications/", "/api/v1/demands"],
        "reviewer": [p for p in ["/", queue, "/api/v1/reviews/organisations"] if p],
        "community": ["/", "/communities/"],
        "police": ["/api/v1/communities/registrations"],
        "operator": [
            "/dashboard/screen.json",
            "/dashboard/",
            "/accounts/audit/",
            "/api/v1/audit-events",
            "/supervision/",  # the office's and leadership's view of the plan's tasks
            "/api/v1/supervision/tasks",
        ],
    }


def _fetch(base: str, path: str, cookie: str | None) -> bool:
    request = urllib.request.Request(base + path)  # noqa: S310 (our http URL)
    request.add_header("Accept-Language", "zh-hans")
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            return response.status == 200 and not response.geturl().count("/login")
    except OSError:
        return False


def check_endpoints(
    base: str, roles: dict[str, list[str]], cookies: dict[str, str], rounds: int = 5
) -> tuple[dict[str, list[str]], list[str], dict[str, float]]:
    """The endpoints that answer 200 (by role), those left out, and each one's median time
    alone (one request at a time, after a first warming one): what its queries cost without
    concurrency, to tell a slow query from a busy CPU."""
    kept: dict[str, list[str]] = {}
    dropped: list[str] = []
    solo: dict[str, float] = {}
    for role, paths in roles.items():
        if role != "public" and role not in cookies:
            dropped.extend(f"{role} {p}" for p in paths)
            continue
        cookie = cookies.get(role) if role != "public" else None
        for path in paths:
            if not _fetch(base, path, cookie):
                dropped.append(f"{role} {path}")
                continue
            kept.setdefault(role, []).append(path)
            samples = []
            for _ in range(rounds):
                began = time.perf_counter()
                _fetch(base, path, cookie)
                samples.append(time.perf_counter() - began)
            solo[f"{role} {path}"] = round(sorted(samples)[rounds // 2] * 1000, 1)
    return kept, dropped, solo


def run_locust(
    base: str, roles: dict[str, list[str]], cookies: dict[str, str], users: int, seconds: int,
    work: Path,
) -> list[dict[str, Any]]:  # fmt: skip
    config = work / "locust.json"
    config.write_text(json.dumps({"roles": roles, "cookies": cookies}))
    prefix = work / f"locust{users}"
    env = {**os.environ, "SCALE_LOCUST_CONFIG": str(config)}
    with (work / f"locust{users}.log").open("wb") as log:
        subprocess.run(
            [str(locust_binary()), "-f", str(Path(__file__).with_name("locustfile.py")),
             "--headless", "-u", str(users), "-r", str(max(users // 2, 1)),
             "-t", f"{seconds}s", "--host", base, "--csv", str(prefix), "--only-summary",
             "--loglevel", "WARNING"],
            env=env, check=False, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    with (work / f"locust{users}_stats.csv").open() as f:
        return list(csv.DictReader(f))


def step_figures(stats: list[dict[str, Any]], users: int) -> dict[str, Any]:
    """One load step: per-endpoint figures and the aggregate."""
    per_endpoint = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "per_s": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
        }
        for row in stats
        if row["Name"] != "Aggregated"
    }
    total = next(row for row in stats if row["Name"] == "Aggregated")
    return {
        "users": users,
        "requests_per_s": round(float(total["Requests/s"]), 1),
        "p95_ms_max": max((f["p95_ms"] for f in per_endpoint.values()), default=0.0),
        "p95_ms_aggregated": float(total["95%"]),
        "p99_ms_aggregated": float(total["99%"]),
        "failures": int(total["Failure Count"]),
        "endpoints": per_endpoint,
    }


def peak(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The step of the highest throughput whose every endpoint kept p95 ≤ P95_TARGET_MS and
    nothing failed (the peak the machine sustains); the lightest step when none did."""
    held = [s for s in steps if s["p95_ms_max"] <= P95_TARGET_MS and not s["failures"]]
    if held:
        return max(held, key=lambda s: s["requests_per_s"])
    return min(steps, key=lambda s: s["users"])


# ---- jobs ---------------------------------------------------------------------------------


def enqueue_jobs(count: int) -> list[str]:
    from django.db import connection

    from nomadcloud.notifications.models import Notification
    from nomadcloud.notifications.tasks import send_notification_email

    grow("notifications_notification", count)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notifications_notification SET emailed_at = NULL")
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True)[:count])
    return [str(send_notification_email.enqueue(pk).id) for pk in ids]


def job_counts(ids: list[str]) -> dict[str, int]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(id__in=ids).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
        process.wait()


# ---- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the spec's size (default 1)"
    )
    parser.add_argument(
        "--users",
        default="10,20,40",
        help="Locust users per load step, comma-separated (default 10,20,40)",
    )
    parser.add_argument("--seconds", type=int, default=60, help="Locust run time per step")
    parser.add_argument("--jobs", type=int, default=10_000, help="notification jobs")
    parser.add_argument("--drain-seconds", type=int, default=600)
    parser.add_argument("--year", type=int, default=2026, help="the snapshot's year")
    args = parser.parse_args(argv)
    user_steps = sorted({int(u) for u in str(args.users).split(",") if u.strip()})
    sys.path.insert(0, str(ROOT))
    from nomadcloud.testing.pgcluster import PostgresCluster

    load = [round(os.getloadavg()[0], 1)]
    began_all = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nomadcloud-scale-") as tmp:
        work = Path(tmp)
        (work / "static").mkdir()
        cluster = PostgresCluster().start()
        processes: list[subprocess.Popen[bytes]] = []
        try:
            env = _env(cluster.url, work)
            os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH",)})
            import django

            django.setup()
            from django.core.management import call_command

            seeded = seed(args.scale)
            call_command("collectstatic", "--noinput", verbosity=0)
            department = busiest_department()
            cookies = sessions(department)
            roles = endpoints(department)
            port = cluster.port + 1
            base = f"http://127.0.0.1:{port}"
            processes.append(start_web(env, port, work / "web.log"))
            wait_http(base + "/healthz")
            roles, dropped, solo = check_endpoints(base, roles, cookies)
            if dropped:
                say(f"left out (no 200 answer): {', '.join(dropped)}")
            slowest = sorted(solo.items(), key=lambda x: -x[1])
            say("alone (one request at a time), median ms: "
                + ", ".join(f"{k} {v:.0f}" for k, v in slowest))  # fmt: skip
            steps = []
            for users in user_steps:
                say(f"load: {users} users for {args.seconds} s on {base} (2 web processes)")
                step = step_figures(
                    run_locust(base, roles, cookies, users, args.seconds, work), users
                )
                steps.append(step)
                say(f"  {step['requests_per_s']} requests/s, p95 max {step['p95_ms_max']:.0f} ms,"
                    f" aggregated p95 {step['p95_ms_aggregated']:.0f} ms,"
                    f" failures {step['failures']};"
                    f" load average {os.getloadavg()[0]:.1f}")  # fmt: skip
            chosen = peak(steps)
            per_endpoint = chosen["endpoints"]
            say(f"at the peak held ({chosen['users']} users):")
            say(f"{'endpoint':58} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'alone':>6}  fail")
            for name, f in sorted(per_endpoint.items()):
                say(f"{name[:58]:58} {f['per_s']:7.1f} {f['p50_ms']:6.0f} {f['p95_ms']:6.0f}"
                    f" {f['p99_ms']:6.0f} {solo.get(name, 0):6.0f}  {f['failures']}")  # fmt: skip

            from nomadcloud.dashboard import services as dashboard

            started = time.perf_counter()
            dashboard.snapshot_year(args.year)
            snapshot_s = round(time.perf_counter() - started, 1)
            say(f"a year's dashboard snapshot ({args.year}): {snapshot_s} s")

            say(f"jobs: {args.jobs:,} notification e-mails; 2 workers, both killed mid-way"
                f" (lease {ENV['JOB_LEASE_SECONDS']} s)")  # fmt: skip
            ids = enqueue_jobs(args.jobs)
            workers = [start_worker(env, work / f"worker{i}.log") for i in range(2)]
            began = time.monotonic()
            while time.monotonic() - began < args.drain_seconds:
                done = job_counts(ids).get("SUCCESSFUL", 0)
                if done >= len(ids) // 2:
                    break
                time.sleep(0.5)
            for w in workers:
                kill(w)
            killed_at = job_counts(ids)
            killed_s = round(time.monotonic() - began, 1)
            say(f"  killed both workers after {killed_s} s at {killed_at}")
            workers = [start_worker(env, work / f"worker{i}.log") for i in range(2, 4)]
            processes.extend(workers)
            while time.monotonic() - began < args.drain_seconds:
                counts = job_counts(ids)
                if counts.get("READY", 0) == 0 and counts.get("RUNNING", 0) == 0:
                    break
                time.sleep(1)
            jobs_s = round(time.monotonic() - began, 1)
            counts = job_counts(ids)
            say(f"  after restart: {counts} in {jobs_s} s")
            from benchmarks.baseline import indexed_lookup_ms

            lookup = indexed_lookup_ms()
        finally:
            for p in processes:
                if p.poll() is None:
                    p.terminate()
            for p in processes:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    kill(p)
            cluster.stop()
    load.append(round(os.getloadavg()[0], 1))
    p95_max = chosen["p95_ms_max"]
    succeeded = counts.get("SUCCESSFUL", 0)
    result = {
        "requests_per_s": chosen["requests_per_s"],
        "p95_ms_max": p95_max,
        "p95_ms_aggregated": chosen["p95_ms_aggregated"],
        "p99_ms_aggregated": chosen["p99_ms_aggregated"],
        "failures": chosen["failures"],
        "peak_users": chosen["users"],
        "snapshot_year_s": snapshot_s,
        "jobs": len(ids),
        "jobs_lost": len(ids) - succeeded,  # not finished successfully, whatever the reason
        "jobs_left_running": counts.get("RUNNING", 0),
        "jobs_failed": counts.get("FAILED", 0),
        "jobs_killed_at": killed_at,
        "jobs_s": jobs_s,
        "jobs_per_s": round(len(ids) / jobs_s, 1) if jobs_s else None,
        "targets_met": {
            "p95": p95_max <= P95_TARGET_MS and not chosen["failures"],
            "snapshot": snapshot_s <= SNAPSHOT_TARGET_S,
            "jobs": succeeded == len(ids) and not counts.get("RUNNING", 0),
        },
        "scale": args.scale,
        "seconds_per_step": args.seconds,
        "steps": [{k: v for k, v in s.items() if k != "endpoints"} for s in steps],
        "rows": seeded["rows"],
        "seed_s": seeded["seed_s"],
        "endpoints": per_endpoint,
        "alone_ms": solo,
        "left_out": dropped,
        "baseline_lookup_ms": lookup,
        "p95_ms_max_to_lookup_ratio": round(p95_max / lookup, 1) if lookup else None,
        "load_average": load,
        "cpu_cores": os.cpu_count(),
        "total_s": round(time.monotonic() - began_all, 1),
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
