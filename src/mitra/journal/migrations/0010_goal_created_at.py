"""When each weekly goal was set, so that the weeks before a goal was set are not counted as
weeks it was missed. Goals set before this migration keep none (NULL): when they were set is not
known (their last change is only the last time the Plan page was saved), so every week is
measured against them, as before."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0009_research_consent")]

    operations = [
        # Added without a default first, so the goals already there are left NULL...
        migrations.AddField(
            model_name="goal", name="created_at", field=models.DateTimeField(null=True)
        ),
        # ...and every goal set from now on gets the time it was set.
        migrations.AlterField(
            model_name="goal",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, null=True),
        ),
    ]
