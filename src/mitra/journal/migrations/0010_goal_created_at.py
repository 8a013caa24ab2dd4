"""A weekly goal's creation time, so that the weeks before a goal was set are not counted as
weeks it was missed. Goals set before this migration take the time they were last changed (the
earliest time known for them)."""

import django.utils.timezone
from django.db import migrations, models


def _from_last_change(apps, schema_editor):  # type: ignore[no-untyped-def]
    Goal = apps.get_model("journal", "Goal")
    Goal.objects.update(created_at=models.F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("journal", "0009_research_consent")]

    operations = [
        migrations.AddField(
            model_name="goal",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(_from_last_change, migrations.RunPython.noop),
    ]
