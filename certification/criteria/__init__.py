"""The evaluation engine: a rule set and the evidence in, a reproducible outcome out.

Pure: frozen dataclasses in, frozen dataclasses out; no ORM, no settings, no I/O. Every number
it compares with comes from the ``RuleSetData`` (``certification/rulesets/*.toml``); the codes come
from ``certification.vocabulary``. One module per criterion family, each with its sentences:

- ``evidence_independence``: which rows count (STANDARD.md 4.5);
- ``weight_loss``: vacuum weight loss and its chamber logs (4.1);
- ``electrolyte_content``: the content bands and the declared contents (3, 4.2);
- ``energy_density``: the class's floor and the cycler cross-check (4.3);
- ``safety``: the class's abuse tests (4.4);
- ``verdict``: class, claim, certifiability, labels, application (3, 5);

around them ``validity`` (when a measured criterion is incomplete), ``engine`` (the decision
order of section 5), ``inputs`` and ``outcome`` (the dataclasses), ``values`` (numbers in and
out), ``text`` (words inside sentences) and ``sentences`` (every sentence, ``render``).
"""

from certification.criteria.engine import evaluate
from certification.criteria.inputs import (
    ChamberEvidence,
    CyclerEvidence,
    EvaluationInput,
    LabFacts,
    ProductFacts,
    SheetEvidence,
)
from certification.criteria.outcome import CriterionResult, EvaluationOutcome, Flag
from certification.criteria.sentences import MESSAGES, render
from certification.criteria.text import FRAGMENTS, LISTED_IDS, limit_text, render_text

__all__ = [
    "FRAGMENTS",
    "LISTED_IDS",
    "MESSAGES",
    "ChamberEvidence",
    "CriterionResult",
    "CyclerEvidence",
    "EvaluationInput",
    "EvaluationOutcome",
    "Flag",
    "LabFacts",
    "ProductFacts",
    "SheetEvidence",
    "evaluate",
    "limit_text",
    "render",
    "render_text",
]
