"""The demo zone's one card: the 24 service items of the catalogue, published, each with
its competent department (市场监督管理局 is added for the studio-registration item, the one
department the accounts demo does not have)."""

from __future__ import annotations

from nomadcloud.accounts.models import Organisation
from nomadcloud.onecard import catalogue_data
from nomadcloud.onecard.catalogue_data import Seed
from nomadcloud.onecard.content import both
from nomadcloud.onecard.models import ServiceItem
from nomadcloud.onecard.services import catalogue
from nomadcloud.onecard.transitions import Role

EXTRA_DEPARTMENTS = {
    "shichang": ("儋州市市场监督管理局", "Danzhou Market Regulation Administration"),
}


def _department(code: str) -> Organisation:
    found = Organisation.objects.filter(code=code, kind=Organisation.Kind.DEPARTMENT).first()
    if found is not None:
        return found
    zh, en = EXTRA_DEPARTMENTS.get(code, (code, code))
    return Organisation.objects.create(
        kind=Organisation.Kind.DEPARTMENT,
        code=code,
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


def seed() -> dict[str, int]:
    existing = set(ServiceItem.objects.values_list("code", flat=True))
    created = 0
    for entry in catalogue_data.ITEMS:
        if entry.code not in existing:
            seed_item(entry)
            created += 1
    return {"service_items": created}
