"""The audit log becomes a hash chain (docs/AUDIT.md): every event gets ``seq``, ``prev_hash``
and ``hash``, plus the columns the issue asks each event to carry (which object, before, after,
reason). Existing events are chained in the order they were written (``at``, then ``id``); a
``reason`` they kept in their detail moves to its column first. Then, on PostgreSQL, triggers
refuse UPDATE, DELETE and TRUNCATE of the table and any insert that does not extend the chain at
its head."""

import django.utils.timezone
from django.db import migrations, models

from certification import audit_chain

TRIGGERS = """
CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON certification_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON certification_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();

CREATE FUNCTION audit_event_extends_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash varchar(64);
BEGIN
    SELECT seq, hash INTO last_seq, last_hash FROM certification_auditevent
        ORDER BY seq DESC LIMIT 1;
    IF NEW.seq <> coalesce(last_seq, 0) + 1
       OR NEW.prev_hash <> coalesce(last_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'audit event seq % does not extend the chain at its head (seq %)',
            NEW.seq, coalesce(last_seq, 0) USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_event_append_at_head BEFORE INSERT ON certification_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_extends_head();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS audit_event_append_at_head ON certification_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON certification_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_update_delete ON certification_auditevent;
DROP FUNCTION IF EXISTS audit_event_extends_head();
DROP FUNCTION IF EXISTS audit_event_refuse_change();
"""


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("certification", "AuditEvent")
    prev = audit_chain.GENESIS
    batch = []
    events = AuditEvent.objects.order_by("at", "id")
    for seq, event in enumerate(events.iterator(chunk_size=2000), start=1):
        detail = audit_chain.plain(event.detail or {})
        if isinstance(detail.get("reason"), str) and not event.reason:
            event.reason = detail.pop("reason")
        event.detail = detail
        event.seq, event.prev_hash = seq, prev
        event.hash = audit_chain.event_hash(audit_chain.content_of_event(event))
        prev = event.hash
        batch.append(event)
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "reason", "detail"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "reason", "detail"])


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0007_dataset_parse_and_preview"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="object_type",
            field=models.CharField(blank=True, default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="object_id",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="before",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="after",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="reason",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64, unique=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("seq__gte", 1)), name="auditevent_seq_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("hash__regex", "^[0-9a-f]{64}$"), ("prev_hash__regex", "^[0-9a-f]{64}$")
                ),
                name="auditevent_hashes_hex",
            ),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
