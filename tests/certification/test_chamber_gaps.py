"""Issue 11: a logging gap in a chamber log must not count as a hold. Through the worker's path
with the rule set in force (gbt-ssb-2026 version 3, max_gap_s = 300 s): the issue's two logs
make the weight loss invalid, and the sentence says what cut the hold short, with the log's clock.
The stored summary and chart data carry the gap and the first timestamp."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from certification import services
from certification.evidence import rule_data
from certification.models import Evaluation
from tests.certification.test_raw_evidence import bdf_discharge
from tests.conftest import upload_read
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db

SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")
START = datetime.fromisoformat("2026-07-01T00:00:00+08:00")


def stamped(rows) -> bytes:
    lines = ["timestamp,temperature_c,pressure_pa"]
    for minute, temperature, pressure in rows:
        lines.append(f"{(START + timedelta(minutes=minute)).isoformat()},{temperature},{pressure}")
    return ("\n".join(lines) + "\n").encode()


def in_range(first: int, last: int, temperature="120.2"):
    return [(m, temperature, 400) for m in range(first, last + 1)]


# No readings from 2:55 to 5:20 (an excursion could hide there); 7 h 40 min of "hold" without
# a gap limit.
HIDDEN = stamped([(0, 25, 101325), (10, 90, 5000), *in_range(20, 175), *in_range(320, 480)])
# Two in-range readings 6.5 h apart.
TWO_READINGS = b"time_s,temperature_c,pressure_pa\n0,120,500\n23400,120,500\n"
# A visible excursion at 3:02, then 3 h 28 min in range.
EXCURSION = stamped(
    [*in_range(0, 181), (182, "123.6", 400), (183, "122.4", 400), *in_range(184, 392)]
)
# A pressure spike at 5:00 in an otherwise long log.
PRESSURE = stamped([*in_range(0, 299), (300, "120.2", 8400), *in_range(301, 600)])


def evaluate(submission, cast, chamber: bytes) -> Evaluation:
    for kind in SHEETS:
        upload_read(submission, cast["lab"], kind, sample_sheet(kind), f"{kind}.csv")
    cycler = bdf_discharge(voltage_v=3.7, current_a=50 / 3, hours=3)
    upload_read(submission, cast["lab"], "cycler", cycler, "run.bdf.csv")
    upload_read(submission, cast["lab"], "chamber_log", chamber, "oven.csv")
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    return services.evaluation_run(evaluation_id=evaluation.pk)


def weight_loss(evaluation: Evaluation) -> dict:
    return next(c for c in evaluation.result["criteria"] if c["code"] == "weight_loss")


@pytest.mark.parametrize(
    ("log", "cause"),
    [
        pytest.param(HIDDEN, "cut short by a gap with no readings 2:55–5:20", id="hidden-gap"),
        pytest.param(TWO_READINGS, "cut short by a gap with no readings 0:00–6:30", id="two"),
        pytest.param(EXCURSION, "cut short by an excursion to 123.6 °C at 3:02", id="excursion"),
        pytest.param(PRESSURE, "cut short by a pressure of 8400 Pa at 5:00", id="pressure"),
    ],
)
def test_a_chamber_log_whose_hold_was_cut_fails_the_six_hours_and_says_why(
    submission, cast, log, cause
):
    evaluation = evaluate(submission, cast, log)
    assert rule_data(evaluation.ruleset).chamber_max_gap_s == 300  # v3, the version in force
    found = weight_loss(evaluation)
    assert found["outcome"] == "incomplete"
    assert found["message_id"] == "weight_loss.invalid_chamber_log"
    assert cause in found["message"], found["message"]
    assert "required >= 6 h" in found["message"]
    flags = {f["code"]: f["message"] for f in evaluation.result["flags"]}
    assert cause in flags["chamber_log_conditions_not_met"]
    assert evaluation.certifiable is False


def test_the_stored_chart_data_marks_the_gap_and_the_clock(submission, cast):
    evaluate(submission, cast, HIDDEN)
    dataset = submission.datasets.get(kind="chamber_log")
    assert dataset.summary["longest_hold_s"] == 160 * 60
    preview = dataset.preview
    assert preview["gaps"] == [{"start_s": 175 * 60, "end_s": 320 * 60, "line": 160}]
    assert preview["start_clock"] == "2026-07-01T00:00:00+08:00"
    assert preview["limits"]["max_gap_s"] == 300
    assert set(preview["series"]) == {"temperature_c", "pressure_pa"}
