"""Business registration numbers in one stored form (NNN-NN-NNNNN, ASCII digits), so the
uniqueness constraint sees the same company however its number was typed; and an
organisation's name may not be only invisible characters; an e-mail address's local part
has at most 64 characters (RFC 5321)."""

import unicodedata

from django.db import migrations, models

import kcity.core.text


def _canonical(value: str) -> str:
    # A copy of kcity.core.text.normalise_brn as of this migration (migrations do not follow
    # later changes of the code they call).
    text = unicodedata.normalize("NFKC", value or "").strip()
    digits = "".join(c for c in text if not (c.isspace() or unicodedata.category(c) == "Pd"))
    if len(digits) == 10 and digits.isascii() and digits.isdigit():
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    return text


def normalise(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    groups: dict[str, list] = {}
    rows = Organisation.objects.exclude(business_registration_number="").order_by("pk")
    for org in rows.only("pk", "business_registration_number"):
        groups.setdefault(_canonical(org.business_registration_number), []).append(org)
    for canonical, orgs in groups.items():
        # The one already written canonically keeps the number, else the first registered.
        keeper = next((o for o in orgs if o.business_registration_number == canonical), orgs[0])
        if keeper.business_registration_number != canonical:
            Organisation.objects.filter(pk=keeper.pk).update(
                business_registration_number=canonical
            )
        for other in orgs:
            if other.pk != keeper.pk:
                # The same company registered twice under two spellings: a migration cannot
                # merge two organisations, so the later one keeps its spelling for the
                # secretariat to merge.
                print(
                    f"\n  organisation {other.pk} has the business registration number of "
                    f"organisation {keeper.pk} ({canonical}); left as "
                    f"{other.business_registration_number!r} for the secretariat to merge"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="name",
            field=models.CharField(
                max_length=200,
                validators=[kcity.core.text.validate_not_blank],
                verbose_name="name",
            ),
        ),
        migrations.AlterConstraint(
            model_name="organisation",
            name="unique_business_registration_number",
            constraint=models.UniqueConstraint(
                condition=models.Q(("business_registration_number", ""), _negated=True),
                fields=("business_registration_number",),
                name="unique_business_registration_number",
                violation_error_message=(
                    "An organisation with this business registration number is already "
                    "registered."
                ),
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                blank=True,
                max_length=254,
                validators=[kcity.core.text.validate_email_local_part],
                verbose_name="email address",
            ),
        ),
        migrations.RunPython(normalise, migrations.RunPython.noop),
    ]
