"""Signed checkpoints of the audit log (reports.audit_checkpoints, docs/AUDIT.md); like the log,
the table refuses UPDATE, DELETE and TRUNCATE on PostgreSQL (the function certification's
migration 0008 installed)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGGERS = """
CREATE TRIGGER audit_checkpoint_no_update_delete BEFORE UPDATE OR DELETE
    ON reports_auditcheckpoint FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE
    ON reports_auditcheckpoint FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON reports_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_checkpoint_no_update_delete ON reports_auditcheckpoint;
"""


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_certificate_content_compared"),
        ("certification", "0008_audit_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event_count", models.BigIntegerField()),
                ("head_hash", models.CharField(max_length=64)),
                ("at", models.DateTimeField()),
                ("kid", models.CharField(max_length=40)),
                ("jws", models.TextField()),
                (
                    "origin",
                    models.CharField(
                        choices=[("schedule", "Hourly"), ("request", "On request")],
                        max_length=16,
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("event_count__gte", 0)),
                        name="checkpoint_count_not_negative",
                    )
                ],
            },
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
