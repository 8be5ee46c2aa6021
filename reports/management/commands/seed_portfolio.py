"""Fill the database with a portfolio of realistic shape for the benchmarks (issue 8):
``manage.py seed_portfolio --evaluations 100000 --events 1000000``. Adds to what is there (its
organisations carry a random tag); PostgreSQL only (it writes with COPY)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reports.portfolio.seeder import Seeder


class Command(BaseCommand):
    help = "Add a portfolio of realistic shape: evaluations, decisions, certificates, audit events."

    def add_arguments(self, parser):
        parser.add_argument("--evaluations", type=int, default=1000)
        parser.add_argument("--events", type=int, default=None,
                            help="Audit events in all (default: ten per evaluation).")  # fmt: skip
        parser.add_argument("--seed", type=int, default=8, help="Random seed (same shapes).")

    def handle(self, *args, evaluations: int, events: int | None, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_portfolio writes with COPY: it needs PostgreSQL.")
        if evaluations < 2:
            raise CommandError("--evaluations must be at least 2.")
        started = time.perf_counter()
        seeder = Seeder(
            evaluations=evaluations,
            events=10 * evaluations if events is None else events,
            seed=seed,
            log=lambda text: self.stdout.write(f"  {text}"),
        )
        counts = seeder.run()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['evaluations']} evaluations and {counts['audit events']} audit "
                f"events in {time.perf_counter() - started:.1f} s; a regulator to read them: "
                f"{seeder.regulator.username}"
            )
        )
