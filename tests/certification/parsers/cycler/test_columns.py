"""Header labels: one normalised name and unit from every spelling the vendors use."""

from __future__ import annotations

import pytest

from certification.parsers.cycler.columns import column, find


@pytest.mark.parametrize(
    ("label", "name", "unit"),
    [
        ("Test Time / s", "testtime", "s"),
        ("Current / µA", "current", "ua"),
        ("Test_Time(s)", "testtime", "s"),
        ("Voltage [V]", "voltage", "v"),
        ("电流(mA)", "电流", "ma"),
        ("test_time_second", "testtime", "second"),
        ("voltage_millivolt", "voltage", "millivolt"),
        ("Ecell/V", "ecell", "v"),
        ("<I>/mA", "i", "ma"),
        ("\ufeffRec#", "rec#", ""),
        ("Cyc#", "cyc#", ""),
        ("Step Index / 1", "stepindex", "1"),
        ("相对时间(h:min:s.ms)", "相对时间", "h:min:s.ms"),
    ],
)
def test_it_reads_a_label_into_a_name_and_a_unit(label, name, unit):
    read = column(3, label)

    assert (read.index, read.name, read.unit) == (3, name, unit)
    assert read.label == label.lstrip("\ufeff")


def test_find_prefers_the_first_name_listed_and_can_ask_for_no_unit():
    columns = [column(0, "Cycle / h"), column(1, "Step"), column(2, "Cycle")]

    assert find(columns, ("cycle",)) == columns[0]
    assert find(columns, ("cycle",), unitless=True) == columns[2]
    assert find(columns, ("stepindex", "step")) == columns[1]
    assert find(columns, ("time",)) is None
