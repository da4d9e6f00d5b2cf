"""Charts of the core's results, as Vega-Lite specifications (plain dictionaries: quick to build
on the offer path, where a chart library's validation would cost more than the answer). They
draw what the core computed; they compute nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sca_rates.analytics import PayerStats, QuarterResult
from sca_rates.models.compare import Comparison
from sca_rates.models.costs import CurvePoint
from sca_rates.models.market import Distribution
from sca_rates.models.simulate import SimulationResult

Spec = dict[str, Any]


def _q(field: str, title: str | None = None, **extra: Any) -> Spec:
    return {"field": field, "type": "quantitative", "title": title or field, **extra}


def _n(field: str, **extra: Any) -> Spec:
    return {"field": field, "type": "nominal", "title": None, **extra}


def _rules(marks: dict[str, float], axis: str, title: str) -> Spec:
    """Dashed lines across the chart at our numbers (floor, target, Medicare ...); ``title`` is
    the axis title they share with the layer they cross."""
    # Numbers that are the same figure share one line and one name ("floor = fully loaded
    # cost"): drawn apart, the later line would hide the earlier
    names: dict[float, list[str]] = {}
    for name, value in marks.items():
        names.setdefault(round(value, 2), []).append(name)
    rows = [{"what": " = ".join(same), "usd": value} for value, same in names.items()]
    return {
        "data": {"values": rows},
        "mark": {"type": "rule", "strokeDash": [4, 3]},
        "encoding": {
            axis: _q("usd", title),
            "color": _n("what"),
            "tooltip": [_n("what"), _q("usd", "$")],
        },
    }


def distribution_chart(dist: Distribution, marks: dict[str, float], unit: str) -> Spec:
    """The market's statistics as points, with our numbers as lines across them."""
    rows = [{"statistic": k, "usd": v} for k, v in dist.points.items()]
    points = {
        "data": {"values": rows},
        "mark": {"type": "point", "filled": True, "size": 120},
        "encoding": {
            "x": _q("usd", f"$ per {unit}", scale={"zero": False}),
            "tooltip": [_n("statistic"), _q("usd", "$")],
        },
    }
    labels = {
        "data": {"values": rows},
        "mark": {"type": "text", "dy": -14},
        "encoding": {"x": _q("usd", f"$ per {unit}"), "text": {"field": "statistic"}},
    }
    return {"layer": [points, labels, _rules(marks, "x", f"$ per {unit}")], "height": 160}


def breakdown_chart(amounts: dict[str, float]) -> Spec:
    """Where a level's annual cost goes, the largest first; the category named in full."""
    rows = [{"category": name, "usd": amount} for name, amount in amounts.items() if amount]
    return {
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            "y": {**_n("category", sort="-x"), "axis": {"labelLimit": 260}},
            "x": _q("usd", "annual cost ($)", scale={"zero": True, "nice": False}),
            "tooltip": [_n("category"), _q("usd", "annual cost ($)", format=",.0f")],
        },
        "height": 28 * len(rows) + 20,
    }


def cost_curve_chart(curve: tuple[CurvePoint, ...], census: float, unit: str) -> Spec:
    rows = [
        {"census": p.census, "usd": v, "cost": name}
        for p in curve
        for name, v in (
            ("fully loaded", p.fully_loaded_per_unit),
            ("marginal", p.marginal_per_unit),
        )
    ]
    lines = {
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": _q("census", "average census (patients)"),
            "y": _q("usd", f"$ per {unit}"),
            "color": _n("cost"),
        },
    }
    now = {
        "data": {"values": [{"census": census}]},
        "mark": {"type": "rule", "strokeDash": [4, 3]},
        # the same title as the lines' axis, which the two layers share
        "encoding": {"x": _q("census", "average census (patients)")},
    }
    return {"layer": [lines, now], "height": 260}


STRATEGY_WORDS = {
    "sca": "single case agreement",
    "oon": "bill out of network",
    "decline": "decline the patient",
}


