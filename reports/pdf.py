"""The certificate PDF (STANDARD.md section 7): the one place that calls WeasyPrint.

``render_certificate_pdf`` takes a ``CertificateDocument`` of plain values (built from the frozen
``Certificate.content`` elsewhere) and returns PDF bytes. The certificate is bilingual whatever the
active language: English and Chinese side by side, written literally in the template. The
scheme's codes (status, electrolyte family, conducting ion, application, criterion, outcome) are
printed with their one definition (``certification.vocabulary``, ``Certificate.Status``),
translated under each language in turn, so their Chinese comes from ``locale/``.

It never uses a system font. ``static/fonts/PortalCJK-*.otf`` (a GB2312 subset of Noto Sans CJK SC,
made ahead of time by ``scripts/make_cjk_font_subset.py``) is the only font the stylesheet names,
and the URL fetcher refuses every resource outside the repository's font and template folders, so
neither a missing font nor text in a certificate can make WeasyPrint reach the network or the disk.

Speed: a WeasyPrint ``FontConfiguration`` loads the system's Fontconfig setup and, for each
``@font-face``, copies and registers the font file; the parsed stylesheet carries the registered
fonts. Both are built once per thread and reused, so a render only lays out and subsets
(HarfBuzz) the glyphs it uses. ``bench/pdf_render.py`` measures it against a bare document.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from certification import criteria, vocabulary
from reports.models import Certificate

STATUSES = tuple(Certificate.Status.values)
TEMPLATE = "reports/certificate.html"

_NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?")
COMPARATOR_SIGNS = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "between_inclusive": ""}


@dataclass(frozen=True)
class CriterionRow:
    """One line of the criteria table: ``measured`` already as text ("0.21 (max of 3)", or
    "0 of 3 failed" with its Chinese in ``measured_zh`` where that reads differently), the
    limit as the engine stores it (``<=``, ``0.5``, ``%``; ``none_in_any_sample``,
    ``fire, explosion``)."""

    code: str
    outcome: str
    measured: str
    comparator: str
    limit: str
    unit: str
    measured_zh: str = ""


@dataclass(frozen=True)
class CertificateDocument:
    """Everything a certificate prints, as plain values (no models, no settings)."""

    number: str
    status: str  # STATUSES
    holder_name: str
    product_model_number: str
    product_name: str
    electrolyte_family: str  # vocabulary.ELECTROLYTE_FAMILIES
    conducting_ion: str  # vocabulary.CONDUCTING_IONS
    application: str | None  # vocabulary.APPLICATIONS
    classification_code: str
    class_code: str
    class_name_en: str
    class_name_zh: str
    permitted_labels_en: tuple[str, ...]
    permitted_labels_zh: tuple[str, ...]
    forbidden_labels_en: tuple[str, ...]
    forbidden_labels_zh: tuple[str, ...]
    ruleset_code: str
    ruleset_version: int
    standard_id: str
    ruleset_effective_from: dt.date
    ruleset_effective_until: dt.date | None
    criteria: tuple[CriterionRow, ...]
    lab_name: str
    lab_accreditation_number: str
    issue_date: dt.date
    expiry_date: dt.date
    reviewers: tuple[str, ...]
    verification_url: str
    evaluation_id: str
    inputs_hash_short: str
    status_reason: str = ""
    status_date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status: {self.status!r} is not one of {', '.join(STATUSES)}")
        # Lists are accepted and frozen, so a document is hashable and cannot change under us.
        for name in (
            "permitted_labels_en",
            "permitted_labels_zh",
            "forbidden_labels_en",
            "forbidden_labels_zh",
            "reviewers",
        ):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(
            self,
            "criteria",
            tuple(r if isinstance(r, CriterionRow) else CriterionRow(**r) for r in self.criteria),
        )


# --- resources --------------------------------------------------------------------------------

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "reports"
STYLESHEET = TEMPLATE_DIR / "certificate.css"


class _AssetFetcher(URLFetcher):
    """Serve the certificate's own files from memory; refuse anything else (no network, no disk)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self._cache: dict[str, bytes] = {}
        self._roots = (FONT_DIR.resolve(), TEMPLATE_DIR.resolve())

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith("file:"):
            raise ValueError(f"the certificate loads no external resource: {url}")
        path = Path(URLFetcherResponse(url).path).resolve()
        if not any(path.is_relative_to(root) for root in self._roots):
            raise ValueError(f"the certificate loads no file outside its assets: {url}")
        body = self._cache.get(str(path))
        if body is None:
            body = self._cache[str(path)] = path.read_bytes()
        return URLFetcherResponse(url, body)


