"""The one card's service items for incentive claims and vouchers (issue 17 item 8) are deep
links that land on the flow: items 9–13 on their policy's page (where the organisation's
entitlement and the claim button are), 14–15 on the voucher programmes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from nomadcloud.onecard import catalogue_data
from nomadcloud.onecard.views import deep_link_url
from tests.builders.incentives import ensure_policies

pytestmark = pytest.mark.django_db

ITEMS = {
    "KGX-JL-009": "/incentives/policies/introduction/",
    "KGX-JL-010": "/incentives/policies/contract/",
    "KGX-JL-011": "/incentives/policies/flexible/",
    "KGX-JL-012": "/incentives/policies/training/",
    "HW-JL-013": "/incentives/policies/community_investment/",
    "KGX-Q-014": "/vouchers/",
    "KGX-Q-015": "/vouchers/",
}


def test_incentive_and_voucher_items_link_to_pages_that_answer(client: Any) -> None:
    ensure_policies()
    seeds = {s.code: s for s in catalogue_data.ITEMS}
    for code, expected in ITEMS.items():
        url = deep_link_url(SimpleNamespace(deep_link=seeds[code].deep_link))  # type: ignore[arg-type]
        assert url == expected, code
        assert client.get(url).status_code == 200, url


def test_a_link_to_a_flow_not_built_is_empty() -> None:
    assert deep_link_url(SimpleNamespace(deep_link="nowhere:list extra")) == ""  # type: ignore[arg-type]
