"""Which evidence counts: independent lab results, and the maker's own numbers beside them.

Implements STANDARD.md section 4.5 as the rule set's ``[evidence]`` table says
(certification/rulesets/gbt-ssb-2026.toml): a sheet from a source the rule set accepts counts;
a lab's sheet counts only when the lab is assigned to the submission (``require_assigned_lab``),
and only for rows tested on a date its accreditation was valid, both ends included
(``require_accreditation_on_test_date``). Rows of a source the rule set does not accept (the
maker's) are *declarations*: each criterion shows them beside the lab's values and flags a
disagreement, but they never decide. Rows that fail a check are counted as ignored and flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certification.criteria.inputs import SheetEvidence
from certification.criteria.outcome import Flag, Sentences
from certification.criteria.text import fragment
from certification.criteria.values import day_of
from certification.rules import EvidencePolicy
from certification.vocabulary import SHEET_KINDS, gettext_noop

MESSAGES: dict[str, str] = {
    "flag.lab_unknown": gettext_noop(
        "Sheet {dataset_ref} is marked as lab evidence but names no lab; rows ignored: {row_count}."
    ),
    "flag.lab_not_assigned": gettext_noop(
        "Sheet {dataset_ref} comes from {lab}, which is not assigned to this submission; rows "
        "ignored: {row_count}."
    ),
    "flag.accreditation_invalid": gettext_noop(
        "Sheet {dataset_ref} has results tested on dates when {lab}'s accreditation "
        "{accreditation_number} was not valid (valid {valid_from} to {valid_until}); rows "
        "ignored: {row_count}."
    ),
    "flag.test_date_missing": gettext_noop(
        "Sheet {dataset_ref} has results without a test date, so the lab's accreditation cannot "
        "be checked; rows ignored: {row_count}."
    ),
    "flag.maker_only_evidence": gettext_noop(
        "Only the maker's own {kind} results were provided; they are shown as declarations, and "
        "an independent lab result is required."
    ),
    "flag.declared_result_disagrees": gettext_noop(
        "The maker's own {kind} results ({declared_outcome}) disagree with the lab's "
        "({lab_outcome})."
    ),
}
SENTENCES = Sentences(MESSAGES)

Row = tuple[Mapping[str, Any], str]  # a sheet row and the ref of the dataset it came from


class Pool:
    """Rows of one sheet kind, sorted by what they may prove."""

    __slots__ = ("accepted", "declared", "ignored")

    def __init__(self) -> None:
        self.accepted: list[Row] = []
        self.declared: list[Row] = []
        self.ignored = 0


def pool_evidence(
    policy: EvidencePolicy, sheets: tuple[SheetEvidence, ...], flags: list[Flag]
) -> dict[str, Pool]:
    """Every sheet's rows, by kind, as accepted, declared or ignored (flagging each ignored lot)."""
    pools = {kind: Pool() for kind in SHEET_KINDS}
    for sheet in sheets:
        pool = pools[sheet.kind]
        rows = [(row, sheet.dataset_ref) for row in sheet.rows]
        if sheet.source not in policy.accepted_sources:
            pool.declared.extend(rows)
        elif sheet.source != "lab":
            pool.accepted.extend(rows)
        else:
            _pool_lab_sheet(policy, sheet, rows, pool, flags)
    return pools


def _pool_lab_sheet(
    policy: EvidencePolicy, sheet: SheetEvidence, rows: list[Row], pool: Pool, flags: list[Flag]
) -> None:
    lab = sheet.lab
    checks_lab = policy.require_assigned_lab or policy.require_accreditation_on_test_date
    if lab is None and checks_lab:
        pool.ignored += len(rows)
        flags.append(
            SENTENCES.flag(
                "lab_unknown", "warning", dataset_ref=sheet.dataset_ref, row_count=len(rows)
            )
        )
        return
    if policy.require_assigned_lab and not lab.assigned_to_submission:
        pool.ignored += len(rows)
        flags.append(
            SENTENCES.flag(
                "lab_not_assigned",
                "warning",
                dataset_ref=sheet.dataset_ref,
                lab=lab.name,
                row_count=len(rows),
            )
        )
        return
    if not policy.require_accreditation_on_test_date:
        pool.accepted.extend(rows)
        return
    start, end = lab.accreditation_valid_from, lab.accreditation_valid_until
    undated = invalid = 0
    for item in rows:
        day = day_of(item[0].get("test_date"))
        if day is None:
            undated += 1
        elif start is None or day < start or (end is not None and day > end):
            invalid += 1
        else:
            pool.accepted.append(item)
    pool.ignored += undated + invalid
    if invalid:
        flags.append(
            SENTENCES.flag(
                "accreditation_invalid",
                "warning",
                dataset_ref=sheet.dataset_ref,
                lab=lab.name,
                accreditation_number=lab.accreditation_number,
                valid_from=start.isoformat() if start else "?",
                valid_until=end.isoformat() if end else fragment("date.open_ended"),
                row_count=invalid,
            )
        )
    if undated:
        flags.append(
            SENTENCES.flag(
                "test_date_missing", "warning", dataset_ref=sheet.dataset_ref, row_count=undated
            )
        )


def flag_maker_only(kind: str, flags: list[Flag], *, declared: bool) -> None:
    """No lab result counts; if the maker uploaded results of ``kind`` (``declared``: rows of a
    sheet whose source the rule set does not accept), say so, since they cannot decide. A value
    typed on the product form is no uploaded result and must not be passed as ``declared``."""
    if declared:
        flags.append(SENTENCES.flag("maker_only_evidence", "warning", kind=kind))


def flag_declared_disagreement(
    kind: str, declared_outcome: str, lab_outcome: str, flags: list[Flag]
) -> None:
    """The maker's own numbers, judged by the same limit, came out otherwise than the lab's."""
    flags.append(
        SENTENCES.flag(
            "declared_result_disagrees",
            "warning",
            kind=kind,
            declared_outcome=declared_outcome,
            lab_outcome=lab_outcome,
        )
    )
