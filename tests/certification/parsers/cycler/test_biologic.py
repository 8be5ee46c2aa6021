"""BioLogic .mpt text exports: latin-1, mA, decimal commas, negative voltage, techniques that
are no energy test, a main discharge without positive energy."""

from __future__ import annotations

import pytest

from certification.parsers.cycler.checks import check_main_discharge
from certification.parsers.errors import RawDataRejected
from tests.certification.parsers.cycler.exports import rejection, summarise, summarise_file


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


@pytest.mark.parametrize(
    ("name", "technique"),
    [
        ("biologic/cv__lines_1-300.mpt", "Cyclic Voltammetry"),
        ("biologic/lsv.mpt", "Linear Sweep Voltammetry"),
        ("biologic/peis.mpt", "Potentio Electrochemical Impedance Spectroscopy"),
        ("biologic/ocv.mpt", "Open Circuit Voltage"),
    ],
)
def test_it_refuses_a_real_biologic_file_of_a_technique_that_is_no_energy_test(name, technique):
    with pytest.raises(RawDataRejected) as caught:
        summarise_file(name)

    error = caught.value
    assert (error.file_format, error.line) == ("biologic", 4)
    assert error.message == (
        f'Line 4: this BioLogic file records "{technique}", which is not a charge or discharge '
        "technique, so it cannot hold the energy test (a constant-current discharge of the cell). "
        "Upload the export of the cycling run (for example GCPL, Modulo Bat or "
        "Chronopotentiometry)."
    )


def linked(*techniques: str) -> bytes:
    """An .mpt header of linked techniques, as EC-Lab writes it, and a one-hour discharge."""
    header = ["EC-Lab ASCII FILE", "Nb header lines : NN", "", "Number of linked techniques : 2"]
    for number, technique in enumerate(techniques, start=1):
        header += ["", f"Technique : {number}", technique, "tR (h:m:s)          0:01:0.0000"]
    header += ["", "mode\tNs\ttime/s\tEwe/V\tI/mA"]
    header[1] = f"Nb header lines : {len(header)}"
    rows = [f"1\t1\t{second}\t3.8\t-500" for second in range(0, 3601, 60)]
    return ("\n".join(header + rows) + "\n").encode()


def test_linked_techniques_are_refused_only_when_none_is_a_cycling_technique():
    summary = summarise(
        linked("Open Circuit Voltage", "Galvanostatic Cycling with Potential Limitation")
    )
    assert summary.main_discharge.energy_wh == pytest.approx(3.8 * 0.5)

    error = rejection(
        linked("Open Circuit Voltage", "Potentio Electrochemical Impedance Spectroscopy")
    )
    assert error.line == 7
    assert (
        'records "Open Circuit Voltage, Potentio Electrochemical Impedance Spectroscopy", which is'
        in error.message
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "biologic/cp.mpt",
            "Lines 58 to 178: the largest discharge of this BioLogic EC-Lab/BT-Lab .mpt text export "
            "has an energy of -0.0003324 Wh, which is not positive (its voltage runs from -3.246 V "
            "to 0 V).",
        ),
        (
            "biologic/mb__lines_1-189.mpt",
            "Lines 96 to 165: the largest discharge of this BioLogic EC-Lab/BT-Lab .mpt text export "
            "has an energy of -3.441e-11 Wh, which is not positive",
        ),
    ],
)
def test_a_main_discharge_without_positive_energy_is_refused(name, message):
    # Real EC-Lab exports measured against a reference electrode (cp.mpt runs from -3.2 V to
    # 0 V) or of a symmetric cell: their "discharge" has no positive energy, so the summary
    # refuses them instead of passing a negative energy on as the main discharge.
    with pytest.raises(RawDataRejected) as caught:
        summarise_file(name)

    assert caught.value.message.startswith(message)
    assert caught.value.line == int(message.split()[1])
    assert caught.value.file_format == "biologic"


def test_a_main_discharge_with_positive_energy_passes_the_check():
    summary = summarise(biologic_text(decimal_comma=False).encode())

    assert check_main_discharge(summary) is summary
