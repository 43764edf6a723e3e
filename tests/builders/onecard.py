"""The one card's test zone: the 24 catalogue items seeded as in the demo, the 科工信局's
staff (a window officer, a reviewer, an approver who is also the supervisor), Bob as a
certified foreign nomad with a passport, and the next year's holidays marked loaded (the
operator's edit) so that clocks started in December can run into January."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.core import workdays
from nomadcloud.core.crypto import encrypt_text
from nomadcloud.onecard import catalogue_data, demo
from nomadcloud.onecard.models import Application, ServiceItem
from tests.builders.talent import talent_zone
from tests.builders.world import World, make_person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENCRYPTED_PDF = b"%PDF-1.4\n1 0 obj<</Filter/Standard>>endobj\ntrailer<</Encrypt 1 0 R>>\n%%EOF\n"


def next_year_loaded() -> None:
    """Whatever today is, a clock of 20 working days stays inside loaded years."""
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)


def onecard_zone(w: World) -> SimpleNamespace:
    cached = getattr(w, "_onecard", None)
    if cached is not None:
        return cached
    talent_zone(w)  # Bob holds a valid certificate
    next_year_loaded()
    demo.seed()
    kegongxin = Organisation.objects.get(code="kegongxin", kind="department")
    officer = make_person("Wanda Window", "wanda@example.com")
    reviewer = make_person("Ray Reviewer", "ray@example.com")
    approver = make_person("Alma Approver", "alma@example.com")
    for person, role in ((officer, "member"), (reviewer, "reviewer"), (approver, "owner")):
        Membership.objects.create(user=person, organisation=kegongxin, role=role)
    w.bob.nationality = "DE"
    w.bob.passport_number_encrypted = encrypt_text("C01X00T47")
    w.bob.save(update_fields=["nationality", "passport_number_encrypted"])
    zone = SimpleNamespace(
        kegongxin=kegongxin,
        officer=officer,
        reviewer=reviewer,
        approver=approver,
        visa=ServiceItem.objects.get(code="KGX-GF-002"),
        permit=ServiceItem.objects.get(code="RS-XK-003"),
        certification=ServiceItem.objects.get(code="KGX-QR-001"),
    )
    w._onecard = zone  # type: ignore[attr-defined]
    return zone


# --- for the permission matrix: one item, Rita's applications at each stage ------------------


def matrix_item(w: World) -> ServiceItem:
    """The maker-space qualification (科工信局, the world's department: Wendy reviews)."""
    found = ServiceItem.objects.filter(code="KGX-ZZ-023").first()
    if found is not None:
        return found
    next_year_loaded()
    seed = next(s for s in catalogue_data.ITEMS if s.code == "KGX-ZZ-023")
    return demo.seed_item(seed)


def _as(user: Any, application: Application) -> set[Any]:
    from nomadcloud.onecard.access import application_roles

    return application_roles(user, application)


def rita_draft(w: World) -> Application:
    from nomadcloud.onecard.services import applications as svc

    app = svc.start(actor=w.rita, item=matrix_item(w))
    svc.save_answers(
        app, actor=w.rita, roles=_as(w.rita, app), answers={"space_name": "Hub", "area_m2": 300}
    )
    return app


def rita_ready(w: World) -> Application:
    from nomadcloud.onecard.services import applications as svc

    app = rita_draft(w)
    for code in ("plan", "lease"):
        svc.attach_material(
            app,
            actor=w.rita,
            roles=_as(w.rita, app),
            code=code,
            file=SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf"),
        )
    return app


def rita_submitted(w: World) -> Application:
    from nomadcloud.onecard.services import applications as svc

    app = rita_ready(w)
    svc.submit(app, actor=w.rita, roles=_as(w.rita, app))
    return app


def rita_issued(w: World) -> Application:
    from nomadcloud.onecard.services import applications as svc

    app = rita_submitted(w)
    approver = make_person("Alma Approver", f"alma-{app.pk}@example.com")
    Membership.objects.create(user=approver, organisation=app.department, role="owner")
    svc.receive(app, actor=w.wendy, roles=_as(w.wendy, app))
    svc.start_review(app, actor=w.wendy, roles=_as(w.wendy, app))
    svc.decide(
        app,
        actor=approver,
        roles=_as(approver, app),
        approve=True,
        reasons="Premises and plan checked.",
        rule_version="KGX-ZZ-023-v1",
    )
    svc.issue_result(app, actor=approver, roles=_as(approver, app))
    return app
