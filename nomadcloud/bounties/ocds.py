"""The Open Contracting Data Standard 1.1 feed of challenges (issue 18 item 4).

Each public step of a challenge (approval, the window's close, evaluation, award, signing,
each accepted milestone, the end) writes one release to ``OcdsRelease``: a full snapshot of
the contracting process at that moment, tagged with the step. The mapping:

- ``planning.budget``: the challenge's budget; ``planning.rationale``: its statement;
- ``tender``: the challenge (``tenderPeriod`` = the applications phase, ``awardPeriod`` =
  evaluation to selection, ``eligibilityCriteria``, ``awardCriteria`` = ``qualityOnly`` with
  the rubric in ``awardCriteriaDetails``, ``tenderers`` = the applying teams) and the public
  Q&A as ``enquiries`` (the OCDS Enquiries extension);
- ``awards``: the selected team as supplier (``pending`` during 公示, ``active`` once signed);
- ``contracts``: the signed task book: value, milestones (``scheduled`` → ``met``);
- ``contracts.implementation.transactions``: money paid per milestone, each naming its
  milestone in ``relatedMilestone`` (the relatedMilestone extension) — none until payouts
  are wired in.

Because every release is a full snapshot, the compiled release of a record is the latest
release re-tagged ``compiled`` (what ocdsmerge would produce from these releases).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from nomadcloud.accounts.models import Organisation
from nomadcloud.bounties.models import Application, Challenge, Milestone, OcdsRelease, Phase
from nomadcloud.teams.models import Team

VERSION = "1.1"
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_enquiry_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_transactions_relatedMilestone_extension/master/extension.json",
]
S = Challenge.Status
A = Application.Status


def ocid_prefix() -> str:
    return str(getattr(settings, "OCDS_OCID_PREFIX", "ocds-nmdcld"))


def ocid(challenge: Challenge) -> str:
    return f"{ocid_prefix()}-{challenge.public_id}"


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def _day(day: dt.date, end: bool = False) -> str:
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}+08:00"


def _value(amount: Any) -> dict[str, Any]:
    return {"amount": float(amount), "currency": "CNY"}


def _org(org: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": f"org-{org.public_id}",
        "name": org.name_zh or org.name_en,
        "roles": roles,
    }
    if org.credit_code:
        party["identifier"] = {
            "scheme": "CN-USCC",
            "id": org.credit_code,
            "legalName": party["name"],
        }
    return party


def _team(team: Team, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": f"team-{team.public_id}", "name": team.name, "roles": roles}
    if team.credit_code:
        party["identifier"] = {"scheme": "CN-USCC", "id": team.credit_code}
    return party


def _ref(party: dict[str, Any]) -> dict[str, str]:
    return {"id": party["id"], "name": party["name"]}


TENDER_STATUS = {
    S.PUBLISHED: "active",
    S.CANCELLED: "cancelled",
    S.FAILED: "unsuccessful",
}


def build(challenge: Challenge, tag: str, at: dt.datetime, number: int) -> dict[str, Any]:
    phases = {p.kind: p for p in Phase.objects.filter(challenge=challenge)}
    apps = list(
        challenge.applications.exclude(status=A.WITHDRAWN).select_related("team").order_by("pk")
    )
    title = str(challenge.title.get("zh-Hans", ""))
    issuer = _org(challenge.issuer, ["buyer", "procuringEntity"])
    department = _org(challenge.department, ["funder", "reviewBody", "payer"])
    winner = next((a for a in apps if a.status in (A.SELECTED, A.SIGNED)), None)
    parties = [issuer, department]
    team_parties = {}
    # a blind first round keeps the applicants anonymous in public until evaluation closes
    blind = challenge.blind_first_round and not challenge.results_visible
    for app in apps:
        roles = ["tenderer"] + (["supplier", "payee"] if app is winner else [])
        if blind:
            code = app.public_id.hex[:6].upper()
            team_parties[app.pk] = {
                "id": f"applicant-{code}",
                "name": f"方案 Proposal {code}",
                "roles": roles,
            }
        else:
            team_parties[app.pk] = _team(app.team, roles)
        parties.append(team_parties[app.pk])
    status = TENDER_STATUS.get(S(challenge.status), "complete")
    tender: dict[str, Any] = {
        "id": f"{ocid(challenge)}-tender",
        "title": title,
        "description": str(challenge.statement.get("zh-Hans", "")),
        "status": status,
        "procuringEntity": _ref(issuer),
        "value": _value(challenge.budget),
        "procurementMethod": "open",
        "procurementMethodDetails": "揭榜挂帅 (open-bounty challenge)",
        "mainProcurementCategory": "services",
        "awardCriteria": "qualityOnly",
        "awardCriteriaDetails": "; ".join(
            f"{c['name_zh']} ({c['name_en']}): weight {c['weight']}, 0–{c['max_points']}"
            for c in challenge.rubric
        ),
        "eligibilityCriteria": _eligibility_text(challenge.eligibility),
        "hasEnquiries": challenge.clarifications.exists(),
        "enquiries": [
            {
                "id": str(q.pk),
                "date": _iso(q.asked_at),
                "description": q.question,
                "answer": q.answer or None,
                "dateAnswered": _iso(q.answered_at),
            }
            for q in challenge.clarifications.all()
        ],
        "numberOfTenderers": len(apps),
        "tenderers": [_ref(team_parties[a.pk]) for a in apps],
    }
    if Phase.Kind.APPLICATIONS in phases:
        p = phases[Phase.Kind.APPLICATIONS]
        tender["tenderPeriod"] = {"startDate": _day(p.starts_on), "endDate": _day(p.ends_on, True)}
    if Phase.Kind.EVALUATION in phases and Phase.Kind.SELECTION in phases:
        tender["awardPeriod"] = {
            "startDate": _day(phases[Phase.Kind.EVALUATION].starts_on),
            "endDate": _day(phases[Phase.Kind.SELECTION].ends_on, True),
        }
    release: dict[str, Any] = {
        "ocid": ocid(challenge),
        "id": f"{ocid(challenge)}-{number:04d}",
        "date": _iso(at),
        "tag": [tag],
        "initiationType": "tender",
        "language": "zh",
        "parties": parties,
        "buyer": _ref(issuer),
        "planning": {
            "rationale": str(challenge.statement.get("en", "")),
            "budget": {
                "description": "Challenge budget (issuer funds and 奖补 share)",
                "amount": _value(challenge.budget),
            },
        },
        "tender": tender,
    }
    if winner is not None:
        signed = winner.status == A.SIGNED
        award_status = "active" if signed else "pending"
        if challenge.status in (S.CANCELLED,):
            award_status = "cancelled"
        release["awards"] = [
            {
                "id": f"award-{winner.public_id}",
                "title": title,
                "description": challenge.selection_reason,
                "status": award_status,
                "date": _iso(challenge.evaluation_closed_at),
                "value": _value(winner.amount),
                "suppliers": [_ref(team_parties[winner.pk])],
            }
        ]
        if signed:
            release["contracts"] = [_contract(challenge, winner)]
    return release


def _eligibility_text(rule: dict[str, Any]) -> str:
    kinds = ", ".join(rule.get("kinds", []))
    entity = "; a legal entity is required" if rule.get("entity_required") else ""
    return (
        f"Team kinds: {kinds}; {rule.get('min_members', 1)} to {rule.get('max_members', 10)} "
        f"members{entity}; foreign members take part through an entity."
    )


def _contract(challenge: Challenge, winner: Application) -> dict[str, Any]:
    book = challenge.task_books.order_by("-version").first()
    milestones = list(challenge.milestones.select_related("payout").order_by("position"))
    status = {S.TERMINATED: "terminated", S.CLOSED: "terminated"}.get(S(challenge.status), "active")
    return {
        "id": f"contract-{winner.public_id}",
        "awardID": f"award-{winner.public_id}",
        "title": f"任务书 v{book.version}" if book else "任务书",
        "status": status,
        "value": _value(winner.amount),
        "dateSigned": _iso(book.department_signed_at if book else None),
        "milestones": [_milestone(m) for m in milestones],
        "implementation": {
            "transactions": [
                _transaction(challenge, winner, m) for m in milestones if _confirmed(m)
            ]
        },
    }


def _milestone(m: Milestone) -> dict[str, Any]:
    met = m.status == Milestone.Status.ACCEPTED
    row: dict[str, Any] = {
        "id": f"milestone-{m.position}",
        "title": m.title,
        "type": "delivery",
        "description": m.criteria or None,
        "dueDate": _day(m.due_on, True),
        "status": "met" if met else "scheduled",
        "value": _value(m.amount),
    }
    if met:
        row["dateMet"] = _iso(m.reviewed_at)
    return row


def record_release(challenge: Challenge, tag: str, *, at: dt.datetime) -> OcdsRelease:
    number = OcdsRelease.objects.filter(challenge=challenge).count() + 1
    data = build(challenge, tag, at, number)
    return OcdsRelease.objects.create(
        challenge=challenge, release_id=data["id"], tag=tag, date=at, data=data
    )


def _package_meta(kind: str, base: str) -> dict[str, Any]:
    return {
        "uri": f"{base}{reverse('ocds:' + kind)}",
        "version": VERSION,
        "extensions": EXTENSIONS,
        "publisher": {"name": "NomadCloud 数字游民云控服务平台"},
        "publishedDate": _iso(dt.datetime.now(dt.UTC)),
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }


def release_package(base: str, limit: int = 1000) -> dict[str, Any]:
    rows = OcdsRelease.objects.order_by("pk")[:limit]
    return {**_package_meta("releases", base), "releases": [r.data for r in rows]}


def record_package(base: str, limit: int = 1000) -> dict[str, Any]:
    by_challenge: dict[int, list[dict[str, Any]]] = {}
    for row in OcdsRelease.objects.order_by("pk")[: limit * 20]:
        by_challenge.setdefault(row.challenge_id, []).append(row.data)
    records = []
    for releases in list(by_challenge.values())[:limit]:
        compiled = dict(releases[-1])
        compiled["id"] = f"{compiled['ocid']}-compiled"
        compiled["tag"] = ["compiled"]
        records.append(
            {"ocid": compiled["ocid"], "releases": releases, "compiledRelease": compiled}
        )
    return {**_package_meta("records", base), "records": records}


def _confirmed(m: Milestone) -> bool:
    return m.payout is not None and m.payout.status == "confirmed"


def _transaction(challenge: Challenge, winner: Application, m: Milestone) -> dict[str, Any]:
    """A confirmed payout of a milestone, linked to it (relatedMilestone extension)."""
    assert m.payout is not None
    return {
        "id": f"payout-{m.payout.public_id}",
        "date": _iso(m.payout.confirmed_at),
        "value": _value(m.payout.amount),
        "payer": {
            "id": f"org-{challenge.department.public_id}",
            "name": challenge.department.name_zh or challenge.department.name_en,
        },
        "payee": {"id": f"team-{winner.team.public_id}", "name": winner.team.name},
        "relatedMilestone": {"id": f"milestone-{m.position}", "title": m.title},
    }
