"""The targets a weekly goal had before its current one, so that each past week is measured
against the target it had (goals from before this migration have none kept)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0010_goal_created_at")]

    operations = [
        migrations.AddField(
            model_name="goal", name="earlier", field=models.JSONField(blank=True, default=list)
        ),
    ]