class _Renderer(threading.local):
    """Per thread: one font configuration and the stylesheet parsed against it.

    Fontconfig and Pango objects must not be shared between threads; within a thread, reusing
    them saves loading the system font setup and re-registering the 2 MB fonts on every render.
    """

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        self.fetcher = _AssetFetcher()
        self.stylesheets: dict[Path, CSS] = {}

    def write_pdf(self, html: str, stylesheet: Path = STYLESHEET) -> bytes:
        css = self.stylesheets.get(stylesheet)
        if css is None:
            css = self.stylesheets[stylesheet] = CSS(
                filename=str(stylesheet), font_config=self.font_config, url_fetcher=self.fetcher
            )
        document = HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=self.fetcher)
        return document.write_pdf(stylesheets=[css], font_config=self.font_config)


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def _get_renderer() -> _Renderer:
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = _Renderer()
    return _renderer


# --- the API ----------------------------------------------------------------------------------


def qr_svg(url: str) -> str:
    """The QR code for ``url`` as inline SVG (no XML declaration, no external file), scalable."""
    qr = segno.make_qr(url, error="m")
    # A 4-module quiet zone, as the QR specification asks; size comes from the CSS.
    return qr.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True)


def render_certificate_pdf(doc: CertificateDocument) -> bytes:
    """Render the certificate; any status but ``valid`` stamps every page with it and the reason."""
    html = render_to_string(TEMPLATE, _context(doc))
    return _get_renderer().write_pdf(html)


def render_document_pdf(template: str, context: dict[str, Any], stylesheet: str) -> bytes:
    """Render another document of ours (the evaluation report) with the same fonts and the same
    closed URL fetcher; ``stylesheet`` is a file name in ``templates/reports``."""
    html = render_to_string(template, context)
    return _get_renderer().write_pdf(html, TEMPLATE_DIR / stylesheet)


def render_bare_pdf() -> bytes:
    """A one-page WeasyPrint document with no fonts or styles of ours: the benchmark baseline."""
    return HTML(string="<!doctype html><title>Bare</title><p>Bare page.</p>").write_pdf()


# --- presentation -----------------------------------------------------------------------------


def in_both_languages(make: Callable[[], str]) -> dict[str, str]:
    """Text ``make`` writes in the active language, made in English and in Chinese; the Chinese
    is left empty where it reads the same (numbers and units)."""
    with translation.override("en"):
        en = make()
    with translation.override("zh-hans"):
        zh = make()
    return {"en": en, "zh": "" if zh == en else zh}


def _unknown(code: str | None) -> dict[str, str]:
    # A code the vocabulary does not know (a later rule set's) is printed as it is.
    return {"en": (code or "—").replace("_", " "), "zh": ""}


def _label(labels: Mapping[str, str], code: str | None) -> dict[str, str]:
    """A code's label from ``certification.vocabulary``, in English and in Chinese (locale/)."""
    label = labels.get(code or "")
    if label is None:
        return _unknown(code)
    return in_both_languages(lambda: capfirst(gettext(label)))


def _status_label(status: str) -> dict[str, str]:
    return in_both_languages(lambda: str(Certificate.Status(status).label))


def _criterion_label(code: str) -> dict[str, str]:
    """A criterion's name; a safety result (``safety.<test>``) is named after its test."""
    family, _dot, test = code.partition(".")
    if not test:
        return _label(vocabulary.CRITERIA, code)
    if family != "safety" or test not in vocabulary.SAFETY_TESTS:
        return _unknown(code)
    label = vocabulary.SAFETY_TESTS[test]
    return in_both_languages(lambda: gettext("Safety: %(test)s") % {"test": gettext(label)})


def _iso_date(value: dt.date | None) -> str:
    """ISO 8601: the one date form both languages read the same way."""
    return value.isoformat() if value else ""


def _limit_text(row: CriterionRow) -> dict[str, str]:
    """``≤ 0.5 %``, ``5～20 %`` in Chinese, and the safety indicators no sample may show in
    words of each language (``none of: fire, explosion`` / ``不得出现：起火、爆炸``)."""
    if not row.limit:
        return {"en": "—", "zh": ""}
    value = criteria.limit_text(row.limit, row.comparator, row.unit)
    if row.comparator == "none_in_any_sample":
        return in_both_languages(
            lambda: (
                gettext("none of: %(indicators)s")
                % {"indicators": criteria.render_text(value, gettext)}
            )
        )
    text = in_both_languages(lambda: criteria.render_text(value, gettext))
    sign = COMPARATOR_SIGNS.get(row.comparator, row.comparator)
    return {key: f"{sign} {words}".strip() if words else "" for key, words in text.items()}


