"""The engine's sentences: valid templates, and a real evaluation's sentences read wholly in the
viewer's language, old stored ones included.

The words inside a sentence (failed test conditions, the content band, a chamber log's hold, the
safety limit, "(+2 more)", an open-ended accreditation) are translated with it. Every number the
cases use comes from the default rule set, never from this file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import string

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services
from certification.criteria import LISTED_IDS, MESSAGES, render_text, upgrade_params
from certification.evidence import reproduce
from certification.models import Evaluation
from certification.rules import RULESET_DIR, load_ruleset
from certification.samples import sample_sheet

pytestmark = pytest.mark.django_db

RULES = load_ruleset(
    (RULESET_DIR / f"{settings.CERTIFICATION_RULESET}.toml").read_text(encoding="utf-8")
)
TEMPERATURE = RULES.weight_loss.condition("temperature_c")
DURATION = RULES.weight_loss.condition("duration_h")
PRESSURE = RULES.weight_loss.condition("pressure_pa")
CURRENT = RULES.energy_density.discharge_current
HYBRID_BAND = RULES.class_rule("hybrid_solid_liquid").content_pct
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# What may stay Latin in a Chinese sentence: column names, sample ids, dataset refs, units.
CODES = re.compile(r"\w*_\w*|[A-Z]{2}-\d+|dataset:\d+|\b(?:Pa|Wh|kg|h|n)\b")
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(CODES.sub("", text))


def with_column(sheet: bytes, column: str, value) -> bytes:
    rows = list(csv.DictReader(io.StringIO(sheet.decode())))
    for row in rows:
        row[column] = str(value)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def chamber_log(*, hours) -> bytes:
    """A log that holds the rule set's temperature and pressure for ``hours``."""
    temperature = (TEMPERATURE.low + TEMPERATURE.high) / 2
    rows = ["time_s,temperature_c,pressure_pa", "0,25,101325"]
    t = 600
    while t <= 600 + hours * 3600:
        rows.append(f"{t},{temperature},{PRESSURE.value / 2}")
        t += 60
    rows.append(f"{t},25,101325")
    return ("\n".join(rows) + "\n").encode()


def upload(submission, user, kind, content, name=None):
    services.dataset_upload(
        user=user,
        submission=submission,
        kind=kind,
        upload=SimpleUploadedFile(name or f"{kind}.csv", content),
    )


def run(submission, cast) -> Evaluation:
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    return services.evaluation_run(evaluation_id=evaluation.pk)


@pytest.fixture
def conditions_not_met(submission, cast):
    """A hybrid cell whose weight-loss chamber ran too hot (more samples than a sentence lists),
    whose chamber log held too briefly, and whose energy test drew the wrong current."""
    lab = cast["lab"]
    too_hot = TEMPERATURE.high + 1
    current = 2 * submission.product.rated_capacity_ah / CURRENT.rate_hours.value
    weight_loss = sample_sheet("weight_loss", profile="hybrid_solid_liquid", rows=LISTED_IDS + 2)
    upload(submission, lab, "weight_loss", with_column(weight_loss, "temperature_c", too_hot))
    energy = sample_sheet("energy_density", profile="hybrid_solid_liquid")
    upload(submission, lab, "energy_density", with_column(energy, "discharge_current_a", current))
    for kind in ("electrolyte_content", "safety"):
        upload(submission, lab, kind, sample_sheet(kind, profile="hybrid_solid_liquid"))
    upload(submission, lab, "chamber_log", chamber_log(hours=DURATION.value - 1), "chamber.csv")
    return run(submission, cast)


def evaluation_json(api, user, submission, language) -> dict:
    response = api(user).get(f"/api/v1/submissions/{submission.pk}/", **language)
    assert response.status_code == 200
    return response.json()["evaluation"]


def messages(evaluation: dict) -> dict[str, str]:
    """Each criterion's and flag's sentence by code (a flag raised twice: both, one per line)."""
    out: dict[str, str] = {}
    for item in evaluation["criteria"] + evaluation["flags"]:
        out[item["code"]] = "\n".join(filter(None, (out.get(item["code"]), item["message"])))
    return out


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
    assert weight_loss.startswith("真空失重试验无效（并非不通过）：真空箱记录 dataset:")
    assert f"（保持时间 {hours}" in weight_loss and f"要求 ≥ {DURATION.value} h）" in weight_loss
    assert english_in(weight_loss) == []


def test_an_open_ended_accreditation_reads_in_chinese(api, cast, orgs, submission):
    # The lab's accreditation starts after the samples were tested and has no end date.
    orgs["lab"].accreditation_valid_from = dt.date(2026, 10, 1)
    orgs["lab"].accreditation_valid_until = None
    orgs["lab"].save()
    upload(submission, cast["lab"], "safety", sample_sheet("safety", test_date="2026-09-01"))
    run(submission, cast)
    flags = evaluation_json(api, cast["maker"], submission, ZH)["flags"]
    flag = next(f["message"] for f in flags if f["code"] == "accreditation_invalid")
    assert "（有效期 2026-10-01 至 长期）" in flag
    english = evaluation_json(api, cast["maker"], submission, EN)["flags"]
    assert "(valid 2026-10-01 to open-ended)" in next(
        f["message"] for f in english if f["code"] == "accreditation_invalid"
    )


def in_old_form(params: dict) -> dict:
    """Parameters as the engine stored them before sentence words were text values: English."""
    return {k: render_text(v) if isinstance(v, dict) else v for k, v in params.items()}


def as_stored_before(result: dict) -> dict:

    def old(items):
        return [{**i, "params": in_old_form(i["params"])} for i in items]

    return {**result, "criteria": old(result["criteria"]), "flags": old(result["flags"])}


def test_an_evaluation_stored_before_reads_in_chinese_and_reproduces(
    api, cast, submission, conditions_not_met
):
    before = as_stored_before(conditions_not_met.result)
    assert before != conditions_not_met.result
    Evaluation.objects.filter(pk=conditions_not_met.pk).update(result=before)
    chinese = messages(evaluation_json(api, cast["maker"], submission, ZH))
    for code, message in chinese.items():
        assert english_in(message) == [], (code, message)
    assert f"temperature_c 要求 {TEMPERATURE.low}～{TEMPERATURE.high} °C" in chinese["weight_loss"]
    conditions_not_met.refresh_from_db()
    for item in before["criteria"] + before["flags"]:
        upgraded = upgrade_params(item["message_id"], item["params"])
        assert in_old_form(upgraded) == item["params"]
    report = reproduce(conditions_not_met)
    assert report["identical"] is True, report["differences"]


def test_every_message_template_is_a_valid_format_string():
    for message_id, template in MESSAGES.items():
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        assert all(f.isidentifier() for f in fields), message_id
