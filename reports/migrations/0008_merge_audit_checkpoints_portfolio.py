from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_audit_checkpoints"),
        ("reports", "0007_portfolio_indexes"),
    ]

    operations = []
