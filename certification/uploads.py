"""What the portal made of each uploaded file, as the submission page and the API show it.

A raw instrument file is read by a worker after the upload (``services.parsing``). Before anyone
submits, the lab sees the parse live (a percentage and the rows read) and then what the portal
made of the file: its format, rows, discharge segments, energy and warnings, and how it compares
with the result sheet already uploaded (a match within the rule set's tolerance, or the two
numbers side by side). Reads only; no state changes here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from certification import charts
from certification.criteria.energy_density import closest_row
from certification.evidence import rule_data
from certification.models import Dataset, RuleSet
from certification.parsers.cycler.summary import CYCLER_FORMATS
from certification.presentation import figure

P = Dataset.ParseStatus


def parse_error_text(dataset: Dataset) -> str:
    """Why the parser refused the file, in the active language (English if no template)."""
    if dataset.parse_status != P.REJECTED:
        return ""
    error = (dataset.summary or {}).get("error") or {}
    template, params = error.get("template") or "", error.get("params") or {}
    if not template:
        return dataset.parse_error
    try:
        return _(template) % params if params else _(template)
    except (KeyError, TypeError, ValueError):
        return dataset.parse_error


def format_label(dataset: Dataset) -> str:
    if dataset.file_format == "chamber_log":
        return _("Vacuum chamber log")
    if dataset.file_format in CYCLER_FORMATS:
        return _(CYCLER_FORMATS[dataset.file_format])
    return dataset.file_format.upper()


@dataclass(frozen=True)
class SheetMatch:
    """A cycler file's main discharge against the lab's energy sheet."""

    within: bool | None  # None: no sheet row to compare with yet
    cycler_wh: str
    sheet_wh: str | None = None
    sample_id: str | None = None
    deviation_pct: str | None = None
    tolerance_pct: str | None = None
    sheet_name: str | None = None


def energy_sheet_match(dataset: Dataset, sheets: Iterable[Dataset], ruleset: RuleSet) -> SheetMatch:
    """Compare a parsed cycler file's main-discharge energy with the lab's current energy sheet,
    as the energy criterion will (the row nearest in energy, the rule set's tolerance)."""
    energy = dataset.summary.get("main_discharge_energy_wh")
    raw = abs(Decimal(str(energy))) if energy is not None else None
    cycler_wh = figure(raw, digits=4) if raw is not None else "—"
    sheet = next(
        (
            s
            for s in sheets
            if s.kind == Dataset.Kind.ENERGY_DENSITY
            and s.source == dataset.source
            and s.withdrawn_at is None
            and s.summary.get("rows")
        ),
        None,
    )
    if sheet is None or raw is None:
        return SheetMatch(within=None, cycler_wh=cycler_wh)
    rule = rule_data(ruleset).energy_density
    rows = [
        {**row, "discharge_energy_wh": _decimal(row.get("discharge_energy_wh"))}
        for row in sheet.summary["rows"]
    ]
    best = closest_row([(row, None) for row in rows], raw)
    if best is None or rule is None:
        return SheetMatch(within=None, cycler_wh=cycler_wh, sheet_name=sheet.original_name)
    deviation, sheet_wh, sample_id = best
    return SheetMatch(
        within=rule.cycler_tolerance_pct.holds(deviation),
        cycler_wh=cycler_wh,
        sheet_wh=figure(sheet_wh, digits=4),
        sample_id=sample_id,
        deviation_pct=figure(deviation, digits=2),
        tolerance_pct=figure(rule.cycler_tolerance_pct.value, digits=2),
        sheet_name=sheet.original_name,
    )


def file_feedback(datasets: list[Dataset], ruleset: RuleSet) -> dict[int, dict[str, Any]]:
    """Per raw file (by id): its parse state and, once read, what the portal made of it."""
    out: dict[int, dict[str, Any]] = {}
    for dataset in datasets:
        if dataset.kind not in Dataset.RAW_KINDS:
            continue
        item: dict[str, Any] = {
            "status": dataset.parse_status,
            "status_label": dataset.get_parse_status_display(),
            "progress": dataset.parse_progress,
            "rows": dataset.parse_rows,
        }
        if dataset.parse_status == P.REJECTED:
            item["error"] = parse_error_text(dataset)
            item["line"] = dataset.parse_error_line
        elif dataset.parse_status == P.PARSED:
            summary = dataset.summary
            item.update(
                format=format_label(dataset),
                warnings=summary.get("warnings", []),
                duration_h=figure(Decimal(str(summary.get("duration_s") or 0)) / 3600, digits=2),
            )
            if dataset.kind == Dataset.Kind.CYCLER:
                item["segments"] = summary.get("discharge_segments")
                item["capacity_ah"] = figure(
                    _decimal(summary.get("main_discharge_capacity_ah")), digits=4
                )
                item["match"] = energy_sheet_match(dataset, datasets, ruleset)
            else:
                item["hold_h"] = figure(
                    Decimal(str(summary.get("longest_hold_s") or 0)) / 3600, digits=2
                )
        out[dataset.pk] = item
    return out


def _decimal(value: Any) -> Decimal | None:
    """A stored number (kept as its exact text) as a Decimal; None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def dataset_preview(dataset: Dataset) -> dict[str, Any]:
    """The numbers behind a file's chart (API ``/datasets/{id}/preview/``)."""
    return {
        "dataset": dataset.pk,
        "name": dataset.original_name,
        "kind": dataset.kind,
        "parse_status": dataset.parse_status,
        **(dataset.preview or {}),
    }


def still_reading(feedback: dict[int, dict[str, Any]]) -> bool:
    """Whether a worker has yet to read one of the files (the page then polls)."""
    return any(item["status"] in (P.QUEUED, P.PARSING) for item in feedback.values())


def file_status_json(datasets: list[Dataset], ruleset: RuleSet) -> dict[str, Any]:
    """The raw files' parse state for the page's poll (``submissions/<pk>/files.json``)."""
    feedback = file_feedback(datasets, ruleset)
    return {
        "reading": still_reading(feedback),
        "files": [
            {
                "id": pk,
                "status": item["status"],
                "status_label": item["status_label"],
                "progress": item["progress"],
                "rows": item["rows"],
            }
            for pk, item in feedback.items()
        ],
    }


def evidence_pictures(
    datasets: list[Dataset], *, rated_capacity_ah: Decimal | None, ruleset: RuleSet
) -> list[dict[str, Any]]:
    """A chart per parsed raw file still in the evidence (withdrawn and refused files have
    none), as ``{"id", "dataset", "spec"}`` for the page and the evaluation report."""
    rules = rule_data(ruleset)
    pictures = []
    for dataset in datasets:
        if (
            dataset.kind not in Dataset.RAW_KINDS
            or dataset.parse_status != P.PARSED
            or dataset.withdrawn_at is not None
            or not dataset.preview.get("series")
        ):
            continue
        if dataset.kind == Dataset.Kind.CYCLER:
            spec = charts.cycler_chart(dataset, rated_capacity_ah=rated_capacity_ah, rules=rules)
        else:
            spec = charts.chamber_chart(dataset)
        pictures.append({"id": f"chart-file-{dataset.pk}", "dataset": dataset, "spec": spec})
    return pictures


def evaluation_pictures(evaluation, claimed_class: str | None) -> list[dict[str, Any]]:
    """The charts of a finished evaluation (per-sample results against their limits)."""
    if evaluation is None or not evaluation.result:
        return []
    specs = charts.evaluation_charts(
        evaluation.result, rule_data(evaluation.ruleset), claimed_class
    )
    return [
        {"id": f"chart-eval-{evaluation.pk}-{index}", "spec": spec}
        for index, spec in enumerate(specs, start=1)
    ]
