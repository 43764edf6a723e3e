"""The W3C Verifiable Credentials Data Model 2.0 rules a credential must meet before its
signature means anything (issue 15 item 4): each broken rule is reported with a stable code
and a localized message, by online and offline verification alike. Never raises.

Codes (VC DM 2.0 section in brackets; docs/proofs.md has the table):

- ``dm_context``: ``@context`` is a list starting with the v2 context, then URLs or
  objects (4.3);
- ``dm_id``: ``id``, when present, is a URL (4.4);
- ``dm_type``: ``type`` includes ``VerifiableCredential``, all strings (4.5);
- ``dm_issuer``: ``issuer`` is a URL, or an object whose ``id`` is one (4.7);
- ``dm_subject``: ``credentialSubject`` is a non-empty object or list of them (4.8);
- ``dm_validity``: ``validFrom``/``validUntil`` are RFC 3339 date-times, from ≤ until
  (4.9); ``dm_not_yet_valid`` / ``dm_expired``: now is outside that period;
- ``dm_status``: each ``credentialStatus`` entry is an object with a ``type`` and, if it has
  an ``id``, a URL (4.10).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.proofs.core import rfc3339

VC_V2 = "https://www.w3.org/ns/credentials/v2"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+\Z")


def rule_messages() -> dict[str, str]:
    return {
        "dm_context": _(
            "The credential's @context must be a list that starts with "
            "https://www.w3.org/ns/credentials/v2."
        ),
        "dm_id": _("The credential's id must be a URL."),
        "dm_type": _("The credential's type must include VerifiableCredential."),
        "dm_issuer": _("The credential must name its issuer by a URL (issuer or issuer.id)."),
        "dm_subject": _("The credential must have a credentialSubject with claims."),
        "dm_validity": _(
            "validFrom and validUntil must be RFC 3339 date-times, validFrom not after validUntil."
        ),
        "dm_not_yet_valid": _("The credential is not valid yet (validFrom is in the future)."),
        "dm_expired": _("The credential has expired (validUntil has passed)."),
        "dm_status": _(
            "Each credentialStatus entry must be an object with a type (and a URL as id)."
        ),
    }


def _url(value: object) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def broken_rules(document: dict[str, Any], now: datetime | None = None) -> list[str]:
    """The codes of the rules ``document`` breaks, in the table's order ([] when none)."""
    broken: list[str] = []
    context = document.get("@context")
    if (
        not isinstance(context, list)
        or not context
        or context[0] != VC_V2
        or not all(isinstance(c, str | dict) for c in context)
    ):
        broken.append("dm_context")
    if "id" in document and not _url(document["id"]):
        broken.append("dm_id")
    types = document.get("type")
    type_list = [types] if isinstance(types, str) else types
    if (
        not isinstance(type_list, list)
        or "VerifiableCredential" not in type_list
        or not all(isinstance(t, str) for t in type_list)
    ):
        broken.append("dm_type")
    issuer = document.get("issuer")
    if not (_url(issuer) or (isinstance(issuer, dict) and _url(issuer.get("id")))):
        broken.append("dm_issuer")
    subject = document.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or not all(isinstance(s, dict) and s for s in subjects):
        broken.append("dm_subject")
    broken.extend(_validity(document, now or datetime.now(UTC)))
    if "credentialStatus" in document:
        status = document["credentialStatus"]
        entries = status if isinstance(status, list) else [status]
        if not entries or not all(_status_entry(e) for e in entries):
            broken.append("dm_status")
    return broken


def _validity(document: dict[str, Any], now: datetime) -> list[str]:
    start = end = None
    if "validFrom" in document:
        start = rfc3339.parse(document["validFrom"])
        if start is None:
            return ["dm_validity"]
    if "validUntil" in document:
        end = rfc3339.parse(document["validUntil"])
        if end is None:
            return ["dm_validity"]
    if start is not None and end is not None and start > end:
        return ["dm_validity"]
    if start is not None and now < start:
        return ["dm_not_yet_valid"]
    if end is not None and now > end:
        return ["dm_expired"]
    return []


def _status_entry(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    kind = entry.get("type")
    kinds = [kind] if isinstance(kind, str) else kind
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        return False
    return "id" not in entry or _url(entry["id"])
