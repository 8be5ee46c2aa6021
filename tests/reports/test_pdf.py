"""The certificate PDF: what it states, in both languages, its stamp when not valid, its QR code
and its embedded font. No database: the document is plain values.

Each rendering is also written to test-results/ as PDF and PNG, to look at.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from django.utils import translation

from reports import documents, pdf
from reports.pdf import (
    STATUSES,
    CriterionRow,
    example_document,
    qr_svg,
    render_bare_pdf,
    render_certificate_pdf,
)

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
REASON = "Production cells failed the audit re-test of vacuum weight loss (1.9 %)."


@pytest.fixture
def poppler():
    # `make test` installs these; a missing tool is a failed setup, never a silent skip.
    missing = [t for t in ("pdftotext", "pdffonts", "pdftoppm") if not shutil.which(t)]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install poppler-utils (make test does)")


needs_poppler = pytest.mark.usefixtures("poppler")


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _save(name: str, pdf: bytes) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"certificate-{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        _run(
            "pdftoppm",
            "-r",
            "110",
            "-png",
            "-f",
            "1",
            "-singlefile",
            str(path),
            str(path.with_suffix("")),
        )
    return path


def _text(path: Path) -> str:
    """The PDF's text with runs of whitespace made single spaces, so wrapped lines still match."""
    return re.sub(r"\s+", " ", _run("pdftotext", "-enc", "UTF-8", str(path), "-"))


@pytest.fixture(scope="module")
def valid_pdf() -> Path:
    return _save("valid", render_certificate_pdf(example_document()))


@pytest.fixture(scope="module")
def revoked_pdf() -> Path:
    doc = example_document(status="revoked", status_reason=REASON, status_date=dt.date(2027, 3, 2))
    return _save("revoked", render_certificate_pdf(doc))


@needs_poppler
def test_it_states_what_section_7_asks_in_both_languages(valid_pdf):
    text = _text(valid_pdf)
    expected = [
        "Certificate of Conformity — Solid-State Battery Classification",
        "固态电池分类合格证书",
        "SSB-2026-000123",
        "Qingtao Energy Technology Co., Ltd. 青陶能源科技有限公司",
        "QT-SSB-520A",
        "Sulfide / 硫化物",
        "Lithium / 锂",
        "High-energy / 能量型",
        "SS-SUL-LI-HE",
        "All-solid-state battery",
        "全固态电池",
        "May be labelled",
        "允许标注",
        "“solid-state battery”",
        "“all-solid-state battery”",
        "“固态电池”",
        "Must not be labelled",
        "禁止标注",
        "“semi-solid”",
        "“半固态”",
        "“准固态”",
        "GB/T 43568-2026",
        "gbt-ssb-2026 v1",
        "2026-07-01",
        "Vacuum weight loss",
        "真空失重",
        "max 0.21 % (3 samples)",
        "≤ 0.5 %",
        "≥ 500 Wh/kg",
        "Safety: nail penetration",
        "none of: fire, explosion",
        "不得出现：起火、爆炸",
        "0 of 3 failed",
        "0 / 3 不通过",
        "Pass 通过",
        "China Automotive Battery Test Centre (Tianjin)",
        "CNAS L12345",
        "Li Wei, Anna Schmidt",
        "2026-07-15",
        "2029-07-14",
        "VALID 有效",
    ]
    missing = [s for s in expected if s not in text]
    assert not missing, f"missing {missing} in: {text}"
    # Printed under the QR code, where it may wrap.
    assert "https://ssb-portal.example.cn/verify/SSB-2026-000123" in text.replace(" ", "")
    assert "REVOKED" not in text


@needs_poppler
def test_it_fits_one_a4_page(valid_pdf):
    info = _run("pdfinfo", str(valid_pdf))
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert "595.276 x 841.89 pts (A4)" in info


@needs_poppler
def test_a_revoked_certificate_says_so_with_date_and_reason(revoked_pdf):
    text = _text(revoked_pdf)
    assert "REVOKED 已撤销" in text  # the banner and the stamp
    assert "2027-03-02" in text
    assert REASON in text
    assert "SSB-2026-000123" in text


@needs_poppler
def test_every_page_of_a_long_suspended_certificate_carries_the_watermark():
    rows = tuple(
        CriterionRow(f"safety.{t}", "pass", "3 of 3 samples", "", "no fire, no explosion", "")
        for t in ("crush", "heating") * 15
    )
    doc = example_document(
        status="suspended",
        status_reason="Audit pending.",
        status_date=dt.date(2027, 1, 5),
        criteria=rows,
    )
    path = _save("suspended-long", render_certificate_pdf(doc))
    pages = int(re.search(r"^Pages:\s+(\d+)$", _run("pdfinfo", str(path)), re.M)[1])
    assert pages >= 2
    for page in range(1, pages + 1):
        text = re.sub(
            r"\s+", " ", _run("pdftotext", "-f", str(page), "-l", str(page), str(path), "-")
        )
        assert "SUSPENDED 已暂停" in text
        assert "Audit pending." in text


