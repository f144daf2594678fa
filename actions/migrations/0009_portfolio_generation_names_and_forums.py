"""The portfolio's generation also moves with what the kept pages show beside the
actions (trackerapp.kept_pages): forums and which reviews they monitor, themes and
which recommendations they tag, which organisations commission which (who sees what
follows it), people's permissions (a viewer granted the export sees its links), and
people's names and whether they are active (the lead of an action, the author of an
update). A sign-in writes last_login, which no page shows: the trigger on
people watches only the columns that are shown."""

from django.db import migrations

# Added to actions.models.PORTFOLIO_TABLES by this migration.
TABLES = [
    "governance_forum",
    "reviews_review_monitoring_forums",
    "reviews_theme",
    "reviews_recommendation_themes",
    "accounts_organisation_commissioned_by",
    # A grant of a permission (the viewer's export of action plans), to a person or
    # through a group: the pages show links that follow it.
    "accounts_user_user_permissions",
    "accounts_user_groups",
    "auth_group_permissions",
]
PEOPLE = "accounts_user"
PEOPLE_COLUMNS = "first_name, last_name, username, email, is_active"
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
    schema_editor.execute(
        f"CREATE TRIGGER {PEOPLE}_portfolio_generation "
        f"AFTER UPDATE OF {PEOPLE_COLUMNS} OR DELETE ON {PEOPLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in [*TABLES, PEOPLE]:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_portfolio_generation ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0008_merge_listing_keys_notices_and_page_records"),
        ("governance", "0004_paper_cover_items_and_glossary_terms"),
        ("reviews", "0007_merge_grouping_and_similarity"),
        ("accounts", "0005_organisation_partners"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
