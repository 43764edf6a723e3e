"""The Action API's door: GET with query parameters or POST with a JSON object, CKAN's
envelope and error statuses, no redirects."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .actions import ACTIONS
from .packages import (
    ActionError,
    RawJSON,
)


def _params(request: HttpRequest) -> dict[str, Any] | None:
    if request.method == "POST" and request.body:
        try:
            body = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None
    return {k: request.GET.get(k) for k in request.GET}


@csrf_exempt
def action(request: HttpRequest, name: str) -> HttpResponse:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    handler = ACTIONS.get(name)
    if request.method not in ("GET", "POST"):
        return JsonResponse("Bad request - Method not allowed", safe=False, status=405)
    if handler is None:
        return JsonResponse(f"Bad request - Action name not known: {name}", safe=False, status=400)
    params = _params(request)
    if params is None:
        return JsonResponse(
            "Bad request - JSON Error: request body is not a JSON object", safe=False, status=400
        )
    language = "en" if str(params.get("lang", "")).startswith("en") else "zh-Hans"
    try:
        result = handler(params, request, language)
    except ActionError as exc:
        return JsonResponse(
            {"help": help_url, "success": False, "error": {"__type": exc.kind, **exc.error}},
            status=exc.status,
        )
    return _answer({"help": help_url, "success": True, "result": result})


def _answer(body: dict[str, Any]) -> HttpResponse:
    """The envelope as ``JsonResponse`` writes it, with any ``RawJSON`` value of the result
    (a search's packages) put in as it is, in place of a marker no value can hold."""
    result = body["result"]
    raw = (
        {k: v for k, v in result.items() if isinstance(v, RawJSON)}
        if isinstance(result, dict)
        else {}
    )
    if not raw:
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    marker = f"raw-{uuid.uuid4()}"
    text = json.dumps(
        {**body, "result": {k: (marker if k in raw else v) for k, v in result.items()}},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    before, after = text.split(f'"{marker}"', 1)
    (value,) = raw.values()
    return HttpResponse(before + value.text + after, content_type="application/json")
