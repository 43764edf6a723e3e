"""入表 (财会〔2023〕11号, decision 0063): the holder recognises an issued valuation's cost
lines at cost in its books, as an intangible asset or as inventory, and records impairments
and disposals; ``holder_table`` reads the holder's roll-forward (``rollforward.py``).

Rules: only the holder's editors record; a valuation is recognised once, and a cost line
whose source document an earlier recognition of the asset already took is left out (listed
as skipped), so costs carried from one valuation to the next are not counted twice; the
asset's treatment and useful life are fixed by its first recognition; entries are dated in
order (none before the asset's latest entry, none in the future), so a closed period never
changes; a disposal or impairment cannot exceed the carrying amount at its date. Every
entry is audited; nothing is edited or deleted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.valuation import access, rollforward
from nomadcloud.valuation.inputs import MovementDraft, RecognitionDraft
from nomadcloud.valuation.models import BookEntry, DataAsset, Valuation, ValuationSnapshot

S = Valuation.State
K = BookEntry.Kind


def entries_of(asset: DataAsset) -> list[rollforward.Entry]:
    return [_entry(e) for e in BookEntry.objects.filter(asset=asset).order_by("on", "id")]


def _entry(row: BookEntry) -> rollforward.Entry:
    return rollforward.Entry(
        on=row.on,
        kind=row.kind,
        amount=row.amount,
        purchased=row.purchased,
        useful_life_months=row.useful_life_months,
    )


def _lock(asset: DataAsset) -> DataAsset:
    """One writer per asset's books at a time."""
    return DataAsset.objects.select_for_update().get(pk=asset.pk)


def _dated(asset: DataAsset, on: date, field: str) -> BookEntry | None:
    """The asset's latest entry; refused when ``on`` is before it or in the future."""
    latest = BookEntry.objects.filter(asset=asset).order_by("-on", "-id").first()
    if on > timezone.localdate():
        raise invalid_field(field, _("The date is in the future."), code="in_future")
    if latest is not None and on < latest.on:
        raise invalid_field(
            field,
            _("The books of this asset already have an entry on %(on)s; date it on or after.")
            % {"on": latest.on.isoformat()},
            code="before_last_entry",
        )
    return latest


def _check_balance(asset: DataAsset, treatment: str, new: rollforward.Entry, field: str) -> None:
    try:
        rollforward.months([*entries_of(asset), new], treatment, new.on)
    except rollforward.NegativeCarryingAmount as exc:
        raise invalid_field(
            field,
            _("The carrying amount on %(on)s is only CNY %(amount)s.")
            % {"on": exc.on.isoformat(), "amount": exc.available},
            code="exceeds_carrying_amount",
        ) from None


def _record(principal: Principal, made: BookEntry) -> BookEntry:
    """Save the entry (not yet saved) as recorded by the person, with its audit event."""
    user = require_person(principal)
    asset = made.asset
    made.recorded_by = user
    made.save(force_insert=True)
    audit.record(
        actor=user,
        action=f"valuation.books.{made.kind}",
        obj=made,
        organisation=asset.holder,
        after={"amount": str(made.amount), "on": made.on.isoformat(), "treatment": made.treatment},
        token=principal.token,
    )
    return made


