"""The public register's search (issue 9): the public facts it filters, sorts and searches by, as
stored columns PostgreSQL generates from the frozen ``content``, and their indexes.

Read from ``content`` on every search, each row would decompress its whole JSON document (the
criteria, the evidence hashes: several kB, kept out of line); the generated columns hold the few
short values the register reads, are written by the database on every insert and update, and so
can never disagree with the certificate. The models do not name them; ``reports.register.search``
reads them. A value of the wrong JSON type gives NULL, never a failed insert.

``register_text`` (number, holder, model number, name) carries a trigram index (``pg_trgm``,
GIN): a search for any part of a word of at least three characters, in any script, case
ignored, is an index scan whatever the table's size, where full-text search would need a
dictionary per language and splits model numbers like ``QS-21700-SSB`` into pieces. The sort
keys have B-tree indexes ending in the id, so a page of a sorted list reads only its rows.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def _text(path: str) -> str:
    return f"(content #>> '{{{path}}}')"


LABEL = (
    "CASE WHEN jsonb_typeof(content -> 'may_label_solid_state') = 'boolean' "
    "THEN (content -> 'may_label_solid_state')::boolean END"
)
SEARCHED = " || ' ' || ".join(
    ["number"] + [f"coalesce({_text(p)}, '')" for p in ("holder,name", "product,model_number",
                                                        "product,name")]
)  # fmt: skip

# (column, type, expression)
COLUMNS = (
    ("register_holder", "text", _text("holder,name")),
    ("register_model", "text", _text("product,model_number")),
    ("register_name", "text", _text("product,name")),
    ("register_class", "text", _text("determined_class,code")),
    ("register_family", "text", _text("product,electrolyte_family")),
    ("register_label", "boolean", LABEL),
    ("register_text", "text", SEARCHED),
)

ADD = "ALTER TABLE reports_certificate " + ",\n".join(
    f"ADD COLUMN {name} {kind} GENERATED ALWAYS AS ({expression}) STORED"
    for name, kind, expression in COLUMNS
)
DROP = "ALTER TABLE reports_certificate " + ", ".join(
    f"DROP COLUMN {name}" for name, _kind, _expression in COLUMNS
)

# (name, definition): the search, then each sort key with the id to break ties, then the
# filters a page is most often narrowed by.
INDEXES = (
    ("register_text_trgm", "USING gin (register_text gin_trgm_ops)"),
    ("register_holder_sort", "(register_holder, id)"),
    ("register_model_sort", "(register_model, id)"),
    ("register_expires_sort", "(expires_on, id)"),
    ("register_status", "(status, expires_on)"),
    ("register_class_family", "(register_class, register_family)"),
)


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_merge_audit_checkpoints_portfolio")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(ADD, DROP),
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name} ON reports_certificate {definition};",
                f"DROP INDEX {name};",
            )
            for name, definition in INDEXES
        ),
    ]
