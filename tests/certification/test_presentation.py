"""Numbers on the page with the precision of their measurement, the stored values unrounded;
sample tables and details headed by translated names, not record keys."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from certification.presentation import measured_view, shown_params, significant, value_text
from tests.certification.evaluated import run, upload
from tests.conftest import SHEETS
from tests.samples import sample_sheet


@pytest.fixture(autouse=True)
def _english():
    """English unless a test says otherwise, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "resolution", "shown"),
    [
        ("350", "0.01", "350.00"),
        ("350.126", "0.01", "350.13"),
        ("350.125", "0.01", "350.12"),  # half to even (GB/T 8170)
        ("9.97", "0.1", "10.0"),
        ("350.4", "1", "350"),
        ("350.4", "1E+1", "350"),  # a coarser balance never rounds to tens
        ("350.4", None, "350.4"),
        ("350.4", "0", "350.4"),
    ],
)
def test_a_weighed_mass_has_the_balances_decimals(value, resolution, shown):
    assert value_text(value, key="mass_before_g", resolution=resolution) == shown


@pytest.mark.parametrize(
    ("key", "stored", "shown"),
    [
        ("loss_pct", "0.265714", "0.266"),
        ("max_loss_pct", "0.5", "0.5"),  # never padded
        ("max_loss_pct", "10.333333", "10.3"),
        ("loss_pct", "0.002857", "0.00286"),
        ("deviation_pct", "2.345", "2.34"),
        ("min_energy_density_wh_per_kg", "530.285714", "530.3"),
        ("energy_density_wh_per_kg", "12345.678901", "12350"),
        ("nominal_discharge_current_a", "16.666667", "16.67"),
        ("longest_hold_h", "6.483333", "6.483"),
        ("loss_pct", "0", "0"),
        ("loss_pct", 0.123456, "0.123"),  # a JSON float, too
    ],
)
def test_a_computed_value_has_sensible_significant_digits(key, stored, shown):
    assert value_text(stored, key=key) == shown


@pytest.mark.parametrize(
    ("key", "stored"),
    [("discharge_energy_wh", "52.5123"), ("liquid_electrolyte_pct", "3.20"), ("sample_id", "007")],
)
def test_a_value_as_the_lab_wrote_it_stays_as_written(key, stored):
    assert value_text(stored, key=key) == stored


def test_significant_never_adds_digits():
    assert significant(Decimal("0.5"), 3) == Decimal("0.5")
    assert str(significant(Decimal("0.49999"), 3)) == "0.500"


def _weight_loss_record():
    return {
        "compared": "max_loss_pct",
        "sample_count": 1,
        "max_loss_pct": "0.265714",
        "samples": [
            {
                "sample_id": "WL-1",
                "dataset_ref": "wl.csv",
                "mass_before_g": "350",
                "mass_after_g": "349.07",
                "balance_resolution_g": "0.01",
                "loss_pct": "0.265714",
                "leakage": False,
            }
        ],
        "ignored_rows": 0,
        "conditions": {"temperature_c": "118 to 122 °C"},
        "declared": {"max_loss_pct": "0.123456", "outcome": "pass"},
    }


def test_the_measured_view_shows_precision_and_translated_headings():
    view = measured_view(_weight_loss_record())
    assert view["headline"] == "0.266"
    # In reading order (the database keeps a record's keys in its own): the file comes last.
    assert view["column_keys"] == [
        "sample_id",
        "mass_before_g",
        "mass_after_g",
        "leakage",
        "balance_resolution_g",
        "loss_pct",
        "dataset_ref",
    ]
    assert view["columns"] == [
        "Sample",
        "Mass before (g)",
        "Mass after (g)",
        "Leakage",
        "Balance resolution (g)",
        "Loss (%)",
        "File",
    ]
    assert view["rows"] == [["WL-1", "350.00", "349.07", "no", "0.01", "0.266", "wl.csv"]]
    assert list(view["details"]) == [
        "Samples",
        "Rows ignored",
        "Test conditions",
        "Maker's declarations",
    ]
    assert view["details"]["Rows ignored"] == "0"
    assert view["details"]["Test conditions"] == "Temperature (°C): 118 to 122 °C"
    assert view["details"]["Maker's declarations"] == "Highest loss (%): 0.123; Outcome: pass"


def test_headings_follow_the_active_language():
    with translation.override("zh-hans"):
        view = measured_view(_weight_loss_record())
        assert view["column_keys"][0] == "sample_id"
        assert "sample_id" not in view["columns"]
        assert view["rows"][0][3] == translation.gettext("no")


def test_sentence_parameters_are_rounded_inside_text_values_too():
    params = {
        "max_loss_pct": "0.265714",
        "sample_count": 3,
        "conditions": {
            "fragment": "list.chamber",
            "items": [{"fragment": "chamber.hold", "params": {"hold_h": "5.483333"}}],
        },
    }
    shown = shown_params(params)
    assert shown["max_loss_pct"] == "0.266"
    assert shown["conditions"]["items"][0]["params"]["hold_h"] == "5.483"
    assert params["max_loss_pct"] == "0.265714"  # the stored parameters are left alone


@pytest.mark.django_db
def test_the_page_rounds_and_the_stored_result_does_not(client, api, cast, submission):
    weight_loss = (
        "sample_id,mass_before_g,mass_after_g,temperature_c,duration_h,pressure_pa,leakage,"
        "balance_resolution_g,test_date\n"
        + "".join(f"WL-{i},350,349.07,120,6.5,500,no,0.01,2026-09-01\n" for i in range(1, 4))
    ).encode()
    upload(submission, cast["lab"], "weight_loss", weight_loss)
    for kind in SHEETS[1:]:
        upload(submission, cast["lab"], kind, sample_sheet(kind))
    evaluation = run(submission, cast)
    stored = next(c for c in evaluation.result["criteria"] if c["code"] == "weight_loss")
    assert stored["measured"]["max_loss_pct"] == "0.265714"
    assert "0.265714 %" in stored["message"]
    client.force_login(cast["maker"])
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    # What people read (the charts' data, in script elements, keep the full values).
    text = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    assert "0.265714" not in text
    assert "the highest loss is 0.266 %" in page
    assert "<td>350.00</td>" in page
    assert '<th scope="col">Mass before (g)</th>' in page
    message = next(
        c["message"]
        for c in api(cast["maker"])
        .get(f"/api/v1/submissions/{submission.pk}/")
        .json()["evaluation"]["criteria"]
        if c["code"] == "weight_loss"
    )
    assert "0.266 %" in message
