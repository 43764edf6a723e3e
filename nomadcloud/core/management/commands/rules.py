"""``nomadcloud rules test [BOOK …]``: run every YAML test case of the registered rule books
(``core/rules.py``) and exit non-zero when one fails or a file is malformed.
``nomadcloud rules list`` names the books, their rules and how many cases each has."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nomadcloud.core import rules


class Command(BaseCommand):
    help = "Run the YAML test cases of the dated rules (test) or list the rule books (list)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["test", "list"])
        parser.add_argument("books", nargs="*", help="rule books to run (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = set(options["books"])
        known = {b.name for b in rules.books()}
        unknown = sorted(wanted - known)
        if unknown:
            raise CommandError(f"unknown rule books {unknown}; known: {sorted(known)}")
        selected = [b for b in rules.books() if not wanted or b.name in wanted]
        if options["action"] == "list":
            for book in selected:
                cases = rules.book_cases(book)
                self.stdout.write(
                    f"{book.name} {book.version}: rules {', '.join(sorted(book.rules))}; "
                    f"{len(cases)} cases"
                )
            return
        failed = total = 0
        for book in selected:
            try:
                results = rules.run_tests(book)
            except rules.ParameterError as error:
                raise CommandError(f"{book.name}: {error}") from None
            for result in results:
                total += 1
                if not result.passed:
                    failed += 1
                    self.stdout.write(
                        f"FAIL {book.name} {result.case.file}: {result.case.name}: {result.message}"
                    )
            self.stdout.write(
                f"{book.name}: {sum(r.passed for r in results)}/{len(results)} cases passed"
            )
        if failed:
            raise CommandError(f"{failed} of {total} rule test cases failed")
        self.stdout.write(self.style.SUCCESS(f"All {total} rule test cases passed."))
