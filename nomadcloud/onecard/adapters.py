"""The seam to external systems (海易办 and department systems): one ``Client`` protocol,
chosen by ``client()``. ``ONECARD_HAIYIBAN_URL`` set → ``HttpClient`` (JSON over HTTPS);
unset → ``FakeHaiyiban``, an in-process stand-in that accepts every submission and reports
it approved after one status poll (what the demo and the tests use; tests replace it with
``use_client`` to make it fail)."""

from __future__ import annotations

import itertools
from typing import Any, Protocol

import requests
from django.conf import settings


class AdapterError(Exception):
    """The external system refused or did not answer; the outbox retries."""


class Client(Protocol):
    def submit(self, payload: dict[str, Any]) -> str: ...

    def status(self, external_id: str) -> str: ...


class FakeHaiyiban:
    """海易办 as the tests see it: ids ``HYB-000001`` …; ``accepted`` then ``approved``."""

    def __init__(self, *, fail_times: int = 0, final: str = "approved") -> None:
        self.fail_times = fail_times
        self.final = final
        self.received: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._polled: set[str] = set()

    def submit(self, payload: dict[str, Any]) -> str:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise AdapterError("503 Service Unavailable")
        self.received.append(payload)
        return f"HYB-{next(self._ids):06d}"

    def status(self, external_id: str) -> str:
        if external_id in self._polled:
            return self.final
        self._polled.add(external_id)
        return "accepted"


class HttpClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = requests.request(
                method,
                self.base_url + path,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=10,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise AdapterError(str(exc)[:300]) from exc
        if response.status_code >= 400:
            raise AdapterError(f"{response.status_code} {response.text[:200]}")
        body = response.json()
        if not isinstance(body, dict):
            raise AdapterError("unexpected reply")
        return body

    def submit(self, payload: dict[str, Any]) -> str:
        return str(self._call("POST", "/applications", json=payload).get("id", ""))

    def status(self, external_id: str) -> str:
        return str(self._call("GET", f"/applications/{external_id}").get("status", ""))


_client: Client | None = None


def client() -> Client:
    global _client
    if _client is None:
        url = str(getattr(settings, "ONECARD_HAIYIBAN_URL", "") or "")
        _client = (
            HttpClient(url, str(getattr(settings, "ONECARD_HAIYIBAN_TOKEN", "")))
            if url
            else FakeHaiyiban()
        )
    return _client


def use_client(replacement: Client | None) -> None:
    """Swap the client (tests); ``None`` goes back to the configured one."""
    global _client
    _client = replacement
