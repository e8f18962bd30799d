"""The receipt PDF now belongs to applications (its migration 0008 took the table over)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0001_initial"),
        ("applications", "0008_receiptpdf"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReceiptPDF")],
        ),
    ]
