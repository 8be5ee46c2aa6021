import time

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from certification.storage import storage_ready


class Command(BaseCommand):
    help = (
        "Check that uploaded files can be kept (STORAGE_URL, or the filesystem): creates the "
        "object store's bucket if it is missing, then writes, reads back and deletes a probe."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            help="Keep trying this many seconds while the store does not answer yet.",
        )

    def handle(self, *args, **options):
        deadline = time.monotonic() + options["wait"]
        while True:
            try:
                where = storage_ready(default_storage)
            except Exception as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(f"Uploaded files cannot be stored: {exc}") from exc
                time.sleep(0.5)
            else:
                self.stdout.write(f"storage ready: {where}")
                return
