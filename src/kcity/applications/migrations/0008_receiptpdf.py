"""The receipt PDF moves from the jobs app to applications (the jobs app keeps only the queue
and the worker). Its rows stay: the model is taken over in the migration state on its old
table, which is then renamed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0007_upload_checks"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReceiptPDF",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("language", models.CharField(max_length=8)),
                        ("file", models.FileField(upload_to="receipts/")),
                        ("rendered_at", models.DateTimeField(auto_now_add=True)),
                        ("submission", models.OneToOneField(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="receipt_pdf", to="applications.submission")),
                    ],
                    options={"db_table": "jobs_receiptpdf"},
                ),
            ],
        ),
        migrations.AlterModelTable(name="receiptpdf", table=None),
    ]
