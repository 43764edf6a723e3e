"""A safe HTTP client for pulling enterprise feeds (outbound requests to URLs users give us).

- Only http and https.
- The host is resolved once; if any of its addresses is private, loopback, link-local,
  multicast, reserved or unspecified — or embeds such an IPv4 address (IPv4-mapped, 6to4,
  Teredo, NAT64) — the fetch is refused (unless FEED_ALLOW_PRIVATE_ADDRESSES is set, or the
  address is inside one of FEED_ALLOWED_NETWORKS). Decimal, octal and hex host spellings
  (``2130706433``, ``0177.1``) resolve to the address they spell and are judged by it. The
  connection then goes to the checked address itself, with the original Host header and TLS
  server name, so a second DNS answer cannot swap in another address (no DNS-rebinding gap).
- At most FEED_MAX_REDIRECTS redirects, each checked again the same way.
- At most FEED_MAX_BYTES of body.
- One deadline, FEED_TIMEOUT_SECONDS from the start, for the whole fetch: connecting, the TLS
  handshake, the headers and the body, across redirects. Per-read socket timeouts alone do
  not bound a server that drips one byte a second, so a watchdog shuts the socket down at
  the deadline, whatever read is under way.
- Conditional GET: If-None-Match / If-Modified-Since from the last pull.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, TimeoutError

from nomadcloud import __version__
from nomadcloud.core.numbers import is_ascii_digits

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECTS = {301, 302, 303, 307, 308}
# Small reads, so that the deadline is also checked between them.
CHUNK = 8 * 1024

# IPv6 ranges that carry an IPv4 address in their last 32 bits.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated (RFC 4291): never fetched
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052; DNS64 synthesises these
# RFC 8215 local-use NAT64: the embedding depends on the operator's prefix length, so the
# IPv4 address behind it cannot be told: never fetched.
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")


class FetchError(Exception):
    """The feed could not be fetched; ``message`` is localized and says why."""

    def __init__(self, message: str, *, code: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status


@dataclass(frozen=True)
class FetchResult:
    status: int  # 200 or 304
    body: bytes
    etag: str
    last_modified: str
    url: str


def _public(address: IPAddress) -> bool:
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _last_32_bits(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def _in_allowed_network(address: IPAddress) -> bool:
    for network in settings.FEED_ALLOWED_NETWORKS:
        if address in ipaddress.ip_network(network, strict=False):
            return True
    return False


def address_allowed(address: IPAddress) -> bool:
    """May the platform connect to this address? Only public addresses, and an IPv6 address
    that embeds an IPv4 one only if that one is public too: a 6to4 (2002::/16), Teredo
    (2001::/32, server and client) or NAT64 address can route to 127.0.0.1 or to the cloud
    metadata service at 169.254.169.254 as well as the plain IPv4 address can."""
    if settings.FEED_ALLOW_PRIVATE_ADDRESSES:
        return True
    if isinstance(address, ipaddress.IPv4Address):
        return _in_allowed_network(address) or _public(address)
    if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d itself
        return _in_allowed_network(address.ipv4_mapped) or _public(address.ipv4_mapped)
    if address in NAT64_WELL_KNOWN:  # the IPv4 host behind the translator
        embedded = _last_32_bits(address)
        return _in_allowed_network(embedded) or _public(embedded)
    if _in_allowed_network(address):
        return True
    if address in IPV4_COMPATIBLE or address in NAT64_LOCAL_USE:
        return False
    embedded_v4: list[ipaddress.IPv4Address] = []
    if address.sixtofour is not None:
        embedded_v4.append(address.sixtofour)
    if address.teredo is not None:
        embedded_v4.extend(address.teredo)  # (server, client), the client de-obfuscated
    return _public(address) and all(_public(v4) for v4 in embedded_v4)


def resolve(host: str, port: int) -> str:
    """The address to connect to; refuses the host if any of its addresses is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            _("The feed's host %(host)s could not be found.") % {"host": host}, code="dns"
        ) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise FetchError(
            _("The feed's host %(host)s could not be found.") % {"host": host}, code="dns"
        )
    for address in addresses:
        if not address_allowed(address):
            raise FetchError(
                _(
                    "The feed's address %(address)s is private, loopback, link-local or "
                    "reserved; the platform only fetches from public addresses."
                )
                % {"address": address},
                code="address_refused",
            )
    return str(addresses[0])


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path-with-query) of a fetchable URL, or FetchError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(
            _("Only http:// and https:// feed URLs can be fetched."), code="scheme_refused"
        )
    if parts.username or parts.password:
        raise FetchError(_("Feed URLs must not contain a user name or password."), code="userinfo")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(_("The feed URL's port is not valid."), code="port") from exc
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


