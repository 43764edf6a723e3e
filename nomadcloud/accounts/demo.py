"""A realistic bilingual demo zone: Danzhou–Yangpu digital nomad demonstration zone.

Named personas (README and tests share them) plus generated organisations and nomads. Rows
are written directly (one shared password hash, no audit events), so that seeding takes a
second; everything done afterwards goes through the services. Credit codes are generated
with valid check characters but belong to no real organisation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts import units
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.validators import USCC_ALPHABET, uscc_check_character
from nomadcloud.core.crypto import encrypt_text

DEMO_PASSWORD = "NomadCloud-demo-2026"  # noqa: S105  (documented demo login)
DEMO_DOMAIN = "demo.nomadcloud.cn"

DEPARTMENTS = [
    (
        "kegongxin",
        "儋州市科学技术工业信息化局",
        "Danzhou Bureau of Science, Technology, Industry and IT",
    ),
    ("fagai", "儋州市发展和改革委员会", "Danzhou Development and Reform Commission"),
    (
        "renshe",
        "儋州市人力资源和社会保障局",
        "Danzhou Bureau of Human Resources and Social Security",
    ),
    ("gongan", "儋州市公安局", "Danzhou Public Security Bureau"),
    (
        "lvwen",
        "儋州市旅游和文化广电体育局",
        "Danzhou Bureau of Tourism, Culture, Radio, TV and Sports",
    ),
    ("wangxin", "中共儋州市委网络安全和信息化委员会办公室", "Danzhou Cyberspace Affairs Office"),
    ("rencai", "儋州市委人才发展局", "Danzhou Talent Development Bureau"),
    ("tongji", "儋州市统计局", "Danzhou Statistics Bureau"),
    ("huanwan", "儋州市政府环湾办", "Danzhou Bay-Area Development Office"),
    ("yangpu-touzi", "洋浦经济开发区投资促进局", "Yangpu Investment Promotion Bureau"),
]

ENTERPRISES = [
    ("洋浦云帆科技有限公司", "Yangpu Yunfan Technology Co., Ltd."),
    ("儋州海数智能数据服务有限公司", "Danzhou Haishu Intelligent Data Services Co., Ltd."),
    ("海南椰风互动游戏有限公司", "Hainan Coconut Breeze Interactive Games Co., Ltd."),
    ("洋浦跨境优选电子商务有限公司", "Yangpu Cross-Border Select E-commerce Co., Ltd."),
    ("儋州东坡文创设计有限公司", "Danzhou Dongpo Creative Design Co., Ltd."),
    ("海南蓝湾元宇宙科技有限公司", "Hainan Blue Bay Metaverse Technology Co., Ltd."),
    ("洋浦星链数字贸易有限公司", "Yangpu Starlink Digital Trade Co., Ltd."),
    ("儋州南海直播传媒有限公司", "Danzhou South Sea Live Media Co., Ltd."),
    ("海南自贸港模型训练中心有限公司", "Hainan FTP Model Training Centre Co., Ltd."),
]
FOREIGN_ENTERPRISE = ("", "Lisbon Remote Works Lda.", "PT", "PT-514872390")

MERCHANTS = [
    ("海花岛文旅度假区", "Ocean Flower Island Resort"),
    ("儋州东坡书院文化街", "Dongpo Academy Culture Street"),
    ("洋浦椰林海鲜餐厅", "Yangpu Coconut Grove Seafood Restaurant"),
    ("儋州白马井渔港民宿", "Baimajing Fishing Port Guesthouse"),
    ("洋浦公交出行服务", "Yangpu Bus and Mobility Services"),
]
COMMUNITIES = [
    ("洋浦数字游民社区（神头港）", "Yangpu Digital Nomad Community (Shentou Harbour)"),
    ("海花岛数字游民共创营地", "Ocean Flower Island Nomad Co-creation Camp"),
    ("儋州那大老城共享办公社区", "Nada Old Town Coworking Community"),
]

CHINESE_NAMES = [
    "张伟",
    "王静",
    "李娜",
    "刘洋",
    "陈杰",
    "杨帆",
    "赵敏",
    "黄磊",
    "周婷",
    "吴昊",
    "徐晨",
    "孙悦",
    "胡斌",
    "朱琳",
    "高翔",
    "林峰",
    "何佳",
    "郭涛",
    "马丽",
    "罗宇",
    "梁超",
    "宋颖",
    "郑浩",
    "谢雯",
    "韩冰",
    "唐宁",
    "冯雪",
    "董然",
    "萧然",
    "程远",
    "曹阳",
    "袁博",
    "邓欣",
    "许诺",
    "傅琪",
    "沈蓉",
    "曾凡",
    "彭鹏",
    "吕薇",
    "苏晴",
    "卢浩",
    "蒋薇",
    "蔡明",
    "贾茹",
]
FOREIGN = [
    ("Liam O'Connor", "IE"),
    ("Sofia Rossi", "IT"),
    ("Mateus Silva", "BR"),
    ("Aiko Tanaka", "JP"),
    ("Jin-woo Park", "KR"),
    ("Olivia Brown", "GB"),
    ("Lucas Martin", "FR"),
    ("Anna Kowalska", "PL"),
    ("Noah Müller", "DE"),
    ("Isabella García", "ES"),
    ("Arjun Mehta", "IN"),
    ("Chloe Dubois", "CA"),
    ("Ethan Walker", "AU"),
    ("Nguyen Thi Lan", "VN"),
    ("Sergei Ivanov", "RU"),
    ("Fatima Al-Sayed", "AE"),
    ("Kofi Mensah", "GH"),
]


@dataclass(frozen=True)
class Persona:
    key: str
    email: str
    name: str
    description: str


PERSONAS = [
    Persona(
        "nomad",
        f"nomad@{DEMO_DOMAIN}",
        "林小雨",
        "domestic digital nomad (data labelling, video editing)",
    ),
    Persona(
        "foreign_nomad",
        f"emma@{DEMO_DOMAIN}",
        "Emma Schulz",
        "foreign nomad from Germany with a talent visa; English by default",
    ),
    Persona(
        "enterprise_admin",
        f"enterprise@{DEMO_DOMAIN}",
        "陈建国",
        "owner of 洋浦云帆科技有限公司 (Yangpu Yunfan Technology)",
    ),
    Persona(
        "enterprise_member", f"hr@{DEMO_DOMAIN}", "李婷", "member (HR) of Yangpu Yunfan Technology"
    ),
    Persona(
        "reviewer",
        f"reviewer@{DEMO_DOMAIN}",
        "王芳",
        "reviewer at 市科工信局, decides enterprise verifications",
    ),
    Persona(
        "cashier",
        f"cashier@{DEMO_DOMAIN}",
        "黄伟",
        "cashier (member) at the merchant 海花岛文旅度假区",
    ),
    Persona(
        "community",
        f"community@{DEMO_DOMAIN}",
        "周敏",
        "owner of the Shentou Harbour nomad community",
    ),
    Persona(
        "operator",
        f"operator@{DEMO_DOMAIN}",
        "运营管理员",
        "zone operator administrator (audit log, Django admin)",
    ),
]


def fake_credit_code(rng: random.Random) -> str:
    """18 characters with a valid GB 32100 check character; region 460400 (Danzhou)."""
    body = "91" + "460400" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)


def already_seeded() -> bool:
    return Organisation.objects.filter(code="zone-operator").exists()


@transaction.atomic
def seed(*, nomads: int = 60, seed_value: int = 2026) -> dict[str, int]:
    rng = random.Random(seed_value)
    password_hash = make_password(DEMO_PASSWORD)  # one argon2 hash, shared by demo people

    def person(
        email: str,
        name: str,
        *,
        nomad: bool = False,
        nationality: str = "CN",
        language: str = "zh-hans",
        staff: bool = False,
    ) -> User:
        return User.objects.create(
            email=email,
            display_name=name,
            password=password_hash,
            is_nomad=nomad,
            nationality=nationality,
            preferred_language=language,
            is_staff=staff,
            is_superuser=staff,
            contact_verified_at=timezone.now(),  # demo personas have proved their contact
        )

    def organisation(kind: str, name_zh: str, name_en: str, **extra: object) -> Organisation:
        return Organisation.objects.create(kind=kind, name_zh=name_zh, name_en=name_en, **extra)

    people: dict[str, User] = {}
    operator_org = organisation(
        Organisation.Kind.OPERATOR,
        "儋州—洋浦数字游民示范区运营中心",
        "Danzhou–Yangpu Digital Nomad Zone Operations Centre",
        code="zone-operator",
        verification_status=Organisation.Verification.VERIFIED,
    )
    departments = {
        code: organisation(
            Organisation.Kind.DEPARTMENT,
            zh,
            en,
            code=code,
            verification_status=Organisation.Verification.VERIFIED,
        )
        for code, zh, en in DEPARTMENTS
    }
    enterprises = [
        organisation(
            Organisation.Kind.ENTERPRISE,
            zh,
            en,
            credit_code=fake_credit_code(rng),
            verification_status=Organisation.Verification.VERIFIED,
            reviewing_department=departments["kegongxin"],
        )
        for zh, en in ENTERPRISES
    ]
    zh, en, country, number = FOREIGN_ENTERPRISE
    enterprises.append(
        organisation(
            Organisation.Kind.ENTERPRISE, zh, en, country=country, registration_number=number
        )
    )
    # One enterprise waits in 市科工信局's queue, so the reviewer persona has work.
    pending = organisation(
        Organisation.Kind.ENTERPRISE,
        "儋州椰岛数据标注有限公司",
        "Danzhou Coconut Island Data Labelling Co., Ltd.",
        credit_code=fake_credit_code(rng),
        verification_status=Organisation.Verification.PENDING,
        reviewing_department=departments["kegongxin"],
    )
    merchants = [
        organisation(
            Organisation.Kind.MERCHANT,
            zh,
            en,
            credit_code=fake_credit_code(rng),
            verification_status=Organisation.Verification.VERIFIED,
            reviewing_department=departments["lvwen"],
        )
        for zh, en in MERCHANTS
    ]
    communities = [
        organisation(
            Organisation.Kind.COMMUNITY,
            zh,
            en,
            credit_code=fake_credit_code(rng),
            verification_status=Organisation.Verification.VERIFIED,
            reviewing_department=departments["renshe"],
        )
        for zh, en in COMMUNITIES
    ]

    by_key = {p.key: p for p in PERSONAS}
    people["nomad"] = person(by_key["nomad"].email, by_key["nomad"].name, nomad=True)
    emma = person(
        by_key["foreign_nomad"].email,
        by_key["foreign_nomad"].name,
        nomad=True,
        nationality="DE",
        language="en",
    )
    emma.passport_number_encrypted = encrypt_text("C01X00T47")
    emma.permit_kind = User.PermitKind.TALENT
    emma.permit_valid_from = date(2026, 9, 1)
    emma.permit_valid_until = date(2027, 8, 31)
    emma.save()
    people["foreign_nomad"] = emma
    for key in ("enterprise_admin", "enterprise_member", "reviewer", "cashier", "community"):
        people[key] = person(by_key[key].email, by_key[key].name)
    people["operator"] = person(by_key["operator"].email, by_key["operator"].name, staff=True)

    def member(user: User | None, org: Organisation, role: str) -> None:
        assert user is not None
        Membership.objects.create(user=user, organisation=org, role=role)

    member(people["enterprise_admin"], enterprises[0], Membership.Role.OWNER)
    member(people["enterprise_member"], enterprises[0], Membership.Role.MEMBER)
    member(people["reviewer"], departments["kegongxin"], Membership.Role.REVIEWER)
    member(people["cashier"], merchants[0], Membership.Role.MEMBER)
    member(people["community"], communities[0], Membership.Role.OWNER)
    member(people["operator"], operator_org, Membership.Role.OWNER)

    # Owners for every other organisation, and the generated nomads.
    for index, org in enumerate([*enterprises[1:], pending, *merchants[1:], *communities[1:]]):
        owner = person(f"owner{index + 1}@{DEMO_DOMAIN}", rng.choice(CHINESE_NAMES) + "（负责人）")
        member(owner, org, Membership.Role.OWNER)
    for code, department in departments.items():
        if code != "kegongxin":
            head = person(f"{code}@{DEMO_DOMAIN}", f"{department.name_zh[:6]}审核员")
            member(head, department, Membership.Role.REVIEWER)

    foreign_count = max(15, nomads // 4)
    generated = 2  # the two nomad personas
    for index, (name, country) in enumerate(FOREIGN[: foreign_count - 1]):
        user = person(
            f"foreign{index + 1}@{DEMO_DOMAIN}",
            name,
            nomad=True,
            nationality=country,
            language="en",
        )
        start = date(2026, rng.randint(1, 10), 1)
        user.permit_kind = rng.choice(
            [User.PermitKind.VISA, User.PermitKind.RESIDENCE, User.PermitKind.TALENT]
        )
        user.permit_valid_from = start
        user.permit_valid_until = start + timedelta(days=rng.choice([180, 270, 365]))
        user.passport_number_encrypted = encrypt_text(
            "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))
        )
        user.save()
        generated += 1
    index = 0
    while generated < nomads:
        index += 1
        name = CHINESE_NAMES[(index - 1) % len(CHINESE_NAMES)]
        person(f"nomad{index}@{DEMO_DOMAIN}", name, nomad=True)
        generated += 1
    return {
        "organisations": Organisation.objects.count(),
        "people": User.objects.count(),
        "nomads": User.objects.filter(is_nomad=True).count(),
        "foreign_nomads": User.objects.filter(is_nomad=True).exclude(nationality="CN").count(),
    }


# --- the units registry (design §3.5): plan 004's units and the ways it spells them ----------

# Units plan 004 names that are not among DEPARTMENTS: the government office's finance section
# and Yangpu's transport bureau (departments), and the non-government units that lead or share
# tasks (public units).
PLAN_UNITS = [
    (
        "jinrong",
        Organisation.Kind.DEPARTMENT,
        "儋州市人民政府办公室金融科",
        "Danzhou Government Office, Finance Section",
    ),
    (
        "yangpu-jiaotong",
        Organisation.Kind.DEPARTMENT,
        "洋浦经济开发区交通港航局",
        "Yangpu Transport and Port Bureau",
    ),
    (
        "kexie",
        Organisation.Kind.PUBLIC_UNIT,
        "儋州市科学技术协会",
        "Danzhou Association for Science and Technology",
    ),
    ("fazhan-jituan", Organisation.Kind.PUBLIC_UNIT, "儋州市发展集团", "Danzhou Development Group"),
    ("yangpu-guoji", Organisation.Kind.PUBLIC_UNIT, "洋浦国际", "Yangpu International"),
    ("huanwan-touzi", Organisation.Kind.PUBLIC_UNIT, "环湾投资", "Huanwan Investment"),
    (
        "boc-yangpu",
        Organisation.Kind.PUBLIC_UNIT,
        "中国银行洋浦分行",
        "Bank of China Yangpu Branch",
    ),
]

# How plan 004 writes each unit (task 14 says 科工信局 where the others say 市科工信局).
UNIT_ALIASES = {
    "kegongxin": ["市科工信局", "科工信局"],
    "fagai": ["市发改委", "发改委"],
    "renshe": ["市人社局", "人社局"],
    "gongan": ["市公安局", "公安局", "公安"],
    "lvwen": ["市旅文局", "旅文局"],
    "wangxin": ["市委网信办", "网信办"],
    "rencai": ["市委人才发展局", "人才发展局"],
    "tongji": ["市统计局", "统计局"],
    "huanwan": ["市政府环湾办", "环湾办"],
    "yangpu-touzi": ["洋浦投促局"],
    "jinrong": ["市府办金融科"],
    "yangpu-jiaotong": ["洋浦交通港航局"],
    "kexie": ["市科协"],
    "fazhan-jituan": ["市发展集团"],
    "boc-yangpu": ["中行洋浦分行"],
}


def seed_units() -> dict[str, int]:
    """Plan 004's units and their aliases (idempotent; runs after ``seed``)."""
    created = 0
    for code, kind, zh, en in PLAN_UNITS:
        _unit, made = Organisation.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name_zh": zh,
                "name_en": en,
                "verification_status": Organisation.Verification.VERIFIED,
            },
        )
        created += made
    aliases = 0
    for code, texts in UNIT_ALIASES.items():
        unit = Organisation.objects.filter(code=code).first()
        if unit is None:
            continue
        for text in texts:
            units.add_alias(text=text, organisation=unit, actor=None)
            aliases += 1
    return {"units_created": created, "unit_aliases": aliases}
