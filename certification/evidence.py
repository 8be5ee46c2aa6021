"""From stored evidence to the pure engine and back.

Reads each uploaded file from storage, checks it is byte for byte what was uploaded (SHA-256),
parses it with the pure parsers, builds the engine's frozen inputs and returns the outcome as
JSON-safe data. The same path serves the worker and a regulator's re-run, so a reproduction uses
exactly the code that produced the original result.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from decimal import Decimal
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

from certification import criteria
from certification.models import Dataset, Evaluation, RuleSet
from certification.parsers.chamber import summarise_chamber_log
from certification.parsers.cycler.scan import summarise_cycler
from certification.parsers.sheets.parse import parse_sheet
from certification.rules import RuleSetData, load_ruleset
from certification.storage import EvidenceChanged as EvidenceChanged
from certification.storage import verified_file

# The code an evaluation's outcome depends on; its digest is part of the engine version.
_ENGINE_SOURCES = ("criteria", "rules", "parsers", "vocabulary.py", "evidence.py")


@lru_cache(maxsize=1)
def engine_version() -> str:
    """Package version plus a digest of the evaluation code, recorded with every evaluation."""
    digest = hashlib.sha256()
    base = Path(__file__).resolve().parent
    files: list[Path] = []
    for name in _ENGINE_SOURCES:
        path = base / name
        if path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
        elif path.exists():
            files.append(path)
    for path in files:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(path.read_bytes())
    try:
        version = metadata.version("ssb-portal")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"{version}+{digest.hexdigest()[:12]}"


@lru_cache(maxsize=16)
def _rule_data(sha256: str, source_text: str) -> RuleSetData:
    return load_ruleset(source_text)


def rule_data(ruleset: RuleSet) -> RuleSetData:
    """The rule set exactly as stored when it was loaded (not the file as it is today)."""
    return _rule_data(ruleset.sha256, ruleset.source_text)


def _chamber_limits(rules: RuleSetData) -> dict[str, Any]:
    """The weight-loss test's chamber conditions, from the rule set (never from code)."""
    temperature = rules.weight_loss.condition("temperature_c")
    pressure = rules.weight_loss.condition("pressure_pa")
    limits = {
        "target_c": (temperature.low + temperature.high) / 2,
        "tolerance_c": (temperature.high - temperature.low) / 2,
        "max_pressure_pa": pressure.value,
    }
    if rules.chamber_max_gap_s is not None:  # from gbt-ssb-2026 v3; v1/v2 accept any gap
        limits["max_gap_s"] = rules.chamber_max_gap_s
    return limits


def _num(value) -> float | None:
    return None if value is None else float(value)


