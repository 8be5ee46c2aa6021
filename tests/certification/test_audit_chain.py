# ruff: noqa: S608  (raw SQL is the point: what an attacker with database rights runs)
"""The audit log is a hash chain that nobody rewrites unnoticed: the table refuses changes, and a
walk of the chain names the first broken link when someone with database rights drops the
trigger and edits, deletes or reorders rows behind the portal's back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction

from certification import audit_chain
from certification.models import AuditEvent
from certification.services import audit
from tests.certification.audit_events import add_event, empty_log

TABLE = audit_chain.TABLE

pytestmark = pytest.mark.django_db


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def drop_triggers():
    """What an attacker with database rights does first (rolled back with the test)."""
    for name in ("audit_event_no_update_delete", "audit_event_append_at_head"):
        sql(f"DROP TRIGGER {name} ON {TABLE}")


@pytest.fixture
def chain(cast):
    """A log of six events, from an empty table."""
    empty_log()
    events = [
        audit(action="product.registered", actor=cast["maker"], model_number="QS-1"),
        audit(
            action="certificate.suspended",
            actor=cast["reviewer"],
            object_type="certificate",
            object_id="SSB-2026-000001",
            before={"status": "valid"},
            after={"status": "suspended"},
            reason='=HYPERLINK("x") 暂停',
            certificate="SSB-2026-000001",
        ),
        audit(action="token.issued", actor=cast["lab"], ratio=0.1, tiny=1.5e-7, whole=2.0),
        audit(action="signin.failed", actor=None, organisation=cast["regulator"].organisation),
        audit(action="test.big", actor=None, big=1e20, nested={"b": [1, {"a": None}]}),
        audit(action="test.last", actor=None),
    ]
    return events


def walk():
    return audit_chain.verify(batch=2)


# --- the canonical form ---------------------------------------------------------------------------


def test_the_canonical_form_is_sorted_compact_utf8_json():
    content = {
        "seq": 1,
        "prev": audit_chain.GENESIS,
        "at": audit_chain.instant(dt.datetime(2026, 12, 5, 15, 25, 10, tzinfo=dt.UTC)),
        "actor": 7,
        "organisation": None,
        "action": "certificate.suspended",
        "submission": None,
        "product": 3,
        "object_type": "certificate",
        "object_id": "SSB-2026-000001",
        "before": {"status": "valid"},
        "after": {"status": "suspended"},
        "reason": "暂停",
        "detail": {"z": 2.0, "a": 0.1, "t": 1.5e-7},
    }
    text = audit_chain.canonical(content)
    assert (
        text
        == (
            '{"action":"certificate.suspended","actor":7,"after":{"status":"suspended"},'
            '"at":"2026-12-05T15:25:10.000000Z","before":{"status":"valid"},'
            '"detail":{"a":0.1,"t":1.5e-07,"z":2},"object_id":"SSB-2026-000001",'
            '"object_type":"certificate","organisation":null,"prev":"' + "0" * 64 + '",'
            '"product":3,"reason":"暂停","seq":1,"submission":null,"v":1}'
        ).encode()
    )
    assert audit_chain.event_hash(content) == hashlib.sha256(text).hexdigest()


def test_times_are_utc_with_microseconds_whatever_the_zone():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    when = dt.datetime(2026, 3, 2, 0, 30, 0, 5, tzinfo=shanghai)
    assert audit_chain.instant(when) == "2026-03-01T16:30:00.000005Z"
    with pytest.raises(ValueError, match="naive"):
        audit_chain.instant(dt.datetime(2026, 3, 2))


def test_values_without_a_json_form_are_refused():
    with pytest.raises(TypeError, match="NaN"):
        audit_chain.plain(float("nan"))
    with pytest.raises(TypeError, match="set"):
        audit_chain.plain({1, 2})
    assert audit_chain.plain({"d": dt.date(2026, 1, 2), 3: (1.0, True)}) == {
        "d": "2026-01-02",
        "3": [1, True],
    }


def test_content_without_a_field_is_refused():
    with pytest.raises(ValueError, match="lacks"):
        audit_chain.canonical({"seq": 1})


# --- appending ------------------------------------------------------------------------------------


def test_events_chain_from_the_genesis_hash(chain):
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [s for s, _p, _h in seqs] == [1, 2, 3, 4, 5, 6]
    assert seqs[0][1] == audit_chain.GENESIS
    assert all(seqs[i][1] == seqs[i - 1][2] for i in range(1, 6))
    verdict = walk()
    assert verdict.ok and verdict.checked == 6
    assert (verdict.head_seq, verdict.head_hash) == (6, chain[-1].hash)


def test_an_event_records_who_organisation_object_before_after_and_reason(chain, cast):
    event = AuditEvent.objects.get(action="certificate.suspended")
    assert event.actor == cast["reviewer"]
    assert event.actor_organisation == cast["reviewer"].organisation
    assert (event.object_type, event.object_id) == ("certificate", "SSB-2026-000001")
    assert (event.before, event.after) == ({"status": "valid"}, {"status": "suspended"})
    assert event.reason.startswith("=HYPERLINK")
    assert event.detail == {"certificate": "SSB-2026-000001"}


def test_numbers_come_back_from_the_database_as_hashed(chain):
    event = AuditEvent.objects.get(action="test.big")
    assert event.detail["big"] == 10**20  # jsonb gives back 1e20 as an integer
    assert AuditEvent.objects.get(action="token.issued").detail == {
        "ratio": 0.1,
        "tiny": 1.5e-7,
        "whole": 2,
    }
    assert walk().ok


def test_a_rolled_back_event_frees_its_number(chain):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(action="test.undone", actor=None)
        raise RuntimeError
    audit(action="test.kept", actor=None)
    assert AuditEvent.objects.get(action="test.kept").seq == 7
    assert walk().ok


def test_a_value_without_a_json_form_writes_nothing(chain):
    with pytest.raises(TypeError):
        audit(action="test.bad", actor=None, value={1, 2})
    assert AuditEvent.objects.count() == 6


# --- the table refuses changes (from raw SQL) -----------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET reason = 'nothing happened' WHERE seq = 2",
        f"DELETE FROM {TABLE} WHERE seq = 6",
        f"TRUNCATE {TABLE}",
    ],
)
def test_the_table_refuses_update_delete_and_truncate(chain, statement):
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending foreign-key checks, done now
    with pytest.raises(DatabaseError, match="audit events are append-only"), transaction.atomic():
        sql(statement)
    assert AuditEvent.objects.count() == 6
    assert walk().ok


def test_the_table_refuses_an_insert_that_does_not_extend_the_head(chain):
    head = chain[-1]
    insert = (
        f"INSERT INTO {TABLE} (seq, prev_hash, hash, at, action, object_type, object_id, "
        "reason, detail) VALUES (%s, %s, %s, now(), 'forged', '', '', '', '{}')"
    )
    for seq, prev in ((3, chain[1].hash), (8, head.hash), (7, chain[2].hash)):
        with pytest.raises(DatabaseError, match="does not extend the chain"), transaction.atomic():
            sql(insert, [seq, prev, "f" * 64])
    assert AuditEvent.objects.count() == 6


# --- tampering behind the portal's back -----------------------------------------------------------


def test_an_edited_row_is_caught(chain):
    drop_triggers()
    sql(f"""UPDATE {TABLE} SET detail = '{{"model_number": "QS-2"}}' WHERE seq = 1""")
    broken = walk().broken
    assert (broken.kind, broken.seq, broken.event_id) == ("content_changed", 1, chain[0].pk)
    assert f"event {chain[0].pk} (seq 1)" in broken.message


@pytest.mark.parametrize(
    "column, value",
    [
        ("reason", "'nothing to see'"),
        ("after", """'{"status": "valid"}'"""),
        ("at", "at + interval '1 second'"),
        ("actor_id", "NULL"),
        ("action", "'certificate.reinstated'"),
    ],
)
def test_any_edited_field_is_caught(chain, column, value):
    drop_triggers()
    sql(f"UPDATE {TABLE} SET {column} = {value} WHERE seq = 2")
    broken = walk().broken
    assert (broken.kind, broken.seq) == ("content_changed", 2)


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(chain):
    drop_triggers()
    event = AuditEvent.objects.get(seq=3)
    event.detail = {"ratio": 0.2}
    forged = audit_chain.event_hash(audit_chain.content_of_event(event))
    sql(
        f"UPDATE {TABLE} SET detail = %s, hash = %s WHERE seq = 3",
        [json.dumps(event.detail), forged],
    )
    broken = walk().broken
    assert (broken.kind, broken.seq, broken.event_id) == ("not_chained", 4, chain[3].pk)
    assert "previous hash" in broken.message


def test_a_deleted_row_is_caught(chain):
    drop_triggers()
    sql(f"DELETE FROM {TABLE} WHERE seq IN (3, 4)")
    broken = walk().broken
    assert (broken.kind, broken.seq, broken.event_id) == ("missing", 3, chain[4].pk)
    assert "seq 3 to 4 missing" in broken.message


def test_reordered_rows_are_caught(chain):
    drop_triggers()
    sql(f"UPDATE {TABLE} SET seq = 1000 WHERE seq = 4")
    sql(f"UPDATE {TABLE} SET seq = 4 WHERE seq = 5")
    sql(f"UPDATE {TABLE} SET seq = 5 WHERE seq = 1000")
    broken = walk().broken
    assert (broken.kind, broken.seq, broken.event_id) == ("reordered", 4, chain[4].pk)
    assert f"follows event {chain[3].pk}, which is now at seq 5" in broken.message


def test_a_repeated_seq_is_caught(chain):
    drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u' "
            "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'seq')]",
            [TABLE, TABLE],
        )
        (name,) = cursor.fetchone()
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending foreign-key checks, done now
    sql(f"ALTER TABLE {TABLE} DROP CONSTRAINT {name}")
    sql(f"UPDATE {TABLE} SET seq = 2 WHERE seq = 3")
    broken = walk().broken
    # Whichever of the two rows the walk meets second is out of place.
    assert (broken.kind, broken.seq) in {("repeated", 2), ("reordered", 2)}


def test_a_removed_tail_is_caught_only_against_a_checkpoint(chain):
    drop_triggers()
    sql(f"DELETE FROM {TABLE} WHERE seq >= 5")
    assert walk().ok  # the rest is a valid chain: only a checkpoint can tell
    verdict = audit_chain.verify(expected={6: chain[-1].hash})
    assert verdict.broken.kind == "missing"
    assert "the log ends at seq 4, but a checkpoint signed 6 events" in verdict.broken.message


def test_a_rewritten_history_is_caught_against_a_checkpoint(chain):
    drop_triggers()
    sql(f"DELETE FROM {TABLE} WHERE seq >= 2")
    add_event(action="certificate.reinstated")  # rewritten from seq 2 on: a valid chain again
    for n in range(4):
        add_event(action=f"test.filler{n}")
    assert walk().ok
    verdict = audit_chain.verify(expected={6: chain[-1].hash})
    assert (verdict.broken.kind, verdict.broken.seq) == ("checkpoint", 6)
    assert "the history up to it was rewritten" in verdict.broken.message


def test_a_checkpoint_of_the_untouched_chain_matches(chain):
    verdict = audit_chain.verify(expected={3: chain[2].hash, 6: chain[5].hash})
    assert verdict.ok and verdict.checkpoints_matched == [3, 6]


def test_an_empty_log_verifies():
    empty_log()
    verdict = walk()
    assert verdict.ok and (verdict.head_seq, verdict.head_hash) == (0, audit_chain.GENESIS)


def test_a_number_rewritten_in_another_form_is_a_changed_row(chain):
    """2 and 2.0 are the same number, but not the bytes that were hashed."""
    drop_triggers()
    sql(
        f"""UPDATE {TABLE} SET detail = '{{"ratio": 0.1, "tiny": 1.5e-7, "whole": 2.0}}'"""
        " WHERE seq = 3"
    )
    broken = walk().broken
    assert (broken.kind, broken.seq) == ("content_changed", 3)
