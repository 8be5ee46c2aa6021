"""Before a lab tests, the submission page and the downloadable templates state the rule set in
force's test conditions and sample counts and the accepted values, in English and Chinese."""

from __future__ import annotations

import io

import openpyxl
import pytest

from certification.parsers.sheets.columns import HEADERS_ZH
from certification.services.rulesets import ruleset_in_force

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _version() -> int:
    return ruleset_in_force().version


def test_the_lab_sees_the_conditions_of_the_rule_set_in_force(client, cast, submission):
    client.force_login(cast["lab"])
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert 'id="test-conditions"' in page
    assert f"From rule set <code>gbt-ssb-2026</code> version {_version()} " in page
    assert "<dt>Chamber temperature during drying</dt>" in page
    assert "<dd>120 ± 2 °C" in page
    assert "<dd>at least 6 h</dd>" in page
    assert "<dd>at most 1000 Pa" in page
    assert "<dd>at least 3 samples" in page
    assert "1 I3: rated capacity / 3 h, ± 5 %" in page
    assert "nail_penetration, crush, heating, immersion" in page
    assert "yes: yes, true, 1, y, 是; no: no, false, 0, n, 否" in page


def test_the_conditions_read_in_chinese_with_the_chinese_headers(client, cast, submission):
    client.force_login(cast["lab"])
    page = client.get(f"/submissions/{submission.pk}/", **ZH).content.decode()
    assert 'id="test-conditions"' in page
    assert "120 ± 2 °C" in page  # numbers and symbols as in the rule set
    assert f"<code>{HEADERS_ZH['leakage']}</code>" in page


def test_the_csv_template_carries_the_conditions(client, cast, submission):
    client.force_login(cast["lab"])
    text = client.get("/sheet-templates/weight_loss.csv").content.decode("utf-8-sig")
    assert f"# Test conditions of rule set gbt-ssb-2026 version {_version()} " in text
    assert "# - Chamber temperature during drying: 120 ± 2 °C" in text
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header.startswith("sample_id,mass_before_g")


def test_in_chinese_the_templates_have_the_chinese_headers(client, cast, submission):
    client.force_login(cast["lab"])
    text = client.get("/sheet-templates/weight_loss.csv", **ZH).content.decode("utf-8-sig")
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header.startswith(f"{HEADERS_ZH['sample_id']},{HEADERS_ZH['mass_before_g']}")
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/sheet-templates/safety.xlsx", **ZH).content)
    )
    assert [c.value for c in workbook.worksheets[0][1]][0] == HEADERS_ZH["sample_id"]
    notes = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert any("nail_penetration" in line for line in notes)


def test_a_downloaded_chinese_template_uploads_as_it_is(client, cast, submission):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification.models import Dataset

    client.force_login(cast["lab"])
    data = client.get("/sheet-templates/electrolyte_content.csv", **ZH).content
    response = client.post(
        f"/submissions/{submission.pk}/upload/",
        {"kind": "electrolyte_content", "file": SimpleUploadedFile("模板.csv", data)},
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get(submission=submission)
    assert dataset.row_count == 1