def histogram_chart(result: SimulationResult) -> Spec:
    edges = result.histogram.edges_usd
    rows = [
        {"strategy": STRATEGY_WORDS[name], "from": edges[i], "to": edges[i + 1], "episodes": count}
        for name, counts in result.histogram.counts.items()
        for i, count in enumerate(counts)
    ]
    return {
        "data": {"values": rows},
        "mark": {"type": "bar", "opacity": 0.55},
        "encoding": {
            "x": {**_q("from", "episode contribution ($)"), "bin": "binned"},
            "x2": {"field": "to"},
            "y": _q("episodes", stack=None),
            "color": _n("strategy"),
        },
        "height": 240,
    }


def acceptance_chart(result: SimulationResult) -> Spec:
    rows = [p.model_dump() for p in result.acceptance_curve]
    value = {
        "data": {"values": rows},
        "mark": "line",
        "encoding": {
            "x": _q("rate_usd", "opening ($ per unit)"),
            "y": _q("expected_value_usd", "expected value ($)"),
        },
    }
    accept = {
        "data": {"values": rows},
        "mark": {"type": "line", "strokeDash": [2, 2], "color": "gray"},
        "encoding": {
            "x": _q("rate_usd", "opening ($ per unit)"),
            "y": _q("p_accept", "chance accepted"),
        },
    }
    best = _rules({"best opening": result.best_opening_usd}, "x", "opening ($ per unit)")
    return {
        "layer": [value, best, accept],
        "resolve": {"scale": {"y": "independent"}},
        "height": 240,
        # under the chart: beside it, in half a page's width, it floated between two charts
        "config": {"legend": {"orient": "bottom"}},
    }


def tornado_chart(result: SimulationResult) -> Spec:
    rows = [{"input": b.input, "low": b.low_usd, "high": b.high_usd} for b in result.tornado]
    return {
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            "y": {
                **_n("input", sort=[b.input for b in result.tornado]),
                "axis": {"labelLimit": 220},  # "reauthorization approval" whole
            },
            "x": _q("low", "contribution per episode ($)"),
            "x2": {"field": "high"},
        },
        "height": 44 * len(rows) + 30,
    }


def episode_chart(comparison: Comparison) -> Spec:
    """Our episode's cost to the payer beside each alternative's."""
    rows = [{"what": "our proposal", "usd": comparison.our_episode_usd}]
    rows += [
        {"what": alt.setting.replace("_", " "), "usd": alt.episode_usd}
        for alt in comparison.alternatives
    ]
    return {
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            "y": _n("what", sort=None),
            "x": _q("usd", "cost to the payer for the stay ($)"),
            "color": _n("what", legend=None),
        },
        "height": 40 * len(rows) + 20,
        "width": 420,
    }


def payer_chart(stats: list[PayerStats]) -> Spec:
    """Each payer's approval rate, with its number of requests."""
    rows = [
        {"payer": s.payer, "approval rate": s.approval_rate, "requests": s.requests}
        for s in stats
        if s.approval_rate is not None
    ]
    return {
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            "y": {**_n("payer"), "axis": {"labelLimit": 320}},  # a payer's full name, whole
            "x": {
                **_q("approval rate", "approved / decided"),
                "axis": {"format": "%"},
                "scale": {"domain": [0, 1]},
            },
            "tooltip": [_n("payer"), _q("requests")],
        },
        "height": {"step": 30},  # a band a payer: a fixed small height drew no bars
    }


def results_chart(rows: Sequence[QuarterResult]) -> Spec:
    """Each payer's quarters: the SCA revenue of approved requests, and under it what billing
    out of network would have netted them (where the log has it); one labelled bar each."""
    bars = [
        {"bar": f"{r.payer} {r.quarter} · {what}", "what": what, "usd": value}
        for r in rows
        for what, value in (
            ("SCA revenue", r.sca_revenue_usd),
            ("billing OON instead", r.oon_revenue_usd),
        )
        if value is not None and r.approved
    ]
    return {
        "data": {"values": bars},
        "mark": "bar",
        "encoding": {
            # "Blue Cross Blue Shield of Massachusetts 2026-Q4 · billing OON instead" whole
            "y": {**_n("bar", sort=None), "axis": {"labelLimit": 440}},
            "x": _q("usd", "dollars", axis={"format": "$,.0f"}),
            "color": {**_n("what"), "legend": None},
            "tooltip": [_n("bar"), _q("usd", "$", format=",.2f")],
        },
        "height": {"step": 28},  # a band a bar: a fixed small height drew no bars
    }
