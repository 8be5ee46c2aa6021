"""Flags and sentences name files as they were uploaded ("chamber.csv"), never by an internal
id ("dataset:6"); a name given twice stays unambiguous."""

from __future__ import annotations

import json

import pytest

from certification.evidence import file_refs
from certification.models import Dataset
from tests.certification.evaluated import DURATION, chamber_log, run, upload
from tests.conftest import SHEETS
from tests.samples import sample_sheet

pytestmark = pytest.mark.django_db


def test_a_chamber_log_that_held_too_briefly_is_named_by_its_file(cast, submission):
    for kind in SHEETS:
        upload(submission, cast["lab"], kind, sample_sheet(kind))
    hours = DURATION.value - 1
    upload(submission, cast["lab"], "chamber_log", chamber_log(hours=hours), "箱体记录-7.csv")
    evaluation = run(submission, cast)
    flag = next(
        f for f in evaluation.result["flags"] if f["code"] == "chamber_log_conditions_not_met"
    )
    assert flag["message"].startswith("Chamber log 箱体记录-7.csv does not show the required hold")
    weight_loss = next(c for c in evaluation.result["criteria"] if c["code"] == "weight_loss")
    assert "chamber log 箱体记录-7.csv does not show" in weight_loss["message"]
    assert "dataset:" not in json.dumps(evaluation.result, ensure_ascii=False)


def test_sample_rows_name_the_sheet_they_came_from(cast, submission):
    for kind in SHEETS:
        upload(submission, cast["lab"], kind, sample_sheet(kind), f"lab-{kind}.csv")
    evaluation = run(submission, cast)
    weight_loss = next(c for c in evaluation.result["criteria"] if c["code"] == "weight_loss")
    assert {row["dataset_ref"] for row in weight_loss["measured"]["samples"]} == {
        "lab-weight_loss.csv"
    }


def test_a_name_given_twice_gets_a_number_in_upload_order(cast, submission):
    upload(submission, cast["lab"], "weight_loss", sample_sheet("weight_loss"), "wl.csv")
    upload(submission, cast["lab"], "safety", sample_sheet("safety"), "results.csv")
    upload(submission, cast["lab"], "energy_density", sample_sheet("energy_density"), "results.csv")
    datasets = list(Dataset.objects.filter(submission=submission).order_by("uploaded_at", "id"))
    assert list(file_refs(datasets).values()) == ["wl.csv", "results.csv", "results.csv #2"]
