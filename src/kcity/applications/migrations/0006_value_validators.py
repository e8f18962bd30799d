"""A proposal's title and an invited organisation's name may not be only invisible
characters; an invited address's local part has at most 64 characters (RFC 5321)."""

from django.db import migrations, models

import kcity.core.text


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0005_prior_study"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consortiummember",
            name="invited_name",
            field=models.CharField(
                max_length=200,
                validators=[kcity.core.text.validate_not_blank],
                verbose_name="organisation name",
            ),
        ),
        migrations.AlterField(
            model_name="consortiummember",
            name="email",
            field=models.EmailField(
                max_length=254,
                validators=[kcity.core.text.validate_email_local_part],
                verbose_name="invited e-mail",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="title",
            field=models.CharField(
                max_length=200,
                validators=[kcity.core.text.validate_not_blank],
                verbose_name="title",
            ),
        ),
    ]
