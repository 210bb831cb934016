# Written by hand to match AskedQuestion (makemigrations reports no changes after it).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evimap_pages", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AskedQuestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=500, unique=True)),
                ("question", models.CharField(max_length=500)),
                ("times", models.PositiveIntegerField(default=1)),
                ("answered", models.BooleanField(default=True)),
                ("first_asked", models.DateTimeField(auto_now_add=True)),
                ("last_asked", models.DateTimeField(auto_now=True)),
                (
                    "page",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="evimap_pages.questionpage",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["page", "-times"], name="evimap_page_page_id_b2f14b_idx")
                ],
            },
        ),
    ]
