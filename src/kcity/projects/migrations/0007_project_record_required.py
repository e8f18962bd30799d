import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_project_public_record")]

    operations = [
        migrations.AlterField(
            model_name="project",
            name="record",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="paperwork",
                to="portfolio.selectedproject", verbose_name="public record",
                help_text="The project's row in the public portfolio."),
        ),
    ]
