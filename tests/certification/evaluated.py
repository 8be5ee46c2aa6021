"""Real evaluations through the worker's path, for the sentence and migration tests: the default
rule set's samples uploaded with one thing changed, the evaluation run, and its sentences read
back through the API in a language.
"""

from __future__ import annotations

import csv
import io
import re

from django.conf import settings

from certification import services
from certification.criteria import LISTED_IDS
from certification.models import Evaluation
from certification.rules import RULESET_DIR, load_ruleset
from tests.conftest import upload_read
from tests.samples import sample_sheet

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
# Codes, sample ids, units and file names as uploaded ("chamber.csv") are not English prose.
CODES = re.compile(
    r"[\w.-]+\.(?:csv|xlsx|json|mpt|mpr|ndax|txt|pdf)\b|\w*_\w*|[A-Z]{2}-\d+|dataset:\d+"
    r"|\b(?:Pa|Wh|kg|h|n)\b"
)
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
    upload_read(submission, user, kind, content, name or f"{kind}.csv")


def run(submission, cast) -> Evaluation:
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    return services.evaluation_run(evaluation_id=evaluation.pk)


def run_with_conditions_not_met(submission, cast) -> Evaluation:
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