def read_raw(
    kind: str,
    stream: BinaryIO,
    *,
    ruleset: RuleSet,
    on_rows: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a raw instrument file (streamed): what the portal made of it, and what its chart
    draws (``Dataset.summary``, ``Dataset.preview``). ``on_rows(rows, bytes)`` reports progress.
    Raises the parser's ``RawDataRejected``."""
    rules = rule_data(ruleset)
    if kind == Dataset.Kind.CYCLER:
        span = rules.cycler_max_duration_s
        summary = summarise_cycler(
            stream, progress=on_rows, max_duration_s=None if span is None else float(span)
        )
        return _cycler_record(summary)
    return _chamber_record(
        summarise_chamber_log(stream, progress=on_rows, **_chamber_limits(rules))
    )


def _series(preview: Any) -> dict[str, list[float]]:
    """A downsampled series as JSON: times (s) and values, 6 significant digits."""
    return {
        "t": [float(f"{t:.6g}") for t in preview.t],
        "y": [float(f"{y:.6g}") for y in preview.y],
    }


def _cycler_record(summary) -> tuple[dict[str, Any], dict[str, Any]]:
    main = summary.main_discharge
    record = {
        "format": summary.file_format,
        "encoding": summary.encoding,
        "rows_read": summary.rows_read,
        "duration_s": summary.duration_s,
        "discharge_segments": summary.discharge_segment_count,
        "main_discharge_energy_wh": main.energy_wh,
        "main_discharge_capacity_ah": main.capacity_ah,
        "main_discharge_mean_current_a": main.mean_current_a,
        "main_discharge_start_s": main.start_time_s,
        "main_discharge_duration_s": main.duration_s,
        "warnings": list(summary.warnings),
    }
    preview = {
        "kind": Dataset.Kind.CYCLER,
        "series": {name: _series(values) for name, values in summary.preview.items()},
        "main_discharge": {
            "start_s": main.start_time_s,
            "end_s": main.start_time_s + main.duration_s,
            "energy_wh": main.energy_wh,
            "capacity_ah": main.capacity_ah,
            "mean_current_a": main.mean_current_a,
        },
    }
    return record, preview


def _chamber_record(summary) -> tuple[dict[str, Any], dict[str, Any]]:
    hold = summary.hold
    record = {
        "format": "chamber_log",
        "encoding": summary.encoding,
        "rows_read": summary.rows_read,
        "duration_s": _num(summary.duration_s),
        "longest_hold_s": _num(hold.duration_s),
        "hold_min_temperature_c": _num(hold.min_temperature_c),
        "hold_max_temperature_c": _num(hold.max_temperature_c),
        "hold_max_pressure_pa": _num(hold.max_pressure_pa),
        "warnings": list(summary.warnings),
    }
    preview = {
        "kind": Dataset.Kind.CHAMBER_LOG,
        "series": {name: _series(values) for name, values in summary.preview.items()},
        "hold": {"start_s": _num(hold.start_s), "end_s": _num(hold.end_s)},
        "limits": {
            "target_c": _num(summary.target_c),
            "tolerance_c": _num(summary.tolerance_c),
            "pressure_limit_pa": _num(summary.pressure_limit_pa),
            "max_gap_s": _num(summary.max_gap_s),
        },
        "excursions": [_jsonable(e) for e in summary.excursions],
        "excursions_omitted": summary.excursions_omitted,
        "gaps": [_jsonable(g) for g in summary.gaps],
        "gaps_omitted": summary.gaps_omitted,
        "hold_break": summary.hold_break_text(),
        "start_clock": summary.start_clock,
    }
    return record, preview


def _jsonable(item: Any) -> Any:
    """A parser's small record (a dataclass or a mapping) as JSON-safe data."""
    if dataclasses.is_dataclass(item):
        item = dataclasses.asdict(item)
    if isinstance(item, dict):
        return {key: _jsonable(value) for key, value in item.items()}
    if isinstance(item, Decimal):
        return float(item)
    if isinstance(item, list | tuple):
        return [_jsonable(value) for value in item]
    return item


def _without_padding_zeros(value: Decimal | None) -> Decimal | None:
    """The stored value without the column's padding zeros (2.5000 -> 2.5, 100.0000 -> 100),
    so messages show what was declared; the value itself is unchanged."""
    if value is None:
        return None
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


def verified_stream(
    dataset: Dataset, *, reader: str = "worker"
) -> AbstractContextManager[BinaryIO]:
    """``with verified_stream(dataset) as stream:`` the stored file, once all its bytes matched
    the SHA-256 recorded at upload (certification/storage.py); raises ``EvidenceChanged``."""
    return verified_file(dataset, reader=reader)


def _lab_facts(dataset: Dataset) -> criteria.LabFacts | None:
    org = dataset.organisation
    if not org.accreditation_number:  # a manufacturer: its rows are declarations
        return None
    return criteria.LabFacts(
        name=org.name,
        accreditation_number=org.accreditation_number,
        accreditation_valid_from=org.accreditation_valid_from,
        accreditation_valid_until=org.accreditation_valid_until,
        assigned_to_submission=org.pk == dataset.submission.lab_id,
    )


def evaluation_datasets(evaluation: Evaluation) -> list[Dataset]:
    """The evidence an attempt is judged on: everything not withdrawn before it was submitted."""
    submission = evaluation.submission
    qs = submission.datasets.select_related("organisation", "submission").order_by(
        "uploaded_at", "id"
    )
    if evaluation.inputs:  # a finished evaluation names its inputs; a re-run uses exactly those
        return list(qs.filter(pk__in=[item["dataset"] for item in evaluation.inputs]))
    return list(qs.filter(withdrawn_at__isnull=True, parse_status=Dataset.ParseStatus.PARSED))


def file_refs(datasets: Iterable[Dataset]) -> dict[int, str]:
    """How the engine's sentences and flags name each file: by the name it was uploaded under
    ("cp.mpt", not an internal id); a name repeated among the files gets "#2", "#3", ... in
    upload order, so each sentence still points at one file."""
    refs: dict[int, str] = {}
    seen: dict[str, int] = {}
    for dataset in datasets:
        name = dataset.original_name
        seen[name] = seen.get(name, 0) + 1
        refs[dataset.pk] = name if seen[name] == 1 else f"{name} #{seen[name]}"
    return refs


def build_input(
    evaluation: Evaluation,
    datasets: Iterable[Dataset],
    *,
    progress: Callable[..., None] = lambda pct, stage, **params: None,
    rules: RuleSetData | None = None,
) -> tuple[criteria.EvaluationInput, list[dict[str, Any]]]:
    """The engine's input from an evaluation's stored files, read under ``rules`` (default: the
    evaluation's own rule set; a what-if or an impact analysis passes another one)."""
    rules = rules or rule_data(evaluation.ruleset)
    product = evaluation.submission.product
    datasets = list(datasets)
    refs = file_refs(datasets)
    sheets, cyclers, chambers, inputs = [], [], [], []
    for index, dataset in enumerate(datasets, start=1):
        progress(
            5 + int(80 * (index - 1) / max(len(datasets), 1)),
            Evaluation.Stage.READING_FILE,
            name=dataset.original_name,
        )
        inputs.append(
            {
                "dataset": dataset.pk,
                "kind": dataset.kind,
                "source": dataset.source,
                "name": dataset.original_name,
                "sha256": dataset.sha256,
            }
        )
        with verified_stream(dataset) as stream:
            ref = refs[dataset.pk]
            if dataset.kind in Dataset.SHEET_KINDS:
                parsed = parse_sheet(
                    dataset.kind,
                    stream.read(),
                    max_bytes=max(settings.SHEET_MAX_BYTES, dataset.size_bytes),
                    max_rows=max(settings.SHEET_MAX_ROWS, dataset.row_count),
                )
                sheets.append(
                    criteria.SheetEvidence(
                        kind=dataset.kind,
                        source=dataset.source,
                        dataset_ref=ref,
                        rows=parsed.rows,
                        lab=_lab_facts(dataset),
                    )
                )
            elif dataset.kind == Dataset.Kind.CYCLER and dataset.source == Dataset.Source.LAB:
                summary = summarise_cycler(stream)
                cyclers.append(
                    criteria.CyclerEvidence(
                        dataset_ref=ref,
                        main_discharge_energy_wh=summary.main_discharge.energy_wh,
                        format=summary.file_format,
                    )
                )
            elif dataset.kind == Dataset.Kind.CHAMBER_LOG and dataset.source == Dataset.Source.LAB:
                summary = summarise_chamber_log(stream, **_chamber_limits(rules))
                chambers.append(
                    criteria.ChamberEvidence(
                        dataset_ref=ref,
                        longest_hold_s=float(summary.hold.duration_s),
                        min_temperature_c=_num(summary.hold.min_temperature_c),
                        max_temperature_c=_num(summary.hold.max_temperature_c),
                        max_pressure_pa=_num(summary.hold.max_pressure_pa),
                        hold_break=summary.hold_break_text(),
                    )
                )
    data = criteria.EvaluationInput(
        claimed_class=evaluation.submission.claimed_class,
        product=criteria.ProductFacts(
            rated_capacity_ah=_without_padding_zeros(product.rated_capacity_ah),
            nominal_voltage_v=_without_padding_zeros(product.nominal_voltage_v),
            rated_energy_wh=_without_padding_zeros(product.rated_energy_wh),
            max_continuous_power_w=_without_padding_zeros(product.max_continuous_power_w),
            cell_mass_g=_without_padding_zeros(product.cell_mass_g),
            declared_liquid_electrolyte_pct=_without_padding_zeros(
                product.declared_liquid_electrolyte_pct
            ),
            electrolyte_family=product.electrolyte_family,
            conducting_ion=product.conducting_ion,
        ),
        sheets=tuple(sheets),
        cyclers=tuple(cyclers),
        chambers=tuple(chambers),
    )
    return data, inputs


def evaluate_evidence(
    evaluation: Evaluation, *, progress: Callable[..., None] = lambda pct, stage, **params: None
) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """Run the engine on an evaluation's evidence; returns (outcome, inputs, engine version)."""
    data, inputs = build_input(evaluation, evaluation_datasets(evaluation), progress=progress)
    progress(90, Evaluation.Stage.APPLYING_RULES)
    outcome = criteria.evaluate(rule_data(evaluation.ruleset), data).as_dict()
    outcome["product_snapshot"] = _product_snapshot(evaluation)
    return outcome, inputs, engine_version()


def _product_snapshot(evaluation: Evaluation) -> dict[str, Any]:
    """The product's declared facts as evaluated, so a later edit cannot change the record."""
    product = evaluation.submission.product
    fields = (
        "model_number", "name", "electrolyte_family", "conducting_ion", "rated_capacity_ah",
        "nominal_voltage_v", "rated_energy_wh", "max_continuous_power_w", "cell_mass_g",
        "declared_liquid_electrolyte_pct",
    )  # fmt: skip
    return {name: (None if (v := getattr(product, name)) is None else str(v)) for name in fields}


def reproduce(evaluation: Evaluation) -> dict[str, Any]:
    """Re-run a finished evaluation from its stored files and stored rule set text.

    Returns whether the outcome is identical, and both versions of anything that differs.
    """
    recomputed, inputs, version = evaluate_evidence(evaluation)
    # Results stored by older engines were put into the current form by migration 0004, so
    # the stored result compares with the re-run as it is.
    stored = evaluation.result or {}
    differences = {
        key: {"stored": stored.get(key), "recomputed": recomputed.get(key)}
        for key in sorted(set(stored) | set(recomputed))
        if stored.get(key) != recomputed.get(key)
    }
    return {
        "identical": not differences and inputs == evaluation.inputs,
        "differences": differences,
        "engine_version_then": evaluation.engine_version,
        "engine_version_now": version,
        "ruleset_sha256": evaluation.ruleset.sha256,
    }
