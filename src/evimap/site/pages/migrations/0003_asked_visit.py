# Written by hand to match AskedVisit (makemigrations reports no changes after it).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evimap_pages", "0002_asked_question"),
    ]

    operations = [
        migrations.CreateModel(
            name="AskedVisit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("visitor", models.CharField(max_length=64)),
                ("signed_in", models.BooleanField(default=False)),
                ("day", models.DateField()),
                (
                    "asked",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="visits",
                        to="evimap_pages.askedquestion",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("asked", "visitor", "day"), name="evimap_asked_visit_once_a_day"
                    )
                ],
            },
        ),
    ]
