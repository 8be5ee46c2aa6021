"""Neware CSV exports: English and Chinese headers, mA, the regular export, step times."""

from __future__ import annotations

import csv

import pytest

from tests.certification.parsers.cycler.exports import DATA, summarise, summarise_file


def test_its_neware_energy_matches_the_discharge_energy_column():
    with (DATA / "neware/neware_uio__lines_2045-2415.csv").open(newline="") as stream:
        step4 = [row for row in csv.DictReader(stream) if row["Step Index"] == "4"]

    main = summarise_file("neware/neware_uio__lines_2045-2415.csv").main_discharge

    assert main.energy_wh == pytest.approx(float(step4[-1]["DChg. Energy(Wh)"]), rel=2e-3)
    assert main.capacity_ah == pytest.approx(float(step4[-1]["DChg. Cap.(Ah)"]), rel=2e-3)
    assert main.duration_s == 10181  # 31:04:13 to 33:53:54, from hh:mm:ss


def test_its_neware_regular_export_matches_the_step_row():
    # The step row of step 4 (CC DChg) reads: capacity 0.33067 Ah, energy 1.34319 Wh.
    main = summarise_file("neware/nw_regular_export_ife_example__lines_1-423.csv").main_discharge

    assert main.energy_wh == pytest.approx(1.34319, rel=1e-3)
    assert main.capacity_ah == pytest.approx(0.33067, rel=1e-3)
    assert main.mean_current_a == pytest.approx(0.474, rel=1e-3)


def test_it_reads_a_neware_export_with_chinese_headers_in_gb18030_and_ma():
    # The current is logged positive in the discharge step: the step type 恒流放电 decides.
    rows = ["数据序号,循环号,工步号,工步类型,时间,总时间,电流(mA),电压(V),容量(mAh),能量(mWh),日期"]
    record = 0
    for step, kind, seconds, milliamps in ((1, "搁置", 600, 0), (2, "恒流放电", 1800, 1500)):
        for second in range(0, seconds + 1, 60):
            record += 1
            total = (0 if step == 1 else 600) + second
            rows.append(
                f"{record},1,{step},{kind},0:{second // 60:02d}:{second % 60:02d},"
                f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d},{milliamps},3.70,0,0,"
                "2026-01-01 00:00:00"
            )
    data = ("\n".join(rows) + "\n").encode("gb18030")

    summary = summarise(data)

    assert (summary.file_format, summary.encoding) == ("neware", "gb18030")
    assert summary.rows_read == 11 + 31
    main = summary.main_discharge
    assert main.step == "1/2"
    assert main.energy_wh == pytest.approx(3.7 * 1.5 * 1800 / 3600, rel=1e-6)
    assert main.capacity_ah == pytest.approx(0.75, rel=1e-6)
    assert main.start_time_s == 600


def test_it_rebuilds_the_test_time_from_a_neware_step_time_that_restarts_each_step():
    header = "记录序号,状态,跳转,循环,步次,电流(mA),电压(V),容量(mAh),能量(mWh),相对时间(h:min:s.ms),绝对时间"
    rows = [header]
    record = 0
    plan = ((1, "搁置", 300, 0), (2, "恒流放电", 1200, -2000), (3, "搁置", 300, 0))
    for step, state, seconds, milliamps in plan:
        for second in range(0, seconds + 1, 30):
            record += 1
            rows.append(
                f"{record},{state},1,1,{step},{milliamps},3.5,0,0,"
                f"0:{second // 60:02d}:{second % 60:02d}.000,2026-01-01 00:00:00"
            )
    data = ("\n".join(rows) + "\n").encode("gb18030")

    summary = summarise(data)

    assert summary.duration_s == 1800
    assert summary.rows_skipped == 0
    assert summary.main_discharge.start_time_s == 300
    assert summary.main_discharge.energy_wh == pytest.approx(3.5 * 2 * 1200 / 3600, rel=1e-6)