@transaction.atomic
def recognise(*, principal: Principal, valuation: Valuation, draft: RecognitionDraft) -> BookEntry:
    """The issued valuation's cost lines (as its snapshot holds them) added at cost; the
    ``acquisition`` lines are the purchased part (外购), the others developed in-house."""
    asset = valuation.asset
    access.require_holder(principal, asset)
    asset = _lock(asset)
    snapshot = ValuationSnapshot.objects.filter(valuation=valuation).first()
    if snapshot is None:
        raise Conflict(_("Only an issued valuation's costs can be recognised."), code="not_issued")
    if BookEntry.objects.filter(valuation=valuation).exists():
        raise Conflict(
            _("This valuation's costs are already in the books."), code="already_recognised"
        )
    if draft.recognised_on < valuation.valuation_date:
        raise invalid_field(
            "recognised_on",
            _("Recognise on or after the valuation date (%(on)s).")
            % {"on": valuation.valuation_date.isoformat()},
            code="before_valuation_date",
        )
    earlier = list(BookEntry.objects.filter(asset=asset).order_by("on", "id"))
    _dated(asset, draft.recognised_on, "recognised_on")
    treatment = draft.treatment
    first = next((e for e in earlier if e.kind == K.ADDITION), None)
    life = draft.useful_life_months
    if first is not None and first.treatment != treatment:
        raise invalid_field(
            "treatment",
            _("This asset is in the books as %(treatment)s; its treatment does not change.")
            % {"treatment": BookEntry.Treatment(first.treatment).label},
            code="treatment_fixed",
        )
    if treatment == "inventory" and life is not None:
        raise invalid_field("useful_life_months", _("Inventory is not amortised: leave blank."))
    if treatment == "intangible":
        if first is None and life is None:
            raise invalid_field(
                "useful_life_months",
                _("Give the useful life of the intangible asset in months."),
                code="useful_life_required",
            )
        if first is not None and life is not None:
            raise invalid_field(
                "useful_life_months",
                _("The useful life was set at the first recognition (%(n)s months); leave blank.")
                % {"n": first.useful_life_months},
                code="useful_life_set",
            )
        end = rollforward.life_end([_entry(e) for e in earlier])
        if end is not None and rollforward.month_index(draft.recognised_on) > end:
            raise invalid_field(
                "recognised_on",
                _("The asset's useful life has ended; nothing can be added to it."),
                code="beyond_useful_life",
            )
    taken = {line["source"] for e in earlier for line in e.lines}
    lines = snapshot.content["collected"].get("cost_lines", [])
    kept = [line for line in lines if line["source"] not in taken]
    skipped = [line for line in lines if line["source"] in taken]
    if not kept:
        raise Conflict(
            _("Every cost line of this valuation is already in the books."),
            code="already_recognised",
        )
    amount = sum((Decimal(line["amount"]) for line in kept), Decimal(0))
    purchased = sum(
        (Decimal(line["amount"]) for line in kept if line["category"] == "acquisition"),
        Decimal(0),
    )
    return _record(
        principal,
        BookEntry(
            asset=asset,
            treatment=treatment,
            kind=K.ADDITION,
            on=draft.recognised_on,
            amount=amount,
            purchased=purchased,
            useful_life_months=life,
            valuation=valuation,
            lines=kept,
            reason=_("%(n)s cost line(s) already in the books left out.") % {"n": len(skipped)}
            if skipped
            else "",
        ),
    )


@transaction.atomic
def record_movement(*, principal: Principal, asset: DataAsset, draft: MovementDraft) -> BookEntry:
    access.require_holder(principal, asset)
    asset = _lock(asset)
    first = BookEntry.objects.filter(asset=asset, kind=K.ADDITION).order_by("on", "id").first()
    if first is None:
        raise Conflict(
            _("This asset is not in the books yet: recognise an issued valuation first."),
            code="not_recognised",
        )
    _dated(asset, draft.on, "on")
    new = rollforward.Entry(on=draft.on, kind=draft.kind, amount=draft.amount)
    _check_balance(asset, first.treatment, new, "amount")
    return _record(
        principal,
        BookEntry(
            asset=asset,
            treatment=first.treatment,
            kind=draft.kind,
            on=draft.on,
            amount=draft.amount,
            reason=draft.reason,
        ),
    )


def holder_table(
    principal: Principal, holder: Organisation, *, period: str, until: date | None = None
) -> rollforward.Table:
    """The holder's roll-forward (its members and the zone operator see it)."""
    access.require_books_reader(principal, holder)
    until = until or timezone.localdate()
    rows = list(
        BookEntry.objects.filter(asset__holder=holder, on__lte=until)
        .select_related("asset")
        .order_by("asset_id", "on", "id")
    )
    by_asset: dict[int, tuple[DataAsset, str, list[rollforward.Entry]]] = {}
    for row in rows:
        found = by_asset.setdefault(row.asset_id, (row.asset, row.treatment, []))
        found[2].append(_entry(row))
    return rollforward.table(list(by_asset.values()), period=period, until=until)
