"""Use cases for demands, job profiles and connectors (webhook push, feed pull).

One function per action, called by the pages, the API, the webhook and the feed job. Each
validates its input, changes the database in one transaction and records an audit event.
Callers check access through ``access.py``; the lifecycle rules are checked here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.crypto import decrypt_text, encrypt_text
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, NotFound, invalid_field
from nomadcloud.core.inputs import with_changes
from nomadcloud.demands import transitions
from nomadcloud.demands.events import send_demand_changed
from nomadcloud.demands.models import (
    Demand,
    DemandEvent,
    DemandLanguage,
    DemandSkill,
    Feed,
    FeedSync,
    JobProfileTag,
    WebhookEndpoint,
    WebhookReceipt,
)
from nomadcloud.demands.schemas import DemandDraft, DemandPatch, SkillIn
from nomadcloud.taxonomy.models import Concept
from nomadcloud.taxonomy.tagging import propose

Status = Demand.Status

# The lifecycle: draft → published ⇄ paused → closed / filled. A closed demand may be
# published again (a feed entry that comes back); a filled one stays filled.
# The status moves, from the one table in transitions.py.
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(transitions.demand_targets(status)) for status in Status.values
}
logger = logging.getLogger(__name__)
# A "running" sync older than the fetch deadline plus this was cut short by a dead worker.
INTERRUPTED_AFTER_SECONDS = 15 * 60

OPEN_STATUSES = frozenset({Status.DRAFT, Status.PUBLISHED, Status.PAUSED})

SCALAR_FIELDS = (
    "kind",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "years_experience",
    "work_mode",
    "location",
    "duration_days",
    "budget_min",
    "budget_max",
    "pay_period",
    "headcount",
    "deadline",
)
LIST_FIELDS = ("skills", "tools", "languages")
PROFILE_TEXT_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")


# --- the rules a draft cannot check alone -----------------------------------------------------


def _concepts(codes: list[str], field: str) -> dict[str, Concept]:
    found = {c.code: c for c in Concept.objects.filter(code__in=codes, is_active=True)}
    for index, code in enumerate(codes):
        if code not in found:
            raise invalid_field(
                f"{field}.{index}",
                _("Unknown skill or tool %(code)s: use a code from the taxonomy.")
                % {"code": code[:120]},
                code="unknown_concept",
            )
    return found


def _checked(draft: DemandDraft) -> dict[str, Any]:
    """The draft's fields once the rules across fields and against the taxonomy hold, in the
    shape stored, compared and fingerprinted (skills and tools as sorted codes)."""
    clean: dict[str, Any] = {name: getattr(draft, name) for name in SCALAR_FIELDS}
    if not draft.title_zh and not draft.title_en:
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    if draft.work_mode != "remote" and not draft.location:
        raise invalid_field("location", _("Say where the work is done."))
    if (
        draft.budget_min is not None
        and draft.budget_max is not None
        and draft.budget_max < draft.budget_min
    ):
        raise invalid_field("budget_max", _("The upper end of the range is below its lower end."))
    clean["skills"] = _checked_skills(draft.skills)
    tools = list(draft.tools)
    _concepts(tools, "tools")
    clean["tools"] = sorted(set(tools))
    clean["languages"] = list(draft.languages)
    return clean


def _checked_skills(skills: tuple[SkillIn, ...]) -> list[dict[str, Any]]:
    _concepts([s.code for s in skills], "skills")
    seen: set[str] = set()
    for index, skill in enumerate(skills):
        if skill.code in seen:
            raise invalid_field(
                f"skills.{index}", _("%(code)s is listed twice.") % {"code": skill.code}
            )
        seen.add(skill.code)
    return sorted(
        ({"code": s.code, "min_level": s.min_level, "required": s.required} for s in skills),
        key=lambda s: s["code"],
    )


def _fingerprint(clean: dict[str, Any], status: str | None) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal | date):
            return str(value)
        return value

    canonical = json.dumps(
        {**{k: plain(v) for k, v in clean.items()}, "status": status},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- writing ----------------------------------------------------------------------------------


def _apply(demand: Demand, clean: dict[str, Any]) -> bool:
    """Write cleaned fields; returns whether the profile text changed."""
    text_changed = any(getattr(demand, f) != clean[f] for f in PROFILE_TEXT_FIELDS)
    for field in SCALAR_FIELDS:
        setattr(demand, field, clean[field])
    demand.save()
    concepts = _concepts([s["code"] for s in clean["skills"]] + clean["tools"], "skills")
    DemandSkill.objects.filter(demand=demand).delete()
    DemandSkill.objects.bulk_create(
        DemandSkill(
            demand=demand,
            concept=concepts[s["code"]],
            min_level=s["min_level"],
            required=s["required"],
        )
        for s in clean["skills"]
    )
    demand.tools.set([concepts[code] for code in clean["tools"]])
    DemandLanguage.objects.filter(demand=demand).delete()
    DemandLanguage.objects.bulk_create(
        DemandLanguage(demand=demand, code=code) for code in clean["languages"]
    )
    return text_changed


def _summary(clean: dict[str, Any]) -> dict[str, Any]:
    return {k: clean[k] for k in ("kind", "title_zh", "title_en", "work_mode", "skills", "tools")}


def _event(
    principal: Principal, demand: Demand, before: str, after: str, source: str, note: str = ""
) -> None:
    DemandEvent.objects.create(
        demand=demand,
        from_status=before,
        to_status=after,
        actor=principal.user,
        api_token=principal.token,
        source=source,
        note=note[:200],
    )


@transaction.atomic
def create_demand(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: DemandDraft,
    source: str = Demand.Source.WEB,
    external_id: str = "",
    status: str | None = None,
    feed: Feed | None = None,
) -> Demand:
    clean = _checked(draft)
    external_id = external_id.strip()
    if (
        external_id
        and Demand.objects.filter(organisation=organisation, external_id=external_id).exists()
    ):
        raise Conflict(
            _("A demand with external id %(id)s already exists; update it instead.")
            % {"id": external_id[:200]},
            code="external_id_taken",
            fields={"external_id": [_("This external id is taken.")]},
        )
    demand = Demand(
        organisation=organisation,
        source=source,
        external_id=external_id,
        feed=feed,
        created_by=principal.user,
        status=Status.DRAFT,
    )
    _apply(demand, clean)
    _event(principal, demand, "", Status.DRAFT, source)
    if status and status != Status.DRAFT:
        _transition(principal, demand, status, source)
    demand.payload_hash = _fingerprint(clean, status) if external_id else ""
    demand.save(update_fields=["payload_hash"])
    derive_job_profile(demand)
    audit.record(
        actor=principal.user,
        action="demands.demand.create",
        obj=demand,
        organisation=organisation,
        after={**_summary(clean), "status": demand.status, "source": source},
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return demand


@transaction.atomic
def update_demand(
    *,
    principal: Principal,
    demand: Demand,
    changes: DemandPatch,
    source: str = Demand.Source.WEB,
) -> Demand:
    """Change the fields ``changes`` sets; the others keep their values."""
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status == Status.FILLED:
        raise Conflict(_("This demand is filled and can no longer be changed."), code="filled")
    current = _current_fields(demand)
    clean = _checked(with_changes(DemandDraft, current, changes))
    before, after = audit.changes(demand, {k: clean[k] for k in SCALAR_FIELDS})
    if current["skills"] != clean["skills"]:
        before["skills"], after["skills"] = current["skills"], clean["skills"]
    if current["tools"] != clean["tools"]:
        before["tools"], after["tools"] = current["tools"], clean["tools"]
    if current["languages"] != clean["languages"]:
        before["languages"], after["languages"] = current["languages"], clean["languages"]
    if not after:
        return demand
    text_changed = _apply(demand, clean)
    if text_changed:
        derive_job_profile(demand)
    audit.record(
        actor=principal.user,
        action="demands.demand.update",
        obj=demand,
        organisation=demand.organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return demand


def _current_fields(demand: Demand) -> dict[str, Any]:
    fields: dict[str, Any] = {f: getattr(demand, f) for f in SCALAR_FIELDS}
    fields["skills"] = sorted(
        (
            {"code": s.concept.code, "min_level": s.min_level, "required": s.required}
            for s in demand.skills.select_related("concept")
        ),
        key=lambda s: s["code"],
    )
    fields["tools"] = sorted(t.code for t in demand.tools.all())
    fields["languages"] = sorted(lang.code for lang in demand.languages.all())
    return fields


def _transition(principal: Principal, demand: Demand, to: str, source: str, note: str = "") -> None:
    if to not in Status.values:
        raise invalid_field("status", _("Unknown status %(status)s.") % {"status": to[:20]})
    before = demand.status
    if to == before:
        return
    if to not in TRANSITIONS[before]:
        raise Conflict(
            _("A %(before)s demand cannot become %(after)s.")
            % {"before": Status(before).label, "after": Status(to).label},
            code="transition_not_allowed",
            fields={"status": [_("Not allowed from the current status.")]},
        )
    demand.status = to
    update = ["status", "updated_at"]
    if to == Status.PUBLISHED and demand.published_at is None:
        demand.published_at = timezone.now()
        update.append("published_at")
    demand.save(update_fields=update)
    _event(principal, demand, before, to, source, note)


@transaction.atomic
def change_status(
    *,
    principal: Principal,
    demand: Demand,
    status: str,
    note: str = "",
    source: str = Demand.Source.WEB,
) -> Demand:
    """Publish, pause, close or mark filled, as the transition table allows."""
    demand = Demand.objects.select_for_update().select_related("organisation").get(pk=demand.pk)
    before = demand.status
    if status == before:
        return demand
    if status == Status.PUBLISHED and not (demand.title_zh or demand.title_en):
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    _transition(principal, demand, status, source, note)
    audit.record(
        actor=principal.user,
        action="demands.demand.status",
        obj=demand,
        organisation=demand.organisation,
        before={"status": before},
        after={"status": status},
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return demand


@transaction.atomic
def upsert_demand(
    *,
    principal: Principal,
    organisation: Organisation,
    external_id: str,
    source: str,
    draft: DemandDraft,
    status: str | None = None,
    feed: Feed | None = None,
) -> tuple[Demand, str]:
    """Create or update the organisation's demand with this external id. The same payload
    again changes nothing and writes no history. Returns the demand and ``created``,
    ``updated`` or ``unchanged``."""
    external_id = external_id.strip()
    if not external_id:
        raise invalid_field("external_id", _("This field is required."))
    if len(external_id) > 200:
        raise invalid_field("external_id", _("At most %(n)d characters, please.") % {"n": 200})
    existing = (
        Demand.objects.select_for_update()
        .filter(organisation=organisation, external_id=external_id)
        .first()
    )
    if existing is None:
        demand = create_demand(
            principal=principal,
            organisation=organisation,
            source=source,
            external_id=external_id,
            status=status or Status.PUBLISHED,
            feed=feed,
            draft=draft,
        )
        return demand, "created"
    clean = _checked(draft)
    fingerprint = _fingerprint(clean, status or Status.PUBLISHED)
    # A feed entry that comes back after the feed closed it is published again.
    reopen = (
        status is None
        and feed is not None
        and existing.status == Status.CLOSED
        and existing.payload_hash == ""
    )
    if existing.payload_hash == fingerprint:
        return existing, "unchanged"
    if existing.status == Status.FILLED:
        if status and status != Status.FILLED:
            raise Conflict(_("This demand is filled and can no longer be changed."), code="filled")
        return existing, "unchanged"
    current = _current_fields(existing)
    changed = {k: clean[k] for k in (*SCALAR_FIELDS, *LIST_FIELDS) if current[k] != clean[k]}
    before_status = existing.status
    if changed:
        text_changed = _apply(existing, clean)
        if text_changed:
            derive_job_profile(existing)
    if status and status != existing.status:
        _transition(principal, existing, status, source)
    elif reopen:
        _transition(principal, existing, Status.PUBLISHED, source, note="back in the feed")
    if feed is not None and existing.feed_id != feed.pk:
        existing.feed = feed
    existing.payload_hash = fingerprint
    existing.save(update_fields=["payload_hash", "feed", "updated_at"])
    if not changed and existing.status == before_status:
        return existing, "unchanged"
    send_demand_changed([existing.pk])
    audit.record(
        actor=principal.user,
        action="demands.demand.upsert",
        obj=existing,
        organisation=organisation,
        after={
            **{k: v for k, v in changed.items() if k not in PROFILE_TEXT_FIELDS},
            **{k: "[changed]" for k in changed if k in PROFILE_TEXT_FIELDS},
            "status": existing.status,
            "source": source,
        },
        token=principal.token,
    )
    return existing, "updated"


# --- job profile ------------------------------------------------------------------------------


def derive_job_profile(demand: Demand) -> list[JobProfileTag]:
    """Derive the automatic tags from the demand's text (Chinese and English). Tags the
    enterprise removed stay removed; tags it added stay."""
    text = "\n".join(getattr(demand, f) for f in PROFILE_TEXT_FIELDS if getattr(demand, f))
    found = {tag.concept_id: tag for tag in propose(text)}  # words, then meaning (issue 19)
    existing = {t.concept_id: t for t in JobProfileTag.objects.filter(demand=demand)}
    for concept_id, tag in existing.items():
        if tag.origin == JobProfileTag.Origin.AUTO and concept_id not in found and not tag.removed:
            tag.delete()
    for concept_id, extracted in found.items():
        row = existing.get(concept_id)
        matched = list(dict.fromkeys(extracted.matched))
        if row is None:
            JobProfileTag.objects.create(
                demand=demand,
                concept_id=concept_id,
                matched=matched,
                score=float(extracted.score),
                origin=JobProfileTag.Origin.AUTO,
            )
        elif row.matched != matched or row.score != float(extracted.score):
            row.matched = matched
            row.score = float(extracted.score)
            row.save(update_fields=["matched", "score", "updated_at"])
    return list(JobProfileTag.objects.filter(demand=demand, removed=False))


@transaction.atomic
def add_profile_tag(*, principal: Principal, demand: Demand, code: str) -> JobProfileTag:
    concept = Concept.objects.filter(code=code.strip(), is_active=True).first()
    if concept is None:
        raise invalid_field(
            "code",
            _("Unknown skill or tool %(code)s: use a code from the taxonomy.")
            % {"code": code[:120]},
            code="unknown_concept",
        )
    tag, created = JobProfileTag.objects.get_or_create(
        demand=demand,
        concept=concept,
        defaults={"origin": JobProfileTag.Origin.MANUAL, "score": 1.0},
    )
    if not created:
        if not tag.removed:
            raise Conflict(_("The job profile already has this tag."), code="tag_exists")
        tag.removed = False
        tag.save(update_fields=["removed", "updated_at"])
    audit.record(
        actor=principal.user,
        action="demands.profile.add_tag",
        obj=demand,
        organisation=demand.organisation,
        after={"concept": concept.code},
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return tag


@transaction.atomic
def remove_profile_tag(*, principal: Principal, demand: Demand, tag_id: int) -> None:
    tag = JobProfileTag.objects.filter(pk=tag_id, demand=demand, removed=False).first()
    if tag is None:
        raise NotFound(_("No such tag."))
    if tag.origin == JobProfileTag.Origin.MANUAL:
        tag.delete()
    else:
        tag.removed = True
        tag.save(update_fields=["removed", "updated_at"])
    audit.record(
        actor=principal.user,
        action="demands.profile.remove_tag",
        obj=demand,
        organisation=demand.organisation,
        before={"concept": tag.concept_id},
        token=principal.token,
    )
    send_demand_changed([demand.pk])


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


# --- feeds ------------------------------------------------------------------------------------


@transaction.atomic
def add_feed(*, principal: Principal, organisation: Organisation, url: str, format: str) -> Feed:
    from nomadcloud.demands.fetch import FetchError, check_url

    user = principal.user
    if user is None:
        raise Forbidden(_("Only a person can do this, not an API key."), code="person_only")
    url = url.strip()
    try:
        check_url(url)
    except FetchError as exc:
        raise invalid_field("url", exc.message) from None
    if format not in Feed.Format.values:
        raise invalid_field(
            "format", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Feed.Format.values)}
        )
    if Feed.objects.filter(organisation=organisation, url=url).exists():
        raise invalid_field("url", _("This feed is already registered."))
    feed = Feed.objects.create(
        organisation=organisation,
        url=url,
        format=format,
        created_by=user,
        next_run_at=timezone.now(),
    )
    audit.record(
        actor=user,
        action="demands.feed.create",
        obj=feed,
        organisation=organisation,
        after={"url": url, "format": format},
        token=principal.token,
    )
    return feed


@transaction.atomic
def set_feed_active(*, principal: Principal, feed: Feed, active: bool) -> Feed:
    if feed.active != active:
        feed.active = active
        feed.next_run_at = timezone.now() if active else None
        feed.save(update_fields=["active", "next_run_at"])
        audit.record(
            actor=principal.user,
            action="demands.feed.activate" if active else "demands.feed.deactivate",
            obj=feed,
            organisation=feed.organisation,
            token=principal.token,
        )
    return feed


def _backoff(failures: int) -> timedelta:
    minutes = settings.FEED_SYNC_INTERVAL_MINUTES * 2 ** min(failures - 1, 16)
    return timedelta(minutes=min(minutes, settings.FEED_MAX_BACKOFF_MINUTES))


def sync_feed(feed_id: int) -> FeedSync:
    """Pull one feed: conditional GET, per-entry upsert (each in its own savepoint), close the
    feed's demands that disappeared, record the report, schedule the next pull (backing off
    exponentially after failures). Messages are in the language of who registered the feed."""
    feed = Feed.objects.select_related("organisation", "created_by").get(pk=feed_id)
    with translation.override(feed.created_by.preferred_language or settings.LANGUAGE_CODE):
        _end_interrupted(feed)
        sync = FeedSync.objects.create(feed=feed)
        try:
            return _sync(feed, sync)
        except Exception as exc:  # whatever broke, the sync ends "failed"
            # RecursionError, a database error, a bug in a mapper: never left "running",
            # and the feed backs off like any other failure. The class name helps support.
            logger.exception("feed %s: the sync failed unexpectedly", feed.pk)
            message = _(
                "The sync stopped because of an unexpected error (%(error)s); it will be "
                "retried later."
            ) % {"error": type(exc).__name__}
            return _failed(feed, sync, message, sync.http_status)


def _end_interrupted(feed: Feed) -> None:
    """A sync still "running" long after the fetch deadline was cut short (the worker was
    killed): it is closed as failed, so no report stays "running" for ever."""
    cutoff = timezone.now() - timedelta(
        seconds=settings.FEED_TIMEOUT_SECONDS + INTERRUPTED_AFTER_SECONDS
    )
    FeedSync.objects.filter(
        feed=feed, status=FeedSync.Status.RUNNING, started_at__lt=cutoff
    ).update(
        status=FeedSync.Status.FAILED,
        finished_at=timezone.now(),
        error=_("The sync was interrupted (the worker stopped) before it finished."),
    )


def _sync(feed: Feed, sync: FeedSync) -> FeedSync:
    from nomadcloud.demands.feeds import FeedEntryError, parse_feed
    from nomadcloud.demands.fetch import FetchError, fetch

    try:
        result = fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except FetchError as exc:
        return _failed(feed, sync, exc.message, exc.http_status)
    sync.http_status = result.status
    if result.status == 304:
        sync.status = FeedSync.Status.NOT_MODIFIED
        return _finish(feed, sync, result.etag, result.last_modified)
    try:
        entries = parse_feed(result.body, feed.format)
    except FeedEntryError as exc:
        return _failed(feed, sync, exc.reason, result.status)
    principal = Principal(user=None)
    seen: set[str] = set()
    skipped: list[dict[str, Any]] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for entry in entries:
        if entry.error is not None:
            if entry.external_id:
                seen.add(entry.external_id)
            skipped.append(entry.error.as_report(entry.index, entry.external_id))
            continue
        assert entry.draft is not None
        if entry.external_id in seen:
            skipped.append(
                FeedEntryError(
                    "external_id",
                    _("The id %(id)s appears twice in the feed; only the first counts.")
                    % {"id": entry.external_id},
                ).as_report(entry.index, entry.external_id)
            )
            continue
        seen.add(entry.external_id)
        try:
            with transaction.atomic():
                _demand, outcome = upsert_demand(
                    principal=principal,
                    organisation=feed.organisation,
                    external_id=entry.external_id,
                    source=Demand.Source.FEED,
                    feed=feed,
                    draft=entry.draft,
                    status=entry.status,
                )
        except DomainError as exc:
            field, messages = next(iter(exc.fields.items()), ("", [exc.message]))
            skipped.append(
                FeedEntryError(field, messages[0]).as_report(entry.index, entry.external_id)
            )
            continue
        counts[outcome] += 1
    closed = 0
    gone = Demand.objects.filter(feed=feed, status__in=OPEN_STATUSES).exclude(external_id__in=seen)
    for demand in gone:
        with transaction.atomic():
            locked = Demand.objects.select_for_update().get(pk=demand.pk)
            _transition(
                principal,
                locked,
                Status.CLOSED,
                Demand.Source.FEED,
                note="no longer in the feed",
            )
            Demand.objects.filter(pk=locked.pk).update(payload_hash="")
            send_demand_changed([locked.pk])
            closed += 1
    sync.created, sync.updated, sync.unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    sync.closed = closed
    sync.skipped = len(skipped)
    sync.skipped_entries = skipped
    sync.status = FeedSync.Status.PARTIAL if skipped else FeedSync.Status.OK
    return _finish(feed, sync, result.etag, result.last_modified)


def _finish(feed: Feed, sync: FeedSync, etag: str, last_modified: str) -> FeedSync:
    now = timezone.now()
    sync.finished_at = now
    sync.save()
    Feed.objects.filter(pk=feed.pk).update(
        etag=etag,
        last_modified=last_modified,
        consecutive_failures=0,
        next_run_at=now + timedelta(minutes=settings.FEED_SYNC_INTERVAL_MINUTES),
    )
    _audit_sync(feed, sync)
    return sync


def _failed(feed: Feed, sync: FeedSync, message: str, http_status: int | None) -> FeedSync:
    now = timezone.now()
    failures = feed.consecutive_failures + 1
    sync.status = FeedSync.Status.FAILED
    sync.error = message
    sync.http_status = http_status
    sync.finished_at = now
    sync.save()
    Feed.objects.filter(pk=feed.pk).update(
        consecutive_failures=failures, next_run_at=now + _backoff(failures)
    )
    _audit_sync(feed, sync)
    return sync


def _audit_sync(feed: Feed, sync: FeedSync) -> None:
    audit.record(
        actor=None,
        action="demands.feed.sync",
        obj=feed,
        organisation=feed.organisation,
        after={k: v for k, v in sync.report().items() if k != "skipped_entries"},
    )


def due_feeds(now: datetime | None = None) -> list[int]:
    moment = now or timezone.now()
    return list(
        Feed.objects.filter(active=True, next_run_at__lte=moment)
        .order_by("next_run_at")
        .values_list("pk", flat=True)
    )


def claim_feed(feed_id: int, now: datetime | None = None) -> bool:
    """Claim a due feed with a conditional UPDATE, so two schedulers never pull it twice."""
    moment = now or timezone.now()
    lease = moment + timedelta(minutes=settings.FEED_SYNC_INTERVAL_MINUTES)
    return (
        Feed.objects.filter(pk=feed_id, active=True, next_run_at__lte=moment).update(
            next_run_at=lease
        )
        == 1
    )
