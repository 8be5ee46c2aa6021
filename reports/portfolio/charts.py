"""The statistics' pictures: one Vega-Lite specification per figure, drawn on the page by
``static/js/charts.js`` (Vega's expression interpreter, under the CSP) as the evidence charts are,
and renderable to SVG by vl-convert (``reports.evaluation_report.chart_svg``) for a document.

Each takes the numbers ``statistics`` computed (the API gives the same numbers) and labels them
in the active language; colours are the portal's (``certification.charts``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from certification.charts import ACCENT, BAD, CLASS_COLOURS, GOOD, INK, MUTED, SCHEMA, SECOND, WIDTH
from certification.models import BatteryClass, Decision
from reports.models import Certificate

DECISION_COLOURS = {"approve": GOOD, "reject": BAD, "return": SECOND}
STATUS_COLOURS = {
    "valid": GOOD, "suspended": SECOND, "withdrawn": MUTED, "revoked": BAD,
    "expired": "#9aa5b1", "superseded": ACCENT,
}  # fmt: skip


def _config() -> dict[str, Any]:
    return {
        "font": "Noto Sans CJK SC, PortalCJK, Helvetica, Arial, sans-serif",
        "view": {"stroke": None},
        "axis": {"labelColor": INK, "titleColor": INK, "gridColor": "#e4e7eb"},
        "legend": {"labelColor": INK, "titleColor": INK},
        "title": {"anchor": "start", "fontSize": 13, "subtitleColor": MUTED},
    }


def _spec(title: str, subtitle: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "config": _config(),
        "width": WIDTH,
        **body,
    }


def _scale(mapping: dict[str, str], labels: dict[str, str]) -> dict[str, Any]:
    """A colour scale over codes, and the legend's labels in the reader's language."""
    return {"domain": list(labels.values()), "range": [mapping[c] for c in labels]}


def _labelled(rows: list[dict], key: str, labels: dict[str, str]) -> list[dict]:
    return [{**row, f"{key}_label": labels.get(row[key], row[key])} for row in rows]


def weight_loss_chart(figures: dict[str, Any]) -> dict[str, Any]:
    """Every evaluated product's highest weight loss, one row per claimed class, dots sized by
    how many products share the value, and each rule set's limit as a red line: a product that
    claims a solid-state class with a loss beyond the line stands out."""
    classes = {code: str(label) for code, label in BatteryClass.choices}
    points = _labelled(figures["points"], "claimed_class", classes)
    loss = _("Highest weight loss (%)")
    claimed = _("Claimed class")
    limits = [
        {**limit, "text": _("limit %(comparator)s %(value)s %% (%(ruleset)s)")
         % {"comparator": limit["comparator"], "value": limit["max_loss_pct"],
            "ruleset": limit["ruleset"]}}
        for limit in figures["limits"]
    ]  # fmt: skip
    return _spec(
        _("Vacuum weight loss of every evaluated product"),
        _("Each dot is the highest loss of one or more products; the red lines are the limits."),
        {
            "height": 60 * max(1, len({p["claimed_class"] for p in points})),
            "layer": [
                {
                    "data": {"values": points},
                    "mark": {"type": "circle", "opacity": 0.7},
                    "encoding": {
                        "x": {"field": "max_loss_pct", "type": "quantitative", "title": loss},
                        "y": {"field": "claimed_class_label", "type": "nominal", "title": claimed},
                        "size": {"field": "count", "type": "quantitative",
                                 "title": _("Products"), "scale": {"type": "sqrt"}},
                        "color": {"field": "claimed_class_label", "type": "nominal",
                                  "title": claimed, "scale": _scale(CLASS_COLOURS, classes)},
                        "tooltip": [
                            {"field": "claimed_class_label", "title": claimed},
                            {"field": "max_loss_pct", "title": loss, "format": ".2f"},
                            {"field": "count", "title": _("Products")},
                            {"field": "ruleset", "title": _("Rule set")},
                        ],
                    },
                },
                {
                    "data": {"values": limits},
                    "mark": {"type": "rule", "color": BAD, "strokeDash": [4, 3]},
                    "encoding": {"x": {"field": "max_loss_pct", "type": "quantitative"},
                                 "tooltip": [{"field": "text", "title": _("Limit")}]},
                },
                {
                    "data": {"values": limits},
                    "mark": {"type": "text", "color": BAD, "align": "left", "dx": 4,
                             "baseline": "top", "fontSize": 11},
                    "encoding": {"x": {"field": "max_loss_pct", "type": "quantitative"},
                                 "y": {"value": 2}, "text": {"field": "text"}},
                },
            ],
        },
    )  # fmt: skip


def pass_rate_chart(rows: list[dict], title: str, top: int = 30) -> dict[str, Any]:
    """Share of finished evaluations found certifiable, the ``top`` busiest first."""
    rate = _("Certifiable (share of evaluations)")
    return _spec(
        title,
        _("The %(n)s with the most evaluations; all of them are in the API.") % {"n": top},
        {
            "height": {"step": 16},
            "data": {"values": rows[:top]},
            "mark": {"type": "bar", "color": ACCENT},
            "encoding": {
                "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
                "x": {"field": "pass_rate", "type": "quantitative", "title": rate,
                      "axis": {"format": "%"}, "scale": {"domain": [0, 1]}},
                "tooltip": [
                    {"field": "name", "title": _("Name")},
                    {"field": "evaluated", "title": _("Evaluated")},
                    {"field": "certifiable", "title": _("Certifiable")},
                    {"field": "pass_rate", "title": rate, "format": ".1%"},
                ],
            },
        },
    )  # fmt: skip


def _decision_labels() -> dict[str, str]:
    return {code: str(label) for code, label in Decision.Kind.choices}


def decisions_chart(rows: list[dict]) -> dict[str, Any]:
    labels = _decision_labels()
    decision = _("Decision")
    return _spec(
        _("Decisions per reviewer"),
        _("Approvals, rejections and returns each reviewer recorded."),
        {
            "height": {"step": 18},
            "data": {"values": _labelled(rows, "decision", labels)},
            "mark": "bar",
            "encoding": {
                "y": {"field": "reviewer", "type": "nominal", "title": _("Reviewer")},
                "x": {"field": "count", "type": "quantitative", "title": _("Decisions")},
                "color": {"field": "decision_label", "type": "nominal", "title": decision,
                          "scale": _scale(DECISION_COLOURS, labels)},
                "tooltip": [{"field": "reviewer", "title": _("Reviewer")},
                            {"field": "decision_label", "title": decision},
                            {"field": "count", "title": _("Decisions")}],
            },
        },
    )  # fmt: skip


def time_to_decision_chart(figures: dict[str, Any]) -> dict[str, Any]:
    labels = _decision_labels()
    medians = ", ".join(
        f"{labels.get(code, code)} {days}" for code, days in figures["median_days"].items()
    )
    days = _("Days from submission to decision")
    return _spec(
        _("Time from submission to decision"),
        _("Median days: %(medians)s") % {"medians": medians or "—"},
        {
            "height": 200,
            "data": {"values": _labelled(figures["histogram"], "decision", labels)},
            "mark": "bar",
            "encoding": {
                "x": {"field": "days", "type": "ordinal", "title": days},
                "y": {"field": "count", "type": "quantitative", "title": _("Decisions")},
                "color": {"field": "decision_label", "type": "nominal", "title": _("Decision"),
                          "scale": _scale(DECISION_COLOURS, labels)},
                "tooltip": [{"field": "days", "title": days},
                            {"field": "decision_label", "title": _("Decision")},
                            {"field": "count", "title": _("Decisions")}],
            },
        },
    )  # fmt: skip


def certificates_chart(rows: list[dict]) -> dict[str, Any]:
    labels = {code: str(label) for code, label in Certificate.Status.choices}
    status = _("Status")
    return _spec(
        _("Certificates by status over time"),
        _("How many certificates were in each status at the end of each month."),
        {
            "height": 220,
            "data": {"values": _labelled(rows, "status", labels)},
            "mark": {"type": "area", "interpolate": "step-after"},
            "encoding": {
                "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth",
                      "title": _("Month")},
                "y": {"field": "count", "type": "quantitative", "stack": "zero",
                      "title": _("Certificates")},
                "color": {"field": "status_label", "type": "nominal", "title": status,
                          "scale": _scale(STATUS_COLOURS, labels)},
                "tooltip": [{"field": "month", "type": "temporal", "timeUnit": "yearmonth",
                             "title": _("Month")},
                            {"field": "status_label", "title": status},
                            {"field": "count", "title": _("Certificates")}],
            },
        },
    )  # fmt: skip


def statistics_charts(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's pictures, in order, each with an element id for its ``json_script``."""
    specs = [
        ("chart-weight-loss", weight_loss_chart(figures["weight_loss"])),
        ("chart-pass-rate-lab",
         pass_rate_chart(figures["pass_rate_by_lab"], _("Pass rate by laboratory"))),
        ("chart-pass-rate-maker",
         pass_rate_chart(figures["pass_rate_by_maker"], _("Pass rate by manufacturer"))),
        ("chart-decisions", decisions_chart(figures["decisions_per_reviewer"])),
        ("chart-time-to-decision", time_to_decision_chart(figures["time_to_decision"])),
        ("chart-certificates", certificates_chart(figures["certificates_by_status"])),
    ]  # fmt: skip
    return [{"id": chart_id, "spec": spec} for chart_id, spec in specs]
