import re

import django.db.models.deletion
from django.db import migrations, models


def start_counters(apps, schema_editor):
    """Each track's counter starts at the highest number already given in it."""
    Track = apps.get_model("programs", "Track")
    Submission = apps.get_model("applications", "Submission")
    ReceiptCounter = apps.get_model("applications", "ReceiptCounter")
    for track in Track.objects.select_related("cycle"):
        prefix = f"KCN-{track.cycle.year}-{track.code.upper()}-"
        numbers = Submission.objects.filter(receipt_number__startswith=prefix).values_list(
            "receipt_number", flat=True
        )
        last = max(
            (int(n[len(prefix):]) for n in numbers if re.fullmatch(r"\d+", n[len(prefix):])),
            default=0,
        )
        if last:
            ReceiptCounter.objects.create(track=track, last=last)


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0003_selection_states"),
        ("programs", "0002_track_aggregation_track_min_score_threshold_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReceiptCounter",
            fields=[
                ("track", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                    related_name="+", serialize=False, to="programs.track",
                    verbose_name="track")),
                ("last", models.PositiveIntegerField(default=0,
                                                     verbose_name="last receipt number")),
            ],
            options={
                "verbose_name": "receipt counter",
                "verbose_name_plural": "receipt counters",
            },
        ),
        migrations.RunPython(start_counters, migrations.RunPython.noop),
    ]
