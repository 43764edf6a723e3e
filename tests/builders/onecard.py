"""The one card's test zone: the 24 catalogue items seeded as in the demo, the 科工信局's
staff (a window officer, a reviewer, an approver who is also the supervisor), Bob as a
certified foreign nomad with a passport, and the next year's holidays marked loaded (the
operator's edit) so that clocks started in December can run into January."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.core.crypto import encrypt_text
from nomadcloud.core.models import HolidayYear
from nomadcloud.core.workdays import calendar_changed
from nomadcloud.onecard import demo
from nomadcloud.onecard.models import ServiceItem
from tests.builders.talent import talent_zone
from tests.builders.world import World, make_person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENCRYPTED_PDF = b"%PDF-1.4\n1 0 obj<</Filter/Standard>>endobj\ntrailer<</Encrypt 1 0 R>>\n%%EOF\n"


def next_year_loaded() -> None:
    year = timezone.localdate().year + 1
    HolidayYear.objects.get_or_create(year=year, defaults={"source": "operator"})
    calendar_changed()


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
