"""Applications (办件): draft to signed result through the table of moves, with the
bad inputs of the specification refused and nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core import workdays
from nomadcloud.core.errors import DomainError
from nomadcloud.onecard import access
from nomadcloud.onecard.models import AgentAuthorisation, Application, Rectification
from nomadcloud.onecard.services import applications as svc
from nomadcloud.onecard.services import catalogue
from nomadcloud.onecard.services.results import verify_result
from nomadcloud.onecard.transitions import Role
from nomadcloud.proofs.services import did_document
from tests.builders.onecard import ENCRYPTED_PDF, PDF, onecard_zone
from tests.conftest import World

pytestmark = pytest.mark.django_db

GOOD = {
    "passport_number": "C01X00T47",
    "stay_from": "2027-01-10",
    "stay_until": "2027-09-10",
    "stay_months": 8,
    "purpose": "Remote software work",
}


def roles(user: Any, application: Application) -> set[Role]:
    return access.application_roles(user, application)


def pdf(name: str = "income.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def drafted(w: World, answers: dict[str, Any] | None = None) -> Application:
    zone = onecard_zone(w)
    app = svc.start(actor=w.bob, item=zone.visa)
    svc.save_answers(app, actor=w.bob, roles=roles(w.bob, app), answers=answers or GOOD)
    return app


def ready(w: World) -> Application:
    app = drafted(w)
    r = roles(w.bob, app)
    svc.attach_material(app, actor=w.bob, roles=r, code="passport", use_held=True)
    svc.attach_material(app, actor=w.bob, roles=r, code="certificate", use_held=True)
    svc.attach_material(app, actor=w.bob, roles=r, code="income", file=pdf())
    return app


def submitted(w: World) -> Application:
    app = ready(w)
    svc.submit(app, actor=w.bob, roles=roles(w.bob, app), key="k-1")
    return app


def received(w: World) -> Application:
    app = submitted(w)
    zone = onecard_zone(w)
    svc.receive(app, actor=zone.officer, roles=roles(zone.officer, app))
    return app


def refused(call: Any, code: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


def test_the_whole_way_to_a_signed_result_and_a_rating(world: World) -> None:
    zone = onecard_zone(world)
    app = received(world)
    assert app.status == "received" and app.due_at is not None
    assert {c.name for c in svc.clocks(app)} == {"promised", "statutory"}
    svc.start_review(app, actor=zone.reviewer, roles=roles(zone.reviewer, app))
    refused(
        lambda: svc.decide(
            app,
            actor=zone.reviewer,
            roles=roles(zone.reviewer, app),
            approve=True,
            reasons="ok",
            rule_version="v1",
        ),
        "four_eyes",
    )
    refused(
        lambda: svc.decide(
            app,
            actor=zone.approver,
            roles=roles(zone.approver, app),
            approve=True,
            reasons=" ",
            rule_version="v1",
        ),
        "reason_required",
    )
    svc.decide(
        app,
        actor=zone.approver,
        roles=roles(zone.approver, app),
        approve=True,
        reasons="All conditions met.",
        rule_version="KGX-GF-002-v1",
    )
    assert all(c.stopped_at for c in svc.clocks(app))
    refused(
        lambda: svc.withdraw(app, actor=world.bob, roles=roles(world.bob, app)), "already_decided"
    )
    svc.issue_result(app, actor=zone.officer, roles=roles(zone.officer, app))
    assert app.status == "result_issued"
    assert verify_result(app.result, did_document())
    tampered = {
        **app.result,
        "credentialSubject": {**app.result["credentialSubject"], "decision": "rejected"},
    }
    assert not verify_result(tampered, did_document())
    refused(
        lambda: svc.rate(app, actor=zone.officer, roles=roles(zone.officer, app), level=5),
        "not_applicant",
    )
    svc.rate(app, actor=world.bob, roles=roles(world.bob, app), level=2, comment="slow")
    rect = Rectification.objects.get(rating__application=app)
    assert rect.due == workdays.add_working_days(timezone.localdate(), 15)
    refused(
        lambda: svc.rate(app, actor=world.bob, roles=roles(world.bob, app), level=5),
        "already_rated",
    )
    svc.rectify(
        rect, actor=zone.officer, measures="Extra staff", callback_note="Called back, satisfied"
    )
    assert app.events.count() >= 7


def test_bad_answers_are_refused_by_field(world: World) -> None:
    zone = onecard_zone(world)
    app = svc.start(actor=world.bob, item=zone.visa)
    r = roles(world.bob, app)
    bad = refused(
        lambda: svc.save_answers(
            app,
            actor=world.bob,
            roles=r,
            answers={
                **GOOD,
                "stay_until": "2026-01-01",
                "nickname": "x",
                "stay_months": "eight",
                "passport_number": "c0!",
            },
        ),
        "invalid_input",
    )
    assert {"stay_until", "nickname", "stay_months", "passport_number"} <= set(bad.fields)
    app.refresh_from_db()
    assert app.answers == {}


def test_submit_needs_every_answer_eligibility_and_materials(world: World) -> None:
    app = drafted(world, {"stay_months": 8})
    r = roles(world.bob, app)
    missing = refused(lambda: svc.submit(app, actor=world.bob, roles=r), "invalid_input")
    assert "purpose" in missing.fields
    svc.save_answers(app, actor=world.bob, roles=r, answers=GOOD)
    refused(lambda: svc.submit(app, actor=world.bob, roles=r), "materials_missing")
    svc.save_answers(app, actor=world.bob, roles=r, answers={"stay_months": 3})
    refused(lambda: svc.submit(app, actor=world.bob, roles=r), "not_eligible")
    app.refresh_from_db()
    assert app.status == "draft"


def test_materials_of_the_wrong_kind_are_refused(world: World) -> None:
    app = drafted(world)
    r = roles(world.bob, app)
    refused(
        lambda: svc.attach_material(
            app, actor=world.bob, roles=r, code="income", file=pdf(data=ENCRYPTED_PDF)
        ),
        "file_encrypted",
    )
    refused(
        lambda: svc.attach_material(
            app,
            actor=world.bob,
            roles=r,
            code="income",
            file=SimpleUploadedFile("a.zip", b"PK\x03\x04rest"),
        ),
        "file_type",
    )
    refused(
        lambda: svc.attach_material(app, actor=world.bob, roles=r, code="income", use_held=True),
        "invalid_input",
    )
    app.refresh_from_db()
    assert app.materials == []


def test_the_same_key_submits_once(world: World) -> None:
    app = submitted(world)
    first = app.submitted_at
    svc.submit(app, actor=world.bob, roles=roles(world.bob, app), key="k-1")
    app.refresh_from_db()
    assert app.submitted_at == first and app.events.filter(action="submit").count() == 1
    other = ready(world)
    refused(
        lambda: svc.submit(other, actor=world.bob, roles=roles(world.bob, other), key="k-1"),
        "duplicate_submit",
    )


def test_a_suspended_item_takes_no_application(world: World) -> None:
    zone = onecard_zone(world)
    app = ready(world)
    catalogue.move_item(zone.visa, "suspend", actor=world.oscar, roles={Role.OPERATOR})
    refused(lambda: svc.submit(app, actor=world.bob, roles=roles(world.bob, app)), "item_not_open")
    refused(lambda: svc.start(actor=world.bob, item=zone.visa), "item_not_open")


def test_one_notice_lists_everything_and_pauses_the_clock(world: World) -> None:
    zone = onecard_zone(world)
    app = received(world)
    officer = zone.officer
    svc.request_supplement(
        app,
        actor=officer,
        roles=roles(officer, app),
        items=[
            {"code": "income", "text": "Bank statement unreadable"},
            {"code": "other", "text": "Sign page 2"},
        ],
    )
    app.refresh_from_db()
    assert app.status == "supplement_requested"
    assert all(c.paused_at for c in svc.clocks(app))
    assert "income" not in {m["code"] for m in app.materials}
    r = roles(world.bob, app)
    refused(lambda: svc.resubmit(app, actor=world.bob, roles=r), "materials_missing")
    svc.attach_material(app, actor=world.bob, roles=r, code="income", file=pdf("statement.pdf"))
    svc.resubmit(app, actor=world.bob, roles=r)
    assert app.status == "received" and not any(c.paused_at for c in svc.clocks(app))
    # A second notice: refused to the officer, allowed to the supervisor with a reason.
    refused(
        lambda: svc.request_supplement(
            app, actor=officer, roles=roles(officer, app), items=[{"code": "x", "text": "more"}]
        ),
        "second_notice",
    )
    refused(
        lambda: svc.request_supplement(
            app,
            actor=zone.approver,
            roles=roles(zone.approver, app),
            items=[{"code": "x", "text": "more"}],
        ),
        "second_notice",
    )
    notice = svc.request_supplement(
        app,
        actor=zone.approver,
        roles=roles(zone.approver, app),
        items=[{"code": "x", "text": "more"}],
        override_reason="Forged stamp found",
    )
    assert notice.override_by == zone.approver


def test_accept_with_gaps_then_the_gap_is_filled(world: World) -> None:
    zone = onecard_zone(world)
    app = drafted(world)
    r = roles(world.bob, app)
    svc.attach_material(app, actor=world.bob, roles=r, code="passport", use_held=True)
    svc.attach_material(app, actor=world.bob, roles=r, code="certificate", use_held=True)
    refused(lambda: svc.submit(app, actor=world.bob, roles=r), "materials_missing")
    # The applicant cannot submit without the material, so the officer's 容缺 applies to a
    # submitted application whose material turned out unusable: simulate by attaching then
    # accepting with it as a gap.
    svc.attach_material(app, actor=world.bob, roles=r, code="income", file=pdf())
    svc.submit(app, actor=world.bob, roles=r)
    due = timezone.localdate() + timedelta(days=10)
    refused(
        lambda: svc.accept_with_gaps(
            app, actor=zone.officer, roles=roles(zone.officer, app), gaps=[], due=due, reason="x"
        ),
        "invalid_input",
    )
    svc.accept_with_gaps(
        app,
        actor=zone.officer,
        roles=roles(zone.officer, app),
        gaps=["income"],
        due=due,
        reason="Statement to follow",
    )
    assert app.status == "received" and app.gaps == ["income"]
    svc.attach_material(
        app, actor=world.bob, roles=roles(world.bob, app), code="income", file=pdf("later.pdf")
    )
    app.refresh_from_db()
    assert app.gaps == []


def test_refusal_needs_reasons_and_an_appeal_route(world: World) -> None:
    zone = onecard_zone(world)
    app = submitted(world)
    r = roles(zone.officer, app)
    refused(
        lambda: svc.refuse(app, actor=zone.officer, roles=r, reason="", appeal="x"),
        "reason_required",
    )
    svc.refuse(app, actor=zone.officer, roles=r, reason="Not competent", appeal="市政府行政复议")
    assert app.status == "not_accepted"


def test_outsiders_cannot_act(world: World) -> None:
    app = submitted(world)
    refused(
        lambda: svc.receive(app, actor=world.charlie, roles=roles(world.charlie, app)),
        "role_not_allowed",
    )
    refused(
        lambda: svc.withdraw(app, actor=world.charlie, roles=roles(world.charlie, app)),
        "role_not_allowed",
    )
    app.refresh_from_db()
    assert app.status == "submitted"


def test_agents_need_an_authorisation_for_the_item(world: World) -> None:
    zone = onecard_zone(world)
    refused(
        lambda: svc.start(actor=world.olivia, item=zone.visa, applicant=world.bob),
        "agent_not_authorised",
    )
    today = timezone.localdate()
    AgentAuthorisation.objects.create(
        principal=world.bob,
        agent=world.olivia,
        items=["RC-GF-005"],
        valid_from=today,
        valid_until=today + timedelta(days=30),
        document="POA-1",
    )
    refused(
        lambda: svc.start(actor=world.olivia, item=zone.visa, applicant=world.bob),
        "agent_not_authorised",
    )
    AgentAuthorisation.objects.create(
        principal=world.bob,
        agent=world.olivia,
        items=["KGX-GF-002"],
        valid_from=today,
        valid_until=today + timedelta(days=30),
        document="POA-2",
    )
    app = svc.start(actor=world.olivia, item=zone.visa, applicant=world.bob)
    assert app.applicant == world.bob and app.agent == world.olivia
    assert Role.APPLICANT in roles(world.olivia, app)


def test_withdraw_stops_the_clocks(world: World) -> None:
    app = received(world)
    svc.withdraw(app, actor=world.bob, roles=roles(world.bob, app), reason="Plans changed")
    assert app.status == "withdrawn" and all(c.stopped_at for c in svc.clocks(app))


def test_a_deadline_past_the_loaded_calendar_is_refused(world: World) -> None:
    from nomadcloud.core.models import HolidayYear

    zone = onecard_zone(world)
    app = submitted(world)
    HolidayYear.objects.filter(year__gt=timezone.localdate().year).delete()
    HolidayYear.objects.filter(year=timezone.localdate().year).delete()
    workdays.calendar_changed()
    refused(
        lambda: svc.receive(app, actor=zone.officer, roles=roles(zone.officer, app)),
        "calendar_not_loaded",
    )
    app.refresh_from_db()
    assert app.status == "submitted" and not svc.clocks(app)


def test_prefill_records_its_source(world: World) -> None:
    zone = onecard_zone(world)
    app = svc.start(actor=world.bob, item=zone.visa)
    svc.use_prefill(app, actor=world.bob, roles=roles(world.bob, app), fields=["passport_number"])
    assert app.answers["passport_number"] == "C01X00T47"
    assert app.prefilled["passport_number"]["source"] == "passport"
    record = ConsentRecord.objects.get(public_id=app.prefilled["passport_number"]["consent"])
    assert record.subject == world.bob and record.purpose == "dpv:ServiceProvision"
    assert "pd:Passport" in record.data_categories


def test_only_the_applicant_consents_to_prefill(world: World) -> None:
    zone = onecard_zone(world)
    today = timezone.localdate()
    AgentAuthorisation.objects.create(
        principal=world.bob,
        agent=world.olivia,
        items=[],
        valid_from=today,
        valid_until=today + timedelta(days=5),
        document="POA-3",
    )
    app = svc.start(actor=world.olivia, item=zone.visa, applicant=world.bob)
    refused(
        lambda: svc.use_prefill(
            app, actor=world.olivia, roles=roles(world.olivia, app), fields=["passport_number"]
        ),
        "consent_by_applicant",
    )
    assert not ConsentRecord.objects.filter(subject=world.bob).exists()
