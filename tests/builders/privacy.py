"""A nomad with something in every app that holds personal data (issue 15 item 5): Wendy
with a profile (headline, location, a language, a skill, a project), a certification
application, an order she applied to, delivered and had accepted (a deliverable, a message),
labelled items in a data batch, proof-of-work credentials and work units, notifications and
an API token."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from nomadcloud.accounts import services as accounts
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.orders import services as orders
from nomadcloud.talent import services as talent
from nomadcloud.talent.schemas import ProfileChanges, ProjectDraft
from tests.builders import datatasks as data_builders
from tests.builders import orders as order_builders
from tests.builders.points import give_work_units
from tests.builders.talent import GOOD_ANSWERS, talent_zone
from tests.builders.world import World

HEADLINE = "Wendy's unmistakable headline"
LOCATION = "Haikou, Longhua"
MESSAGE = "Wendy's private message to Acme"


def full_nomad(w: World) -> SimpleNamespace:
    zone = talent_zone(w)
    wendy = Principal.for_user(w.wendy)
    talent.update_profile(
        principal=wendy,
        changes=parse_draft(ProfileChanges, {"headline_en": HEADLINE, "location": LOCATION}),
    )
    talent.set_language(principal=wendy, language="fr", level="B2")
    talent.declare_skill(principal=wendy, concept=zone.sql, level=4)
    talent.add_project(
        principal=wendy,
        draft=ProjectDraft(title_en="Survey cleanup", role="Analyst", started_on=date(2024, 5, 1)),
    )
    application = talent.apply_for_certification(
        principal=wendy, track="domestic", answers=GOOD_ANSWERS
    )
    order = order_builders.accepted_order(w)
    orders.post_message(principal=wendy, order=order, body=MESSAGE)
    batch = data_builders.plain_batch(w, gold_percent=0)
    data_builders.joined(w, w.wendy, batch)
    answered = data_builders.answer_all(w, w.wendy, batch)
    credential = give_work_units(w.wendy, "12.00")
    _token, secret = accounts.create_personal_token(principal=wendy, name="cli", scope="write")
    return SimpleNamespace(
        user=w.wendy,
        application=application,
        order=order,
        batch=batch,
        answered=answered,
        credential=credential,
        token_secret=secret,
    )
