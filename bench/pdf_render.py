"""Certificate PDF rendering speed, beside a bare WeasyPrint page measured in the same run.

    .venv/bin/python bench/pdf_render.py [--repeat 20] [--cold]

Needs no database. Goal: rendering one certificate (``reports.pdf.render_certificate_pdf``,
template to PDF bytes, with a warm worker) takes a median under 0.5 s.
Baseline: ``render_bare_pdf``, a one-page document with no fonts or styles of ours.

``--cold`` also times the path without the per-thread cache (a new FontConfiguration and
stylesheet for every render), which is what each render would cost if the cache went away.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()
# WeasyPrint logs seven INFO lines per document; they would drown the figures.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from reports import pdf  # noqa: E402

GOAL_S = 0.5


def timings(fn: Callable[[], bytes], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def line(name: str, values: list[float]) -> str:
    return f"{name:<34} median {statistics.median(values):7.3f} s   p90 {p90(values):7.3f} s"


def uncached_render(doc: pdf.CertificateDocument) -> bytes:
    """The same render without the per-thread FontConfiguration and stylesheet."""
    return pdf._Renderer().write_pdf(pdf.render_to_string(pdf.TEMPLATE, pdf._context(doc)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="also time the uncached path")
    args = parser.parse_args()

    doc = pdf.example_document()
    start = time.perf_counter()
    first = pdf.render_certificate_pdf(doc)
    first_s = time.perf_counter() - start
    pdf.render_bare_pdf()  # warm WeasyPrint's own imports and caches alike

    certificate, bare = [], []
    for _ in range(args.repeat):  # interleaved, so drift in machine load hits both alike
        certificate += timings(lambda: pdf.render_certificate_pdf(doc), 1)
        bare += timings(pdf.render_bare_pdf, 1)

    print(f"{args.repeat} renders each; certificate PDF {len(first):,} bytes")
    print(f"{'first certificate (cold thread)':<34} {first_s:7.3f} s")
    print(line("certificate", certificate))
    print(line("bare one-page baseline", bare))
    if args.cold:
        print(line("certificate, no cache", timings(lambda: uncached_render(doc), args.repeat)))
    median = statistics.median(certificate)
    ratio = median / statistics.median(bare)
    print(f"ratio certificate / baseline (median): {ratio:.1f}x")
    held = median < GOAL_S
    print(f"goal: median < {GOAL_S} s: {'MET' if held else 'MISSED'} ({median:.3f} s)")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
