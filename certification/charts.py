"""Pictures of the evidence: one Vega-Lite specification per chart, drawn the same way on the
submission page (vega-embed, interactive: zoom into a time range, values on hover) and in the
evaluation report PDF (the same specification rendered to SVG by vl-convert in ``reports``).

The data are the downsampled series a worker stored when it read the file (``Dataset.preview``,
about 2,000 points a series, peaks and troughs kept) and the stored evaluation result. Every
limit drawn (the 120 ± 2 °C band, the pressure limit, the weight-loss limit, the energy floor,
1 I3) comes from the rule set the file or the evaluation was judged with, never from code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from certification import vocabulary
from certification.models import Dataset
from certification.parsers.chamber import clock_text
from certification.presentation import figure
from certification.rules import RuleSetData

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 640
# The palette of the portal's stylesheet (static/css/portal.css).
INK, MUTED, ACCENT, SECOND, BAD, GOOD, BAND = (
    "#1f2933", "#7b8794", "#1f6feb", "#c2410c", "#b42318", "#067647", "#d1e9d7",
)  # fmt: skip
CLASS_COLOURS = {
    "liquid": "#7b8794",
    "hybrid_solid_liquid": "#c2410c",
    "all_solid_state": "#1f6feb",
}


def _config() -> dict[str, Any]:
    font = "Noto Sans CJK SC, PortalCJK, Helvetica, Arial, sans-serif"
    return {
        "font": font,
        "view": {"stroke": None},
        "axis": {"labelColor": INK, "titleColor": INK, "gridColor": "#e4e7eb"},
        "title": {"anchor": "start", "fontSize": 13, "subtitleColor": MUTED},
    }


def _series(preview: dict, name: str, scale: float = 1.0) -> list[dict[str, float]]:
    data = (preview.get("series") or {}).get(name) or {}
    return [
        {"h": t / 3600, "v": y * scale}
        for t, y in zip(data.get("t", ()), data.get("y", ()), strict=False)
    ]


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def _time_axis(title: str | None = None) -> dict[str, Any]:
    return {"field": "h", "type": "quantitative", "title": title or _("Time (h)")}


def _line(values: list[dict], y_title: str, colour: str, *, zoom: bool = False) -> dict:
    layer: dict[str, Any] = {
        "data": {"values": values},
        "mark": {"type": "line", "color": colour, "strokeWidth": 1.2, "clip": True},
        "encoding": {
            "x": _time_axis(),
            "y": {"field": "v", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
            "tooltip": [
                {"field": "h", "type": "quantitative", "title": _("Time (h)"), "format": ".3f"},
                {"field": "v", "type": "quantitative", "title": y_title, "format": ".4~g"},
            ],
        },
    }
    if zoom:  # drag to pan, wheel to zoom the time axis; double-click resets
        layer["params"] = [
            {"name": "zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}
        ]
    return layer


def _span(start_h: float, end_h: float, colour: str, label: str | None = None) -> list[dict]:
    layers = [
        {
            "data": {"values": [{"a": start_h, "b": end_h}]},
            "mark": {"type": "rect", "color": colour, "opacity": 0.18, "clip": True},
            "encoding": {"x": {"field": "a", "type": "quantitative"}, "x2": {"field": "b"}},
        }
    ]
    if label:
        layers.append(
            {
                "data": {"values": [{"a": start_h, "text": label}]},
                "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 4, "dy": 4,
                         "color": INK, "fontSize": 11, "clip": True},
                "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"value": 0},
                             "text": {"field": "text"}},
            }
        )  # fmt: skip
    return layers


def _panel(layers: list[dict], height: int = 170) -> dict:
    return {"width": WIDTH, "height": height, "layer": layers}


def cycler_chart(
    dataset: Dataset, *, rated_capacity_ah: Decimal | None, rules: RuleSetData
) -> dict:
    """Voltage and current against time, the main discharge (the energy) shaded and stated with
    its energy, capacity and mean current beside 1 I3 of the product."""
    preview = dataset.preview or {}
    main = preview.get("main_discharge") or {}
    rate = rules.energy_density.discharge_current if rules.energy_density else None
    nominal = (
        rated_capacity_ah / Decimal(str(rate.rate_hours.value))
        if rate and rated_capacity_ah
        else None
    )
    label = _("Main discharge: %(energy)s Wh, %(capacity)s Ah, mean %(current)s A") % {
        "energy": figure(main.get("energy_wh"), digits=4),
        "capacity": figure(main.get("capacity_ah"), digits=4),
        "current": figure(main.get("mean_current_a"), digits=4),
    }
    subtitle = [label]
    if nominal is not None:
        subtitle.append(
            _("1 I%(hours)s of the product: %(nominal)s A (± %(tolerance)s %%, rule set)")
            % {
                "hours": format(Decimal(str(rate.rate_hours.value)).normalize(), "f"),
                "nominal": figure(nominal, digits=4),
                "tolerance": format(Decimal(str(rate.tolerance_pct.value)).normalize(), "f"),
            }
        )
    span = []
    if main.get("start_s") is not None:
        span = _span(_hours(main["start_s"]), _hours(main["end_s"]), ACCENT)
    voltage = _panel(
        [*span, _line(_series(preview, "voltage_v"), _("Voltage (V)"), INK, zoom=True)]
    )
    current_layers = [*span, _line(_series(preview, "current_a"), _("Current (A)"), SECOND)]
    if nominal is not None:
        current_layers.append(_rule_y(-float(nominal), _("−1 I3 (discharge)"), MUTED))
    return {
        "$schema": SCHEMA,
        "title": {"text": dataset.original_name, "subtitle": subtitle},
        "vconcat": [voltage, _panel(current_layers, 130)],
        "resolve": {"scale": {"x": "shared"}},
        "config": _config(),
    }


def _rule_y(value: float, label: str, colour: str, dash: bool = True) -> dict:
    return {
        "data": {"values": [{"y": value, "label": label}]},
        "layer": [
            {"mark": {"type": "rule", "color": colour, "strokeDash": [6, 4] if dash else [],
                      "strokeWidth": 1.5},
             "encoding": {"y": {"field": "y", "type": "quantitative"}}},
            {"mark": {"type": "text", "align": "right", "baseline": "bottom", "dy": -3,
                      "color": colour, "fontSize": 11},
             "encoding": {"y": {"field": "y", "type": "quantitative"}, "x": {"value": "width"},
                          "text": {"field": "label"}}},
        ],
    }  # fmt: skip


def chamber_chart(dataset: Dataset) -> dict:
    """Temperature and absolute pressure against time: the band and the limit the rule set gave,
    the longest hold shaded, every excursion and every gap marked with its time and value."""
    preview = dataset.preview or {}
    start_clock = preview.get("start_clock")

    def _clock(seconds: float) -> str:  # as the sentences and the log say it
        return clock_text(Decimal(str(seconds)), start_clock)

    limits = preview.get("limits") or {}
    hold = preview.get("hold") or {}
    target, tolerance = limits.get("target_c"), limits.get("tolerance_c")
    pressure_limit = limits.get("pressure_limit_pa")
    temperature_layers: list[dict] = []
    if target is not None and tolerance is not None:
        temperature_layers.append(
            {
                "data": {"values": [{"lo": target - tolerance, "hi": target + tolerance}]},
                "mark": {"type": "rect", "color": BAND, "opacity": 0.7},
                "encoding": {"y": {"field": "lo", "type": "quantitative"}, "y2": {"field": "hi"}},
            }
        )
    hold_label = None
    if hold.get("start_s") is not None and hold.get("end_s") is not None:
        hold_label = _("Longest hold %(hours)s h") % {
            "hours": figure((hold["end_s"] - hold["start_s"]) / 3600, digits=3)
        }
        temperature_layers += _span(
            _hours(hold["start_s"]), _hours(hold["end_s"]), GOOD, hold_label
        )
    gaps = preview.get("gaps") or []
    for gap in gaps[:50]:
        temperature_layers += _span(
            _hours(gap["start_s"]),
            _hours(gap["end_s"]),
            MUTED,
            _("no readings %(start)s–%(end)s")
            % {"start": _clock(gap["start_s"]), "end": _clock(gap["end_s"])},
        )
    temperature_layers.append(
        _line(_series(preview, "temperature_c"), _("Temperature (°C)"), INK, zoom=True)
    )
    pressure_layers = [
        _line(_series(preview, "pressure_pa", 1 / 1000), _("Pressure (kPa)"), SECOND)
    ]
    if pressure_limit is not None:
        pressure_layers.append(
            _rule_y(
                pressure_limit / 1000,
                _("limit %(kpa)s kPa") % {"kpa": figure(pressure_limit / 1000, digits=3)},
                BAD,
            )
        )
    excursions = [
        {
            "h": e["time_s"] / 3600,
            "v": e["value"] / 1000 if e.get("quantity") == "pressure" else e["value"],
            "at": _clock(e["time_s"]),
            "what": _("pressure") if e.get("quantity") == "pressure" else _("temperature"),
            "line": e.get("line"),
        }
        for e in (preview.get("excursions") or [])
    ]
    for quantity, layers in (("temperature", temperature_layers), ("pressure", pressure_layers)):
        points = [e for e in excursions if (e["what"] == _("pressure")) == (quantity == "pressure")]
        if points:
            layers.append(
                {
                    "data": {"values": points},
                    "mark": {"type": "point", "color": BAD, "filled": True, "size": 40},
                    "encoding": {
                        "x": {"field": "h", "type": "quantitative"},
                        "y": {"field": "v", "type": "quantitative"},
                        "tooltip": [
                            {"field": "what", "title": _("Excursion")},
                            {"field": "at", "title": _("At")},
                            {"field": "v", "title": _("Value"), "format": ".4~g"},
                            {"field": "line", "title": _("Line")},
                        ],
                    },
                }
            )
    subtitle = []
    if target is not None and tolerance is not None:
        subtitle.append(
            _("Band %(target)s ± %(tolerance)s °C, pressure at most %(limit)s kPa (rule set)")
            % {
                "target": figure(target, digits=4),
                "tolerance": figure(tolerance, digits=2),
                "limit": figure((pressure_limit or 0) / 1000, digits=3),
            }
        )
    if excursions or gaps:
        subtitle.append(
            _("%(excursions)s excursion(s) and %(gaps)s gap(s) marked")
            % {"excursions": len(excursions), "gaps": len(gaps)}
        )
    return {
        "$schema": SCHEMA,
        "title": {"text": dataset.original_name, "subtitle": subtitle},
        "vconcat": [_panel(temperature_layers), _panel(pressure_layers, 130)],
        "resolve": {"scale": {"x": "shared"}},
        "config": _config(),
    }


def _samples(criterion: dict, value_key: str) -> list[dict]:
    measured = criterion.get("measured") if isinstance(criterion.get("measured"), dict) else {}
    out = []
    for row in measured.get("samples") or []:
        value = row.get(value_key)
        if value is not None:
            out.append({"sample": str(row.get("sample_id")), "v": float(Decimal(str(value)))})
    return out


def per_sample_chart(
    criterion: dict, *, value_key: str, title: str, y_title: str, limit: float | None,
    limit_label: str, fails_above: bool, claimed_class: str | None = None,
) -> dict | None:  # fmt: skip
    """One bar per sample against the rule set's limit line (weight loss, energy density)."""
    values = _samples(criterion, value_key)
    if not values:
        return None
    colour: dict[str, Any] = {"value": ACCENT}
    if limit is not None:  # no limit (no class determined): one colour, no legend
        ok, bad = _("within the limit"), _("outside the limit")
        for value in values:
            inside = value["v"] <= limit if fails_above else value["v"] >= limit
            value["state"] = ok if inside else bad
        colour = {"field": "state", "type": "nominal", "title": None,
                  "scale": {"domain": [ok, bad], "range": [GOOD, BAD]}}  # fmt: skip
    layers: list[dict] = [
        {
            "data": {"values": values},
            "mark": {"type": "bar", "width": {"band": 0.6}},
            "encoding": {
                "x": {"field": "sample", "type": "nominal", "title": _("Sample"), "sort": None,
                      "axis": {"labelAngle": 0}},
                "y": {"field": "v", "type": "quantitative", "title": y_title},
                "color": colour,
                "tooltip": [{"field": "sample", "title": _("Sample")},
                            {"field": "v", "title": y_title, "format": ".4~g"}],
            },
        }
    ]  # fmt: skip
    if limit is not None:
        layers.append(_rule_y(limit, limit_label, BAD if fails_above else INK))
    subtitle = []
    if claimed_class:
        subtitle.append(
            _("Claimed class: %(class)s")
            % {"class": _(vocabulary.CLASSES.get(claimed_class, claimed_class))}
        )
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "width": min(WIDTH, 90 * len(values) + 120),
        "height": 180,
        "layer": layers,
        "config": _config(),
    }


