"""Batch transfers for programmes that post many transfers at once
(``POST /api/v1/points/transfers/batch``), mapped directly onto ``DatabaseLedger.submit``.

Who may post, and what:

- **The zone operator** (a person, signed in or with a personal write token): any accounts.
- **A programme operator**: an organisation API key (write scope) of an organisation the zone
  operator authorised for an asset (``ProgrammeOperator``). Its ``transfer`` and ``hold``
  requests must debit its own account in that asset (``o:<organisation>:<asset>``) or an
  issuance account of the asset (issuing the programme's points), and credit a person's
  account or its own account in an authorised asset — never another organisation's account
  or a system account (refused naming the account); its ``reversal``s must not take anything
  from a holder's account (only from its own or a system account). It can never move a
  holder's points out of their account.

**Namespaces.** Ids are the caller's: the ledger stores them under a prefix per caller
(``op:`` for the zone operator, ``p:<organisation>:`` for a programme), so callers cannot
collide with each other or with the platform's own transfers, and ``pending_id`` and
``reverses`` name the caller's own earlier transfers only. Results echo the caller's ids.

A request refused before the ledger (``not_authorised``) fails its whole linked chain
(``linked_event_failed`` for the others); every other refusal is the ledger's reason code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.accounts.access import is_zone_operator, require_authenticated, require_write
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book.reasons import reason_message
from nomadcloud.points.book.store import DatabaseLedger
from nomadcloud.points.ledger import Kind, Reason, SystemRole, TransferRequest
from nomadcloud.points.programme import queries

NOT_AUTHORISED = "not_authorised"
NOT_AUTHORISED_MESSAGE = gettext_lazy(
    "You are not authorised to move points from or to this account."
)
CLIENT_ID_MAX = 90
"""Client ids are 1–90 printable ASCII characters (the namespace takes the rest of 128)."""


MAX_BATCH = 8000
"""Requests per batch (the ledger takes up to 8,190 in one ``submit``)."""


@dataclass(frozen=True)
class Caller:
    namespace: str
    organisation: Organisation | None
    assets: frozenset[str] | None
    """Authorised assets; ``None``: all (the zone operator)."""


def caller_for(principal: Principal) -> Caller:
    require_authenticated(principal)
    require_write(principal)
    organisation = principal.key_organisation
    if organisation is not None:
        assets = queries.programme_assets(organisation)
        if not assets:
            raise Forbidden(
                _("This organisation is not authorised to post points transfers."),
                code="not_programme_operator",
            )
        return Caller(f"p:{organisation.public_id.hex}:", organisation, assets)
    if principal.user is not None and is_zone_operator(principal.user):
        return Caller("op:", None, None)
    raise Forbidden(
        _("Only the zone operator and authorised programmes may post batch transfers."),
        code="not_programme_operator",
    )


@dataclass
class Item:
    """One request as the caller sent it."""

    id: str
    kind: str
    debit_account: str = ""
    credit_account: str = ""
    amount: int | None = None
    asset: str = ""
    pending_id: str = ""
    reverses: str = ""
    timeout: int = 0
    lot_expires_at: datetime | None = None
    linked: bool = False
    code: str = ""
    reference: str = ""


def _chains(items: Sequence[Item]) -> list[list[int]]:
    chains: list[list[int]] = [[]]
    for i, item in enumerate(items):
        chains[-1].append(i)
        if not item.linked:
            chains.append([])
    if not chains[-1]:
        chains.pop()
    return chains


@dataclass(frozen=True)
class Refusal:
    field: str | None
    message: str


def _credit_refused(account: str) -> Refusal:
    return Refusal(
        "credit_account",
        _(
            "You may not credit the account %(account)s: a programme credits only people's "
            "accounts and its own account in its assets."
        )
        % {"account": account},
    )


def _unauthorised(caller: Caller, items: Sequence[Item]) -> dict[int, Refusal]:
    """The requests a programme may not make, by index (the zone operator: none)."""
    if caller.assets is None or caller.organisation is None:
        return {}
    assets = caller.assets
    own = {f"{book.organisation_holder(caller.organisation)}:{a}" for a in assets}
    referenced = {
        x
        for it in items
        if it.kind in (Kind.TRANSFER, Kind.HOLD)
        for x in (it.debit_account, it.credit_account)
    }
    account_assets = dict(
        m.Account.objects.filter(id__in=list(referenced)).values_list("id", "asset_id")
    )
    in_batch = {caller.namespace + it.id: it for it in items}
    originals = {
        caller.namespace + it.reverses for it in items if it.kind == Kind.REVERSAL and it.reverses
    }
    stored = dict(
        m.Transfer.objects.filter(tid__in=list(originals - set(in_batch))).values_list(
            "tid", "credit_account_id"
        )
    )

    def may_debit(account: str) -> bool:
        if account in own:
            return True
        role, _sep, rest = account.partition(":")
        return role == SystemRole.ISSUANCE.value and rest.rsplit(":", 1)[0] in assets

    def system(account: str) -> bool:
        return account.partition(":")[0] in {r.value for r in SystemRole}

    def may_credit(account: str) -> bool:
        """Its own account, or a person's account (``u:<person>:<asset>``) of an authorised
        asset: judged by the id's form, so an account that does not exist is refused alike
        and the answer reveals nothing about other organisations' accounts."""
        if account in own:
            return True
        role, _sep, rest = account.partition(":")
        person, _sep, asset = rest.partition(":")
        return role == "u" and bool(person) and ":" not in asset and asset in assets

    refused: dict[int, Refusal] = {}
    for i, it in enumerate(items):
        if it.kind in (Kind.TRANSFER, Kind.HOLD):
            credit_asset = account_assets.get(it.credit_account)
            if (
                may_debit(it.debit_account)
                and (credit_asset is None or credit_asset in assets)
                and (not it.asset or it.asset in assets)
                and not may_credit(it.credit_account)
            ):
                refused[i] = _credit_refused(it.credit_account)
                continue
            ok = (
                may_debit(it.debit_account)
                and (credit_asset is None or credit_asset in assets)
                and (not it.asset or it.asset in assets)
            )
        elif it.kind == Kind.REVERSAL and it.reverses:
            target = caller.namespace + it.reverses
            original = in_batch.get(target)
            credit = original.credit_account if original is not None else stored.get(target)
            ok = credit is None or credit in own or system(credit)
        else:
            ok = True  # post/void: only the caller's own holds can be named
        if not ok:
            refused[i] = Refusal(None, str(NOT_AUTHORISED_MESSAGE))
    return refused


