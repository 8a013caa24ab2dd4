"""An index of each kind of entry's deleted rows, by person and when they were deleted: the list
of recently deleted entries reads those few rows, not the whole journal."""

from django.db import migrations, models


def _deleted_index(name: str) -> models.Index:
    return models.Index(
        condition=models.Q(("deleted_at__isnull", False)),
        fields=["person", "deleted_at"],
        name=f"{name}_deleted_idx",
    )


class Migration(migrations.Migration):
    dependencies = [("journal", "0014_product_substance_name_order")]

    operations = [
        migrations.AddIndex(model_name=name, index=_deleted_index(name))
        for name in ("checkin", "dose", "intake", "practice")
    ]
