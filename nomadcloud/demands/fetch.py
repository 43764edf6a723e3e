"""A safe HTTP client for pulling enterprise feeds (outbound requests to URLs users give us).

- Only http and https.
- The host is resolved once; if any of its addresses is private, loopback, link-local,
  multicast, reserved or unspecified, the fetch is refused (unless FEED_ALLOW_PRIVATE_ADDRESSES
  is set, or the address is inside one of FEED_ALLOWED_NETWORKS). The connection then goes to
  the checked address itself, with the original Host header and TLS server name, so a second
  DNS answer cannot swap in another address (no DNS-rebinding gap).
- At most FEED_MAX_REDIRECTS redirects, each checked again the same way.
- At most FEED_MAX_BYTES of body, and FEED_TIMEOUT_SECONDS for connecting, for each read and
  for the whole download.
- Conditional GET: If-None-Match / If-Modified-Since from the last pull.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.exceptions import HTTPError, TimeoutError

from nomadcloud import __version__

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


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


def address_allowed(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if settings.FEED_ALLOW_PRIVATE_ADDRESSES:
        return True
    for network in settings.FEED_ALLOWED_NETWORKS:
        if address in ipaddress.ip_network(network, strict=False):
            return True
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


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


def _pool(scheme: str, address: str, port: int, host: str) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(
        connect=settings.FEED_TIMEOUT_SECONDS, read=settings.FEED_TIMEOUT_SECONDS
    )
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)


def _read(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    limit = settings.FEED_MAX_BYTES
    too_big = FetchError(_("The feed is larger than %(n)d bytes.") % {"n": limit}, code="too_large")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    body = bytearray()
    for chunk in response.stream(CHUNK, decode_content=True):
        body.extend(chunk)
        if len(body) > limit:
            raise too_big
        if time.monotonic() > deadline:
            raise TimeoutError("deadline")
    return bytes(body)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
    deadline = time.monotonic() + settings.FEED_TIMEOUT_SECONDS
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
        default_port = 443 if scheme == "https" else 80
        host_header = host if port == default_port else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        pool = _pool(scheme, address, port, host)
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
                body = _read(response, deadline)
                return FetchResult(
                    200,
                    body,
                    response.headers.get("ETag", "")[:255],
                    response.headers.get("Last-Modified", "")[:64],
                    current,
                )
            finally:
                response.release_conn()
        except TimeoutError as exc:
            raise FetchError(
                _("The feed did not answer within %(seconds)s seconds.")
                % {"seconds": settings.FEED_TIMEOUT_SECONDS},
                code="timeout",
            ) from exc
        except HTTPError as exc:
            raise FetchError(
                _("The feed could not be fetched: %(error)s") % {"error": type(exc).__name__},
                code="connection",
            ) from exc
        finally:
            pool.close()
    raise FetchError(
        _("The feed redirected more than %(n)d times.") % {"n": settings.FEED_MAX_REDIRECTS},
        code="too_many_redirects",
    )
