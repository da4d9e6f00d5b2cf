"""What-if: move census, pay, overhead, length of stay, margin and rate, and see every number
follow; then simulate what the agreement is worth."""

from __future__ import annotations

import streamlit as st

from sca_rates import charts, present
from sca_rates.calibration import Fit, with_fitted_curve
from sca_rates.compare import case_facts, compare, rate_offer
from sca_rates.costing import with_census, with_overhead_change, with_pay_change
from sca_rates.desk import position_from_facts
from sca_rates.exceptions import ScaRatesError
from sca_rates.models import CostModel
from sca_rates.models.case import Case
from sca_rates.models.compare import CaseFacts
from sca_rates.models.recommend import Recommendation
from sca_rates.models.simulate import SimulationSettings
from sca_rates.money import pct, usd
from sca_rates.simulate import simulate
from sca_rates.ui import state
from sca_rates.ui.case_form import case_in_sidebar


def render_page() -> None:
    st.title("What if?")
    chosen = case_in_sidebar()
    if chosen is None:
        st.info("Fix the case in the sidebar first.")
        return
    case, model = chosen
    try:
        facts = _what_if(case, model)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    # The what-if case's own position, with the call as it stands (its asks are per unit)
    position = position_from_facts(facts, call=state.call_for(case, model).call)
    rec, unit = position.recommendation, position.unit
    for column, (name, figure) in zip(
        st.columns(3),
        (("Opening", rec.opening), ("Target", rec.target), ("Floor", rec.floor)),
        strict=True,
    ):
        column.metric(name, f"{usd(figure.per_unit_usd)} per {unit}", help=figure.rule)
    standing = position.standing_usd
    where = "Agreed on the call" if position.agreed_usd is not None else "Our ask on the call"
    st.caption(f"{where}: {usd(standing)} per {unit}")
    rate = _rate(standing, len(position.call.exchanges), unit)
    comparison = compare(facts, rate_offer(facts, rate, f"${rate}"))
    coverage = comparison.cost_coverage
    columns = st.columns(3)
    columns[0].metric(
        "Margin",
        f"{usd(coverage.margin_per_unit_usd)} per {unit}",
        help=f"{usd(coverage.margin_per_episode_usd)} for the episode",
    )
    columns[1].metric("Covers the fully loaded cost", f"{coverage.fully_loaded_ratio:.2f} times")
    where_in_market = comparison.market.position
    if where_in_market is not None and where_in_market.percentile is not None:
        beyond = {"above": "above ", "below": "below "}.get(where_in_market.beyond or "", "")
        columns[2].metric("Market position", f"{beyond}p{where_in_market.percentile:.0f}")
    stay = next(
        (
            a
            for a in comparison.alternatives
            if facts.ceiling and a.setting == facts.ceiling.setting
        ),
        None,
    )
    if stay is not None:
        setting = stay.setting.replace("_", " ")
        source = stay.provenance
        cited = f" [{source.source}, {source.year}{', estimate' if source.illustrative else ''}]"
        if stay.savings_usd >= 0:
            st.caption(
                f"Against {setting} the payer saves {usd(stay.savings_usd)} "
                f"({pct(stay.savings_pct)}) at this rate.{cited}"
            )
        else:  # said in words: a negative saving reads as a slip
            st.caption(
                f"At this rate the stay costs the payer {usd(-stay.savings_usd)} more than "
                f"{setting} ({usd(stay.episode_usd)}): no saving to argue.{cited}"
            )
    fit = state.payer_fit(case.payer)  # the payer's fitted curve, if any
    _simulator(facts, rec, float(rate), fit)


RATE = "whatif_rate"  # the rate the user set, kept while the call stands where it stood
RATE_FROM = "whatif_rate_from"  # the turns of the call the rate was started from


def _rate(standing: float, turns: int, unit: str) -> int:
    """The rate to try: where the call stands, until the user sets another; every other what-if
    keeps it (a new turn on the call starts it again from the new standing figure)."""
    if st.session_state.get(RATE_FROM) != turns or RATE not in st.session_state:
        st.session_state[RATE_FROM] = turns
        st.session_state[RATE] = round(standing)
    return int(
        st.number_input(f"Rate to try ($ per {unit})", min_value=1, max_value=100_000, key=RATE)
    )


def _what_if(case: Case, model: CostModel) -> CaseFacts:
    """The case's facts with the sliders' changes applied (the files untouched)."""
    level = model.level(case.level_of_care)
    left, right = st.columns(2)
    census = left.slider(
        "Average census", 1.0, float(level.capacity), max(1.0, level.average_census), step=0.1
    )
    pay = left.slider("Pay (% change)", -30, 30, 0, step=1)
    overhead = left.slider("Overhead (% change)", -30, 30, 0, step=1)
    stay = right.slider(f"Length of stay ({level.unit}s)", 1, 90, round(case.expected_units))
    margin = right.slider("Margin required (%)", 0, 50, round(case.margin_required * 100))
    changed = with_overhead_change(
        with_pay_change(with_census(model, level.code, census), pay / 100), overhead / 100
    )
    changed_case = case.model_copy(
        update={"expected_units": float(stay), "margin_required": margin / 100}
    )
    return case_facts(changed_case, model=changed, market=state.market())


@st.fragment
def _simulator(facts: CaseFacts, rec: Recommendation, rate: float, fit: Fit) -> None:
    """Rerun on its own when only the simulation's size or seed changes."""
    st.subheader("What the agreement is worth")
    n = st.select_slider("Episodes", [2_000, 10_000, 50_000, 100_000], value=10_000)
    seed = st.number_input("Random seed (the same seed gives the same result)", 0, 10_000, 1)
    settings = with_fitted_curve(SimulationSettings(n=n, seed=int(seed)), fit)
    result = simulate(facts, rec, rate=rate, settings=settings)
    unit = facts.pattern.unit
    rows = [
        (charts.STRATEGY_WORDS[name], strategy)
        for name, strategy in (
            ("sca", result.sca),
            ("oon", result.oon),
            ("decline", result.decline),
        )
    ]
    st.dataframe(
        {
            "strategy": [name for name, s in rows if s],
            "mean": [usd(s.mean_usd) for _, s in rows if s],
            "1 in 20 worst": [usd(s.p5_usd) for _, s in rows if s],
            "1 in 20 best": [usd(s.p95_usd) for _, s in rows if s],
            "chance of a loss": [pct(s.p_loss) for _, s in rows if s],
            "mean, fully loaded": [usd(s.fully_loaded_mean_usd) for _, s in rows if s],
            "loss, fully loaded": [pct(s.fully_loaded_p_loss) for _, s in rows if s],
        },
        hide_index=True,
        width="stretch",
        placeholder="—",
    )
    st.caption(
        f"Per episode, {n:,} episodes: the contribution over the marginal cost, and the same "
        "fully loaded. "
        f"Break-even rate {usd(result.break_even_rate_usd)} per {unit} "
        f"({usd(result.fully_loaded_break_even_rate_usd)} fully loaded). "
        + present.opening_note(result, unit)
    )
    st.vega_lite_chart(spec=charts.histogram_chart(result), width="stretch")
    left, right = st.columns(2)
    left.vega_lite_chart(spec=charts.acceptance_chart(result), width="stretch")
    right.vega_lite_chart(spec=charts.tornado_chart(result), width="stretch")
    for note in result.notes:
        st.caption(note)
