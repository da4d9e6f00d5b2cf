"""The call desk: the three numbers, the answer to each payer offer, the talking points and the
documents, for the case in the sidebar. Every figure comes from the core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from sca_rates import charts, present, store
from sca_rates.calibration import fitted_opening
from sca_rates.compare import compare, offer_for, rate_offer
from sca_rates.exceptions import ScaRatesError
from sca_rates.export import DOCUMENTS, FORMATS, build_context, file_name, render
from sca_rates.logbook import request_from_call
from sca_rates.models.compare import CaseFacts
from sca_rates.models.log import PatientIdentifiers
from sca_rates.models.negotiate import NegotiationState, Response
from sca_rates.models.recommend import Recommendation
from sca_rates.models.talking_points import TalkingPoint
from sca_rates.money import pct, usd
from sca_rates.negotiate import respond, standing_ask
from sca_rates.recommend import recommend
from sca_rates.talking_points import talking_points
from sca_rates.ui import state
from sca_rates.ui.case_form import case_in_sidebar

ANSWER = "answer"  # the last Response on this call
EXAMPLES = "$350/day, 60% of billed charges, 120% of Medicare, case rate 6500"


def render_page() -> None:
    st.title("Call desk")
    chosen = case_in_sidebar()
    if chosen is None:
        st.info("Fix the case in the sidebar to see the numbers.")
        return
    case, model = chosen
    try:
        facts = state.facts(case, model)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    rec = recommend(facts)
    box = state.call_for(case, model)
    _summary(facts)
    _three_numbers(rec)
    fitted = fitted_opening(facts, rec, state.payer_fit(case.payer))
    if fitted is not None:
        st.caption(
            f"From the log: {case.payer}'s fitted acceptance curve puts the best opening at "
            f"{usd(fitted)} per {rec.unit}."
        )
    points = talking_points(facts, rec)
    _live_call(facts, rec)
    _documents(facts, rec, points, box)
    _talking_points(points)


@st.fragment
def _live_call(facts: CaseFacts, rec: Recommendation) -> None:
    """What changes with each offer, rerun on its own so that an answer comes back at once."""
    call = _offer_box(facts, rec, state.current_call())
    _alternative(facts, rec, call)
    _save_to_log(facts, rec, call)


def _summary(facts: CaseFacts) -> None:
    case, pattern = facts.case, facts.pattern
    illustrative = " · illustrative cost model" if facts.cost_illustrative else ""
    st.caption(
        f"{facts.facility} · {case.payer} · {pattern.level_of_care} {case.code} · "
        f"{pattern.expected_units:g} {pattern.unit}s expected · region {case.region}"
        f"{illustrative}"
    )


def _three_numbers(rec: Recommendation) -> None:
    columns = st.columns(3)
    for column, (name, figure) in zip(
        columns,
        (("Opening", rec.opening), ("Target", rec.target), ("Floor", rec.floor)),
        strict=True,
    ):
        column.metric(name, f"{usd(figure.per_unit_usd)} per {rec.unit}")
        column.caption(f"{figure.rule}; {usd(figure.per_episode_usd)} for the episode")
    extra = []
    if rec.payer_ceiling_per_unit_usd is not None:
        extra.append(f"payer's ceiling {usd(rec.payer_ceiling_per_unit_usd)} per {rec.unit}")
    if rec.settlement_midpoint_per_unit_usd is not None:
        extra.append(
            f"even-bargaining settlement {usd(rec.settlement_midpoint_per_unit_usd)} per {rec.unit}"
        )
    if extra:
        st.caption(" · ".join(extra).capitalize())
    for warning in rec.warnings:
        st.warning(warning)


def _offer_box(facts: CaseFacts, rec: Recommendation, call: NegotiationState) -> NegotiationState:
    """Type what the payer said and press Enter: the verdict, the counter, the line, the trades."""
    with st.form("offer", clear_on_submit=True, border=False):
        text = st.text_input("The payer's offer", placeholder=EXAMPLES)
        submitted = st.form_submit_button("Answer", type="primary")
    if submitted and text.strip():
        try:
            answer = respond(facts, rec, call, offer_for(facts, text))
        except ScaRatesError as exc:
            st.error(str(exc))
        else:
            call = answer.state
            state.save_call(call)
            st.session_state[ANSWER] = answer
    last = st.session_state.get(ANSWER)
    if call.exchanges and isinstance(last, Response) and last.state == call:
        _answer(last, rec.unit)
    if call.exchanges:
        st.vega_lite_chart(spec=charts.call_chart(call, rec), width="stretch")
        if st.button("Start a new call"):
            state.save_call(NegotiationState())
            st.rerun(scope="fragment")
    return call


def _answer(answer: Response, unit: str) -> None:
    offered = f"{usd(answer.offer.per_unit_usd)} per {unit}"
    if answer.verdict == "accept":
        st.success(f"ACCEPT {offered}")
    elif answer.verdict == "decline":
        st.error(f"DECLINE {offered}")
    else:
        st.info(f"COUNTER {offered} with {usd(answer.counter_per_unit_usd or 0)} per {unit}")
    st.markdown(f"> {answer.line}")
    label = "What would change it" if answer.verdict == "decline" else "Trade"
    st.markdown(f"**{label}:**\n" + "\n".join(f"- {trade}" for trade in answer.trades))
    with st.expander("How the offer was read, and why"):
        st.markdown("\n".join(f"- {note}" for note in (*answer.offer.assumptions, *answer.reasons)))


def _alternative(facts: CaseFacts, rec: Recommendation, call: NegotiationState) -> None:
    """What each alternative would cost the payer, against our standing ask (a light list: it is
    redrawn with every offer)."""
    ask = standing_ask(call, rec)
    comparison = compare(facts, rate_offer(facts, ask, f"${ask:.2f}"))
    if not comparison.alternatives:
        return
    lines = [
        f"**The payer's alternative**, against our ask of {usd(ask)} per {rec.unit} "
        f"({usd(comparison.our_episode_usd)} for the stay):"
    ]
    for alt in comparison.alternatives:
        mark = ", illustrative" if alt.provenance.illustrative else ""
        lines.append(
            f"- {alt.setting.replace('_', ' ')}: {usd(alt.per_diem_usd)} a day x {alt.los_days:g} "
            f"days ({alt.los_from}) = {usd(alt.episode_usd)}; the payer saves "
            f"{usd(alt.savings_usd)} ({pct(alt.savings_pct)}) "
            f"[{alt.provenance.source}, {alt.provenance.year}{mark}]"
        )
    st.markdown("\n".join(lines))


def _talking_points(points: tuple[TalkingPoint, ...]) -> None:
    st.subheader("Talking points")
    for point in points:
        with st.expander(point.heading):
            cited = "".join(f"\n- {present.cited_figure_text(f)}" for f in point.figures)
            st.markdown(point.text + ("\n" + cited if cited else ""))


def _documents(
    facts: CaseFacts, rec: Recommendation, points: tuple[TalkingPoint, ...], box: state.CallBox
) -> None:
    """Every document in every format, each made only when its button is clicked, from the call
    as it stands then. Outside the offer's fragment: redrawing its many buttons cost each answer
    ~45 ms in the browser (benchmarks/ui.py)."""
    st.subheader("Documents")
    share = st.checkbox(
        "Share our cost structure in the justification (a per-day summary only)", key="share_cost"
    )
    terms = st.session_state.get(state.TERMS)  # read here: a click runs outside the script

    def make(key: str, fmt: str) -> Callable[[], str | bytes]:
        def made() -> str | bytes:
            context = build_context(
                facts,
                rec,
                points,
                state=box.call,
                terms=terms,
                share_cost=share,
            )
            return render(key, context, fmt)

        return made

    for key, document in DOCUMENTS.items():
        columns = st.columns([3, 1, 1, 1, 1])
        columns[0].markdown(f"**{document.name}** ({document.audience})")
        for column, fmt in zip(columns[1:], FORMATS, strict=True):
            column.download_button(
                fmt.upper(),
                make(key, fmt),
                file_name=file_name(key, fmt),
                mime=FORMATS[fmt].mime,
                key=f"dl:{key}:{fmt}",
                on_click="ignore",
            )


def _save_to_log(facts: CaseFacts, rec: Recommendation, call: NegotiationState) -> None:
    """One click keeps the call: the case, the three numbers at the time and every offer."""
    with st.expander("Save this call to the log"):
        name = st.text_input("Patient name (optional, stored encrypted)", key="log_name")
        member = st.text_input("Member ID (optional, stored encrypted)", key="log_member")
        notes = st.text_area("Notes: who you spoke with, what worked", key="log_notes")
        if not st.button("Save to the log", type="primary"):
            return
        patient = (
            PatientIdentifiers(name=name or None, member_id=member or None)
            if name or member
            else None
        )
        request = request_from_call(
            facts, rec, call, requested_on=dt.date.today(), actor=state.actor(), patient=patient
        )
        try:
            with store.transaction(state.log_engine()) as session:
                request_id = store.add_request(
                    session=session,
                    request=request.model_copy(update={"notes": notes}),
                    cipher=state.cipher(),
                    actor=state.actor(),
                )
        except ScaRatesError as exc:
            st.error(str(exc))
        else:
            st.success(
                f"Saved as request {request_id} ({request.outcome}), with "
                f"{len(request.offers)} turns of the call."
            )
