"""Announce every write to the certificate table on the PostgreSQL channel that keeps each web
process's copy of certificate rows current (reports/livecache.py).

A statement-level trigger, so one UPDATE of many rows sends one notification; NOTIFY is
transactional, so the notification is delivered if and only if the write commits, whichever
code path made it (services, the admin, a data migration, psql). SQLite, the demo's database,
has no notifications, and the copy is not used there.
"""

from django.db import migrations

CHANNEL = "reports_certificate_changed"

CREATE = f"""
CREATE OR REPLACE FUNCTION reports_certificate_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_OP);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER reports_certificate_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reports_certificate
    FOR EACH STATEMENT EXECUTE FUNCTION reports_certificate_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS reports_certificate_changed ON reports_certificate;
DROP FUNCTION IF EXISTS reports_certificate_notify();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
