"""The 24 service items of the demo zone (specification 4.1) and a 25th, the data export
whitelist (issue 20, decision 0064), each with its competent department (a department of
the demo set, by ``Organisation.code``), handler and guide.

Items whose capability is built elsewhere are deep links to that flow (a URL name); those
whose capability is not built yet still carry their full guide, and their page says where
to apply meanwhile (the window, the phone line). External items go through the 海易办
adapter (``onecard/adapters.py``) or link to the provincial site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nomadcloud.onecard.content import both


@dataclass(frozen=True)
class Seed:
    number: int
    code: str
    kind: str
    department: str
    handler: str
    name: dict[str, str]
    summary: dict[str, str]
    legal: dict[str, str]
    legal_url: str = "https://www.gov.cn/zhengce/"
    deep_link: str = ""
    external_url: str = ""
    promised: int = 5
    statutory: int = 20
    four_eyes: bool = False
    allows_gaps: bool = False
    visits: int = 0
    audience: tuple[str, ...] = ("domestic_nomad", "foreign_nomad")
    life_events: tuple[str, ...] = ("working",)
    result_type: str = "certificate"
    conditions: list[dict[str, Any]] = field(default_factory=list)
    materials: list[dict[str, Any]] = field(default_factory=list)
    form: dict[str, Any] = field(default_factory=dict)


FTP_LAW = both(
    "《中华人民共和国海南自由贸易港法》；《海南自由贸易港数字游民管理服务办法》",
    "Law on the Hainan Free Trade Port; Measures on digital nomad services of the Hainan FTP",
)
EXIT_ENTRY_LAW = both(
    "《中华人民共和国出境入境管理法》第三十九条",
    "Exit and Entry Administration Law of the PRC, article 39",
)


def _material(
    code: str, zh: str, en: str, *, mandatory: bool = True, source: str = "", fmt: str = "pdf"
) -> dict[str, Any]:
    formats = ["application/pdf", "image/jpeg", "image/png"] if fmt == "pdf" else [fmt]
    return {
        "code": code,
        "name": both(zh, en),
        "mandatory": mandatory,
        "evidence_type": "document",
        "formats": formats,
        "max_mb": 10,
        "source": source,
    }


def _profile(code: str, check: str, zh: str, en: str) -> dict[str, Any]:
    return {"code": code, "kind": "profile", "check": check, "text": both(zh, en)}


def _answer(code: str, field_name: str, op: str, value: Any, zh: str, en: str) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "answer",
        "field": field_name,
        "op": op,
        "value": value,
        "text": both(zh, en),
    }


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}
DATE = {"type": "string", "format": "date"}

ITEMS: list[Seed] = [
    Seed(
        1,
        "KGX-QR-001",
        "confirmation",
        "kegongxin",
        "deep_link",
        both("数字游民认定", "Digital nomad certification"),
        both(
            "认定为自贸港数字游民，取得认定证书。",
            "Be certified as a digital nomad of the free trade port.",
        ),
        FTP_LAW,
        deep_link="talent:certification",
        life_events=("arriving",),
    ),
    Seed(
        2,
        "KGX-GF-002",
        "public",
        "kegongxin",
        "internal",
        both(
            "外籍数字游民签证便利化推荐函",
            "Visa-facilitation recommendation letter for foreign digital nomads",
        ),
        both(
            "为已认定的外籍数字游民出具6至12个月工作居留签证便利化推荐函，由公安出入境部门据此办理。",
            "A recommendation letter for a 6–12 month work and residence stay, issued to "
            "certified foreign nomads and honoured by the exit-entry authority.",
        ),
        FTP_LAW,
        promised=5,
        statutory=20,
        four_eyes=True,
        allows_gaps=True,
        audience=("foreign_nomad",),
        life_events=("arriving",),
        result_type="letter",
        conditions=[
            _profile("foreign", "foreign", "申请人为外国国籍", "You hold a foreign nationality"),
            _profile(
                "certified",
                "certified",
                "申请人持有有效的数字游民认定证书",
                "You hold a valid digital nomad certificate",
            ),
            _answer(
                "stay",
                "stay_months",
                "between",
                [6, 12],
                "拟停留期限为6至12个月",
                "The intended stay is 6 to 12 months",
            ),
        ],
        materials=[
            _material("passport", "护照信息页", "Passport data page", source="passport"),
            _material(
                "certificate", "数字游民认定证书", "Digital nomad certificate", source="certificate"
            ),
            _material(
                "income", "收入或远程工作证明", "Evidence of income or remote work", mandatory=True
            ),
        ],
        form=_schema(
            {
                "passport_number": {
                    "type": "string",
                    "pattern": "^[A-Z0-9]{5,20}$",
                    "title": "passport",
                },
                "stay_from": DATE,
                "stay_until": DATE,
                "stay_months": {"type": "integer", "minimum": 1, "maximum": 24},
                "purpose": TEXT,
            },
            ["passport_number", "stay_from", "stay_until", "stay_months", "purpose"],
        ),
    ),
    Seed(
        3,
        "RS-XK-003",
        "licensing",
        "renshe",
        "external",
        both(
            "外国人工作、居留许可“一件事”预审",
            "Work and residence permit for foreigners (one-thing pre-check)",
        ),
        both(
            "工作许可与居留许可并联预审，经海易办转人社、公安系统办理。",
            "A joint pre-check of the work and residence permits, forwarded through Hai Yi Ban.",
        ),
        both(
            "《外国人在中国就业管理规定》；《中华人民共和国出境入境管理法》",
            "Rules on the Employment of Foreigners in China; Exit and Entry Administration Law",
        ),
        promised=10,
        statutory=20,
        audience=("foreign_nomad",),
        life_events=("arriving", "working"),
        result_type="permit",
        conditions=[
            _profile("foreign", "foreign", "申请人为外国国籍", "You hold a foreign nationality")
        ],
        materials=[
            _material("passport", "护照信息页", "Passport data page", source="passport"),
            _material("letter", "签证便利化推荐函", "Visa-facilitation letter", source="result"),
        ],
        form=_schema(
            {
                "passport_number": {"type": "string", "pattern": "^[A-Z0-9]{5,20}$"},
                "employer": TEXT,
                "permit_from": DATE,
                "permit_until": DATE,
            },
            ["passport_number", "permit_from", "permit_until"],
        ),
    ),
    Seed(
        4,
        "GA-GF-004",
        "public",
        "gongan",
        "internal",
        both("境外人员临时住宿登记", "Temporary accommodation registration of foreigners"),
        both(
            "境外人员在旅馆以外的处所住宿的，应当在入住后24小时内由本人或者留宿人向公安机关办理登记。",
            "A foreigner staying outside a hotel registers with the police within 24 hours "
            "of arrival, in person or through the host.",
        ),
        EXIT_ENTRY_LAW,
        promised=1,
        statutory=1,
        audience=("foreign_nomad", "community"),
        life_events=("arriving", "housing"),
        result_type="registration",
        conditions=[
            _profile(
                "foreign", "foreign", "住宿人为外国国籍", "The guest holds a foreign nationality"
            )
        ],
        materials=[_material("passport", "护照信息页", "Passport data page", source="passport")],
        form=_schema(
            {
                "passport_number": {"type": "string", "pattern": "^[A-Z0-9]{5,20}$"},
                "address": TEXT,
                "arrived_on": DATE,
                "leaving_on": DATE,
            },
            ["passport_number", "address", "arrived_on"],
        ),
    ),
    Seed(
        5,
        "RC-GF-005",
        "public",
        "rencai",
        "internal",
        both("人才安居房 / 保障性住房申请", "Talent housing / affordable housing application"),
        both("符合条件的数字游民申请人才安居房。", "Certified nomads apply for talent housing."),
        both("《海南自由贸易港人才安居办法》", "Hainan FTP talent housing measures"),
        promised=15,
        statutory=20,
        four_eyes=True,
        life_events=("housing",),
        result_type="decision",
        conditions=[
            _profile(
                "certified",
                "certified",
                "持有有效的数字游民认定证书",
                "You hold a valid digital nomad certificate",
            )
        ],
        materials=[
            _material(
                "certificate", "数字游民认定证书", "Digital nomad certificate", source="certificate"
            ),
            _material("contract", "工作合同或收入证明", "Work contract or evidence of income"),
        ],
        form=_schema(
            {"household_size": {"type": "integer", "minimum": 1, "maximum": 10}, "move_in": DATE},
            ["household_size", "move_in"],
        ),
    ),
    Seed(
        6,
        "RC-QR-006",
        "confirmation",
        "rencai",
        "internal",
        both("柔性引才认定", "Flexible talent recognition"),
        both(
            "为柔性引进的数字游民出具人才认定。",
            "Recognition of nomads as flexibly recruited talent.",
        ),
        both("《海南自由贸易港柔性引才办法》", "Hainan FTP flexible talent measures"),
        promised=10,
        statutory=20,
        four_eyes=True,
        life_events=("working",),
        conditions=[
            _profile(
                "certified",
                "certified",
                "持有有效的数字游民认定证书",
                "You hold a valid digital nomad certificate",
            )
        ],
        materials=[_material("cv", "个人履历", "Curriculum vitae")],
        form=_schema({"field_of_work": TEXT, "employer": TEXT}, ["field_of_work"]),
    ),
    Seed(
        7,
        "KGX-GF-007",
        "public",
        "kegongxin",
        "deep_link",
        both("AI教育培训中心培训报名", "AI training centre enrolment"),
        both("报名参加场景实训。", "Enrol in scenario training."),
        FTP_LAW,
        deep_link="training:list",
    ),
    Seed(
        8,
        "HW-BM-008",
        "convenience",
        "huanwan",
        "deep_link",
        both("社区示范点入住预订", "Booking a stay in a demonstration community"),
        both(
            "预订数字游民社区示范点的床位或房间。",
            "Book a bed or room in a demonstration community.",
        ),
        FTP_LAW,
        deep_link="communities:list",
        audience=("domestic_nomad", "foreign_nomad"),
        life_events=("arriving", "housing"),
    ),
    Seed(
        9,
        "KGX-JL-009",
        "public",
        "kegongxin",
        "deep_link",
        both("引进数字游民奖励", "Reward for bringing in digital nomads"),
        both("按引进并落地的数字游民人数给予奖励。", "A reward per nomad brought into the zone."),
        FTP_LAW,
        deep_link="incentives:policy introduction",
        audience=("enterprise", "community"),
    ),
    Seed(
        10,
        "KGX-JL-010",
        "public",
        "kegongxin",
        "deep_link",
        both("一年以上用工合同奖励", "Reward for contracts of a year or more"),
        both(
            "企业与数字游民签订一年以上合同的奖励。", "A reward for contracts of one year or more."
        ),
        FTP_LAW,
        deep_link="incentives:policy contract",
        audience=("enterprise",),
    ),
    Seed(
        11,
        "KGX-JL-011",
        "public",
        "kegongxin",
        "deep_link",
        both("灵活用工奖励", "Reward for flexible employment"),
        both("按灵活用工量给予奖励。", "A reward by volume of flexible work."),
        FTP_LAW,
        deep_link="incentives:policy flexible",
        audience=("enterprise",),
    ),
    Seed(
        12,
        "KGX-JL-012",
        "public",
        "kegongxin",
        "deep_link",
        both("培训人数奖励", "Reward for training counts"),
        both("按完成培训人数给予奖励。", "A reward by the number of people trained."),
        FTP_LAW,
        deep_link="incentives:policy training",
        audience=("enterprise", "community"),
    ),
    Seed(
        13,
        "HW-JL-013",
        "public",
        "huanwan",
        "deep_link",
        both("社区示范点固定资产投资奖励", "Reward for fixed-asset investment in a community"),
        both(
            "社区示范点固定资产投资按比例奖励。", "A share of a community's fixed-asset investment."
        ),
        FTP_LAW,
        deep_link="incentives:policy community_investment",
        audience=("community",),
    ),
    Seed(
        14,
        "KGX-Q-014",
        "public",
        "kegongxin",
        "deep_link",
        both("数据创新券申领", "Claiming a data innovation voucher"),
        both("企业申领数据创新券。", "Enterprises claim a data innovation voucher."),
        FTP_LAW,
        deep_link="vouchers:list",
        audience=("enterprise",),
    ),
    Seed(
        15,
        "KGX-Q-015",
        "public",
        "kegongxin",
        "deep_link",
        both("数据创新券兑付", "Redeeming data innovation vouchers (providers)"),
        both("服务商凭服务证据申请兑付。", "Providers redeem vouchers with evidence of service."),
        FTP_LAW,
        deep_link="vouchers:list",
        audience=("enterprise",),
    ),
    Seed(
        16,
        "KGX-JB-016",
        "platform",
        "kegongxin",
        "deep_link",
        both("揭榜挂帅需求榜单提交", "Submitting a challenge (揭榜挂帅) need"),
        both("企业提交揭榜挂帅需求。", "Enterprises submit a challenge need."),
        FTP_LAW,
        deep_link="bounties:mine",  # issue 18: the bounties/competitions flows
        audience=("enterprise",),
    ),
    Seed(
        17,
        "KGX-JB-017",
        "platform",
        "kegongxin",
        "deep_link",
        both("揭榜挂帅团队揭榜申请", "Team application to a challenge"),
        both("数字游民团队揭榜。", "Nomad teams apply to a challenge."),
        FTP_LAW,
        deep_link="bounties:list",  # issue 18: the bounties/competitions flows
    ),
    Seed(
        18,
        "YP-SS-018",
        "platform",
        "yangpu-touzi",
        "deep_link",
        both("创客赛事报名", "Maker competition registration"),
        both("报名参加创客赛事。", "Register for a maker competition."),
        FTP_LAW,
        deep_link="competitions:index",  # issue 18: the bounties/competitions flows
    ),
    Seed(
        19,
        "WX-SJ-019",
        "platform",
        "wangxin",
        "deep_link",
        both("数据资源池访问申请", "Data resource pool access request"),
        both("申请访问数据资源池。", "Request access to the data resource pool."),
        both("《中华人民共和国数据安全法》", "Data Security Law of the PRC"),
        deep_link="datapools:list",
        audience=("enterprise", "domestic_nomad", "foreign_nomad"),
    ),
    Seed(
        20,
        "WX-SJ-020",
        "licensing",
        "wangxin",
        "deep_link",
        both("数据出境评估预审", "Pre-check of a cross-border data transfer"),
        both("数据出境安全评估申报前的预审。", "A pre-check before a data export assessment."),
        both("《数据出境安全评估办法》", "Measures on security assessment of data exports"),
        deep_link="crossborder:list",
        audience=("enterprise",),
    ),
    Seed(
        21,
        "SJ-ZY-021",
        "convenience",
        "shichang",
        "external",
        both("个体工商户 / 工作室注册指引", "Registering a sole trader or studio"),
        both(
            "在海南e登记平台办理个体工商户登记。",
            "Register a sole trader on the Hainan e-registration site.",
        ),
        both("《促进个体工商户发展条例》", "Regulation on promoting individual businesses"),
        external_url="https://wssp.hainan.gov.cn/",
        audience=("domestic_nomad",),
        life_events=("working",),
    ),
    Seed(
        22,
        "RS-ZM-022",
        "convenience",
        "renshe",
        "external",
        both("社保参保 / 完税证明", "Social insurance enrolment and tax certificates"),
        both(
            "办理社保参保或开具完税证明（经海易办）。",
            "Enrol in social insurance or obtain a tax certificate (through Hai Yi Ban).",
        ),
        both("《中华人民共和国社会保险法》", "Social Insurance Law of the PRC"),
        promised=3,
        statutory=10,
        result_type="certificate",
        form=_schema(
            {
                "kind": {"enum": ["social_insurance", "tax"]},
                "year": {"type": "integer", "minimum": 2020, "maximum": 2100},
            },
            ["kind"],
        ),
    ),
    Seed(
        23,
        "KGX-ZZ-023",
        "confirmation",
        "kegongxin",
        "internal",
        both(
            "离岸创新创业基地 / 众创空间资质申请",
            "Offshore innovation base / maker space qualification",
        ),
        both(
            "社区或运营机构申请众创空间资质。",
            "Communities apply for the maker space qualification.",
        ),
        FTP_LAW,
        promised=15,
        statutory=20,
        four_eyes=True,
        visits=1,
        audience=("community",),
        life_events=("working",),
        materials=[
            _material("plan", "运营方案", "Operating plan"),
            _material("lease", "场地证明", "Evidence of premises"),
        ],
        form=_schema(
            {"space_name": TEXT, "area_m2": {"type": "integer", "minimum": 50, "maximum": 100000}},
            ["space_name", "area_m2"],
        ),
    ),
    Seed(
        24,
        "YP-JL-024",
        "public",
        "yangpu-touzi",
        "internal",
        both("会议会展奖励申请", "Conference and exhibition reward"),
        both("在洋浦举办会议会展的奖励。", "A reward for holding conferences in Yangpu."),
        both("《洋浦经济开发区会展业扶持办法》", "Yangpu support measures for conferences"),
        promised=15,
        statutory=20,
        audience=("enterprise",),
        materials=[
            _material("report", "活动总结", "Event report"),
            _material("invoices", "费用票据", "Invoices"),
        ],
        form=_schema(
            {
                "event_name": TEXT,
                "held_on": DATE,
                "participants": {"type": "integer", "minimum": 1, "maximum": 100000},
            },
            ["event_name", "held_on", "participants"],
        ),
    ),
    # The cross-border whitelist (plan 001 reform measure 5, 数据出境"白名单"; issue 20,
    # decision 0064): an enterprise's entries and the way to start an assessment.
    Seed(
        25,
        "WX-SJ-025",
        "licensing",
        "wangxin",
        "deep_link",
        both("数据出境白名单", "Data export whitelist"),
        both(
            "查看企业的数据出境白名单条目（额度、有效期、已出境数量），或发起数据出境评估。",
            "See your enterprise's data export whitelist entries (caps, validity, what was "
            "sent) or start a cross-border data assessment.",
        ),
        both(
            "《促进和规范数据跨境流动规定》；《海南自由贸易港跨境服务贸易特别管理措施（负面清单）》",
            "Provisions on promoting and regulating cross-border data flows; Hainan FTP "
            "negative list",
        ),
        deep_link="crossborder:list",
        audience=("enterprise",),
    ),
]
