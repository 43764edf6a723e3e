"""Locust users of the whole-platform load test (run by benchmarks/scale/main.py, in Locust's
own virtualenv: imports nothing of the project). One user class per role, weighted as the
zone's traffic is: mostly anonymous public pages and feeds, then nomads, then the offices.
The roles, their paths and session cookies come from ``$SCALE_LOCUST_CONFIG``."""

from __future__ import annotations

import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

with open(os.environ["SCALE_LOCUST_CONFIG"]) as _f:
    CONFIG: dict[str, Any] = json.load(_f)
WEIGHTS = {
    "public": 6,
    "nomad": 4,
    "enterprise": 2,
    "reviewer": 1,
    "community": 1,
    "police": 1,
    "operator": 1,
}


def _user(role: str) -> type[HttpUser]:
    paths: list[str] = CONFIG["roles"][role]
    cookie = CONFIG["cookies"].get(role)

    class RoleUser(HttpUser):
        weight = WEIGHTS.get(role, 1)
        wait_time = between(0.2, 1.0)

        def on_start(self) -> None:
            if cookie:
                self.client.cookies.set("sessionid", cookie)

        @task
        def visit(self) -> None:
            path = random.choice(paths)
            self.client.get(path, name=f"{role} {path}", headers={"Accept-Language": "zh-hans"})

    RoleUser.__name__ = f"{role.title()}User"
    return RoleUser


for _role in CONFIG["roles"]:
    globals()[f"{_role.title()}User"] = _user(_role)
