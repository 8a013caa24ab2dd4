"""The journal version a person's stored alerts are known to reflect: a change whose alert
refresh never ended is caught up by the next refresh, which then runs every rule. Journals from
before start at 0, so their first refresh runs every rule once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0011_goal_earlier")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="alerts_version",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
