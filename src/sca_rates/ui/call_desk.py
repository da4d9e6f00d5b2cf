"""The call desk: the three numbers, the answer to each payer offer, the talking points and the
documents, for the case in the sidebar. Every figure comes from the core."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer

from sca_rates import present, store
from sca_rates.compare import compare, rate_offer
from sca_rates.desk import Position
from sca_rates.exceptions import ScaRatesError
from sca_rates.export import DOCUMENTS, FORMATS, build_context, file_name, render
from sca_rates.logbook import request_from_call
from sca_rates.models.compare import CaseFacts
from sca_rates.models.log import PatientIdentifiers
from sca_rates.models.negotiate import NegotiationState, Response
from sca_rates.models.screen import Screen
from sca_rates.models.talking_points import TalkingPoint
from sca_rates.money import pct, usd
from sca_rates.offers import EXAMPLES as OFFER_FORMS
from sca_rates.store.crypto import Cipher
from sca_rates.talking_points import ESTIMATE, left_out_for_payer
from sca_rates.ui import state
from sca_rates.ui.case_form import case_in_sidebar

# What the caller chose or typed in the desk's folded panels, kept while they are folded (not
# the second consent to share our cost at the floor: it is asked again each time)
TYPED = ("log_name", "log_member", "log_notes")  # what the caller types to save with the call
KEPT = ("share_cost", "document", "document_format", *TYPED)
ANSWER = "answer"  # the last Response on this call
CONFIRMED = "confirmed_offer"  # an offer asked back that the caller has confirmed, to answer
PLACEHOLDER = "$350/day, 60% of billed charges, 120% of Medicare, case rate $11,000 for 25 days"
OFFER_HELP = (
    "Any of these forms: "
    + "; ".join(f"`{form}`" for form in OFFER_FORMS)
    + ". A range, two amounts, another currency or less than a dollar is refused; a figure "
    "that looks like a slip is asked back first (cases/README.md lists every form)."
)


def render_page() -> None:
    chosen = case_in_sidebar()
    if chosen is None:
        st.subheader("Call desk")
        st.info("Fix the case in the sidebar to see the numbers.")
        return
    try:
        position = state.position(*chosen)
    except ScaRatesError as exc:
        st.subheader("Call desk")
        st.error(str(exc))
        return
    box = state.call_for(*chosen)
    # No page title: on a laptop during a call, the answer must fit above the fold
    screened = position.screen(dt.date.today())
    _summary(position.facts, screened)
    _three_numbers(position, screened)
    _live_call(position)
    # Outside the offer's fragment, like the documents: redrawn with every answer they slowed it;
    # a click reruns the page, which reads the call as it then stands
    _save_to_log(position.with_call(box.call))
    _documents(position, box)
    _talking_points(position.points)


@st.fragment
def _live_call(position: Position) -> None:
    """What changes with each offer, rerun on its own so that an answer comes back at once."""
    before = state.current_call()
    position = _offer_box(position.with_call(before))
    _alternative(position)
    if position.call != before:
        state.save_call(position.call)


def _folded(label: str, key: str) -> ExpanderContainer | None:
    """An expander whose contents are drawn only while it is open (opening it reruns the page,
    or the answer's fragment): what stays folded costs each answer nothing in the browser, where
    every element on the page is redrawn with every answer (benchmarks/ui.py)."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def _summary(facts: CaseFacts, screened: Screen) -> None:
    case, pattern = facts.case, facts.pattern
    illustrative = " · illustrative cost model" if facts.cost_illustrative else ""
    st.caption(
        f"**Call desk** · {facts.facility} · {case.payer} · {pattern.level_of_care} {case.code}"
        f" · {pattern.expected_units:g} {pattern.unit}s expected · region {case.region}"
        f"{illustrative} · fits {present.TOOL_WORDS[screened.tool]}"
    )


def _three_numbers(position: Position, screened: Screen) -> None:
    """The three numbers in one row; how each was set, and the warnings, one click away."""
    rec, unit = position.recommendation, position.unit
    ceiling = rec.payer_ceiling_per_unit_usd
    row = (
        f"Opening **{usd(rec.opening.per_unit_usd)}** · Target **{usd(rec.target.per_unit_usd)}**"
        f" · Floor **{usd(rec.floor.per_unit_usd)}** per {unit}"
    )
    if ceiling is not None:
        row += f" · payer's ceiling {usd(ceiling)}"
    st.markdown(row)
    warned = f" · {len(rec.warnings)} warnings" if rec.warnings else ""
    how = _folded(f"How these were set{warned}", "how_set")
    if how is None:
        return
    with how:
        lines = [
            f"- **{name}** {usd(figure.per_unit_usd)} per {unit} "
            f"({usd(figure.per_episode_usd)} for the episode): {figure.rule}"
            for name, figure in (
                ("Opening", rec.opening),
                ("Target", rec.target),
                ("Floor", rec.floor),
            )
        ]
        if position.fitted_opening_usd is not None:
            lines.append(
                f"- From the log: {position.facts.case.payer}'s fitted acceptance curve puts the "
                f"best opening at {usd(position.fitted_opening_usd)} per {unit}."
            )
        lines += [f"- Warning: {warning}" for warning in rec.warnings]
        # Before the call: which request fits, by when, and what is on file
        lines.append(f"- Fits {present.TOOL_WORDS[screened.tool]}: {screened.reason}.")
        if screened.timing:
            lines.append(f"- When: {screened.timing}.")
        missing = [words for words, ready in screened.documents if not ready]
        if missing:
            lines.append(f"- Not on file yet: {'; '.join(missing)}.")
        lines += [f"- Warning: {warning}." for warning in screened.warnings]
        st.markdown("\n".join(lines))


def _offer_box(position: Position) -> Position:
    """Type what the payer said and press Enter: the verdict and the line to say first, then the
    trades. Every Enter replaces the answer before it: a new verdict, an error, or what to type.
    A figure that looks like a slip is asked back; it counts once the caller confirms it."""
    with st.form("offer", clear_on_submit=True, border=False):
        text = st.text_input("The payer's offer", placeholder=PLACEHOLDER, help=OFFER_HELP)
        submitted = st.form_submit_button("Answer", type="primary")
    confirmed = st.session_state.pop(CONFIRMED, None)
    if submitted and not text.strip():
        st.session_state.pop(ANSWER, None)
        st.info(f"Type what the payer offered, for example {PLACEHOLDER}, then press Enter.")
    elif submitted:
        position = _answered(position, text, confirmed=False)
    elif confirmed:
        position = _answered(position, confirmed, confirmed=True)
    call = position.call
    last = st.session_state.get(ANSWER)
    if isinstance(last, Response) and last.state == call:
        _answer(last, position.unit)
    if call.exchanges:
        # A line of text, not a chart: a chart redrawn with every answer held the answer back
        st.caption(f"The call so far: {present.call_so_far(call, position.unit)}")
        if st.button("Start a new call"):
            state.save_call(NegotiationState())
            st.session_state.pop(ANSWER, None)
            st.rerun(scope="fragment")
    return position


def _answered(position: Position, text: str, *, confirmed: bool) -> Position:
    """The position after answering ``text``; a bad offer is an error in place of the last
    answer, and changes nothing."""
    try:
        answer = position.answer(text, confirmed=confirmed)
    except ScaRatesError as exc:
        st.session_state.pop(ANSWER, None)
        st.error(str(exc))
        return position
    st.session_state[ANSWER] = answer
    return position.with_call(answer.state)


# Each verdict its own look, none the look of an error
VERDICT_LOOK = {
    "accept": ("green", "ACCEPT"),
    "agreed": ("green", "ALREADY AGREED"),
    "counter": ("blue", "COUNTER"),
    "decline": ("orange", "DECLINE"),
}


def _answer(answer: Response, unit: str) -> None:
    offered = f"{usd(answer.offer.per_unit_usd)} per {unit}"
    ask = f"{usd(answer.ask_per_unit_usd)} per {unit}"
    if answer.verdict == "check":
        _check(answer, offered)
        return
    color, word = VERDICT_LOOK[answer.verdict]
    if answer.verdict == "decline" and answer.final:
        word = "FINAL DECLINE"
    said = {
        "accept": f"{word} {offered}",
        "agreed": f"{word} at {ask}: confirm it in writing",
        "counter": f"{word} {offered} with {ask}",
        "decline": f"{word} {offered}: we could do {ask}",
    }[answer.verdict]
    label = "What would change it" if answer.verdict == "decline" else "Trade"
    trades = "\n".join(f"- {trade}" for trade in answer.trades)
    # One block: the verdict, the line to say (the largest text on the page) and the trades;
    # each element drawn apart added to the time an answer takes to show
    st.markdown(f":{color}-badge[{said}]\n\n### {answer.line}\n\n**{label}:**\n{trades}")
    for question in answer.offer.asks:
        st.warning(f"Ask: {question}")
    read = _folded("How the offer was read, and why", "offer_read")
    if read is None:
        return
    with read:
        st.markdown("\n".join(f"- {note}" for note in (*answer.offer.assumptions, *answer.reasons)))


def _check(answer: Response, offered: str) -> None:
    """A figure asked back: why it looks wrong, or what to ask first, and the button that counts
    it once the payer confirms (none when the offer must be typed again)."""
    why = answer.offer.checks or answer.reasons  # a slip: why it looks wrong; else, what to ask
    st.warning(f"CHECK {offered}: " + "; ".join(why) + ". Not counted yet.")
    st.markdown(f"### {answer.line}")  # the line to say, the largest text, as with any verdict
    if not answer.confirmable:
        return
    st.button(
        f"The payer confirmed {offered}: count it",
        on_click=st.session_state.__setitem__,
        args=(CONFIRMED, answer.offer.offer.text),
    )


def _alternative(position: Position) -> None:
    """What each alternative would cost the payer, against where the call stands (a light list:
    it is redrawn with every offer)."""
    facts, ask, unit = position.facts, position.standing_usd, position.unit
    comparison = compare(facts, rate_offer(facts, ask, f"${ask:.2f}"))
    if not comparison.alternatives:
        return
    where = "the rate agreed" if position.agreed_usd is not None else "our ask"
    lines = [
        f"**The payer's alternative**, against {where} of {usd(ask)} per {unit} "
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
    """The spoken line of each point with why it fired, then the written forms with their
    sources: two blocks, not one element a point (each element on the page slowed every
    answer, benchmarks/ui.py)."""
    st.subheader("Talking points")
    st.markdown(
        "\n\n".join(
            f"**{point.heading}:** {point.spoken}"
            + (f" :orange-badge[{ESTIMATE}]" if point.illustrative else "")
            + f"  \n:gray[Why this point: {point.why}.]"
            for point in points
        )
    )
    written = _folded("Each point written out, with its sources", "points_written")
    if written is None:
        return
    with written:
        st.markdown(
            "\n\n".join(
                f"**{point.heading}.** {point.text}"
                + "".join(f"\n- {present.cited_figure_text(f)}" for f in point.figures)
                for point in points
            )
        )


def _documents(position: Position, box: state.CallBox) -> None:
    """Every document in every format, each made only when its button is clicked, from the call
    as it stands then. Outside the offer's fragment, and folded: redrawn with every answer, its
    buttons held each one back (benchmarks/ui.py)."""
    named = ", ".join(document.name.lower() for document in DOCUMENTS.values())
    folded = _folded(f"Documents: {named}", "documents")
    if folded is None:
        return
    with folded:
        _document_choice(position, box)


def _document_choice(position: Position, box: state.CallBox) -> None:
    share = st.checkbox(
        "Share our cost structure in the justification (a per-day summary only)", key="share_cost"
    )
    if share and position.cost_is_floor:
        st.warning(
            f"Our fully loaded cost, {usd(position.facts.cost.fully_loaded_per_unit)} per "
            f"{position.unit}, is our floor: sharing it tells the payer the least we would take."
        )
        share = st.checkbox("Share it anyway", key="share_cost_at_floor")
    left_out = left_out_for_payer(position.points)
    if left_out:
        st.caption(
            "Left out of the payer's documents (they rest on estimates): "
            + "; ".join(left_out)
            + "."
        )
    terms = st.session_state.get(state.TERMS)  # read here: a click runs outside the script

    left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
    key = left.selectbox(
        "Document",
        list(DOCUMENTS),
        format_func=lambda k: f"{DOCUMENTS[k].name} ({DOCUMENTS[k].audience})",
        key="document",
    )
    fmt = middle.radio(
        "Format", list(FORMATS), format_func=str.upper, horizontal=True, key="document_format"
    )

    def made() -> str | bytes:
        context = build_context(position.with_call(box.call), terms=terms, share_cost=share)
        return render(key, context, fmt)

    # One button for the document and format chosen, not a button for each pair: every
    # element on the page slowed every answer (benchmarks/ui.py)
    right.download_button(
        "Download",
        made,
        file_name=file_name(key, fmt),
        mime=FORMATS[fmt].mime,
        key=f"dl:{key}:{fmt}",
        on_click="ignore",
    )


NO_KEY = (
    "Patient identifiers are kept only encrypted, and no key is set here: an administrator runs "
    "`sca-rates log new-key` once and sets the key it prints as SCA_PATIENT_KEY (README, The "
    "app). Until then the call is saved without them; what you type here stays."
)


SAVED = "saved"  # what the last click on "Save to the log" said: ("success" or "error", words)


def _save_to_log(position: Position) -> None:
    """One click keeps the call: the case, the three numbers at the time and every offer; the
    patient's identifiers and the notes (which may name the patient) only encrypted, so without
    a key the call is saved without them, and what was typed stays on the page."""
    folded = _folded("Save this call to the log", "save_call")
    if folded is None:
        return
    with folded:
        try:
            cipher = state.cipher()
        except ScaRatesError as exc:  # a malformed key: said, and no identifier is kept
            st.warning(str(exc))
            cipher = None
        if cipher is None:
            st.caption(NO_KEY)
        st.text_input("Patient name (optional, stored encrypted)", key="log_name")
        st.text_input("Member ID (optional, stored encrypted)", key="log_member")
        st.text_area("Notes: who you spoke with, what worked", key="log_notes")
        st.button("Save to the log", type="primary", on_click=_save, args=(position, cipher))
        look, said = st.session_state.pop(SAVED, ("", ""))
        if look == "success":
            st.success(said)
        elif look == "error":
            st.error(said)


def _save(position: Position, cipher: Cipher | None) -> None:
    """The click's work, before the page is drawn again: the call as it then stands is kept,
    and what was saved with it is cleared (the next call is another patient's); what could not
    be saved stays typed."""
    name, member, notes = (st.session_state.get(key, "") for key in TYPED)
    typed = bool(name or member)
    patient = (
        PatientIdentifiers(name=name or None, member_id=member or None)
        if typed and cipher is not None
        else None
    )
    request = request_from_call(
        position.with_call(state.current_call()),
        requested_on=dt.date.today(),
        actor=state.actor(),
        patient=patient,
    )
    try:
        with store.transaction(state.log_engine()) as session:
            request_id = store.add_request(
                session=session,
                request=request.model_copy(update={"notes": notes if cipher is not None else ""}),
                cipher=cipher,
                actor=state.actor(),
            )
    except ScaRatesError as exc:
        st.session_state[SAVED] = ("error", str(exc))
        return
    state.save_call(NegotiationState())  # saved: the call ends, and its draft with it
    if cipher is not None:
        for key in TYPED:
            st.session_state[key] = ""
    unsaved = [
        what
        for what, given in (("the patient's name and member ID", typed), ("the notes", notes))
        if given and cipher is None
    ]
    said = " and ".join(unsaved)
    left_out = (
        f" {said[:1].upper()}{said[1:]} were not saved: no key is set (see above)."
        if unsaved
        else ""
    )
    st.session_state[SAVED] = (
        "success",
        f"Saved as request {request_id} ({request.outcome}), with "
        f"{len(request.offers)} turns of the call.{left_out}",
    )
