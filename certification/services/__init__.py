"""Every change of state in a certification goes through a function of this package.

Each service takes keyword-only arguments, checks permission through ``certification.access``,
locks what it changes, checks the transition table, saves with ``update_fields`` and writes the
audit row in the same transaction. Background work is handed to the workers by name after the
commit (``certification.handoff``). The modules follow the life of a submission; this package
is their one public face, so views, tasks and ``reports`` import ``certification.services``.
"""

from certification.services.common import (
    EDITABLE_STATUSES,
    SUBMISSION_TRANSITIONS,
    audit,
)
from certification.services.datasets import (
    dataset_upload,
    dataset_withdraw,
    withdrawal_refusal,
)
from certification.services.evaluations import (
    evaluation_hand_off,
    evaluation_reproduce,
    evaluation_requeue,
    evaluation_run,
    evaluations_sweep,
    owed_evaluations,
    stuck_evaluations,
)
from certification.services.impact import (
    impact_analyses_sweep,
    impact_analysis_run,
    impact_hand_off,
    impact_request,
)
from certification.services.parsing import (
    dataset_parse,
    parse_hand_off,
    parses_sweep,
    stuck_parses,
)
from certification.services.proposals import ruleset_approve, ruleset_propose
from certification.services.review import submission_decide
from certification.services.rulesets import ruleset_in_force, rulesets_sync
from certification.services.submissions import (
    PRODUCT_FIELDS,
    product_create,
    submission_create,
    submission_submit,
)
from certification.services.whatif import evaluation_whatif

__all__ = [
    "EDITABLE_STATUSES",
    "PRODUCT_FIELDS",
    "SUBMISSION_TRANSITIONS",
    "audit",
    "dataset_parse",
    "dataset_upload",
    "dataset_withdraw",
    "evaluation_hand_off",
    "evaluation_reproduce",
    "evaluation_requeue",
    "evaluation_run",
    "evaluation_whatif",
    "evaluations_sweep",
    "impact_analyses_sweep",
    "impact_analysis_run",
    "impact_hand_off",
    "impact_request",
    "owed_evaluations",
    "parse_hand_off",
    "parses_sweep",
    "product_create",
    "ruleset_approve",
    "ruleset_propose",
    "rulesets_sync",
    "ruleset_in_force",
    "stuck_evaluations",
    "stuck_parses",
    "submission_create",
    "submission_decide",
    "submission_submit",
    "withdrawal_refusal",
]
