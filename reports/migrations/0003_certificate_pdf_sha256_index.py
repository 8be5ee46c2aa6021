"""Find a certificate by the SHA-256 of its PDF: checking a PDF someone was sent
(reports.verification.check_document) looks it up by that hash."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_certificate_change_notify")]

    operations = [
        migrations.AddIndex(
            model_name="certificate",
            index=models.Index(fields=["pdf_sha256"], name="certificate_pdf_sha256"),
        ),
    ]
