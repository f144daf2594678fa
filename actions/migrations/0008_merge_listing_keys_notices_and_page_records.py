# The action listing keys, the reminder notices and the action page's generation
# triggers were made side by side; none depends on another.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_action_listing_keys"),
        ("actions", "0007_reminder_notices"),
        ("actions", "0007_portfolio_generation_action_records"),
    ]

    operations = []
