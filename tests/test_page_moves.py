"""The pages show the buttons the transition tables allow (training, talent, datatasks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from nomadcloud.datatasks import transitions as batch_moves
from nomadcloud.datatasks.access import Action as BatchAction
from nomadcloud.datatasks.models import Batch
from nomadcloud.talent import transitions as application_moves
from nomadcloud.talent.models import Application
from nomadcloud.talent.transitions import Side
from nomadcloud.training import transitions as scenario_moves
from nomadcloud.training.models import Scenario
from tests.builders.datatasks import closed_batch, english, labelling_skill, open_batch
from tests.conftest import World


def test_a_scenario_offers_what_its_state_allows_to_its_editors() -> None:
    def moves(status: str, editor: bool = True) -> frozenset[str]:
        return scenario_moves.moves_for(Scenario(status=status), editor=editor)

    assert moves("draft") == {"edit", "materials", "publish"}
    assert moves("published") == {"edit", "materials", "close"}
    assert moves("closed") == frozenset()
    assert moves("draft", editor=False) == frozenset()


def test_an_application_is_withdrawn_or_decided_only_while_submitted() -> None:
    def moves(status: str, side: Side) -> frozenset[str]:
        return application_moves.moves_for(Application(status=status), side)

    assert moves("submitted", Side.APPLICANT) == {"withdraw"}
    assert moves("submitted", Side.REVIEWER) == {"decide"}
    for status in ("approved", "rejected", "withdrawn"):
        assert moves(status, Side.APPLICANT) == moves(status, Side.REVIEWER) == frozenset()


def test_a_batch_offers_what_its_state_and_the_askers_actions_allow() -> None:
    every = [BatchAction.EDIT, BatchAction.REVIEW, BatchAction.ACCEPT]

    def moves(status: str, allowed: list[BatchAction]) -> frozenset[str]:
        return batch_moves.moves_for(Batch(status=status), allowed)

    assert moves("draft", every) == {"edit", "upload"}
    assert moves("open", every) == {"edit", "aggregate"}
    assert moves("closed", every) == {"aggregate", "accept"}
    assert moves("accepted", every) == frozenset()
    assert moves("closed", [BatchAction.REVIEW]) == {"aggregate"}
    assert moves("closed", []) == frozenset()


@pytest.fixture
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.usefixtures("_english")
def test_the_batch_page_shows_the_allowed_buttons(world: World) -> None:
    labelling_skill()
    batch = open_batch(world)
    page = english(world.olivia).get(f"/datatasks/{batch.public_id}/").content.decode()
    assert 'data-testid="edit-batch"' in page and 'data-testid="aggregate"' in page
    assert 'data-testid="accept-batch"' not in page and 'data-testid="upload-items"' not in page
    closed = closed_batch(world)
    page = english(world.olivia).get(f"/datatasks/{closed.public_id}/").content.decode()
    assert 'data-testid="accept-batch"' in page and 'data-testid="edit-batch"' not in page
    read_only = english(world.rita).get(f"/datatasks/{closed.public_id}/").content.decode()
    assert 'data-testid="accept-batch"' not in read_only
    assert 'data-testid="aggregate"' not in read_only
