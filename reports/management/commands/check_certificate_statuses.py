"""``manage.py check_certificate_statuses``: names every certificate whose status no status event
explains (changed in the database behind the portal's back). Exits 1 if there is one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reports.selectors import status_mismatches


class Command(BaseCommand):
    help = "Reconcile every certificate's status with its last status event."

    def handle(self, *args, **options):
        mismatches = list(status_mismatches().values_list("number", "status", "recorded_status"))
        for number, status, recorded in mismatches:
            self.stdout.write(
                f"{number}: status {status!r}, but its last status event set {recorded!r}"
                if recorded
                else f"{number}: status {status!r}, but it has no status event"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} certificate(s) do not match their history.")
        self.stdout.write(self.style.SUCCESS("Every certificate's status matches its history."))
