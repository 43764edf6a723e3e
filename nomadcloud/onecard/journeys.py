"""Life-event journeys shown as GOV.UK step-by-step guides: each step a catalogue item,
with the person's progress on it when signed in (done, in progress, not started)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nomadcloud.accounts.models import User
from nomadcloud.onecard import content, eligibility
from nomadcloud.onecard.content import both
from nomadcloud.onecard.models import Application, ServiceItem


@dataclass(frozen=True)
class Journey:
    key: str
    title: dict[str, str]
    intro: dict[str, str]
    steps: tuple[tuple[str, dict[str, str]], ...]  # (item code, what this step is for)

    @property
    def name(self) -> str:
        return content.text(self.title)

    @property
    def intro_text(self) -> str:
        return content.text(self.intro)


JOURNEYS: dict[str, Journey] = {
    j.key: j
    for j in (
        Journey(
            "arriving-foreign",
            both("外籍数字游民抵达", "Arriving as a foreign nomad"),
            both(
                "从认定到入住社区的五个步骤，按顺序办理。",
                "Five steps from certification to checking in to a community, in order.",
            ),
            (
                ("KGX-QR-001", both("取得数字游民认定。", "Get certified as a digital nomad.")),
                (
                    "KGX-GF-002",
                    both("申请签证便利化推荐函。", "Ask for the visa-facilitation letter."),
                ),
                (
                    "RS-XK-003",
                    both("预审工作、居留许可。", "Have the work and residence permit pre-checked."),
                ),
                (
                    "GA-GF-004",
                    both(
                        "入住后24小时内办理临时住宿登记。",
                        "Register your stay with the police within 24 hours.",
                    ),
                ),
                ("HW-BM-008", both("入住社区示范点。", "Check in to a demonstration community.")),
            ),
        ),
        Journey(
            "starting-studio",
            both("开办工作室", "Starting a studio"),
            both(
                "数字游民开办个体工作室的步骤。",
                "The steps for a nomad opening their own studio.",
            ),
            (
                ("KGX-QR-001", both("取得数字游民认定。", "Get certified as a digital nomad.")),
                (
                    "SJ-ZY-021",
                    both("登记个体工商户或工作室。", "Register as a sole trader or studio."),
                ),
                (
                    "RS-ZM-022",
                    both(
                        "办理社保参保与完税证明。",
                        "Enrol in social insurance; get tax certificates.",
                    ),
                ),
                ("KGX-Q-014", both("申领数据创新券。", "Claim a data innovation voucher.")),
            ),
        ),
    )
}
DONE = (Application.Status.RESULT_ISSUED, Application.Status.CLOSED, Application.Status.APPROVED)
ENDED = (
    Application.Status.WITHDRAWN,
    Application.Status.NOT_ACCEPTED,
    Application.Status.REJECTED,
    Application.Status.TERMINATED,
)


def steps(journey: Journey, user: User | None) -> list[dict[str, Any]]:
    codes = [code for code, _why in journey.steps]
    items = {
        i.code: i
        for i in ServiceItem.objects.filter(code__in=codes).select_related("current_version")
    }
    progress: dict[str, str] = {}
    if user is not None:
        for code, status in Application.objects.filter(
            applicant=user, item__code__in=codes
        ).values_list("item__code", "status"):
            if status in DONE:
                progress[code] = "done"
            elif status not in ENDED and progress.get(code) != "done":
                progress[code] = "started"
        if eligibility.valid_certificate(user) is not None:
            progress["KGX-QR-001"] = "done"
    out = []
    for number, (code, why) in enumerate(journey.steps, start=1):
        item = items.get(code)
        version = item.current_version if item else None
        out.append(
            {
                "number": number,
                "code": code,
                "name": content.text(version.content.get("name")) if version else code,
                "why": content.text(why),
                "state": progress.get(code, ""),
                "published": item is not None and item.status == ServiceItem.Status.PUBLISHED,
            }
        )
    return out
