"""The outbound fetch's guards (issue 15): every address form that embeds or maps to a
private, loopback, link-local or reserved IPv4 address is refused, and one deadline covers
connect, headers and body — a real loopback server that drips its headers or its body one
byte a second is cut at the deadline with a localized error."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import pytest
from django.utils import translation

from nomadcloud.demands import fetch

# 127.0.0.1 is 7f00:0001 and 169.254.169.254 (the cloud metadata service) is a9fe:a9fe.
# Teredo stores the client address inverted: ~127.0.0.1 is 80ff:fffe, ~169.254.169.254 is
# 5601:5601.
REFUSED = [
    ("IPv4 loopback", "127.0.0.1"),
    ("IPv4 link-local (metadata)", "169.254.169.254"),
    ("IPv4 private", "10.1.2.3"),
    ("IPv4 unspecified", "0.0.0.0"),  # noqa: S104 (an address to refuse)
    ("IPv4 multicast", "224.0.0.1"),
    ("IPv4 reserved", "240.0.0.1"),
    ("IPv6 loopback", "::1"),
    ("IPv6 unspecified", "::"),
    ("IPv6 link-local", "fe80::1"),
    ("IPv6 unique local", "fd00::1"),
    ("IPv4-mapped loopback", "::ffff:127.0.0.1"),
    ("IPv4-mapped metadata", "::ffff:169.254.169.254"),
    ("IPv4-compatible loopback", "::127.0.0.1"),
    ("IPv4-compatible metadata", "::a9fe:a9fe"),
    ("IPv4-compatible public", "::8.8.8.8"),
    ("6to4 of loopback", "2002:7f00:1::"),
    ("6to4 of loopback, host part", "2002:7f00:1:1::1"),
    ("6to4 of metadata", "2002:a9fe:a9fe::1"),
    ("6to4 of private", "2002:a01:203::1"),
    ("Teredo, client loopback", "2001:0:4136:e378:8000:63bf:80ff:fffe"),
    ("Teredo, client metadata", "2001:0:4136:e378:8000:63bf:5601:5601"),
    ("Teredo, server metadata", "2001:0:a9fe:a9fe::"),
    ("NAT64 of loopback", "64:ff9b::7f00:1"),
    ("NAT64 of metadata", "64:ff9b::169.254.169.254"),
    ("NAT64 of private", "64:ff9b::a01:203"),
    ("NAT64 local-use", "64:ff9b:1::a9fe:a9fe"),
    ("NAT64 local-use, public inside", "64:ff9b:1:808:800::"),
]

ALLOWED = [
    ("IPv4 public", "8.8.8.8"),
    ("IPv6 public", "2001:4860:4860::8888"),
    ("IPv4-mapped public", "::ffff:8.8.8.8"),
    ("6to4 of public", "2002:808:808::1"),
    ("NAT64 of public (DNS64)", "64:ff9b::8.8.8.8"),
]

# Spellings of 127.0.0.1 and 169.254.169.254 that the resolver turns into those addresses.
HOST_SPELLINGS = [
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "0x7f.1",
    "127.1",
    "017700000001",
    "2852039166",
    "0251.0376.0251.0376",
    "0xa9.0xfe.0xa9.0xfe",
    "[::ffff:7f00:1]",
    "[2002:7f00:1::]",
    "[64:ff9b::a9fe:a9fe]",
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
]


@pytest.fixture
def strict(settings: Any) -> None:
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.FEED_ALLOWED_NETWORKS = []


@pytest.mark.parametrize(("form", "address"), REFUSED, ids=[f for f, _ in REFUSED])
def test_an_address_that_is_or_embeds_a_non_public_one_is_refused(
    strict: None, form: str, address: str
) -> None:
    assert not fetch.address_allowed(ipaddress.ip_address(address)), form


@pytest.mark.parametrize(("form", "address"), ALLOWED, ids=[f for f, _ in ALLOWED])
def test_a_public_address_is_allowed_in_each_form(strict: None, form: str, address: str) -> None:
    assert fetch.address_allowed(ipaddress.ip_address(address)), form


@pytest.mark.parametrize("host", HOST_SPELLINGS)
def test_every_host_spelling_of_a_refused_address_is_refused_before_connecting(
    strict: None, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connection(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the fetch must not connect")

    monkeypatch.setattr(fetch, "_pool", no_connection)
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(f"http://{host}/latest/meta-data/")
    assert refused.value.code == "address_refused"


# --- one deadline for connect, headers and body -------------------------------------------------

Drip = Callable[[socket.socket, threading.Event], None]


def _headers_dripped(conn: socket.socket, stop: threading.Event) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"x" * 60:
        if stop.wait(1.0):
            return
        conn.sendall(bytes([byte]))


def _body_dripped(length: bool) -> Drip:
    def drip(conn: socket.socket, stop: threading.Event) -> None:
        body = b"[" + b" " * 60 + b"]"
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if length:
            head += b"Content-Length: %d\r\n" % len(body)
        else:
            head += b"Connection: close\r\n"
        conn.sendall(head + b"\r\n")
        for byte in body:
            if stop.wait(1.0):
                return
            conn.sendall(bytes([byte]))

    return drip


@pytest.fixture
def drip_server(settings: Any) -> Iterator[Callable[[Drip], str]]:
    """A loopback server that answers each connection with ``drip`` (one byte a second); the
    test's private-address setting lets the fetch reach it, as for the connector tests."""
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    # Longer than the drip's one second, so that no single read would ever time out: only
    # the deadline over the whole fetch can cut it.
    settings.FEED_TIMEOUT_SECONDS = 1.5
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    threads: list[threading.Thread] = []
    port = listener.getsockname()[1]

    def start(drip: Drip) -> str:
        def serve() -> None:
            conn, _address = listener.accept()
            # OSError: the client went away, which is what the test expects.
            with conn, suppress(OSError):
                conn.recv(65536)  # the request
                drip(conn, stop)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{port}/jobs.json"

    yield start
    stop.set()
    listener.close()
    for thread in threads:
        thread.join(timeout=5)


@pytest.mark.parametrize(
    "drip",
    [_headers_dripped, _body_dripped(length=True), _body_dripped(length=False)],
    ids=["headers", "body with length", "body until close"],
)
def test_a_slow_drip_is_cut_at_the_deadline_with_a_localized_error(
    drip_server: Callable[[Drip], str], drip: Drip
) -> None:
    url = drip_server(drip)
    started = time.monotonic()
    with translation.override("zh-hans"), pytest.raises(fetch.FetchError) as cut:
        fetch.fetch(url)
    elapsed = time.monotonic() - started
    assert cut.value.code == "timeout"
    assert cut.value.message == "数据源在 1.5 秒内未响应。"
    assert 1.4 <= elapsed < 3.0, elapsed  # the deadline is 1.5 s; the drip would take a minute
