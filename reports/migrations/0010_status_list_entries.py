"""The status lists' entries (reports/status_list.py): a certificate's index per purpose, never
given twice. On PostgreSQL a trigger refuses UPDATE and DELETE of an entry, so an index once in
a credential can never come free again (TRUNCATE is left to the operator and the tests' flush).
"""

import django.db.models.deletion
from django.db import migrations, models

REFUSE = """
CREATE FUNCTION reports_status_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'status list entries are never changed nor removed: % refused on %',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER reports_status_entry_keep BEFORE UPDATE OR DELETE ON reports_statuslistentry
    FOR EACH ROW EXECUTE FUNCTION reports_status_entry_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS reports_status_entry_keep ON reports_statuslistentry;
DROP FUNCTION IF EXISTS reports_status_entry_refuse_change();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_register_search")]

    operations = [
        migrations.CreateModel(
            name="StatusListEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[("revocation", "Revocation"), ("suspension", "Suspension")],
                        max_length=16,
                    ),
                ),
                ("list_number", models.PositiveIntegerField()),
                ("list_index", models.PositiveIntegerField()),
                ("allocated_at", models.DateTimeField(auto_now_add=True)),
                (
                    "certificate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="status_entries",
                        to="reports.certificate",
                    ),
                ),
            ],
            options={
                "ordering": ["purpose", "list_number", "list_index"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("purpose", "list_number", "list_index"), name="status_index_once"
                    ),
                    models.UniqueConstraint(
                        fields=("certificate", "purpose"), name="status_entry_per_purpose"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("list_index__lt", 131072), ("list_number__gte", 1)),
                        name="status_index_in_list",
                    ),
                ],
            },
        ),
        migrations.RunPython(_run(REFUSE), _run(DROP), elidable=False),
    ]