@needs_poppler
def test_it_embeds_only_the_bundled_cjk_font(valid_pdf):
    fonts = _run("pdffonts", str(valid_pdf)).splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    names = {line.split()[0].split("+", 1)[-1] for line in fonts}
    assert names == {"Portal-CJK", "Portal-CJK-Bold"}
    for line in fonts:
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line
    assert "固态电池" in _text(valid_pdf)


@needs_poppler
def test_the_printed_qr_code_scans_back_to_the_verification_url(valid_pdf, tmp_path):
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg missing: apt-get install zbar-tools (make test does)")
    png = tmp_path / "page"
    _run("pdftoppm", "-r", "200", "-png", "-singlefile", str(valid_pdf), str(png))
    decoded = _run("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{png}.png")
    assert decoded.strip() == "https://ssb-portal.example.cn/verify/SSB-2026-000123"


def test_qr_svg_is_inline_and_encodes_the_url():
    url = "https://ssb-portal.example.cn/verify/SSB-2026-000123"
    svg = qr_svg(url)
    assert svg.startswith("<svg") and "<?xml" not in svg and "href" not in svg
    # The SVG path draws the same matrix segno builds for the URL at the same error level.
    qr = segno.make_qr(url, error="m")
    assert qr.designator.endswith("-M")
    assert svg == qr.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True)


def test_a_certificate_document_is_frozen_and_checks_its_status():
    doc = example_document(reviewers=["A", "B"])
    assert doc.reviewers == ("A", "B")
    hash(doc)
    with pytest.raises(ValueError, match="status"):
        example_document(status="draft")
    assert set(STATUSES) == {"valid", "suspended", "withdrawn", "revoked", "expired", "superseded"}
    row = {
        "code": "weight_loss",
        "outcome": "fail",
        "measured": "1.9",
        "comparator": "<=",
        "limit": "0.5",
        "unit": "%",
    }
    assert example_document(criteria=[row]).criteria == (CriterionRow(**row),)


@needs_poppler
def test_text_is_escaped_and_loads_nothing_from_outside(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    doc = example_document(
        holder_name=f'<img src="{secret.as_uri()}"> ACME <b>bold</b>',
        product_name='<link rel="stylesheet" href="https://example.com/x.css">',
    )
    path = tmp_path / "escaped.pdf"
    path.write_bytes(render_certificate_pdf(doc))
    text = _text(path)
    assert "<b>bold</b>" in text and '<link rel="stylesheet"' in text


def test_the_bare_baseline_is_a_pdf():
    assert render_bare_pdf().startswith(b"%PDF-")


def test_the_renderer_fetches_only_its_own_fonts_and_stylesheet():
    from reports.pdf import FONT_DIR, _AssetFetcher

    fetcher = _AssetFetcher()
    body = fetcher.fetch((FONT_DIR / "PortalCJK-Regular.otf").as_uri()).read()
    assert body[:4] == b"OTTO"
    for url in (
        "file:///etc/passwd",
        "https://example.com/x.css",
        (FONT_DIR / "../../pyproject.toml").as_uri(),
    ):
        with pytest.raises(ValueError, match="loads no"):
            fetcher.fetch(url)


@needs_poppler
def test_optional_fields_left_empty_still_render(tmp_path):
    doc = example_document(
        application=None,
        ruleset_effective_until=dt.date(2027, 12, 31),
        reviewers=[],
        criteria=[],
        status="expired",
        status_date=dt.date(2029, 7, 15),
    )
    path = tmp_path / "sparse.pdf"
    path.write_bytes(render_certificate_pdf(doc))
    text = _text(path)
    assert "2026-07-01 – 2027-12-31" in text
    assert "EXPIRED 已过期" in text and "Reason" not in text


@pytest.mark.parametrize("worker_language", ["en", "zh-hans"])
def test_words_in_the_criteria_table_are_printed_in_both_languages(worker_language):
    # As the engine stores a safety criterion; the worker may run in either language.
    stored = {
        "code": "safety.crush",
        "outcome": "pass",
        "measured": {"compared": "failed_count", "sample_count": 3, "failed_count": 0},
        "comparator": "none_in_any_sample",
        "limit": "fire, explosion",
        "unit": "",
    }
    with translation.override(worker_language):
        row = documents._criterion_row(stored)
        limit = pdf._limit_text(row)
        band = pdf._limit_text(
            documents._criterion_row(
                {**stored, "measured": 12.5, "comparator": "between_inclusive", "limit": "5 to 20",
                 "unit": "%"}
            )
        )  # fmt: skip
    assert (row.measured, row.measured_zh) == ("0 of 3 failed", "0 / 3 不通过")
    assert limit == {"en": "none of: fire, explosion", "zh": "不得出现：起火、爆炸"}
    assert band == {"en": "5 to 20 %", "zh": "5～20 %"}
