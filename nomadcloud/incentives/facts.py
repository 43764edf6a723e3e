"""The facts the platform holds, as the plain inputs the rules read (``policies.py``):
conversions (contracts, flexible employment), training passes, introductions, and whether
each nomad was certified on the counting date. Read in bulk, a handful of queries per
policy and year whatever the number of organisations (the nightly job and the benchmark).

``items`` carry JSON-safe values only (dates as ISO text), so that a claim stores exactly
what the rule read and re-running it reproduces the amount."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from nomadcloud.accounts.models import Organisation
from nomadcloud.incentives.models import Introduction, Policy
from nomadcloud.orders.models import Conversion
from nomadcloud.talent.models import Certificate
from nomadcloud.training.models import Enrolment

Inputs = dict[str, Any]
Items = dict[int, list[dict[str, Any]]]
# fact kinds a policy counts (Policy.fact_kind) that incentives reads itself
PLATFORM_FACTS = ("introductions", "contracts", "flexible", "training_passes")

# A fact provider: (year, organisation ids or None for all) → {organisation id: items}.
# Apps above incentives (communities, competitions) register theirs at start-up, so the
# facts they hold are read without incentives importing them (docs/architecture.md).
FactProvider = Callable[[int, "set[int] | None"], Items]
# A claim check: (organisation, year) → None, or raises the refusal (a DomainError) when the
# facts may not be claimed yet (e.g. investments above the statistics bureau's figure).
ClaimCheck = Callable[[Organisation, int], None]
_PROVIDERS: dict[str, FactProvider] = {}
_CLAIM_CHECKS: dict[str, ClaimCheck] = {}


def register_provider(
    fact_kind: str, provider: FactProvider, *, claim_check: ClaimCheck | None = None
) -> None:
    """An app that holds the facts of a kind (``Policy.fact_kind``) provides them; items
    carry JSON-safe values only, with an ``id``, a ``date`` (ISO text) and the fields the
    policy's rule reads. ``claim_check`` runs before a claim under the kind is opened."""
    if fact_kind in PLATFORM_FACTS:
        raise ValueError(f"incentives reads {fact_kind} itself")
    _PROVIDERS[fact_kind] = provider
    if claim_check is not None:
        _CLAIM_CHECKS[fact_kind] = claim_check


def check_claim(policy: Policy, organisation: Organisation, year: int) -> None:
    """The provider's own refusal of a claim, if it registered one."""
    check = _CLAIM_CHECKS.get(policy.fact_kind)
    if check is not None:
        check(organisation, year)


def platform_fact_kinds() -> tuple[str, ...]:
    """Every fact kind the platform holds: incentives' own and the registered providers'."""
    return (*PLATFORM_FACTS, *sorted(_PROVIDERS))


def holds_facts(policy: Policy) -> bool:
    return policy.fact_kind in PLATFORM_FACTS or policy.fact_kind in _PROVIDERS


class CertificationBook:
    """Whether a nomad held a valid certificate on a day (not revoked before it)."""

    def __init__(self, nomad_ids: Iterable[int] | QuerySet[Any, Any]) -> None:
        """``nomad_ids``: ids, or a query of them (``values("nomad_id")``) that the database
        joins (one query, no list of ids sent back: the nightly job's case)."""
        self.spans: dict[int, list[tuple[date, date, date | None]]] = defaultdict(list)
        if isinstance(nomad_ids, QuerySet):
            self._add(Certificate.objects.filter(holder_id__in=nomad_ids))
            return
        ids = sorted(set(nomad_ids))
        for start in range(0, len(ids), 5000):
            self._add(Certificate.objects.filter(holder_id__in=ids[start : start + 5000]))

    def _add(self, certificates: QuerySet[Certificate]) -> None:
        rows = certificates.values_list("holder_id", "valid_from", "valid_until", "revoked_at")
        for holder, valid_from, valid_until, revoked_at in rows.iterator(chunk_size=5000):
            revoked = revoked_at.date() if revoked_at else None
            self.spans[holder].append((valid_from, valid_until, revoked))

    def certified(self, nomad_id: int, on: date) -> bool:
        return any(
            start <= on <= end and (revoked is None or on < revoked)
            for start, end, revoked in self.spans.get(nomad_id, ())
        )


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def local_digital_economy(organisation: Organisation) -> bool:
    """A local digital-economy enterprise, as far as the platform knows: a verified
    enterprise registered in China (the department confirms the sector when it verifies)."""
    return (
        organisation.kind == Organisation.Kind.ENTERPRISE
        and organisation.verification_status == Organisation.Verification.VERIFIED
        and str(organisation.country) == "CN"
    )


