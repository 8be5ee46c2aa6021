"""The engine's sentences: valid templates, and a real evaluation's sentences read wholly in the
viewer's language (stored by an older engine: tests/certification/test_migration_0004.py).

The words inside a sentence (failed test conditions, the content band, a chamber log's hold, the
safety limit, "(+2 more)", an open-ended accreditation) are translated with it. Every number the
cases use comes from the default rule set, never from this file.
"""

from __future__ import annotations

import datetime as dt
import string

import pytest

from certification.criteria import MESSAGES
from tests.certification.evaluated import (
    CURRENT,
    DURATION,
    EN,
    HYBRID_BAND,
    TEMPERATURE,
    ZH,
    chamber_log,
    english_in,
    evaluation_json,
    messages,
    run,
    run_with_conditions_not_met,
    upload,
)
from tests.conftest import upload_all
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def conditions_not_met(submission, cast):
    return run_with_conditions_not_met(submission, cast)


def test_failed_conditions_band_and_chamber_hold_read_in_chinese(
    api, cast, submission, conditions_not_met
):
    chinese = messages(evaluation_json(api, cast["maker"], submission, ZH))
    for code, message in chinese.items():
        assert english_in(message) == [], (code, message)
    low, high = TEMPERATURE.low, TEMPERATURE.high
    assert f"temperature_c 要求 {low}～{high} °C" in chinese["weight_loss"]
    assert "（另有 2 个）" in chinese["weight_loss"]
    assert f"temperature_c 要求 {low}～{high} °C" in chinese["invalid_test_conditions"]
    assert (
        f"discharge_current_a 要求 额定容量 / {CURRENT.rate_hours.value} h ± "
        f"{CURRENT.tolerance_pct.value} %" in chinese["energy_density"]
    )
    assert f"（{HYBRID_BAND.low}～{HYBRID_BAND.high} %）" in chinese["electrolyte_content"]
    hold = chinese["chamber_log_conditions_not_met"]
    assert f"保持时间 {DURATION.value - 1}" in hold and f"要求 ≥ {DURATION.value} h" in hold


def test_the_same_sentences_still_read_in_english(api, cast, submission, conditions_not_met):
    english = messages(evaluation_json(api, cast["maker"], submission, EN))
    assert english == messages(conditions_not_met.result)
    low, high = TEMPERATURE.low, TEMPERATURE.high
    assert f"(temperature_c required {low} to {high} °C) for samples" in english["weight_loss"]
    assert english["weight_loss"].endswith(" (+2 more).")
    assert (
        f"discharge_current_a required rated capacity / {CURRENT.rate_hours.value} h ± "
        f"{CURRENT.tolerance_pct.value} %" in english["energy_density"]
    )
    assert f"band ({HYBRID_BAND.low} to {HYBRID_BAND.high} %)" in english["electrolyte_content"]
    assert f"required >= {DURATION.value} h" in english["chamber_log_conditions_not_met"]


def test_the_criteria_table_names_limits_and_conditions_in_chinese(
    client, cast, submission, conditions_not_met
):
    client.force_login(cast["maker"])
    page = client.get(f"/submissions/{submission.pk}/", **ZH).content.decode()
    assert "起火、爆炸" in page and "fire, explosion" not in page
    assert f"{HYBRID_BAND.low}～{HYBRID_BAND.high} %" in page
    assert "额定容量 / " in page and "rated capacity" not in page
    assert " required " not in page and "more)" not in page
    english = client.get(f"/submissions/{submission.pk}/", **EN).content.decode()
    assert "fire, explosion" in english
    assert f"{HYBRID_BAND.low} to {HYBRID_BAND.high} %" in english


def test_a_chamber_log_that_held_too_briefly_reads_in_chinese(api, cast, submission):
    for kind in ("weight_loss", "electrolyte_content", "energy_density", "safety"):
        upload(submission, cast["lab"], kind, sample_sheet(kind))
    hours = DURATION.value - 1
    upload(submission, cast["lab"], "chamber_log", chamber_log(hours=hours), "chamber.csv")
    run(submission, cast)
    weight_loss = messages(evaluation_json(api, cast["maker"], submission, ZH))["weight_loss"]
    assert weight_loss.startswith("真空失重试验无效（并非不通过）：真空箱记录 chamber.csv ")
    assert f"（保持时间 {hours}" in weight_loss and f"要求 ≥ {DURATION.value} h，" in weight_loss
    assert "中断原因" in weight_loss  # what cut the hold short, in Chinese too
    assert english_in(weight_loss) == []


def test_an_open_ended_accreditation_reads_in_chinese(api, cast, orgs, submission):
    # The lab's accreditation starts after the samples were tested and has no end date.
    orgs["lab"].accreditation_valid_from = dt.date(2026, 10, 1)
    orgs["lab"].accreditation_valid_until = None
    orgs["lab"].save()
    upload(submission, cast["lab"], "safety", sample_sheet("safety", test_date="2026-09-01"))
    upload_all(
        submission, cast["lab"], kinds=("weight_loss", "electrolyte_content", "energy_density")
    )
    run(submission, cast)
    flags = evaluation_json(api, cast["maker"], submission, ZH)["flags"]
    flag = next(f["message"] for f in flags if f["code"] == "accreditation_invalid")
    assert "（有效期 2026-10-01 至 长期）" in flag
    english = evaluation_json(api, cast["maker"], submission, EN)["flags"]
    assert "(valid 2026-10-01 to open-ended)" in next(
        f["message"] for f in english if f["code"] == "accreditation_invalid"
    )


def test_every_message_template_is_a_valid_format_string():
    for message_id, template in MESSAGES.items():
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        assert all(f.isidentifier() for f in fields), message_id
