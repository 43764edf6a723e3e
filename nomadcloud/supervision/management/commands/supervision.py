"""``nomadcloud supervision import-plan FILE [--dry-run] [--json] [--code 004]``: propose (or
create, as drafts) the tasks of a plan text with their lead and responsible units;
``nomadcloud supervision sweep``: the daily overdue/at-risk run with its notices."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nomadcloud.core.errors import DomainError
from nomadcloud.supervision import importer, services


class Command(BaseCommand):
    help = "Plan task supervision: import-plan FILE, sweep"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("import-plan")
        plan.add_argument("file")
        plan.add_argument("--dry-run", action="store_true")
        plan.add_argument("--json", action="store_true")
        plan.add_argument("--code", default="", help="plan code (default: from the file name)")
        sub.add_parser("sweep")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "sweep":
                self.stdout.write(json.dumps(services.sweep()))
                return
            path = Path(options["file"])
            text = path.read_text(encoding="utf-8")
            code = options["code"] or (re.match(r"\d+", path.name) or [path.stem])[0]
            title = next((line for line in text.splitlines() if line.strip()), code)
            title = importer.BOOKMARK.sub("", title).strip()
            tasks = importer.import_plan(
                text, plan_code=code, title=title, actor=None, dry_run=options["dry_run"]
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            lines = [exc.message, *[m for msgs in exc.fields.values() for m in msgs]]
            raise CommandError("\n".join(lines)) from exc
        if options["json"]:
            payload = [task.as_json(code) for task in tasks]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
            return
        for task in tasks:
            leads = "、".join(u.name_zh for u in task.leads)
            resp = "、".join(u.name_zh for u in task.responsibles)
            self.stdout.write(
                f"{code}-{task.proposed.number} {task.proposed.title} | {leads} | {resp}"
            )
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(f"{verb} {len(tasks)} tasks")
