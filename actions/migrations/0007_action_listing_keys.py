"""The action's listing keys (Action.listed_*): where it sits, copied from its
recommendation's review and its owner organisation, kept by the database itself.

Triggers rather than services, as the portfolio generation (0006): the keys decide who
sees an action on the list, so they must be right whatever wrote, in the same
transaction (a service, the admin, an import, a migration, SQL by hand):

- every insert or update of an action works its keys out again from its recommendation,
  review and owner (so a save carrying keys read before a change cannot put them back);
- a review whose owner, restriction or type changes, a recommendation moved to another
  review and an organisation renamed update the keys of the actions under them.

On PostgreSQL the action's trigger reads the recommendation, review and organisation
FOR SHARE: a concurrent change to any of them waits for the action's write to commit
(and then updates its keys), or the action's write waits for the change and reads it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION actions_action_listing_keys() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT r.id, r.owner_id, r.restricted, r.review_type_id
          INTO NEW.listed_review_id, NEW.listed_review_owner_id,
               NEW.listed_review_restricted, NEW.listed_review_type_id
          FROM reviews_recommendation c JOIN reviews_review r ON r.id = c.review_id
         WHERE c.id = NEW.recommendation_id
           FOR SHARE;
        SELECT o.short_name INTO NEW.listed_owner_name
          FROM accounts_organisation o
         WHERE o.id = NEW.owner_organisation_id
           FOR SHARE;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER actions_action_listing_keys BEFORE INSERT OR UPDATE ON actions_action
    FOR EACH ROW EXECUTE FUNCTION actions_action_listing_keys()
    """,
    """
    CREATE FUNCTION reviews_review_listing_keys() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE actions_action
           SET listed_review_owner_id = NEW.owner_id,
               listed_review_restricted = NEW.restricted,
               listed_review_type_id = NEW.review_type_id
         WHERE listed_review_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER reviews_review_listing_keys AFTER UPDATE ON reviews_review
    FOR EACH ROW WHEN (
        NEW.owner_id IS DISTINCT FROM OLD.owner_id
        OR NEW.restricted IS DISTINCT FROM OLD.restricted
        OR NEW.review_type_id IS DISTINCT FROM OLD.review_type_id
    ) EXECUTE FUNCTION reviews_review_listing_keys()
    """,
    """
    CREATE FUNCTION reviews_recommendation_listing_keys() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE actions_action SET listed_review_id = NEW.review_id
         WHERE recommendation_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER reviews_recommendation_listing_keys AFTER UPDATE ON reviews_recommendation
    FOR EACH ROW WHEN (NEW.review_id IS DISTINCT FROM OLD.review_id)
    EXECUTE FUNCTION reviews_recommendation_listing_keys()
    """,
    """
    CREATE FUNCTION accounts_organisation_listing_keys() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE actions_action SET listed_owner_name = NEW.short_name
         WHERE owner_organisation_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER accounts_organisation_listing_keys AFTER UPDATE ON accounts_organisation
    FOR EACH ROW WHEN (NEW.short_name IS DISTINCT FROM OLD.short_name)
    EXECUTE FUNCTION accounts_organisation_listing_keys()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS actions_action_listing_keys ON actions_action",
    "DROP TRIGGER IF EXISTS reviews_review_listing_keys ON reviews_review",
    "DROP TRIGGER IF EXISTS reviews_recommendation_listing_keys ON reviews_recommendation",
    "DROP TRIGGER IF EXISTS accounts_organisation_listing_keys ON accounts_organisation",
    "DROP FUNCTION IF EXISTS actions_action_listing_keys()",
    "DROP FUNCTION IF EXISTS reviews_review_listing_keys()",
    "DROP FUNCTION IF EXISTS reviews_recommendation_listing_keys()",
    "DROP FUNCTION IF EXISTS accounts_organisation_listing_keys()",
]

# SQLite (development and the quick test run): no BEFORE trigger may change the row, so
# an AFTER trigger writes the keys onto it; recursive triggers are off, so that write
# does not fire the trigger again.
SQLITE_ACTION_KEYS = """
    UPDATE actions_action SET
        listed_review_id = (
            SELECT c.review_id FROM reviews_recommendation c WHERE c.id = NEW.recommendation_id
        ),
        listed_review_owner_id = (
            SELECT r.owner_id FROM reviews_recommendation c
            JOIN reviews_review r ON r.id = c.review_id WHERE c.id = NEW.recommendation_id
        ),
        listed_review_restricted = (
            SELECT r.restricted FROM reviews_recommendation c
            JOIN reviews_review r ON r.id = c.review_id WHERE c.id = NEW.recommendation_id
        ),
        listed_review_type_id = (
            SELECT r.review_type_id FROM reviews_recommendation c
            JOIN reviews_review r ON r.id = c.review_id WHERE c.id = NEW.recommendation_id
        ),
        listed_owner_name = (
            SELECT o.short_name FROM accounts_organisation o
            WHERE o.id = NEW.owner_organisation_id
        )
    WHERE id = NEW.id;
