"""The demo zone's one card: the 24 service items of the catalogue, published, each with
its competent department (市场监督管理局 is added for the studio-registration item, the one
department the accounts demo does not have)."""

from __future__ import annotations

from nomadcloud.accounts.demo import PERSONAS
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core.errors import DomainError
from nomadcloud.onecard import catalogue_data
from nomadcloud.onecard.catalogue_data import Seed
from nomadcloud.onecard.content import both
from nomadcloud.onecard.models import Application, ServiceItem
from nomadcloud.onecard.services import applications as svc
from nomadcloud.onecard.services import catalogue
from nomadcloud.onecard.transitions import Role

EXTRA_DEPARTMENTS = {
    "shichang": ("儋州市市场监督管理局", "Danzhou Market Regulation Administration"),
}


def _department(name: str) -> Organisation:
    """The item's responsible unit, resolved through the units registry (code, name or
    alias); a department the zone lacks (市场监督管理局, or any in a bare test zone) is
    added first."""
    try:
        return catalogue.responsible_unit(name)
    except DomainError:
        pass
    zh, en = EXTRA_DEPARTMENTS.get(name, (name, name))
    return Organisation.objects.create(
        kind=Organisation.Kind.DEPARTMENT,
        code=name,
        name_zh=zh,
        name_en=en,
        verification_status=Organisation.Verification.VERIFIED,
    )


def draft_for(seed: Seed) -> catalogue.VersionDraft:
    return catalogue.VersionDraft(
        content={
            "name": seed.name,
            "summary": seed.summary,
            "legal_basis": seed.legal,
            "process": both(
                "网上申请 → 受理 → 审查 → 决定 → 出件",
                "Apply online → received → review → decision → result",
            ),
            "location": both(
                "儋州市政务服务中心一楼数字游民窗口",
                "Danzhou Government Service Centre, nomad window, ground floor",
            ),
            "hours": both("工作日 9:00–17:00", "Working days 9:00–17:00"),
        },
        statutory_days=seed.statutory,
        promised_days=seed.promised,
        conditions=seed.conditions,
        materials=seed.materials,
        form_schema=seed.form,
        legal_basis_url=seed.legal_url,
        visits=seed.visits,
        result_type=seed.result_type,
        four_eyes=seed.four_eyes,
        allows_gaps=seed.allows_gaps,
    )


def seed_item(seed: Seed) -> ServiceItem:
    item = catalogue.create_item(
        actor=None,
        code=seed.code,
        number=seed.number,
        kind=seed.kind,
        department=_department(seed.department),
        handler=seed.handler,
        draft=draft_for(seed),
        deep_link=seed.deep_link,
        external_url=seed.external_url,
        audience=list(seed.audience),
        life_events=list(seed.life_events),
    )
    for action in ("submit_review", "publish"):
        catalogue.move_item(item, action, actor=None, roles={Role.OPERATOR})
    return item


def _applications() -> int:
    """A few applications so that the queues and pages have rows: the enterprise's
    conference reward (submitted, with 洋浦投促局), the community's maker-space
    qualification (submitted, with 科工信局) and the foreign nomad's draft visa letter."""
    if Application.objects.exists():
        return 0
    users = {u.email: u for u in User.objects.filter(email__in=[p.email for p in PERSONAS])}
    by_key = {p.key: users.get(p.email) for p in PERSONAS}
    made = 0
    plans = [
        (
            "enterprise_admin",
            "YP-JL-024",
            {"event_name": "自贸港数字游民大会", "held_on": "2026-11-20", "participants": 320},
            ["report", "invoices"],
        ),
        (
            "community",
            "KGX-ZZ-023",
            {"space_name": "儋州东坡众创空间", "area_m2": 1200},
            ["plan", "lease"],
        ),
    ]
    for key, code, answers, materials in plans:
        person = by_key.get(key)
        if person is None:
            continue
        item = ServiceItem.objects.get(code=code)
        application = svc.start(actor=person, item=item)
        roles = {Role.APPLICANT}
        svc.save_answers(application, actor=person, roles=roles, answers=answers)
        application.materials = [{"code": m, "source": "counter"} for m in materials]
        application.save(update_fields=["materials"])
        svc.submit(application, actor=person, roles=roles)
        made += 1
    emma = by_key.get("foreign_nomad")
    if emma is not None:
        visa = ServiceItem.objects.get(code="KGX-GF-002")
        draft = svc.start(actor=emma, item=visa)
        svc.save_answers(
            draft,
            actor=emma,
            roles={Role.APPLICANT},
            answers={"stay_months": 9, "purpose": "Remote product design work"},
        )
        made += 1
    return made


def seed() -> dict[str, int]:
    existing = set(ServiceItem.objects.values_list("code", flat=True))
    created = 0
    for entry in catalogue_data.ITEMS:
        if entry.code not in existing:
            seed_item(entry)
            created += 1
    return {
        "service_items": created,
        "service_applications": _applications(),
        "item_drafts": _draft_changes(),
    }


def _draft_changes() -> int:
    """A change to the talent housing guide waiting for publication (with a Japanese name):
    the catalogue editor's page shows it beside the published version."""
    item = ServiceItem.objects.select_related("current_version").get(code="RC-GF-005")
    version = item.current_version
    if item.draft_version_id is not None or version is None:
        return 0
    draft = catalogue.VersionDraft(
        content={
            **version.content,
            "name": {**version.content["name"], "ja": "人材住宅・保障性住宅の申請"},
        },
        statutory_days=version.statutory_days,
        promised_days=max(1, version.promised_days - 1),
        conditions=version.conditions,
        materials=version.materials,
        form_schema=version.form_schema,
        legal_basis_url=version.legal_basis_url,
        fee=version.fee,
        visits=version.visits,
        result_type=version.result_type,
        four_eyes=version.four_eyes,
        allows_gaps=version.allows_gaps,
        channels=version.channels,
        phone=version.phone,
    )
    catalogue.save_draft(item, actor=None, roles={Role.OPERATOR}, draft=draft)
    return 1
