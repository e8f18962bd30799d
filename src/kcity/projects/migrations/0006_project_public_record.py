"""Every project has its row in the public portfolio (`portfolio.SelectedProject`): the rows for
projects opened before this migration are made from their proposals."""

import django.db.models.deletion
from django.db import migrations, models


def make_records(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    SelectedProject = apps.get_model("portfolio", "SelectedProject")
    for project in Project.objects.filter(record__isnull=True).select_related(
            "proposal__track", "proposal__cycle", "proposal__organisation"):
        p = project.proposal
        kind = p.track.kind
        project.record = SelectedProject.objects.create(
            year=p.cycle.year, track_kind=kind, programme=kind, city=p.city,
            country=p.country or p.organisation.country, title=p.title,
            korean_partner=p.organisation.name if kind == "demonstration" else "",
        )
        project.save(update_fields=["record"])


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0001_initial"),
        ("projects", "0005_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="record",
            field=models.OneToOneField(
                null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="paperwork", to="portfolio.selectedproject",
                verbose_name="public record",
                help_text="The project's row in the public portfolio."),
        ),
        migrations.RunPython(make_records, migrations.RunPython.noop),
    ]