"""
SQLITE = [
    f"""
    CREATE TRIGGER actions_action_listing_keys_insert AFTER INSERT ON actions_action
    BEGIN {SQLITE_ACTION_KEYS} END
    """,
    f"""
    CREATE TRIGGER actions_action_listing_keys_update AFTER UPDATE ON actions_action
    BEGIN {SQLITE_ACTION_KEYS} END
    """,
    """
    CREATE TRIGGER reviews_review_listing_keys AFTER UPDATE ON reviews_review
    WHEN NEW.owner_id IS NOT OLD.owner_id OR NEW.restricted IS NOT OLD.restricted
        OR NEW.review_type_id IS NOT OLD.review_type_id
    BEGIN
        UPDATE actions_action
           SET listed_review_owner_id = NEW.owner_id,
               listed_review_restricted = NEW.restricted,
               listed_review_type_id = NEW.review_type_id
         WHERE listed_review_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER reviews_recommendation_listing_keys AFTER UPDATE ON reviews_recommendation
    WHEN NEW.review_id IS NOT OLD.review_id
    BEGIN
        UPDATE actions_action SET listed_review_id = NEW.review_id
         WHERE recommendation_id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER accounts_organisation_listing_keys AFTER UPDATE ON accounts_organisation
    WHEN NEW.short_name IS NOT OLD.short_name
    BEGIN
        UPDATE actions_action SET listed_owner_name = NEW.short_name
         WHERE owner_organisation_id = NEW.id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS actions_action_listing_keys_insert",
    "DROP TRIGGER IF EXISTS actions_action_listing_keys_update",
    "DROP TRIGGER IF EXISTS reviews_review_listing_keys",
    "DROP TRIGGER IF EXISTS reviews_recommendation_listing_keys",
    "DROP TRIGGER IF EXISTS accounts_organisation_listing_keys",
]


def create_triggers(apps, schema_editor):
    """The triggers, then the keys of the actions already there (an update that changes
    nothing fires the action's trigger, which writes them)."""
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor)
    if statements is None:
        raise RuntimeError(f"The action listing keys need triggers written for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute("UPDATE actions_action SET recommendation_id = recommendation_id")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_partners"),
        ("actions", "0006_portfolio_generation"),
        ("governance", "0004_paper_cover_items_and_glossary_terms"),
        ("reviews", "0007_merge_grouping_and_similarity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="listed_owner_name",
            field=models.CharField(editable=False, max_length=30, null=True),
        ),
        migrations.AddField(
            model_name="action",
            name="listed_review",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="reviews.review",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="listed_review_owner",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="listed_review_restricted",
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="action",
            name="listed_review_type",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="reviews.reviewtype",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["status", "effective_due", "id"], name="action_list_status_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["owner_organisation", "effective_due", "id"], name="action_list_owner_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["lead_user", "effective_due", "id"], name="action_list_lead_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["listed_review", "effective_due", "id"], name="action_list_review_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["listed_review_type", "effective_due", "id"], name="action_list_type_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["listed_owner_name", "effective_due", "id"],
                name="action_list_owner_name_idx",
            ),
        ),
    ]