def safety_chart(criteria: list[dict], indicators: tuple[str, ...]) -> dict | None:
    """Each abuse test and sample as a cell: none of the rule set's failure indicators (fire,
    explosion), one of them, or not reported."""
    clean, failed, unknown = _("none"), _("failed"), _("not reported")
    cells = []
    for criterion in criteria:
        measured = criterion.get("measured") if isinstance(criterion.get("measured"), dict) else {}
        test = measured.get("test") or criterion.get("code", "").partition(".")[2]
        label = _(vocabulary.SAFETY_TESTS[test]) if test in vocabulary.SAFETY_TESTS else test
        for row in measured.get("samples") or []:
            hits = [
                _(vocabulary.SAFETY_FAILURE_INDICATORS.get(k, k))
                for k in indicators
                if row.get(k) is True
            ]
            missing = any(row.get(k) is None for k in indicators)
            state = failed if hits else unknown if missing else clean
            cells.append(
                {
                    "test": label,
                    "sample": str(row.get("sample_id")),
                    "state": state,
                    "what": ", ".join(hits) or "—",
                }
            )
    if not cells:
        return None
    names = ", ".join(_(vocabulary.SAFETY_FAILURE_INDICATORS.get(k, k)) for k in indicators)
    return {
        "$schema": SCHEMA,
        "title": {"text": _("Abuse safety tests per sample"),
                  "subtitle": [_("Failure indicators (rule set): %(names)s") % {"names": names}]},
        "data": {"values": cells},
        "mark": {"type": "rect", "stroke": "white", "strokeWidth": 2},
        "width": {"step": 70},
        "height": {"step": 28},
        "encoding": {
            "x": {"field": "sample", "type": "nominal", "title": _("Sample"),
                  "axis": {"labelAngle": 0}},
            "y": {"field": "test", "type": "nominal", "title": None},
            "color": {"field": "state", "type": "nominal", "title": None,
                      "scale": {"domain": [clean, failed, unknown], "range": [GOOD, BAD, MUTED]}},
            "tooltip": [{"field": "test", "title": _("Test")},
                        {"field": "sample", "title": _("Sample")},
                        {"field": "what", "title": _("Observed")}],
        },
        "config": _config(),
    }  # fmt: skip


