"""Plan text → proposed tasks (design §4.10): every numbered paragraph of the 具体任务
section that ends with ``（牵头单位：…；责任单位：…）`` is a task; its title is the first
sentence, its units are resolved through the units registry (accounts/units.py), and an
unknown unit refuses the whole import with suggestions (nothing is created)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.units import UnknownUnit, resolve_unit
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError
from nomadcloud.supervision.models import Plan, Task

BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
TASK = re.compile(r"^(\d{1,3})[.．、]\s*(.+)$")
UNITS = re.compile(
    r"[（(]\s*牵头单位\s*[：:](?P<leads>[^；;）)]*)"
    r"(?:[；;]\s*责任单位\s*[：:](?P<resp>[^）)]*))?[）)]\s*$"
)
SEPARATORS = re.compile(r"[、，,；;]")
MAX_TEXT = 2_000_000


@dataclass(frozen=True)
class Proposed:
    number: int
    title: str
    text: str
    leads: tuple[str, ...]
    responsibles: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Resolved:
    proposed: Proposed
    leads: tuple[Organisation, ...]
    responsibles: tuple[Organisation, ...]

    def as_json(self, plan_code: str) -> dict[str, object]:
        return {
            "code": f"{plan_code}-{self.proposed.number}",
            "number": self.proposed.number,
            "title": self.proposed.title,
            "leads": [unit.name_zh for unit in self.leads],
            "responsibles": [unit.name_zh for unit in self.responsibles],
            "lead_codes": [unit.code for unit in self.leads],
            "responsible_codes": [unit.code for unit in self.responsibles],
        }


class ImportRefused(DomainError):
    code = "plan_import_refused"

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            _("The plan was not imported: %(count)d problem(s).") % {"count": len(errors)},
            fields={"file": errors},
        )
        self.errors = errors


def _split(units: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in SEPARATORS.split(units) if part.strip())


def parse(text: str) -> list[Proposed]:
    """The numbered paragraphs that name their units, in order."""
    found: list[Proposed] = []
    for index, raw in enumerate(text.splitlines(), start=1):
        line = BOOKMARK.sub("", raw).strip()
        match = TASK.match(line)
        units = UNITS.search(line)
        if not match or not units:
            continue
        body = line[match.start(2) : units.start()].strip()
        title = re.split(r"[。！？]", body, maxsplit=1)[0].strip()
        found.append(
            Proposed(
                number=int(match[1]),
                title=title[:300],
                text=body,
                leads=_split(units["leads"] or ""),
                responsibles=_split(units["resp"] or ""),
                line=index,
            )
        )
    return found


def resolve(proposed: list[Proposed]) -> list[Resolved]:
    """Each task's units from the registry; every problem is collected, with its line."""
    errors: list[str] = []
    resolved: list[Resolved] = []
    numbers: set[int] = set()
    if not proposed:
        errors.append(_("No task with （牵头单位：…；责任单位：…） was found in the text."))
    for task in proposed:
        where = _("line %(line)d, task %(number)d") % {"line": task.line, "number": task.number}
        if task.number in numbers:
            errors.append(_("%(where)s: the number is used twice.") % {"where": where})
        numbers.add(task.number)
        if not task.leads:
            errors.append(_("%(where)s: the task has no lead unit.") % {"where": where})
        units: dict[str, list[Organisation]] = {"leads": [], "responsibles": []}
        for role, names in (("leads", task.leads), ("responsibles", task.responsibles)):
            for name in names:
                try:
                    unit = resolve_unit(name)
                except UnknownUnit as exc:
                    errors.append(f"{where}: {exc.message}")
                    continue
                if unit not in units[role]:
                    units[role].append(unit)
        resolved.append(Resolved(task, tuple(units["leads"]), tuple(units["responsibles"])))
    if errors:
        raise ImportRefused(errors)
    return resolved


def read(text: str) -> list[Resolved]:
    if len(text) > MAX_TEXT:
        raise ImportRefused([_("The text is too long.")])
    return resolve(parse(text))


@transaction.atomic
def import_plan(
    text: str, *, plan_code: str, title: str, actor: User | None, dry_run: bool = False
) -> list[Resolved]:
    """Create the plan and its tasks as drafts (立项) for the office to assign; ``dry_run``
    only proposes. A plan already imported is refused (``plan_exists``)."""
    tasks = read(text)
    if dry_run:
        return tasks
    if Plan.objects.filter(code=plan_code).exists():
        raise Conflict(
            _("Plan %(code)s was already imported.") % {"code": plan_code}, code="plan_exists"
        )
    plan = Plan.objects.create(
        code=plan_code,
        title=title[:200] or plan_code,
        source_sha256=hashlib.sha256(text.encode()).hexdigest(),
        created_by=actor,
    )
    for item in tasks:
        task = Task.objects.create(
            plan=plan,
            number=item.proposed.number,
            code=f"{plan_code}-{item.proposed.number}",
            title=item.proposed.title,
            text=item.proposed.text,
        )
        task.leads.set(item.leads)
        task.responsibles.set(item.responsibles)
    audit.record(
        actor=actor,
        action="supervision.plan.import",
        obj=plan,
        after={"tasks": len(tasks), "sha256": plan.source_sha256},
    )
    return tasks