def _introductions(year: int, org_ids: set[int] | None) -> dict[int, list[dict[str, Any]]]:
    first, last = _year_range(year)
    of_year = Introduction.objects.filter(introduced_on__range=(first, last))
    rows = list(
        of_year.order_by("introduced_on", "id").values_list(
            "public_id", "nomad_id", "introducer_id", "introduced_on", "status"
        )
    )
    # A nomad counts for one introducer a year: the earliest confirmed record.
    winner: dict[int, object] = {}
    for public_id, nomad, _org, _on, status in rows:
        if status == Introduction.Status.CONFIRMED and nomad not in winner:
            winner[nomad] = public_id
    book = CertificationBook(
        of_year.values("nomad_id") if len(rows) > 5000 else [r[1] for r in rows]
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for public_id, nomad, org, on, _status in rows:
        if org_ids is not None and org not in org_ids:
            continue
        out[org].append(
            {
                "id": str(public_id),
                "nomad": str(nomad),
                "date": on.isoformat(),
                "certified": book.certified(nomad, on),
                "confirmed": winner.get(nomad) == public_id,
            }
        )
    return out


def _conversions(year: int, kind: str, org_ids: set[int] | None) -> dict[int, list[dict[str, Any]]]:
    first, last = _year_range(year)
    query = Conversion.objects.filter(kind=kind).filter(
        Q(starts_on__range=(first, last))
        | Q(starts_on__isnull=True, occurred_on__range=(first, last))
    )
    if org_ids is not None:
        query = query.filter(organisation_id__in=org_ids)
    rows = list(
        query.order_by("id").values_list(
            "public_id",
            "nomad_id",
            "organisation_id",
            "starts_on",
            "ends_on",
            "occurred_on",
            "term_days",
        )
    )
    book = CertificationBook(query.values("nomad_id") if len(rows) > 5000 else [r[1] for r in rows])
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for public_id, nomad, org, starts_on, ends_on, occurred_on, term_days in rows:
        on = starts_on or occurred_on
        item: dict[str, Any] = {
            "id": str(public_id),
            "nomad": str(nomad),
            "date": on.isoformat(),
            "certified": book.certified(nomad, on),
        }
        if kind == Conversion.Kind.CONTRACT:
            item["ends_on"] = ends_on.isoformat() if ends_on else None
        else:
            days = term_days or ((ends_on - on).days + 1 if ends_on else 0)
            item["days"] = days
        out[org].append(item)
    return out


def _training(year: int, org_ids: set[int] | None) -> dict[int, list[dict[str, Any]]]:
    first, last = _year_range(year)
    query = Enrolment.objects.filter(
        status=Enrolment.Status.PASSED,
        completed_at__date__gte=first,
        completed_at__date__lte=last,
    )
    if org_ids is not None:
        query = query.filter(scenario__organisation_id__in=org_ids)
    rows = list(
        query.order_by("id").values_list(
            "public_id", "nomad_id", "scenario__organisation_id", "completed_at"
        )
    )
    book = CertificationBook(query.values("nomad_id") if len(rows) > 5000 else [r[1] for r in rows])
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for public_id, nomad, org, completed_at in rows:
        if completed_at is None:
            continue
        on = completed_at.date()
        out[org].append(
            {
                "id": str(public_id),
                "nomad": str(nomad),
                "date": on.isoformat(),
                "certified": book.certified(nomad, on),
            }
        )
    return out


def inputs_by_organisation(
    policy: Policy, year: int, organisations: Iterable[Organisation] | None = None
) -> dict[int, Inputs]:
    """{organisation id: inputs} for every organisation with at least one fact under the
    policy in the year (or only the ones given)."""
    wanted = {o.pk for o in organisations} if organisations is not None else None
    kind = policy.fact_kind
    if kind == "introductions":
        items = _introductions(year, wanted)
    elif kind == "contracts":
        items = _conversions(year, Conversion.Kind.CONTRACT, wanted)
    elif kind == "flexible":
        items = _conversions(year, Conversion.Kind.FLEXIBLE, wanted)
    elif kind == "training_passes":
        items = _training(year, wanted)
    elif kind in _PROVIDERS:
        items = _PROVIDERS[kind](year, wanted)
    else:
        return {}
    result: dict[int, Inputs] = {org: {"items": rows} for org, rows in items.items()}
    if kind == "flexible" and result:
        orgs = Organisation.objects.filter(pk__in=list(result)).only(
            "kind", "verification_status", "country"
        )
        for org in orgs:
            result[org.pk]["local_digital_economy"] = local_digital_economy(org)
    return result


def confirm_window_days() -> int:
    return 90


def introduction_confirmable(introduction: Introduction, today: date) -> bool:
    """Confirmed when the nomad is certified and has a contract or flexible engagement in
    the zone within the window after the introduction."""
    window_end = introduction.introduced_on + timedelta(days=confirm_window_days())
    if not CertificationBook([introduction.nomad_id]).certified(
        introduction.nomad_id, min(today, window_end)
    ):
        return False
    return Conversion.objects.filter(
        nomad_id=introduction.nomad_id,
        occurred_on__range=(introduction.introduced_on, window_end),
    ).exists()
