"""Fill the register with certificates of realistic shape for the benchmarks (issue 9):
``manage.py seed_register --certificates 100000``. Adds to what is there (its holders carry a
random tag); PostgreSQL only (it writes with COPY)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reports.register.seeder import Seeder


class Command(BaseCommand):
    help = "Add certificates of realistic shape to the public register (with COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--certificates", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=9, help="Random seed (same shapes).")

    def handle(self, *args, certificates: int, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_register writes with COPY: it needs PostgreSQL.")
        if certificates < 2:
            raise CommandError("--certificates must be at least 2.")
        started = time.perf_counter()
        counts = Seeder(
            certificates=certificates, seed=seed, log=lambda text: self.stdout.write(f"  {text}")
        ).run()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['certificates']} certificates in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )
