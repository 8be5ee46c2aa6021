"""Certificates issued before the engine named its compared value get it in their frozen content.

Since certification migration 0004, each criterion's ``measured`` record names under
``compared`` the value its limit is compared with, and the certificate page and PDF show that
value as the criterion's headline. A certificate's content is frozen at issue, so one issued
earlier lacks the name; this adds it, by the same rule the engine follows (a frozen copy: a
migration never imports the live engine), so an old certificate prints exactly as before. Nothing
else in the content changes. Reversing it is a no-op.
"""

from django.db import migrations

# The key of the value each criterion family's limit is compared with, as the engine names it.
_COMPARED = {
    "weight_loss": "max_loss_pct",
    "electrolyte_content": "liquid_electrolyte_pct",
    "energy_density": "min_energy_density_wh_per_kg",
}


def compared_key(code):
    if code in _COMPARED:
        return _COMPARED[code]
    if isinstance(code, str) and code.startswith("safety."):
        return "failed_count"  # one abuse test: how many samples showed fire or explosion
    return None  # "safety" when no test was judged: nothing compared


def with_compared(content):
    """``content`` with each criterion's measured record naming its compared value."""
    criteria = content.get("criteria") if isinstance(content, dict) else None
    if not isinstance(criteria, list):
        return content
    rows = []
    for row in criteria:
        measured = row.get("measured") if isinstance(row, dict) else None
        if isinstance(measured, dict) and "compared" not in measured:
            row = {**row, "measured": {"compared": compared_key(row.get("code")), **measured}}
        rows.append(row)
    return {**content, "criteria": rows}


def name_compared_values(apps, schema_editor):
    Certificate = apps.get_model("reports", "Certificate")
    for certificate in Certificate.objects.only("pk", "content").iterator(chunk_size=500):
        content = with_compared(certificate.content)
        if content != certificate.content:
            Certificate.objects.filter(pk=certificate.pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_handoff_sweep"),
    ]

    operations = [
        migrations.RunPython(name_compared_values, migrations.RunPython.noop, elidable=True),
    ]
