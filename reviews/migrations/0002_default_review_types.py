from django.db import migrations

from reviews.choices import DEFAULT_REVIEW_TYPES


def add_default_types(apps, schema_editor):
    ReviewType = apps.get_model("reviews", "ReviewType")
    for code, name, accepts, is_contribution in DEFAULT_REVIEW_TYPES:
        ReviewType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "accepts_contributions": accepts,
                "is_contribution": is_contribution,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(add_default_types, migrations.RunPython.noop)]
