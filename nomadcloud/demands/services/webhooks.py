"""Demands pushed by an organisation's system: the webhook secret, the signature and the
verification of a signed delivery."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.crypto import decrypt_text, encrypt_text
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.demands.models import (
    WebhookEndpoint,
    WebhookReceipt,
)

# --- webhook ----------------------------------------------------------------------------------

SIGNATURE_PREFIX = "sha256="


@transaction.atomic
def create_webhook_secret(*, principal: Principal, organisation: Organisation) -> str:
    """Create (or rotate) the organisation's webhook secret; returned once, kept encrypted."""
    user = principal.user
    if user is None:
        raise Forbidden(_("Only a person can do this, not an API key."), code="person_only")
    secret = "ncw_" + secrets.token_urlsafe(32)
    endpoint, created = WebhookEndpoint.objects.update_or_create(
        organisation=organisation,
        defaults={
            "secret_encrypted": encrypt_text(secret),
            "prefix": secret[:12],
            "created_by": user,
        },
    )
    audit.record(
        actor=user,
        action="demands.webhook.create" if created else "demands.webhook.rotate",
        obj=endpoint,
        organisation=organisation,
        after={"prefix": endpoint.prefix},
        token=principal.token,
    )
    return secret


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``"{timestamp}.{body}"``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify_webhook(
    *,
    organisation_public_id: uuid.UUID | None,
    timestamp: str,
    signature: str,
    body: bytes,
    now: datetime | None = None,
) -> Organisation:
    """Check a webhook delivery and remember its signature, so that a replay is refused.
    Call inside the transaction that applies the delivery (a failure rolls both back).

    An unknown organisation (``None``: the id is not even a UUID), one without a webhook and
    a wrong signature get the same answer, after the same work (an HMAC is computed either
    way), so the endpoint does not tell which organisations have a webhook. The timestamp is
    checked first, as it does not depend on the organisation."""
    tolerance = settings.DEMAND_WEBHOOK_TOLERANCE_SECONDS
    moment = now or timezone.now()
    # isdigit() alone also takes digits such as "²" or "٣", which int() then refuses.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise Forbidden(
            _("The X-NomadCloud-Timestamp header must be Unix seconds."), code="bad_timestamp"
        )
    sent = int(timestamp)
    if abs(moment.timestamp() - sent) > tolerance:
        raise Forbidden(
            _("The timestamp is more than %(n)d seconds away from now; sign the request again.")
            % {"n": tolerance},
            code="stale_timestamp",
        )
    endpoint = (
        WebhookEndpoint.objects.select_related("organisation")
        .filter(organisation__public_id=organisation_public_id)
        .first()
        if organisation_public_id is not None
        else None
    )
    secret = decrypt_text(endpoint.secret_encrypted) if endpoint else secrets.token_urlsafe(32)
    expected = sign(secret, timestamp, body)
    if endpoint is None or not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise Forbidden(
            _("The X-NomadCloud-Signature does not match the body and timestamp."),
            code="bad_signature",
        )
    WebhookReceipt.objects.filter(expires_at__lt=moment).delete()
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(
                organisation=endpoint.organisation,
                signature=expected.removeprefix(SIGNATURE_PREFIX),
                expires_at=datetime.fromtimestamp(sent, tz=moment.tzinfo)
                + timedelta(seconds=tolerance + 60),
            )
    except IntegrityError:
        raise Conflict(
            _("This delivery was received before; a replay is refused."), code="replayed"
        ) from None
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_used_at=moment)
    return endpoint.organisation
