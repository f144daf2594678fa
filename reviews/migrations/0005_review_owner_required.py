import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_partners"),
        ("reviews", "0004_owners_for_existing_reviews"),
    ]

    operations = [
        migrations.AlterField(
            model_name="review",
            name="owner",
            field=models.ForeignKey(
                help_text="The organisation whose safeguarding team tracks this review.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_reviews",
                to="accounts.organisation",
            ),
        ),
    ]
