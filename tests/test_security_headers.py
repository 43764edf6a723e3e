"""Security headers (issue 15): every response carries a Content-Security-Policy without
'unsafe-inline', a Permissions-Policy (the camera only on the QR scanner's pages, for the
platform's own origin) and Referrer-Policy: same-origin; no template and no rendered main
page of any persona holds an inline script or style without the response's nonce, a style
attribute or an inline event handler; the API docs page works under the policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.builders.demands import published
from tests.conftest import PERSONAS, World, client_for

PACKAGE = Path(__file__).resolve().parent.parent / "nomadcloud"
TEMPLATES = sorted([*PACKAGE.glob("templates/**/*.html"), *PACKAGE.glob("*/templates/**/*.html")])


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_headers(response: Any, *, camera: bool = False) -> None:
    policy = directives(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    features = dict(f.split("=", 1) for f in response["Permissions-Policy"].split(", "))
    assert features["camera"] == ("(self)" if camera else "()")
    assert features["microphone"] == features["geolocation"] == features["payment"] == "()"


# --- every response -------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_headers(world: World) -> None:
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner = client_for(world.olivia)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world.olivia_token_secret}")
    responses = {
        "page": anonymous.get("/"),
        "redirect to sign-in": anonymous.get("/accounts/workspace/"),
        "signed-in page": owner.get("/accounts/workspace/"),
        "form error": anonymous.post("/accounts/register/", {"email": "x"}),
        "not found page": anonymous.get("/no-such-page/"),
        "forbidden webhook": anonymous.post(
            f"/demands/webhooks/{world.acme.public_id}/", b"{}", content_type="application/json"
        ),
        "api answer": api.get("/api/v1/me"),
        "api error": anonymous.get("/api/v1/me"),
        "api docs": anonymous.get("/api/v1/docs"),
        "openapi": anonymous.get("/api/v1/openapi.json"),
        "static file": anonymous.get("/static/nomadcloud/site.css"),
        "health": anonymous.get("/healthz"),
        "did document": anonymous.get("/.well-known/did.json"),
    }
    for name, response in responses.items():
        assert response.status_code < 500, (name, response.status_code)
        assert "Content-Security-Policy" in response, name
        assert_headers(response)


@pytest.mark.parametrize(
    "url_name", ["proofs:verify", "points:merchant_cashier"], ids=["verify", "cashier"]
)
def test_the_camera_is_allowed_only_on_the_qr_scanner_pages(world: World, url_name: str) -> None:
    args = [world.acme.public_id] if url_name == "points:merchant_cashier" else []
    response = client_for(world.olivia).get(reverse(url_name, args=args))
    assert_headers(response, camera=True)
    assert_headers(client_for(world.olivia).get("/points/pay/"))


def test_the_api_docs_load_only_the_platforms_own_files(world: World) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = InlineFinder.parse(response.content.decode(), nonce="")
    # Swagger UI's scripts and stylesheet come from the platform's static files; its one
    # inline <script> is a JSON data block (not run, so not governed by script-src).
    assert page.external and all(src.startswith("/static/ninja/") for src in page.external)
    assert page.problems == []


# --- no inline code without the nonce ------------------------------------------------------

INLINE_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""<[^>]*\sstyle\s*=""", re.IGNORECASE)
INLINE_BLOCK = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r'type="application/(ld\+)?json"')


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(p.relative_to(PACKAGE)) for p in TEMPLATES])
def test_no_template_holds_inline_code_without_the_nonce(path: Path) -> None:
    text = path.read_text()
    assert not INLINE_HANDLER.search(text), "inline event handler: use a static script"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute: use a class in a stylesheet"
    for match in INLINE_BLOCK.finditer(text):
        attributes = match.group(2)
        if match.group(1).lower() == "script" and (
            "src=" in attributes or DATA_BLOCK.search(attributes)
        ):
            continue  # a file, or data that the browser does not run (JSON-LD)
        assert 'nonce="{{ CSP_NONCE }}"' in attributes, match.group(0)


class InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would refuse in a rendered page."""

    DATA_TYPES = {"application/json", "application/ld+json"}

    def __init__(self, nonce: str) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []
        self.external: list[str] = []

    @classmethod
    def parse(cls, html: str, *, nonce: str) -> InlineFinder:
        finder = cls(nonce)
        finder.feed(html)
        finder.close()
        return finder

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
        if tag == "script" and values.get("src"):
            self.external.append(values["src"] or "")
        elif tag == "script" and (values.get("type") or "") in self.DATA_TYPES:
            if self.nonce and values.get("nonce") not in (None, self.nonce):
                self.problems.append("<script> data block with a stale nonce")
        elif tag in {"script", "style"} and (not self.nonce or values.get("nonce") != self.nonce):
            self.problems.append(f"<{tag}> without the nonce")
        if tag == "link" and values.get("rel") == "stylesheet":
            self.external.append(values.get("href") or "")


def main_pages(world: World) -> list[str]:
    demand = published(world)
    return [
        "/",
        "/privacy",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/workspace/",
        "/accounts/settings/",
        "/accounts/tokens/",
        "/accounts/organisations/",
        f"/accounts/organisations/{world.acme.public_id}/",
        "/notifications/",
        "/taxonomy/",
        "/talent/profile/",
        "/demands/",
        f"/demands/{demand.public_id}/",
        f"/demands/organisations/{world.acme.public_id}/",
        "/matching/recommended/",
        "/training/",
        "/orders/",
        "/datatasks/",
        "/proofs/verify/",
        "/proofs/mine/",
        "/proofs/operator/",
        "/points/",
        "/points/pay/",
        "/points/cashier/",
        "/points/operator/",
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_rendered_main_pages_hold_no_inline_code_without_the_nonce(
    world: World, persona: str
) -> None:
    client = client_for(world.persona(persona), HTTP_ACCEPT_LANGUAGE="en")
    pages = main_pages(world)
    rendered = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        assert_headers(response, camera=url == "/proofs/verify/")
        if not response["Content-Type"].startswith("text/html") or response.status_code >= 300:
            continue
        rendered += 1
        nonce = ""
        for source in directives(response)["script-src"]:
            if source.startswith("'nonce-"):
                nonce = source.removeprefix("'nonce-").removesuffix("'")
        page = InlineFinder.parse(response.content.decode(), nonce=nonce)
        assert page.problems == [], (url, page.problems)
        assert all(src.startswith("/static/") for src in page.external), (url, page.external)
    assert rendered >= 5


def test_an_inline_block_with_the_nonce_is_allowed_by_a_fresh_nonce_each_time(
    rf: RequestFactory,
) -> None:
    template = engines["django"].from_string(
        '<script nonce="{{ CSP_NONCE }}">1</script><style nonce="{{ CSP_NONCE }}"></style>'
    )

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(template.render(request=request))

    middleware = CSPMiddleware(view)
    nonces = set()
    for _ in range(2):
        request = rf.get("/")
        middleware.process_request(request)
        page = view(request)
        response = middleware.process_response(request, page)
        html = page.content.decode()
        nonce = re.findall(r'nonce="([^"]+)"', html)
        assert len(nonce) == 2 and nonce[0] == nonce[1]
        assert f"'nonce-{nonce[0]}'" in directives(response)["script-src"]
        assert f"'nonce-{nonce[0]}'" in directives(response)["style-src"]
        nonces.add(nonce[0])
    assert len(nonces) == 2


def test_a_page_without_inline_blocks_gets_no_nonce_in_its_policy(world: World) -> None:
    response = Client().get("/")
    assert "'nonce-" not in response["Content-Security-Policy"]
