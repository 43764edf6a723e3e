"""The Permissions-Policy header: every browser feature the platform does not use is off for
every page; the camera is allowed to the platform's own origin only on the pages whose QR
scanner needs it (settings.PERMISSIONS_POLICY_CAMERA_VIEWS, by URL name). The
Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY) and the
Referrer-Policy from Django's SecurityMiddleware (settings.SECURE_REFERRER_POLICY)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Permissions-Policy"


def permissions_policy(*, camera: bool) -> str:
    features = dict.fromkeys(settings.PERMISSIONS_POLICY_OFF, "()")
    features["camera"] = "(self)" if camera else "()"
    return ", ".join(f"{name}={allow}" for name, allow in sorted(features.items()))


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.default = permissions_policy(camera=False)
        self.with_camera = permissions_policy(camera=True)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        camera = match is not None and match.view_name in settings.PERMISSIONS_POLICY_CAMERA_VIEWS
        response.headers.setdefault(HEADER, self.with_camera if camera else self.default)
        return response
