"""Migration 0010: evaluations stored with "dataset:<id>" in their sentences, flags and sample
records name the files as uploaded, as the engine now writes them, and reproduce as identical."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from certification import services
from certification.evidence import reproduce
from certification.models import Evaluation
from tests.certification.test_raw_evidence import bdf_discharge, chamber_log
from tests.conftest import upload_all, upload_read

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("certification.migrations.0010_evaluation_file_names")


def _as_stored_before(value, names: dict[str, str]):
    """Today's result with every file named as older engines did: ``dataset:<id>``."""
    if isinstance(value, str):
        for name, ref in names.items():
            value = value.replace(name, ref)
        return value
    if isinstance(value, list):
        return [_as_stored_before(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _as_stored_before(v, names) for k, v in value.items()}
    return value


def test_old_file_references_become_the_uploaded_names(submission, cast):
    upload_all(submission, cast["lab"])
    upload_read(submission, cast["lab"], "cycler", bdf_discharge(
        voltage_v=3.7, current_a=16.666667, hours=3), "discharge-run.bdf.csv")  # fmt: skip
    upload_read(submission, cast["lab"], "chamber_log", chamber_log(hours=5), "vacuum-log.csv")
    evaluation = services.submission_submit(user=cast["maker"], submission=submission)
    evaluation = services.evaluation_run(evaluation_id=evaluation.pk)
    today = evaluation.result
    names = {item["name"]: f"dataset:{item['dataset']}" for item in evaluation.inputs}
    old = _as_stored_before(today, names)
    assert old != today and "dataset:" in str(old)  # the short chamber log is named in a flag
    Evaluation.objects.filter(pk=evaluation.pk).update(result=old)

    MIGRATION.forwards(apps, None)
    evaluation.refresh_from_db()
    assert evaluation.result == today
    assert reproduce(evaluation)["identical"] is True
    MIGRATION.forwards(apps, None)  # again: nothing changes
    evaluation.refresh_from_db()
    assert evaluation.result == today
