"""BioLogic .mpt text exports: latin-1, mA, decimal commas, negative voltage."""

from __future__ import annotations

import pytest

from tests.certification.parsers.cycler.exports import summarise, summarise_file


def test_its_biologic_capacity_matches_the_q_discharge_column_and_warns_of_negative_voltage():
    summary = summarise_file("biologic/cp.mpt")

    assert summary.main_discharge.capacity_ah == pytest.approx(3.302615821850671e-3, rel=1e-4)
    assert summary.main_discharge.mean_current_a == pytest.approx(0.0999, rel=1e-3)  # mA -> A
    assert summary.warnings == (
        "4 rows have a negative voltage; a cell's terminal voltage is positive, so check the "
        "electrode connections or the voltage column.",
    )


def biologic_text(*, decimal_comma: bool, current_ma: float = -500.0) -> str:
    columns = ["mode", "ox/red", "Ns", "time/s", "Ecell/V", "I/mA", "cycle number"]
    header = [
        "EC-Lab ASCII FILE",
        "Nb header lines : 7",
        "",
        "Galvanostatic Cycling with Potential Limitation",
        "",
        "Cs : 10 µF",  # a latin-1 byte in the header block
        "\t".join(columns),
    ]
    rows = []
    for second in range(0, 7201, 60):
        values = ["1", "0", "2", f"{second:.3f}", "3.800", f"{current_ma:.1f}", "1"]
        if decimal_comma:
            values = [value.replace(".", ",") for value in values]
        rows.append("\t".join(values))
    return "\n".join(header + rows) + "\n"


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_it_reads_a_biologic_mpt_in_latin1_with_ma_and_decimal_commas(decimal_comma):
    data = biologic_text(decimal_comma=decimal_comma).encode("latin-1")

    summary = summarise(data)

    assert (summary.file_format, summary.encoding) == ("biologic", "latin-1")
    assert summary.rows_read == 121
    main = summary.main_discharge
    assert main.step == "1/2"
    assert main.first_line == 8
    assert main.energy_wh == pytest.approx(3.8 * 0.5 * 2, rel=1e-6)
    assert main.mean_current_a == pytest.approx(0.5, rel=1e-6)