def _limit(criterion: dict | None) -> float | None:
    try:
        return float(Decimal(str(criterion["limit"]))) if criterion else None
    except (KeyError, ArithmeticError, ValueError, TypeError):
        return None


def evaluation_charts(result: dict, rules: RuleSetData, claimed_class: str | None) -> list[dict]:
    """The pictures of an evaluation: weight loss and energy density per sample against their
    limits, and the abuse tests per sample (each only where the result has samples)."""
    criteria = {c.get("code"): c for c in result.get("criteria") or [] if isinstance(c, dict)}
    charts: list[dict | None] = []
    weight = criteria.get("weight_loss")
    if weight:
        limit = _limit(weight)
        charts.append(
            per_sample_chart(
                weight, value_key="loss_pct", title=_("Vacuum weight loss per sample"),
                y_title=_("Weight loss (%)"), limit=limit, fails_above=True,
                limit_label=_("limit %(value)s %%") % {"value": weight.get("limit")},
                claimed_class=claimed_class,
            )
        )  # fmt: skip
    energy = criteria.get("energy_density")
    if energy:
        floor = _limit(energy)
        charts.append(
            per_sample_chart(
                energy, value_key="energy_density_wh_per_kg", title=_("Energy density per sample"),
                y_title=_("Energy density (Wh/kg)"), limit=floor, fails_above=False,
                limit_label=_("class floor %(value)s Wh/kg") % {"value": energy.get("limit")},
                claimed_class=claimed_class,
            )
        )  # fmt: skip
    safety = [c for code, c in criteria.items() if code and code.startswith("safety.")]
    if safety and rules.safety is not None:
        charts.append(safety_chart(safety, rules.safety.failure_indicators))
    return [chart for chart in charts if chart]