class _Watchdog:
    """Shuts down every socket of one fetch when its deadline passes. A shutdown from another
    thread wakes a read blocked in ``recv`` (it sees the end of the stream); the socket is
    duplicated first, because wrapping it in TLS detaches the original object."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)

    def watch(self, sock: socket.socket) -> None:
        copy = sock.dup()
        with self._lock:
            self._sockets.append(copy)
            if self.fired:
                _shut(copy)

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.001)

    def expired(self) -> bool:
        return self.fired or time.monotonic() >= self.deadline

    @contextmanager
    def running(self) -> Iterator[_Watchdog]:
        token = _WATCHDOG.set(self)
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.cancel()
            _WATCHDOG.reset(token)
            with self._lock:
                for sock in self._sockets:
                    sock.close()
                self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed by the peer or by us
        sock.shutdown(socket.SHUT_RDWR)


_WATCHDOG: contextvars.ContextVar[_Watchdog | None] = contextvars.ContextVar(
    "feed_fetch_watchdog", default=None
)


def _watched(sock: socket.socket) -> socket.socket:
    watchdog = _WATCHDOG.get()
    if watchdog is not None:
        watchdog.watch(sock)
    return sock


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


def _pool(
    scheme: str, address: str, port: int, host: str, watchdog: _Watchdog
) -> urllib3.HTTPConnectionPool:
    # Each wait on the socket is bounded by what is left of the deadline; the watchdog cuts
    # a server that keeps every single wait short.
    timeout = urllib3.Timeout(connect=watchdog.remaining(), read=watchdog.remaining())
    pool: urllib3.HTTPConnectionPool
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
        pool.ConnectionCls = _WatchedHTTPSConnection
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        pool.ConnectionCls = _WatchedHTTPConnection
    return pool


def _read(response: urllib3.BaseHTTPResponse, watchdog: _Watchdog) -> bytes:
    limit = settings.FEED_MAX_BYTES
    too_big = FetchError(_("The feed is larger than %(n)d bytes.") % {"n": limit}, code="too_large")
    declared = response.headers.get("Content-Length", "")
    if is_ascii_digits(declared) and int(declared) > limit:
        raise too_big
    body = bytearray()
    for chunk in response.stream(CHUNK, decode_content=True):
        body.extend(chunk)
        if len(body) > limit:
            raise too_big
        if watchdog.expired():
            raise TimeoutError("deadline")
    # A body without Content-Length ends at the end of the stream, which is also what the
    # watchdog's shutdown looks like: a body cut at the deadline is not taken as complete.
    if watchdog.fired:
        raise TimeoutError("deadline")
    return bytes(body)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
    watchdog = _Watchdog(time.monotonic() + settings.FEED_TIMEOUT_SECONDS)
    with watchdog.running():
        try:
            return _fetch(url, etag=etag, last_modified=last_modified, watchdog=watchdog)
        except FetchError:
            raise
        except (TimeoutError, HTTPError, OSError) as exc:
            if watchdog.expired() or isinstance(exc, (TimeoutError, socket.timeout)):
                raise FetchError(
                    _("The feed did not answer within %(seconds)s seconds.")
                    % {"seconds": settings.FEED_TIMEOUT_SECONDS},
                    code="timeout",
                ) from exc
            raise FetchError(
                _("The feed could not be fetched: %(error)s") % {"error": type(exc).__name__},
                code="connection",
            ) from exc


def _fetch(url: str, *, etag: str, last_modified: str, watchdog: _Watchdog) -> FetchResult:
    headers = {
        "User-Agent": f"NomadCloud/{__version__} (demand feed reader)",
        "Accept": "application/json, application/ld+json;q=0.9, */*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _hop in range(settings.FEED_MAX_REDIRECTS + 1):
        scheme, host, port, path = check_url(current)
        address = resolve(host, port)
        if watchdog.expired():
            raise TimeoutError("deadline")
        default_port = 443 if scheme == "https" else 80
        host_header = host if port == default_port else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        pool = _pool(scheme, address, port, host, watchdog)
        try:
            response = pool.urlopen(
                "GET",
                path,
                headers={**headers, "Host": host_header},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                if watchdog.fired:
                    raise TimeoutError("deadline")
                if response.status in REDIRECTS and response.headers.get("Location"):
                    current = urljoin(current, response.headers["Location"])
                    continue
                if response.status == 304:
                    return FetchResult(304, b"", etag, last_modified, current)
                if response.status != 200:
                    raise FetchError(
                        _("The feed answered with HTTP status %(status)d.")
                        % {"status": response.status},
                        code="http_status",
                        http_status=response.status,
                    )
                body = _read(response, watchdog)
                return FetchResult(
                    200,
                    body,
                    response.headers.get("ETag", "")[:255],
                    response.headers.get("Last-Modified", "")[:64],
                    current,
                )
            finally:
                response.release_conn()
        finally:
            pool.close()
    raise FetchError(
        _("The feed redirected more than %(n)d times.") % {"n": settings.FEED_MAX_REDIRECTS},
        code="too_many_redirects",
    )


def post_json(url: str, body: bytes, *, user_agent: str) -> int:
    """POST a JSON body to a URL someone gave us, under the same guard as a feed fetch (only
    http(s), no user info, every resolved address public unless allowed, connection to the
    checked address, one deadline); no redirect is followed (a 3xx is returned as it is).
    The HTTP status, or FetchError. Used for the Dataspace Protocol callbacks (datapools)."""
    watchdog = _Watchdog(time.monotonic() + settings.FEED_TIMEOUT_SECONDS)
    with watchdog.running():
        try:
            scheme, host, port, path = check_url(url)
            address = resolve(host, port)
            default_port = 443 if scheme == "https" else 80
            host_header = host if port == default_port else f"{host}:{port}"
            if ":" in host and not host.startswith("["):
                host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
            pool = _pool(scheme, address, port, host, watchdog)
            try:
                response = pool.urlopen(
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Host": host_header,
                        "User-Agent": user_agent,
                        "Content-Type": "application/json",
                        "Accept": "application/json",
                    },
                    redirect=False,
                    preload_content=False,
                    assert_same_host=False,
                )
                try:
                    # The answer's body is not needed; read a little so the server is not cut.
                    response.read(CHUNK)
                    return int(response.status)
                finally:
                    response.release_conn()
            finally:
                pool.close()
        except FetchError:
            raise
        except (TimeoutError, HTTPError, OSError) as exc:
            if watchdog.expired() or isinstance(exc, (TimeoutError, socket.timeout)):
                raise FetchError(
                    _("No answer within %(seconds)s seconds.")
                    % {"seconds": settings.FEED_TIMEOUT_SECONDS},
                    code="timeout",
                ) from exc
            raise FetchError(
                _("The connection failed: %(error)s") % {"error": type(exc).__name__},
                code="connection",
            ) from exc
