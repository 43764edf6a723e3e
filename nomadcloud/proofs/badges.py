"""The Open Badges 3.0 shape of a proof-of-work credential (pure, no Django).

``openbadge(vc)`` restates a secured ``ProofOfWorkCredential`` as an unsigned
``OpenBadgeCredential`` (contexts VC 2.0 + OB 3.0.3, an ``AchievementSubject`` with the same
subject id, the same ``credentialStatus``). It depends on nothing but the credential, so that
anyone holding the logged credential rebuilds the badge byte for byte: that is how a badge is
tied to the transparency log (the badge itself is not a log entry; see docs/proofs.md).

The badge's ``id`` is derived from the credential's id (UUIDv5), and its ``evidence`` names
the credential.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any
from urllib.parse import unquote

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OPEN_BADGE_TYPE = "OpenBadgeCredential"
ISSUER_NAME = "NomadCloud · 儋州-洋浦数字游民示范区 / Danzhou–Yangpu Digital Nomad Zone"
NAMESPACE = uuid.UUID("6f1d4c52-2f0b-5c1e-9a57-0b6e2d3c9a11")

ACHIEVEMENT_TYPES = {"data": "Assignment", "order": "Assignment", "training": "Assessment"}
KIND_LABELS = {
    "data": ("数据加工", "Data-processing work"),
    "order": ("远程订单", "Remote order"),
    "training": ("场景实训", "Scenario training"),
}


class BadgeError(ValueError):
    """The credential is not a proof-of-work credential that can be restated."""


def badge_id(credential_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, credential_id + '#openbadge')}"


def achievement_id(credential_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, credential_id + '#achievement')}"


def is_openbadge(document: Any) -> bool:
    types = document.get("type") if isinstance(document, dict) else None
    return isinstance(types, list) and OPEN_BADGE_TYPE in types


def restated_credential_id(badge: dict[str, Any]) -> str | None:
    """The id of the proof-of-work credential a badge restates (its evidence), if the
    badge's own id is the one derived from it."""
    evidence = badge.get("evidence")
    if not isinstance(evidence, list):
        return None
    for item in evidence:
        cid = item.get("id") if isinstance(item, dict) else None
        own = isinstance(cid, str) and cid.startswith("urn:uuid:")
        if own and badge.get("id") == badge_id(str(cid)):
            return str(cid)
    return None


def _both(pair: Any) -> str:
    """ "zh / en" from a {zh, en} map, without repeating an equal or empty one."""
    if not isinstance(pair, dict):
        return str(pair or "")
    parts = [str(pair.get(k) or "").strip() for k in ("zh", "en")]
    parts = [p for i, p in enumerate(parts) if p and p not in parts[:i]]
    return " / ".join(parts)


def _site(issuer: str) -> str:
    """https://<host> of a did:web issuer (for links such as skill pages)."""
    host = issuer.removeprefix("did:web:").split(":", 1)[0]
    return "https://" + unquote(host)


def _summary(work: dict[str, Any]) -> tuple[str, str]:
    kind_zh, kind_en = KIND_LABELS.get(str(work.get("kind")), ("工作", "Work"))
    enterprise = work.get("enterprise") or {}
    name = enterprise.get("name") if isinstance(enterprise, dict) else {}
    name = name if isinstance(name, dict) else {}
    period = work.get("period") or {}
    start, end = str(period.get("start", ""))[:10], str(period.get("end", ""))[:10]
    quantity, quality = work.get("quantity") or {}, work.get("quality") or {}
    zh = [f"{kind_zh}，为{name.get('zh') or name.get('en') or ''}完成，{start} 至 {end}"]
    en = [f"{kind_en} for {name.get('en') or name.get('zh') or ''}, {start} to {end}"]
    if "items" in quantity:
        zh.append(f"验收条目 {quantity['items']} 条")
        en.append(f"{quantity['items']} items accepted")
    if "hours" in quantity:
        zh.append(f"{quantity['hours']} 小时")
        en.append(f"{quantity['hours']} hours")
    if "accuracy" in quality:
        zh.append(f"金标准准确率 {quality['accuracy']}")
        en.append(f"accuracy on gold items {quality['accuracy']}")
    if "score" in quality:
        zh.append(f"评分 {quality['score']}%")
        en.append(f"score {quality['score']}%")
    zh.append(f"工作量单位 {work.get('workUnits')}")
    en.append(f"{work.get('workUnits')} work units")
    return "；".join(zh) + "。", "; ".join(en) + "."


def _activity(work: dict[str, Any]) -> dict[str, str]:
    period = work.get("period")
    if not isinstance(period, dict):
        return {}
    dates = {"activityStartDate": period.get("start"), "activityEndDate": period.get("end")}
    return {k: v for k, v in dates.items() if isinstance(v, str)}


def openbadge(credential: dict[str, Any]) -> dict[str, Any]:
    """The unsigned Open Badges 3.0 restatement of a proof-of-work credential."""
    try:
        cid = credential["id"]
        issuer = credential["issuer"]
        subject = credential["credentialSubject"]
        work = subject["work"]
        status = credential["credentialStatus"]
        valid_from = credential["validFrom"]
    except (KeyError, TypeError):
        raise BadgeError("not a proof-of-work credential") from None
    if not (isinstance(cid, str) and isinstance(issuer, str) and isinstance(work, dict)):
        raise BadgeError("not a proof-of-work credential")
    name = _both(work.get("name")) or KIND_LABELS.get(str(work.get("kind")), ("", "Work"))[1]
    zh, en = _summary(work)
    skills = [s for s in work.get("skills") or [] if isinstance(s, dict) and s.get("id")]
    achievement: dict[str, Any] = {
        "id": achievement_id(cid),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES.get(str(work.get("kind")), "Achievement"),
        "name": name,
        "description": f"{zh}\n{en}",
        "criteria": {
            "narrative": (
                "经企业验收（或按规则自动验收）的工作，记录于示范区公开透明日志。\n"
                "Work accepted by the enterprise (or automatically, by the rules), "
                f"recorded in the zone's public transparency log as {cid}."
            )
        },
    }
    if skills:
        site = _site(issuer)
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": _both(s.get("label")) or str(s["id"]),
                "targetCode": str(s["id"]),
                "targetUrl": f"{site}/taxonomy/concepts/{s['id']}/",
                "targetType": "ceasn:Competency",
            }
            for s in skills
        ]
        achievement["tag"] = [_both(s.get("label")) or str(s["id"]) for s in skills]
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": badge_id(cid),
        "type": ["VerifiableCredential", OPEN_BADGE_TYPE],
        "name": name,
        "issuer": {"id": issuer, "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": valid_from,
        "credentialSubject": {
            "id": subject.get("id"),
            "type": ["AchievementSubject"],
            **_activity(work),
            "achievement": achievement,
        },
        "evidence": [
            {
                "id": cid,
                "type": ["Evidence"],
                "name": "工作量证明凭证 / Proof-of-work credential",
            }
        ],
        "credentialStatus": copy.deepcopy(status),
    }
