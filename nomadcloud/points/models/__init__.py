"""The points app's models, one module per part, all in the ``points`` app (same tables,
same migrations): the ledger's records, the programme, the wallet, the merchants."""

from nomadcloud.points.models.ledger import (
    ID_LENGTH,
    Account,
    AppendOnly,
    AppendOnlyError,
    AppendOnlyQuerySet,
    Asset,
    Entry,
    Hold,
    Lot,
    LotMove,
    ReversalTotal,
    Transfer,
)
from nomadcloud.points.models.merchants import (
    CodeFailure,
    Merchant,
    Payment,
    PaymentCode,
    Refund,
    SettlementRate,
    Statement,
)
from nomadcloud.points.models.programme import (
    Campaign,
    EarningRule,
    ProgrammeOperator,
    Rate,
    Scenario,
)
from nomadcloud.points.models.wallet import (
    EarningLock,
    Exchange,
    WorkUnitCredit,
)

__all__ = [
    "ID_LENGTH",
    "Account",
    "AppendOnly",
    "AppendOnlyError",
    "AppendOnlyQuerySet",
    "Asset",
    "Campaign",
    "CodeFailure",
    "EarningLock",
    "EarningRule",
    "Entry",
    "Exchange",
    "Hold",
    "Lot",
    "LotMove",
    "Merchant",
    "Payment",
    "PaymentCode",
    "ProgrammeOperator",
    "Rate",
    "Refund",
    "ReversalTotal",
    "Scenario",
    "SettlementRate",
    "Statement",
    "Transfer",
    "WorkUnitCredit",
]
