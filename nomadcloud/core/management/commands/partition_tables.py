"""``nomadcloud partition_tables [--convert] [--months-ahead N]``: monthly partitions for
the append-only tables on PostgreSQL (core/partitions.py, docs/operations.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from nomadcloud.core import partitions


class Command(BaseCommand):
    help = "Create the coming months' partitions; with --convert, partition the tables first."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--convert", action="store_true", help="partition plain tables")
        parser.add_argument("--months-ahead", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("partitions need PostgreSQL: nothing to do")
            return
        for table, column in partitions.TABLES.items():
            if options["convert"]:
                made = partitions.convert(table, column, months_ahead=options["months_ahead"])
            else:
                made = partitions.ensure(table, column, months_ahead=options["months_ahead"])
            state = "partitioned" if partitions.is_partitioned(table) else "not partitioned"
            self.stdout.write(f"{table}: {state}; created {', '.join(made) or 'nothing'}")
