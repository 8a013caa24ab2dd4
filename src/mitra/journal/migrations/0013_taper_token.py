"""A taper's replay token and what it was asked for: planning a taper, retried, saves it once
(the same token with another ask is refused), as every other write. Tapers from before have
neither."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0012_person_alerts_version")]

    operations = [
        migrations.AddField(
            model_name="taper",
            name="token",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="taper",
            name="asked",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddConstraint(
            model_name="taper",
            constraint=models.UniqueConstraint(
                condition=models.Q(("token__isnull", False)),
                fields=("person", "token"),
                name="taper_token_unique",
            ),
        ),
    ]
