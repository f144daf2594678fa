"""GIN indexes for full-text search, on PostgreSQL only.

Each index is on the very expression search.documents matches
(to_tsvector('english', column || ' ' || column ...)), so that PostgreSQL answers a search
from the index. SQLite (`make run`) has no full-text search here and gets no index: the
fallback there reads the columns. The models' own state is untouched, so nothing else
sees these indexes.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# (app, model, columns, index name): the KINDS of search/documents.py, written out here
# because a migration must not change when the code does.
INDEXES = [
    ("reviews", "Review", ("reference", "title"), "review_search_idx"),
    ("reviews", "Recommendation", ("text",), "recommendation_search_idx"),
    ("actions", "Action", ("description", "expected_outcome"), "action_search_idx"),
    ("actions", "ProgressUpdate", ("text",), "update_search_idx"),
    ("actions", "Evidence", ("description",), "evidence_search_idx"),
]


def _indexes(apps):
    for app_label, model_name, columns, name in INDEXES:
        index = GinIndex(SearchVector(*columns, config="english"), name=name)
        yield apps.get_model(app_label, model_name), index


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_review_owner_required"),
        ("actions", "0005_evidence_download_permission"),
    ]

    operations = [migrations.RunPython(create, drop)]
