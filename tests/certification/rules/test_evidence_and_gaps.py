"""gbt-ssb-2026 version 3: the evidence a submission must carry, the longest gap a chamber hold
may span and the time a cycler file may span, as rule-set data; a faulty one refused with its
path. Versions 1 and 2 keep their meaning (no gap limit, the required evidence derived from their
criteria)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from certification.rules import load_ruleset
from certification.rules.schema import EVIDENCE_KINDS

from .texts import DEFAULT_TEXT, FILES, TCSAE_TEXT, mutate, rejection

V2_TEXT = FILES["gbt-ssb-2026.v2"].read_text(encoding="utf-8")
V3_TEXT = FILES["gbt-ssb-2026.v3"].read_text(encoding="utf-8")
SHEETS = ("weight_loss", "electrolyte_content", "energy_density", "safety")
REQUIRED_LINE = 'required = ["weight_loss", "electrolyte_content", "energy_density", "safety"]'
GAP_VALUE = 'value = 300\nunit = "s"'


def v3(old: str, new: str) -> str:
    return mutate(old, new, V3_TEXT)


def test_version_3_adds_required_evidence_a_gap_limit_and_a_cycler_span():
    rs = load_ruleset(V3_TEXT)
    assert rs.version == 3
    assert rs.required_evidence == SHEETS
    gap = rs.weight_loss.chamber_max_gap_s
    assert (gap.comparator, gap.value, gap.unit) == ("<=", Decimal(300), "s")
    assert (gap.source, gap.assumption) == ("portal-assumption", True)
    assert "once a minute" in gap.note
    assert rs.chamber_max_gap_s == Decimal(300)
    span = rs.cycler_duration_h
    assert (span.minimum, span.maximum) == (Decimal(0), Decimal(10000))
    assert (span.source, span.assumption) == ("portal-assumption", True)
    assert rs.raw_plausible_range("cycler_duration_h") is span
    # 42 years of cycler time is far outside it.
    assert Decimal(42 * 365 * 24) > span.maximum


def test_version_3_changes_nothing_else_of_version_2():
    v2, v3_ = load_ruleset(V2_TEXT), load_ruleset(V3_TEXT)
    for name in ("classes", "electrolyte_content", "energy_density", "safety", "plausibility"):
        assert getattr(v2, name) == getattr(v3_, name), name
    assert v2.weight_loss.conditions == v3_.weight_loss.conditions
    assert v2.weight_loss.max_loss_pct == v3_.weight_loss.max_loss_pct
    assert v2.evidence.accepted_sources == v3_.evidence.accepted_sources


@pytest.mark.parametrize("text", [DEFAULT_TEXT, V2_TEXT], ids=["v1", "v2"])
def test_earlier_versions_keep_their_meaning(text):
    rs = load_ruleset(text)
    assert rs.evidence.required is None
    assert rs.required_evidence == SHEETS  # one result sheet per criterion the rule set has
    assert rs.weight_loss.chamber_max_gap_s is None and rs.chamber_max_gap_s is None
    assert rs.cycler_duration_h is None and rs.raw_plausibility == ()


def test_the_group_standard_requires_its_one_sheet():
    assert load_ruleset(TCSAE_TEXT).required_evidence == ("weight_loss",)


def test_a_claim_needs_only_the_evidence_of_the_criteria_its_class_requires():
    rs = load_ruleset(
        v3(
            REQUIRED_LINE,
            'required = ["weight_loss", "energy_density", "chamber_log", "cycler", "test_report"]',
        )
    )
    assert rs.required_evidence == (
        "weight_loss",
        "energy_density",
        "chamber_log",
        "cycler",
        "test_report",
    )
    assert rs.required_evidence_for("all_solid_state") == rs.required_evidence
    # The hybrid class requires no weight loss: neither its sheet nor the chamber log.
    assert rs.required_evidence_for("hybrid_solid_liquid") == (
        "energy_density",
        "cycler",
        "test_report",
    )
    assert rs.required_evidence_for("liquid") == ("test_report",)
    assert rs.required_evidence_for("no_such_class") == rs.required_evidence


def test_every_kind_a_submission_can_carry_may_be_required():
    assert (*SHEETS, "cycler", "chamber_log", "test_report") == EVIDENCE_KINDS
    everything = ", ".join(f'"{k}"' for k in EVIDENCE_KINDS)
    assert load_ruleset(v3(REQUIRED_LINE, f"required = [{everything}]")).required_evidence == (
        EVIDENCE_KINDS
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            REQUIRED_LINE,
            'required = ["weight_loss", "photo"]',
            "evidence.required: unknown value 'photo'; expected one of weight_loss, "
            "electrolyte_content, energy_density, safety, cycler, chamber_log, test_report",
            id="an unknown kind",
        ),
        pytest.param(
            REQUIRED_LINE,
            'required = ["safety", "safety"]',
            "evidence.required: lists a value twice",
            id="a kind twice",
        ),
        pytest.param(
            REQUIRED_LINE, "required = []", "evidence.required: must not be empty", id="empty"
        ),
        pytest.param(
            REQUIRED_LINE,
            'required = "weight_loss"',
            "evidence.required: must be a list of non-empty strings",
            id="not a list",
        ),
        pytest.param(
            GAP_VALUE,
            'value = -300\nunit = "s"',
            "criteria.weight_loss.chamber_log.max_gap_s.value: must not be negative (got -300)",
            id="a negative gap",
        ),
        pytest.param(
            GAP_VALUE,
            'value = 0\nunit = "s"',
            "criteria.weight_loss.chamber_log.max_gap_s.value: must be greater than zero",
            id="a zero gap",
        ),
        pytest.param(
            GAP_VALUE,
            'value = 5\nunit = "min"',
            'criteria.weight_loss.chamber_log.max_gap_s.unit: must be "s" (seconds)',
            id="a gap in minutes",
        ),
        pytest.param(
            '[criteria.weight_loss.chamber_log.max_gap_s]\ncomparator = "<="',
            '[criteria.weight_loss.chamber_log.max_gap_s]\ncomparator = ">="',
            "criteria.weight_loss.chamber_log.max_gap_s.comparator: comparator '>=' not allowed "
            "here; expected one of <=",
            id="a gap that is a minimum",
        ),
        pytest.param(
            "[criteria.weight_loss.chamber_log.max_gap_s]",
            "[criteria.weight_loss.chamber_log.max_gap]",
            "criteria.weight_loss.chamber_log: missing max_gap_s",
            id="a misnamed gap",
        ),
        pytest.param(
            GAP_VALUE + '\nsource = "portal-assumption"',
            GAP_VALUE + '\nsource = "somewhere"',
            "criteria.weight_loss.chamber_log.max_gap_s.source: unknown source 'somewhere'",
            id="a gap without a declared source",
        ),
        pytest.param(
            "\n[raw_plausibility.cycler_duration_h]\nmin",
            "\n[raw_plausibility.cycler_rows]\nmin",
            "raw_plausibility.cycler_rows: not a raw-data quantity; expected one of "
            "cycler_duration_h",
            id="an unknown raw quantity",
        ),
        pytest.param(
            "[raw_plausibility.cycler_duration_h]\nmin = 0\nmax = 10000",
            "[raw_plausibility.cycler_duration_h]\nmin = 0\nmax = 0",
            "raw_plausibility.cycler_duration_h.max: must be greater than min",
            id="an empty cycler span",
        ),
    ],
)
def test_a_faulty_addition_is_refused_with_its_path(old, new, message):
    assert str(rejection(v3(old, new))).startswith(message)


def test_required_evidence_must_back_a_criterion_the_rule_set_has():
    text = mutate(
        "require_accreditation_on_test_date = true\n",
        'require_accreditation_on_test_date = true\nrequired = ["weight_loss", "cycler"]\n',
        TCSAE_TEXT,
    )
    assert str(rejection(text)) == (
        "evidence.required: cycler backs [criteria.energy_density], which is missing"
    )
