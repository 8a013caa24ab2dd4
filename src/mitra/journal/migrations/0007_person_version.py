from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0006_checkin_anxiety_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="version",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
