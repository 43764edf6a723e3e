"""The incentive policies of plan 004 (tasks 11, 12, 13, 15). Their rules are code
(incentives/policies.py) and their figures dated YAML (incentives/parameters/)."""

from datetime import date
from typing import Any

from django.db import migrations

POLICIES: list[dict[str, Any]] = [
    {
        "code": "introduction",
        "rule": "introduction",
        "fact_kind": "introductions",
        "beneficiary": "any",
        "department_code": "kegongxin",
        "legal_basis": "plan 004 task 11",
        "title_zh": "引进数字游民奖励",
        "title_en": "Reward for bringing nomads in",
        "summary_zh": "支持企业、机构通过游民社区等方式引进符合条件的数字游民，全年引进达到一定数量的，经核定给予奖励（按人计，设年度上限）。",
        "summary_en": "Enterprises and institutions that bring qualifying nomads in (for example through a nomad community) receive, once verified, a reward per nomad when the year's count reaches the threshold, up to a yearly cap.",
        "exclusive_with": [],
    },
    {
        "code": "contract",
        "rule": "contract",
        "fact_kind": "contracts",
        "beneficiary": "enterprise",
        "department_code": "kegongxin",
        "legal_basis": "plan 004 task 11",
        "title_zh": "签订一年以上劳动合同奖励",
        "title_en": "Reward for labour contracts of a year or more",
        "summary_zh": "与数字游民签订一年以上劳动合同的，经核定按合同给予奖励（合同期限按起止日期计算，设年度上限）。",
        "summary_en": "Enterprises that sign a labour contract of a year or more with a nomad receive, once verified, a reward per contract (the term computed from its dates), up to a yearly cap.",
        "exclusive_with": ["flexible"],
    },
    {
        "code": "flexible",
        "rule": "flexible",
        "fact_kind": "flexible",
        "beneficiary": "enterprise",
        "department_code": "kegongxin",
        "legal_basis": "plan 004 task 11",
        "title_zh": "灵活用工引进数字游民奖励",
        "title_en": "Reward for flexible employment by local digital-economy enterprises",
        "summary_zh": "本地数字经济企业以灵活用工形式引进数字游民的，经核定按人给予奖励（用工天数不少于规定天数，设年度上限）。",
        "summary_en": "Local digital-economy enterprises that engage nomads flexibly receive, once verified, a reward per nomad (engagements of at least the minimum days), up to a yearly cap.",
        "exclusive_with": ["contract"],
    },
    {
        "code": "training",
        "rule": "training",
        "fact_kind": "training_passes",
        "beneficiary": "any",
        "department_code": "kegongxin",
        "legal_basis": "plan 004 task 11",
        "title_zh": "数字游民培训奖励",
        "title_en": "Reward for training nomads",
        "summary_zh": "本地企业、机构开展面向数字游民的培训，全年培训（考核通过）数字游民达到一定数量的，经核定按人给予奖励。",
        "summary_en": "Local enterprises and institutions whose training nomads passed reach the yearly threshold receive, once verified, a reward per nomad trained.",
        "exclusive_with": [],
        # 免申即享 (0003): the passes are the platform's own records, so no application
        "mode": "automatic",
    },
    {
        "code": "community_investment",
        "rule": "community_investment",
        "fact_kind": "community_investment",
        "beneficiary": "community",
        "department_code": "kegongxin",
        "legal_basis": "plan 004 task 12",
        "title_zh": "数字游民社区示范点固定资产投资奖励",
        "title_en": "Reward for community fixed-asset investment",
        "summary_zh": "数字游民社区示范点固定资产投资达到一定规模（以儋州市统计局纳统为准）以上的，经核定按比例给予奖励。",
        "summary_en": "Nomad community demonstration sites whose fixed-asset investment reaches the threshold (as counted by the Danzhou Statistics Bureau) receive, once verified, a share of it.",
        "exclusive_with": [],
    },
    {
        "code": "conference",
        "rule": "conference",
        "fact_kind": "events",
        "beneficiary": "any",
        "department_code": "yangpu-touzi",
        "legal_basis": "plan 004 task 13",
        "title_zh": "数字游民会议会展奖励",
        "title_en": "Conference and exhibition reward",
        "summary_zh": "举办数字游民、数字贸易等相关领域会议会展活动的举办方，按规定申请会议会展奖励。",
        "summary_en": "Organisers of conferences and exhibitions on digital nomads and digital trade apply for the conference and exhibition reward.",
        "exclusive_with": [],
    },
    {
        "code": "competition",
        "rule": "competition",
        "fact_kind": "competition_awards",
        "beneficiary": "enterprise",
        "department_code": "yangpu-touzi",
        "legal_basis": "plan 004 task 15",
        "title_zh": "创客赛事获奖项目产业化支持",
        "title_en": "Industrialisation support for maker-competition winners",
        "summary_zh": "对数字创客赛事获奖项目在示范区落地产业化的，按获奖等次给予支持。",
        "summary_en": "Winning maker-competition projects that land in the zone receive industrialisation support by prize rank.",
        "exclusive_with": [],
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    Policy = apps.get_model("incentives", "Policy")
    for fields in POLICIES:
        Policy.objects.update_or_create(
            code=fields["code"],
            defaults={
                "mode": "application",
                **fields,
                "effective_from": date(2025, 1, 1),
                "claim_window_days": 366,
                "publicity_days": 5,
                "appeal_days": 15,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("incentives", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
