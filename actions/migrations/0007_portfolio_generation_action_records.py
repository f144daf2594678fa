"""The portfolio's generation also moves with an action's own records (progress updates,
evidence, extension requests) and with the similarity of recommendations, so that the
action page can keep what it shows under actions.selectors.figures_key."""

from django.db import migrations

# Added to actions.models.PORTFOLIO_TABLES by this migration.
TABLES = [
    "actions_progressupdate",
    "actions_evidence",
    "actions_extensionrequest",
    "reviews_recommendationsimilarity",
]
FUNCTION = "actions_portfolio_generation_bump"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_portfolio_generation "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_portfolio_generation ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0006_portfolio_generation"),
        ("reviews", "0006_recommendation_similarity"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