def _measured_text(row: CriterionRow) -> str:
    """A bare number gets the unit; descriptive text ("0.21 % max of 3") is printed as given."""
    if not row.measured:
        return "—"
    if row.unit and _NUMBER_RE.fullmatch(row.measured.strip()):
        return f"{row.measured.strip()} {row.unit}"
    return row.measured


def _context(doc: CertificateDocument) -> dict[str, Any]:
    status = _status_label(doc.status)
    return {
        "doc": doc,
        "is_valid": doc.status == Certificate.Status.VALID,
        "status_class": doc.status,
        "status_en": status["en"],
        "status_zh": status["zh"],
        "status_date": _iso_date(doc.status_date),
        "family": _label(vocabulary.ELECTROLYTE_FAMILIES, doc.electrolyte_family),
        "ion": _label(vocabulary.CONDUCTING_IONS, doc.conducting_ion),
        "application": _label(vocabulary.APPLICATIONS, doc.application),
        "issue_date": _iso_date(doc.issue_date),
        "expiry_date": _iso_date(doc.expiry_date),
        "effective_from": _iso_date(doc.ruleset_effective_from),
        "effective_until": _iso_date(doc.ruleset_effective_until),
        "criteria": [
            {
                "code": row.code,
                "name": _criterion_label(row.code),
                "outcome_class": row.outcome,
                "outcome": _label(vocabulary.OUTCOMES, row.outcome),
                "measured": {"en": _measured_text(row), "zh": row.measured_zh},
                "limit": _limit_text(row),
            }
            for row in doc.criteria
        ],
        "qr_svg": qr_svg(doc.verification_url),
    }


def example_document(**changes: Any) -> CertificateDocument:
    """A realistic specimen certificate, for the benchmark, the tests and work on the template."""
    doc = CertificateDocument(
        number="SSB-2026-000123",
        status="valid",
        holder_name="Qingtao Energy Technology Co., Ltd. 青陶能源科技有限公司",
        product_model_number="QT-SSB-520A",
        product_name="Sulfide all-solid-state pouch cell 60 Ah",
        electrolyte_family="sulfide",
        conducting_ion="lithium",
        application="high_energy",
        classification_code="SS-SUL-LI-HE",
        class_code="all_solid_state",
        class_name_en="All-solid-state battery",
        class_name_zh="全固态电池",
        permitted_labels_en=("solid-state battery", "all-solid-state battery"),
        permitted_labels_zh=("固态电池", "全固态电池"),
        forbidden_labels_en=(
            "semi-solid",
            "quasi-solid",
            "hybrid",
            "solid-liquid",
            "liquid battery",
        ),
        forbidden_labels_zh=("半固态", "准固态", "固液", "液态"),
        ruleset_code="gbt-ssb-2026",
        ruleset_version=1,
        standard_id="GB/T 43568-2026",
        ruleset_effective_from=dt.date(2026, 7, 1),
        ruleset_effective_until=None,
        criteria=(
            CriterionRow("electrolyte_content", "pass", "3.2", "<", "5", "%"),
            CriterionRow("weight_loss", "pass", "max 0.21 % (3 samples)", "<=", "0.5", "%"),
            CriterionRow(
                "energy_density", "pass", "min 512.4 Wh/kg (2 samples)", ">=", "500", "Wh/kg"
            ),
            *(
                CriterionRow(
                    f"safety.{test}",
                    "pass",
                    "0 of 3 failed",
                    "none_in_any_sample",
                    "fire, explosion",
                    "",
                    measured_zh="0 / 3 不通过",
                )
                for test in ("nail_penetration", "crush", "heating", "immersion")
            ),
        ),
        lab_name="China Automotive Battery Test Centre (Tianjin)",
        lab_accreditation_number="CNAS L12345",
        issue_date=dt.date(2026, 7, 15),
        expiry_date=dt.date(2029, 7, 14),
        reviewers=("Li Wei", "Anna Schmidt"),
        verification_url="https://ssb-portal.example.cn/verify/SSB-2026-000123",
        evaluation_id="42 (attempt 1)",
        inputs_hash_short="3f2a9c1d",
    )
    return replace(doc, **changes) if changes else doc
