from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0004_alert_withdrawn"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="version",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
