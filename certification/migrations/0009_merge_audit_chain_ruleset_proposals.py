from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0008_audit_chain"),
        ("certification", "0008_ruleset_proposals"),
    ]

    operations = []
