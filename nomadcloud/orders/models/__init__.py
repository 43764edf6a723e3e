"""Remote orders (远程接单) and conversions (落地转化).

An order moves through the states of ``Order.Status``; which moves are allowed, by whom and
under which condition is one table in ``transitions.py``, and every move is kept as an
``OrderEvent`` (who, when, as which role, why). Money is exact CNY (``MoneyField``): the
order's total is always the sum of its milestones, a settlement splits each milestone's
amount exactly between the nomad and the enterprise, and a dispute decision records its
amounts, reasons, evidence and rule version.

A conversion records what work turned into: an employment contract (its term, and whether it
runs a year or more), flexible employment, or a business registered in the zone.
"""

from .conversion import Conversion, ConversionDocument
from .delivery import Deliverable, Dispute, Message, OrderEvent, Rating, Settlement, SettlementLine
from .orders import (
    HALF_CENT,
    ROLE_LABELS,
    Milestone,
    Order,
    OrderApplication,
    OrderSkill,
    Role,
    adds_up,
)

__all__ = [
    "HALF_CENT",
    "ROLE_LABELS",
    "Conversion",
    "ConversionDocument",
    "Deliverable",
    "Dispute",
    "Message",
    "Milestone",
    "Order",
    "OrderApplication",
    "OrderEvent",
    "OrderSkill",
    "Rating",
    "Role",
    "Settlement",
    "SettlementLine",
    "adds_up",
]
