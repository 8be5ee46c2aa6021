"""The portfolio's reads at scale (issue 8): the indexes its lists are sorted by, and the highest
vacuum weight loss of each evaluation as a stored column PostgreSQL generates from the result.

The statistics plot the weight loss of every evaluation; read from ``Evaluation.result`` it would
decompress 100,000 JSON documents (several kB each) for each page. The generated column holds the
one number (the ``weight_loss`` criterion's ``measured.max_loss_pct``, NULL when there is none or
it is not a plain decimal), is written by the database on every insert and update of a result, and
so can never disagree with it. The models do not name it; ``reports.portfolio.statistics`` reads
it. Raw SQL, because these are another app's tables.
"""

from django.db import migrations

MAX_LOSS_PATH = '$.criteria[*] ? (@.code == "weight_loss").measured.max_loss_pct'
MAX_LOSS_TEXT = f"(jsonb_path_query_first(result, '{MAX_LOSS_PATH}') #>> '{{}}')"

COLUMN = f"""
ALTER TABLE certification_evaluation ADD COLUMN weight_loss_max_pct numeric
GENERATED ALWAYS AS (
    CASE WHEN {MAX_LOSS_TEXT} ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN {MAX_LOSS_TEXT}::numeric END
) STORED;
"""

# (name, table, what it holds): each list's default order, newest first, with the id to break ties.
INDEXES = (
    ("portfolio_submission_submitted", "certification_submission", "(submitted_at DESC, id DESC)"),
    ("portfolio_evaluation_queued", "certification_evaluation", "(queued_at DESC, id DESC)"),
    ("portfolio_decision_decided", "certification_decision", "(decided_at DESC, id DESC)"),
    ("portfolio_certificate_issued", "reports_certificate", "(issued_at DESC, id DESC)"),
    # The statistics' facts of every evaluation, read by index-only scans (the table itself holds
    # each result, some kB a row): its attempt, outcome, rule set, class, loss and time.
    (
        "portfolio_evaluation_facts",
        "certification_evaluation",
        "(submission_id, attempt) INCLUDE (id, status, certifiable, ruleset_id, "
        "weight_loss_max_pct, queued_at, determined_class)",
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_certificate_content_compared"),
        ("certification", "0007_dataset_parse_and_preview"),
    ]

    operations = [
        migrations.RunSQL(
            COLUMN,
            "ALTER TABLE certification_evaluation DROP COLUMN weight_loss_max_pct;",
        ),
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name} ON {table} {columns};",
                f"DROP INDEX {name};",
            )
            for name, table, columns in INDEXES
        ),
    ]