def submit_batch(*, principal: Principal, items: Sequence[Item]) -> list[dict[str, Any]]:
    """Apply a batch for the caller; one result per request, in order: ``status``
    (``created``, ``exists``, ``refused``), and for refusals ``reason``, ``field`` and a
    localized ``message``."""
    caller = caller_for(principal)
    if len(items) > MAX_BATCH:
        message = reason_message(Reason.BATCH_TOO_LARGE)
        return [_refused(it.id, Reason.BATCH_TOO_LARGE.value, None, message) for it in items]
    refused = _unauthorised(caller, items)
    results: list[dict[str, Any] | None] = [None] * len(items)
    submit: list[int] = []
    for chain in _chains(items):
        bad = [i for i in chain if i in refused]
        if not bad:
            submit.extend(chain)
            continue
        for i in chain:
            if i == bad[0]:
                refusal = refused[i]
                results[i] = _refused(items[i].id, NOT_AUTHORISED, refusal.field, refusal.message)
            else:
                results[i] = _refused(
                    items[i].id,
                    Reason.LINKED_EVENT_FAILED.value,
                    None,
                    reason_message(Reason.LINKED_EVENT_FAILED),
                )
    ns = caller.namespace
    requests = [
        TransferRequest(
            id=ns + it.id,
            kind=Kind(it.kind),
            debit_account=it.debit_account,
            credit_account=it.credit_account,
            amount=it.amount,
            asset=it.asset,
            pending_id=ns + it.pending_id if it.pending_id else "",
            reverses=ns + it.reverses if it.reverses else "",
            timeout=it.timeout,
            lot_expires_at=it.lot_expires_at,
            linked=it.linked,
            code=it.code,
            reference=it.reference,
        )
        for it in (items[i] for i in submit)
    ]
    if requests:
        for i, r in zip(submit, DatabaseLedger().submit(requests), strict=True):
            if r.reason is None:
                results[i] = {"id": items[i].id, "status": r.status.value}
            else:
                results[i] = _refused(
                    items[i].id, r.reason.value, r.field, reason_message(r.reason, r.field)
                )
    return [r for r in results if r is not None]


def _refused(id: str, reason: str, field: str | None, message: str) -> dict[str, Any]:
    return {"id": id, "status": "refused", "reason": reason, "field": field, "message": message}
