import datetime

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="state",
            field=models.CharField(choices=[("agreement_pending", "agreement pending"), ("in_progress", "in progress"), ("completed", "completed"), ("cancelled", "cancelled")], default="agreement_pending", max_length=20, verbose_name="state"),
        ),
        migrations.AddField(
            model_name="project",
            name="deliverable_type",
            field=models.CharField(choices=[("basic_concept", "basic concept"), ("master_plan", "master plan"), ("solution_plan", "solution plan"), ("feasibility_study", "feasibility study"), ("demonstration_report", "demonstration report")], default="basic_concept", max_length=24, verbose_name="deliverable"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="project",
            name="award",
            field=models.BigIntegerField(default=1, verbose_name="award (KRW)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="project",
            name="contract_value",
            field=models.BigIntegerField(blank=True, help_text="Set when the contract with the Korean contractor is signed.", null=True, verbose_name="contract value (KRW)"),
        ),
        migrations.AddField(
            model_name="project",
            name="planned_start",
            field=models.DateField(default=datetime.date(2000, 1, 1), verbose_name="planned start"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="project",
            name="planned_end",
            field=models.DateField(default=datetime.date(2000, 1, 1), verbose_name="planned end"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="project",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started at"),
        ),
        migrations.AddField(
            model_name="project",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="completed at"),
        ),
        migrations.AddField(
            model_name="project",
            name="rating",
            field=models.CharField(blank=True, choices=[("good", "good results"), ("satisfactory", "satisfactory"), ("poor", "poor")], max_length=16, verbose_name="rating of the results"),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(condition=models.Q(("award__gt", 0)), name="project_award_positive"),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(condition=models.Q(("contract_value__isnull", True), ("contract_value__lte", models.F("award")), _connector="OR"), name="project_contract_within_award"),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(condition=models.Q(("planned_end__gte", models.F("planned_start"))), name="project_end_after_start"),
        ),
    ]
