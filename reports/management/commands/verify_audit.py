"""``manage.py verify_audit``: walk the audit log's hash chain and name the first broken link.

The walk reads the events in ``seq`` order through a server-side cursor, ``--batch`` at a time,
recomputes each hash and checks each link (docs/AUDIT.md). Every checkpoint kept in the portal
whose signature holds is checked on the way (a removed tail or a rewritten history shows
against them); ``--against FILE`` adds a checkpoint someone kept (``latest.json``), whose
signature is checked first, with the portal's keys or ``--key PEM``.

Exit status: 0 the chain holds; 1 a link is broken (the message names the event and what
differs); 2 a checkpoint file is unusable.

(It lives in ``reports``, not ``certification``, because checking a checkpoint needs the
portal's signing keys, which are ``reports``'; the chain itself is ``certification.audit_chain``.)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certification import audit_chain
from reports import audit_checkpoints


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (and signed checkpoints); exit 1 at a broken link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            action="append",
            default=[],
            metavar="CHECKPOINT.json",
            help="a checkpoint kept from /audit/checkpoints/latest.json (repeatable)",
        )
        parser.add_argument(
            "--key", metavar="KEY.pem", help="verify --against with this Ed25519 public key"
        )
        parser.add_argument(
            "--no-stored",
            action="store_true",
            help="skip the checkpoints kept in the portal's own table",
        )
        parser.add_argument("--batch", type=int, default=audit_chain.BATCH)

    def handle(self, *args, against, key, no_stored, batch, **options):
        expected: dict[int, str] = {}
        problems: list[str] = []
        if not no_stored:
            expected, problems = audit_checkpoints.stored_expectations()
        public_key = Path(key).read_bytes() if key else None
        for name in against:
            payload = self._checkpoint(name, public_key)
            count, head = payload["event_count"], payload["head_hash"]
            if count == 0:
                continue  # the empty log: nothing to recompute
            if expected.get(count, head) != head:
                problems.append(
                    f"{name}: signs {head} for {count} events, a stored checkpoint signs "
                    f"{expected[count]}"
                )
            expected[count] = head
        started = time.perf_counter()
        verdict = audit_chain.verify(expected=expected, batch=max(1, batch))
        seconds = time.perf_counter() - started
        for problem in problems:
            self.stderr.write(f"CHECKPOINT: {problem}")
        if not verdict.ok:
            self.stderr.write(f"BROKEN at seq {verdict.broken.seq}: {verdict.broken.message}")
            self.stderr.write(f"({verdict.checked} events before it hold.)")
            raise CommandError(f"the audit chain is broken ({verdict.broken.kind})", returncode=1)
        if problems:
            raise CommandError("a stored checkpoint does not hold", returncode=1)
        matched = ", ".join(str(s) for s in verdict.checkpoints_matched) or "none"
        self.stdout.write(
            f"OK: {verdict.checked} events, head seq {verdict.head_seq} hash "
            f"{verdict.head_hash}; checkpoints matched at seq: {matched}; {seconds:.2f} s"
        )

    def _checkpoint(self, name: str, public_key) -> dict:
        try:
            doc = json.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"{name}: not a readable JSON file ({exc})", returncode=2) from None
        try:
            return audit_checkpoints.verify_document(doc, public_key=public_key)
        except audit_checkpoints.CheckpointInvalid as exc:
            raise CommandError(f"{name}: {exc}", returncode=2) from None
