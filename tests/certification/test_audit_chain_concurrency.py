"""Appends from many transactions at once never fork the chain nor leave a gap: the advisory
lock serialises them (real commits, one connection per thread)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from certification import audit_chain
from certification.models import AuditEvent
from certification.services import audit

THREADS = 4
EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_gap_free_chain():
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    audit(action="test.concurrent", actor=None, thread=n, i=i)
                    if i % 3 == 0:  # some transactions give up their event
                        transaction.set_rollback(True)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    kept = THREADS * (EACH - len(range(0, EACH, 3)))
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, kept + 1)
    )
    verdict = audit_chain.verify()
    assert verdict.ok and verdict.checked == kept
