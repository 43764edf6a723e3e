"""The finance officer's pages: budgets with their balances, payouts by status, and each
payout's history and moves. Sending to the bank, confirming and reversing are confirmed on
their own page first (core/pages.py). Nothing is shown as paid before it is confirmed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import confirm_page, confirmed, domain_errors
from nomadcloud.payouts import access, queries, services, transitions
from nomadcloud.payouts.forms import MoveForm, StatusFilter
from nomadcloud.payouts.models import Payout
from nomadcloud.payouts.schemas import PayoutMove

ACTION_LABELS = {
    "schedule": gettext_lazy("Schedule"),
    "send": gettext_lazy("Send to the bank"),
    "mark_paid": gettext_lazy("Record the bank's reference"),
    "confirm": gettext_lazy("Confirm paid"),
    "fail": gettext_lazy("Record a failure"),
    "retry": gettext_lazy("Retry"),
    "reverse": gettext_lazy("Reverse"),
}
# Moves confirmed on their own page first: money leaves, is counted paid, or goes back.
CONFIRMED = frozenset({"send", "confirm", "reverse"})


@login_required
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    status_form = StatusFilter(request.GET or None)
    status = status_form.cleaned_data["status"] if status_form.is_valid() else ""
    return render(
        request,
        "payouts/index.html",
        {
            "budgets": list(queries.budgets_for(principal)[:100]),
            "payouts": list(queries.payouts_for(principal, status=status)[:200]),
            "status": status,
            "statuses": Payout.Status.choices,
        },
    )


@login_required
@domain_errors
def budget(request: HttpRequest, budget_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.budget_for(principal, budget_id)
    return render(
        request,
        "payouts/budget.html",
        {
            "budget": item,
            "commitments": list(item.commitments.order_by("-id")[:200]),
            "payouts": list(queries.payouts_for(principal, budget=item)[:200]),
        },
    )


@login_required
@domain_errors
def payout(request: HttpRequest, payout_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.payout_for(principal, payout_id)
    may_move = access.may_move(principal, item.budget.owner)
    moves = transitions.moves(item.status) if may_move else []
    return render(
        request,
        "payouts/payout.html",
        {
            "payout": item,
            "events": list(item.events.select_related("actor")),
            "moves": moves,
            "move_labels": [(m, ACTION_LABELS[m]) for m in moves],
        },
    )


def _confirmation(request: HttpRequest, item: Payout, move: PayoutMove) -> HttpResponse:
    amount = format_cny(item.amount)
    payee = f"{item.payee_kind}: {item.payee_id}"
    consequences: list[str] = {
        "send": [
            _("The payment order for %(amount)s to %(payee)s goes to the bank now.")
            % {"amount": amount, "payee": payee},
            _("It counts as paid only after the bank's reference is recorded and confirmed."),
        ],
        "confirm": [
            _("%(amount)s counts as paid to %(payee)s, against bank reference %(ref)s.")
            % {"amount": amount, "payee": payee, "ref": item.external_reference or "—"},
            _("The programme that owes the money is told that it is paid."),
        ],
        "reverse": [
            _("The payout is cancelled; %(amount)s goes back to its commitment.")
            % {"amount": amount},
            _("The programme may pay it again or release it to the budget."),
        ],
    }[move.action]
    fields = {"action": move.action, "reason": move.reason}
    return confirm_page(
        request,
        title=_("%(action)s: %(amount)s?")
        % {"action": ACTION_LABELS[move.action], "amount": amount},
        action=request.path,
        button=str(ACTION_LABELS[move.action]),
        back=reverse("payouts:payout", args=[item.public_id]),
        summary=[
            (_("Budget"), str(item.budget)),
            (_("Owed for"), f"{item.commitment.subject_kind}: {item.commitment.subject_id}"),
            (_("Payee"), payee),
            (_("Amount"), amount),
            (_("Status"), str(Payout.Status(item.status).label)),
            (_("Bank reference"), item.external_reference or "—"),
        ],
        consequences=consequences,
        fields={k: v for k, v in fields.items() if v},
        irreversible=move.action == "confirm",
    )


@login_required
@require_POST
@domain_errors
def move(request: HttpRequest, payout_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.payout_for(principal, payout_id, move=True)
    user = access.require_finance_officer(principal, item.budget.owner)
    form = MoveForm(request.POST)
    draft = draft_from_form(form, PayoutMove) if form.is_valid() else None
    if draft is None:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        raise InvalidInput(" ".join(errors) or _("Choose what to do."))
    if draft.action in CONFIRMED and not confirmed(request):
        transitions.check(item, draft.action)  # refuse a move the state does not allow here
        return _confirmation(request, item, draft)
    moved = services.apply_move(item, actor=user, move=draft)
    messages.success(
        request,
        _("The payout is now “%(state)s”.") % {"state": Payout.Status(moved.status).label},
    )
    return redirect("payouts:payout", payout_id=moved.public_id)
