"""Charts of the core's results. They draw what the core computed; they compute nothing."""

from __future__ import annotations

import altair as alt

from sca_rates.models.costs import CurvePoint
from sca_rates.models.market import Distribution
from sca_rates.models.negotiate import NegotiationState
from sca_rates.models.recommend import Recommendation
from sca_rates.models.simulate import SimulationResult

Drawn = alt.LayerChart | alt.FacetChart  # what a layered chart may come back as


def _rules(marks: dict[str, float], axis: str) -> alt.Chart:
    data = [{"what": name, "usd": value} for name, value in marks.items()]
    encode = {axis: alt.X("usd:Q") if axis == "x" else alt.Y("usd:Q")}
    return (
        alt.Chart(alt.Data(values=data))
        .mark_rule(strokeDash=[4, 3])
        .encode(**encode, color=alt.Color("what:N", title=None), tooltip=["what:N", "usd:Q"])
    )


def call_chart(state: NegotiationState, rec: Recommendation) -> Drawn:
    """Our asks and the payer's offers, turn by turn, between the floor and the target."""
    rows = [
        {"turn": i + 1, "usd": t.per_unit_usd, "who": "us" if t.side == "us" else "payer"}
        for i, t in enumerate(state.exchanges)
    ]
    lines = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("turn:Q", title="turn", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("usd:Q", title=f"$ per {rec.unit}", scale=alt.Scale(zero=False)),
            color=alt.Color("who:N", title=None),
        )
    )
    marks = {"floor": rec.floor.per_unit_usd, "target": rec.target.per_unit_usd}
    return alt.layer(lines, _rules(marks, "y")).properties(height=220)


def distribution_chart(dist: Distribution, marks: dict[str, float], unit: str) -> Drawn:
    """The market's statistics as points, with our numbers as lines across them."""
    rows = [{"statistic": name, "usd": value} for name, value in dist.points.items()]
    points = (
        alt.Chart(alt.Data(values=rows))
        .mark_point(size=120, filled=True)
        .encode(
            x=alt.X("usd:Q", title=f"$ per {unit}", scale=alt.Scale(zero=False)),
            tooltip=["statistic:N", "usd:Q"],
        )
    )
    labels = points.mark_text(dy=-14).encode(text="statistic:N")
    return alt.layer(points, labels, _rules(marks, "x")).properties(height=160)


def histogram_chart(result: SimulationResult) -> alt.Chart:
    edges = result.histogram.edges_usd
    rows = [
        {"strategy": name, "from": edges[i], "to": edges[i + 1], "episodes": count}
        for name, counts in result.histogram.counts.items()
        for i, count in enumerate(counts)
    ]
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(opacity=0.55)
        .encode(
            x=alt.X("from:Q", bin="binned", title="episode net margin ($)"),
            x2="to:Q",
            y=alt.Y("episodes:Q", stack=None),
            color=alt.Color("strategy:N", title=None),
        )
        .properties(height=240)
    )


def acceptance_chart(result: SimulationResult) -> Drawn:
    rows = [p.model_dump() for p in result.acceptance_curve]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("rate_usd:Q", title="opening ($ per unit)")
    )
    value = base.mark_line().encode(y=alt.Y("expected_value_usd:Q", title="expected value ($)"))
    accept = base.mark_line(strokeDash=[2, 2], color="gray").encode(
        y=alt.Y("p_accept:Q", title="chance the payer accepts")
    )
    best = _rules({"best opening": result.best_opening_usd}, "x")
    return alt.layer(value, best, accept).resolve_scale(y="independent").properties(height=240)


def tornado_chart(result: SimulationResult) -> alt.Chart:
    rows = [
        {"input": bar.input, "at p10": bar.low_usd, "at p90": bar.high_usd}
        for bar in result.tornado
    ]
    order = [bar.input for bar in result.tornado]
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("input:N", sort=order, title=None),
            x=alt.X("at p10:Q", title="expected SCA margin ($)"),
            x2="at p90:Q",
        )
        .properties(height=30 * len(rows) + 20)
    )


def cost_curve_chart(curve: tuple[CurvePoint, ...], census: float, unit: str) -> Drawn:
    rows = [
        {"census": p.census, "$ per unit": v, "cost": name}
        for p in curve
        for name, v in (
            ("fully loaded", p.fully_loaded_per_unit),
            ("marginal", p.marginal_per_unit),
        )
    ]
    lines = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("census:Q", title="average census (patients)"),
            y=alt.Y("$ per unit:Q", title=f"$ per {unit}"),
            color=alt.Color("cost:N", title=None),
        )
    )
    now = (
        alt.Chart(alt.Data(values=[{"census": census}]))
        .mark_rule(strokeDash=[4, 3])
        .encode(x="census:Q")
    )
    return alt.layer(lines, now).properties(height=260)
