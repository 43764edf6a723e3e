"""One move on a claim from the fields of a page's form or the API's body: the single
place that maps a move name (``transitions.MOVES``) to its service call."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import InvalidInput
from nomadcloud.incentives import services
from nomadcloud.incentives.models import Claim


def run_move(principal: Principal, claim: Claim, move: str, data: Any) -> str:
    """Call the service for one move with the fields it reads; returns the message."""
    text = str(data.get("text") or "")
    if move == "submit":
        services.submit_claim(
            principal=principal, claim=claim, declaration=str(data.get("declaration") or "")
        )
        return _("Claim submitted to the department.")
    if move == "withdraw":
        services.withdraw_claim(principal=principal, claim=claim)
        return _("Claim withdrawn.")
    if move == "verify_item":
        counted = str(data.get("counted") or "") in ("1", "true", "True", "on")
        services.verify_item(
            principal=principal,
            claim=claim,
            reference=str(data.get("item") or ""),
            counted=counted,
            reason_code=str(data.get("reason_code") or ""),
            reason=text,
        )
        return _("Item counted.") if counted else _("Item excluded.")
    if move == "request_supplement":
        services.request_supplement(principal=principal, claim=claim, message=text)
        return _("Supplement requested.")
    if move == "answer_supplement":
        services.answer_supplement(principal=principal, claim=claim, response=text)
        return _("Supplement sent to the department.")
    if move == "complete":
        done = services.complete_verification(principal=principal, claim=claim)
        return _("Verification complete: %(status)s.") % {"status": done.get_status_display()}
    if move == "reject":
        services.reject_claim(principal=principal, claim=claim, reason=text)
        return _("Claim rejected.")
    if move == "open_publicity":
        services.open_publicity(principal=principal, claim=claim)
        return _("The claim is on the 公示 list.")
    if move == "approve":
        services.approve_claim(principal=principal, claim=claim)
        return _("Claim approved.")
    if move == "appeal":
        services.file_appeal(principal=principal, claim=claim, grounds=text)
        return _("Appeal filed.")
    if move == "decide_appeal":
        upheld = str(data.get("upheld") or "") in ("1", "true", "True", "on")
        services.decide_appeal(principal=principal, claim=claim, upheld=upheld, reason=text)
        return _("Appeal decided.")
    if move == "claw_back":
        services.claw_back(principal=principal, claim=claim, amount=data.get("amount"), reason=text)
        return _("Clawback recorded.")
    raise InvalidInput(_("No such move."), code="unknown_move")
