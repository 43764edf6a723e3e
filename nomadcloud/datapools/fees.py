"""The fee of an access agreement (docs/decisions/0063): a CNY amount the steward sets in a
counter-offer (or the enterprise names in a counter-request), carried in the ODRL policy as
an ``odrl:compensate`` duty of the permission — the form of the ODRL 2.2 Information Model's
own example (§ 2.6.6, a ``payAmount`` refinement with a currency ``unit``), paid to the
assigner (the steward). No duty: no fee. The policy is the agreement's terms, so the amount
is kept once, exactly, as an ``xsd:decimal`` string; valuation reads it
(``agreement_revenue``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.core.errors import invalid_field
from nomadcloud.core.money import CENT

# The currency as ODRL's example names one (a DBpedia resource); only CNY is accepted.
CNY_UNIT = "http://dbpedia.org/resource/Renminbi"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def compensate_duty(fee: Decimal | None, assigner: str) -> list[dict[str, Any]]:
    """The duty list entry for a fee above zero (none for no fee or a fee of zero)."""
    if not fee:
        return []
    if fee < 0 or fee != fee.quantize(CENT):
        raise invalid_field("fee", _("The fee is an amount in CNY, zero or more, to the cent."))
    return [
        {
            "action": [
                {
                    "rdf:value": {"@id": "odrl:compensate"},
                    "refinement": [
                        {
                            "leftOperand": "payAmount",
                            "operator": "eq",
                            "rightOperand": {
                                "@value": str(fee.quantize(CENT)),
                                "@type": XSD_DECIMAL,
                            },
                            "unit": CNY_UNIT,
                        }
                    ],
                }
            ],
            "compensatedParty": assigner,
        }
    ]


def fee_of(policy: dict[str, Any]) -> Decimal | None:
    """The fee a policy's permission carries (None: no compensate duty)."""
    for permission in policy.get("permission", []):
        for duty in permission.get("duty", []):
            actions = duty.get("action")
            if not isinstance(actions, list):
                continue
            for action in actions:
                if not isinstance(action, dict):
                    continue
                if action.get("rdf:value", {}).get("@id") != "odrl:compensate":
                    continue
                for refinement in action.get("refinement", []):
                    if refinement.get("leftOperand") == "payAmount":
                        return Decimal(str(refinement["rightOperand"]["@value"]))
    return None
