"""Raw instrument data in an evaluation: the cycler file cross-checks the sheet's energy, and the
chamber log shows the weight-loss conditions held (STANDARD.md section 6)."""

from __future__ import annotations

import pytest

from certification import services
from tests.conftest import upload_read
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db

SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")


def bdf_discharge(*, voltage_v: float, current_a: float, hours: float, step_s: int = 60) -> bytes:
    """A BDF time series: a rest, then a constant-current discharge (negative current)."""
    lines = ["Test Time / s,Voltage / V,Current / A", "0,4.2,0", f"{step_s},4.2,0"]
    t = step_s
    for _ in range(int(hours * 3600 / step_s) + 1):
        lines.append(f"{t},{voltage_v},{-current_a}")
        t += step_s
    lines.append(f"{t},3.0,0")
    return ("\n".join(lines) + "\n").encode()


def chamber_log(*, hours: float, temperature_c: float = 120.0, pressure_pa: float = 500) -> bytes:
    rows = ["time_s,temperature_c,pressure_pa", "0,25,101325", "600,80,20000"]
    t = 1200
    while t <= 1200 + hours * 3600:
        rows.append(f"{t},{temperature_c},{pressure_pa}")
        t += 60
    rows.append(f"{t},60,101325")
    return ("\n".join(rows) + "\n").encode()


def _upload(submission, user, kind, content, name):
    return upload_read(submission, user, kind, content, name)


def _evaluate(submission, cast, *, cycler: bytes, chamber: bytes):
    for kind in SHEETS:
        _upload(submission, cast["lab"], kind, sample_sheet(kind), f"{kind}.csv")
    _upload(submission, cast["lab"], "cycler", cycler, "run.bdf.csv")
    _upload(submission, cast["lab"], "chamber_log", chamber, "chamber.csv")
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    return services.evaluation_run(evaluation_id=evaluation.pk)


def _criterion(evaluation, code):
    return next(c for c in evaluation.result["criteria"] if c["code"] == code)


def test_matching_raw_data_confirms_the_sheets(submission, cast):
    # 3.7 V x 50/3 A x 3 h = 185 Wh, the sheet reports 185.50 Wh for its 350 g cells.
    evaluation = _evaluate(
        submission, cast, cycler=bdf_discharge(voltage_v=3.7, current_a=50 / 3, hours=3),
        chamber=chamber_log(hours=6.5),
    )  # fmt: skip
    assert evaluation.certifiable is True, evaluation.result["flags"]
    flags = {f["code"] for f in evaluation.result["flags"]}
    assert "no_cycler_data" not in flags and "no_chamber_log" not in flags, flags
    dataset = submission.datasets.get(kind="cycler")
    assert dataset.summary["format"] == "bdf"
    assert dataset.summary["main_discharge_energy_wh"] == pytest.approx(185, rel=0.01)
    assert submission.datasets.get(kind="chamber_log").summary["longest_hold_s"] >= 6 * 3600


def test_a_cycler_file_that_contradicts_the_sheet_makes_energy_incomplete(submission, cast):
    evaluation = _evaluate(
        submission, cast, cycler=bdf_discharge(voltage_v=3.7, current_a=40 / 3, hours=3),
        chamber=chamber_log(hours=6.5),
    )  # fmt: skip
    assert _criterion(evaluation, "energy_density")["outcome"] == "incomplete"
    assert evaluation.certifiable is False
    assert "cycler_energy_mismatch" in {f["code"] for f in evaluation.result["flags"]}


def test_a_chamber_log_that_did_not_hold_six_hours_makes_weight_loss_incomplete(submission, cast):
    evaluation = _evaluate(
        submission, cast, cycler=bdf_discharge(voltage_v=3.7, current_a=50 / 3, hours=3),
        chamber=chamber_log(hours=5),
    )  # fmt: skip
    assert _criterion(evaluation, "weight_loss")["outcome"] == "incomplete"
    assert "chamber_log_conditions_not_met" in {f["code"] for f in evaluation.result["flags"]}
    assert evaluation.certifiable is False
