"""Where each product's and substance's name sorts in a list as it is read (without case or
accents, the same on every database), kept beside the name; journals from before get theirs
here."""

from typing import Any

from django.db import migrations, models

from mitra.vocabulary import name_order


def _fill(apps: Any, schema_editor: Any) -> None:
    for model in ("Product", "Substance"):
        rows = list(apps.get_model("journal", model).objects.all())
        for row in rows:
            row.name_order = name_order(row.name)
        apps.get_model("journal", model).objects.bulk_update(rows, ["name_order"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("journal", "0013_taper_token")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="name_order",
            field=models.CharField(blank=True, default="", editable=False, max_length=480),
        ),
        migrations.AddField(
            model_name="substance",
            name="name_order",
            field=models.CharField(blank=True, default="", editable=False, max_length=480),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
    ]
