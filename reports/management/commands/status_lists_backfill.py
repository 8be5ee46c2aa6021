"""``manage.py status_lists_backfill``: give every certificate issued before the status lists its
two entries and sign its credential again with them (``reports.services.certificate_resign``).

Run once after deploying the status lists; running it again does nothing to a certificate that
has its entries. The PDF is not re-rendered; the earlier credential stays verifiable (same key),
it just names no status list: its holder downloads the new one from the certificate's page.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.models import Certificate
from reports.services import certificate_resign


class Command(BaseCommand):
    help = "Allocate status list entries to older certificates and re-sign their credentials."

    def handle(self, *args, **options):
        pending = Certificate.objects.filter(status_entries__isnull=True).order_by("pk")
        count = 0
        for certificate in pending.iterator(chunk_size=500):
            certificate_resign(certificate=certificate)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} credential(s) signed with status entries."))
