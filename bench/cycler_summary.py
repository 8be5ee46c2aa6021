"""Summarising a large Battery Data Format CSV against pyarrow merely reading it (issue 11).

    .venv/bin/python bench/cycler_summary.py            # 10,000,000 rows, about 190 MB
    .venv/bin/python bench/cycler_summary.py --quick    # 1,000,000 rows, a fast check

Generates the file once (cached in $TMPDIR), then times, each in a fresh subprocess so that the
peak memory (``ru_maxrss``; tracemalloc does not see pyarrow's allocations) belongs to one
measurement: ``pyarrow.csv.read_csv`` reading the file (the baseline) and
``summarise_cycler`` summarising it. The profile is a cell cycled at 1 s: constant-current
charge, rest, constant-current discharge, rest. Goal: at most 1.5 times the baseline's time,
peak memory under 300 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = b"Test Time / s,Voltage / V,Current / A\n"
# One cycle: seconds of charge, rest, discharge, rest.
PHASES = ((3000, 1.5), (600, 0.0), (3000, -1.5), (600, 0.0))


def generate(path: Path, rows: int) -> None:
    """A BDF CSV of ``rows`` rows, written in blocks (numpy formats, nothing large in memory)."""
    import numpy as np

    cycle = sum(seconds for seconds, _ in PHASES)
    current_cycle = np.concatenate([np.full(s, a) for s, a in PHASES])
    # Voltage: rises in charge, relaxes in rest, falls in discharge; a little noise.
    level = np.concatenate(
        [
            np.linspace(3.3, 4.15, PHASES[0][0]),
            np.linspace(4.15, 4.1, PHASES[1][0]),
            np.linspace(4.05, 3.2, PHASES[2][0]),
            np.linspace(3.2, 3.3, PHASES[3][0]),
        ]
    )
    rng = np.random.default_rng(11)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        out.write(HEADER)
        block = 500_000
        for start in range(0, rows, block):
            k = np.arange(start, min(rows, start + block))
            volts = level[k % cycle] + rng.normal(0, 0.0005, len(k))
            amps = current_cycle[k % cycle]
            text = "".join(
                f"{t},{v:.4f},{a:g}\n"
                for t, v, a in zip(k.tolist(), volts.tolist(), amps.tolist(), strict=True)
            )
            out.write(text.encode())
    partial.rename(path)


def measure(kind: str, path: str) -> dict[str, float]:
    """One measurement, in this (fresh) process."""
    import resource

    if kind == "pyarrow":
        import pyarrow.csv

        started = time.perf_counter()
        table = pyarrow.csv.read_csv(path)
        elapsed = time.perf_counter() - started
        detail = f"{table.num_rows:,} rows"
    else:
        sys.path.insert(0, str(ROOT))
        from certification.parsers.cycler.scan import summarise_cycler

        with open(path, "rb") as stream:
            started = time.perf_counter()
            summary = summarise_cycler(stream)
            elapsed = time.perf_counter() - started
        main = summary.main_discharge
        detail = (
            f"{summary.rows_read:,} rows, {summary.discharge_segment_count} discharges, "
            f"main {main.energy_wh} Wh"
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": elapsed, "peak_mib": peak_kib / 1024, "detail": detail}


def _run(kind: str, path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000,000 rows instead of 10M")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    rows = args.rows or (1_000_000 if args.quick else 10_000_000)
    path = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / f"ssb-bench-bdf-{rows}.csv"
    if not path.exists():
        print(f"generating {path} ({rows:,} rows) ...", flush=True)
        generate(path, rows)
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB, {rows:,} rows")
    results = {}
    for kind in ("pyarrow", "summarise_cycler"):
        runs = [_run(kind, path) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        best["peak_mib"] = max(r["peak_mib"] for r in runs)
        results[kind] = best
        print(
            f"{kind:17} {best['seconds']:6.2f} s   peak RSS {best['peak_mib']:6.0f} MiB   "
            f"({best['detail']})"
        )
    ratio = results["summarise_cycler"]["seconds"] / results["pyarrow"]["seconds"]
    print(
        f"ratio {ratio:.2f} (goal: at most 1.5); summary peak under 300 MiB: "
        f"{'yes' if results['summarise_cycler']['peak_mib'] < 300 else 'NO'}"
    )


if __name__ == "__main__":
    main()
