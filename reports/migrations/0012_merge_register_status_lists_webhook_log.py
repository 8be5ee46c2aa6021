from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_register_search"),
        ("reports", "0010_status_list_entries"),
        ("reports", "0011_webhook_test_and_delivery_log"),
    ]

    operations = []
