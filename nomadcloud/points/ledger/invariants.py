"""``check_invariants(store)``: what must hold after every committed block, whatever the
store. Returns the violations found (empty when all hold)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .codes import AccountFlags, HoldStatus, Kind
from .model import Account
from .store import Store

_FIELDS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


def check_invariants(store: Store) -> list[Violation]:
    out: list[Violation] = []
    accounts = {a.id: a for a in store.all_accounts()}
    transfers = store.all_transfers()
    holds = {h.id: h for h in store.all_holds()}

    # 1. Double entry: per asset, debits equal credits (posted and pending).
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in accounts.values():
        totals[a.asset][0] += a.credits_posted - a.debits_posted
        totals[a.asset][1] += a.credits_pending - a.debits_pending
    for asset, (posted, pending) in sorted(totals.items()):
        if posted or pending:
            out.append(Violation("conservation", f"{asset}: posted {posted}, pending {pending}"))

    # 2. No constrained account beyond its limit; no negative balance field.
    for a in accounts.values():
        if any(getattr(a, f) < 0 for f in _FIELDS):
            out.append(Violation("negative_field", a.id))
        if (
            a.has(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
            and a.debits_pending + a.debits_posted > a.credits_posted
        ):
            out.append(Violation("negative_balance", f"{a.id}: {a.available}"))
        if (
            a.has(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS)
            and a.credits_pending + a.credits_posted > a.debits_posted
        ):
            out.append(Violation("credit_limit", a.id))

    # 3. Every client id applied at most once; every hold resolved at most once; reversals
    #    within their original.
    for tid, n in Counter(t.id for t in transfers).items():
        if n > 1:
            out.append(Violation("duplicate_id", f"{tid} applied {n} times"))
    resolutions = Counter(
        t.pending_id for t in transfers if t.kind in (Kind.POST, Kind.VOID, Kind.EXPIRE_PENDING)
    )
    for hid, n in resolutions.items():
        hold = holds.get(hid)
        if n > 1 or hold is None or hold.status == HoldStatus.PENDING:
            out.append(Violation("hold_resolution", f"{hid}: {n} resolutions"))
    for hold in holds.values():
        if hold.status != HoldStatus.PENDING and resolutions[hold.id] != 1:
            out.append(Violation("hold_resolution", f"{hold.id} is {hold.status.value}"))
    reversed_by: Counter[str] = Counter()
    by_id = {t.id: t for t in transfers}
    for t in transfers:
        if t.kind == Kind.REVERSAL:
            reversed_by[t.reverses] += t.amount
    stored_reversed = store.all_reversed()
    for tid, total in reversed_by.items():
        original = by_id.get(tid)
        if original is None or total > original.amount or stored_reversed.get(tid) != total:
            out.append(Violation("reversal_total", f"{tid}: {total}"))

    # 4. Every balance equals the sum of its entries, and each transfer's entries balance.
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_transfer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in store.all_entries():
        s = sums[e.account]
        for i, f in enumerate(_FIELDS):
            s[i] += getattr(e, f)
        per_transfer[e.transfer_id][0] += e.credits_pending - e.debits_pending
        per_transfer[e.transfer_id][1] += e.credits_posted - e.debits_posted
    for a in accounts.values():
        if sums.get(a.id, [0, 0, 0, 0]) != [getattr(a, f) for f in _FIELDS]:
            out.append(Violation("entries_sum", f"{a.id}: {sums.get(a.id)} vs {_balances(a)}"))
    for tid, (pending, posted) in per_transfer.items():
        if pending or posted:
            out.append(Violation("unbalanced_transfer", tid))

    # 5. Lots add up to balances: open lots plus what pending holds reserve equal the balance;
    #    each lot's remaining equals its amount plus its moves.
    lots = store.all_lots()
    moved: Counter[str] = Counter()
    for m in store.all_lot_moves():
        moved[m.lot_id] += m.amount
    in_lots: Counter[str] = Counter()
    for lot in lots:
        in_lots[lot.account] += lot.remaining
        if not 0 <= lot.remaining <= lot.amount or lot.remaining != lot.amount + moved[lot.id]:
            out.append(Violation("lot_moves", f"{lot.id}: {lot.remaining}/{lot.amount}"))
    reserved: Counter[str] = Counter()
    for hold in holds.values():
        if hold.status == HoldStatus.PENDING:
            reserved[hold.debit_account] += sum(n for _, n in hold.reservation)
    for a in accounts.values():
        if not a.has(AccountFlags.LOTS):
            continue
        if in_lots[a.id] != a.available or reserved[a.id] != a.debits_pending:
            out.append(
                Violation(
                    "lots_balance",
                    f"{a.id}: lots {in_lots[a.id]} + reserved {reserved[a.id]}"
                    f" vs balance {a.balance} (pending debits {a.debits_pending})",
                )
            )
    return out


def _balances(a: Account) -> list[int]:
    return [getattr(a, f) for f in _FIELDS]
