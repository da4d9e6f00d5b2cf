"""The negotiation log: what needs doing, every request (identifiers masked), outcomes to record,
and what the log says about each payer. Notes and payer contacts are shown decrypted when the key
is set; the spreadsheet's download is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st
from sqlalchemy import Engine

from sca_rates import charts, store
from sca_rates.analytics import all_payer_stats, pipeline, playbook
from sca_rates.calibration import fit_payer
from sca_rates.exceptions import ScaRatesError
from sca_rates.logbook import to_csv
from sca_rates.models.log import LoggedRequest
from sca_rates.money import pct, usd
from sca_rates.store.crypto import Cipher
from sca_rates.ui import state

OUTCOMES = ["pending", "approved", "denied", "withdrawn"]


def render_page() -> None:
    st.title("Negotiation log")
    cipher = _cipher()
    try:
        engine = state.log_engine()
        with store.transaction(engine) as session:
            requests = store.list_requests(session=session, cipher=cipher)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    if not requests:
        st.info(
            "Nothing logged yet: save a call from the call desk, or import a spreadsheet with "
            "`sca-rates log import`."
        )
        return
    _pipeline(requests)
    _requests(requests, _audited_csv(engine, requests, state.actor()))
    _outcome(requests, cipher)
    _payers(requests)


def _cipher() -> Cipher | None:
    """The key, or None with one warning when it is malformed: the log is still listed."""
    try:
        return state.cipher()
    except ScaRatesError as exc:
        st.warning(f"{exc}. Until then notes and payer contacts stay encrypted here.")
        return None


def _audited_csv(engine: Engine, requests: list[LoggedRequest], actor: str) -> Callable[[], str]:
    """The spreadsheet as the download button makes it on a click, the export audited then (the
    person is read now: a click is answered outside the page's run)."""

    def made() -> str:
        with store.transaction(engine) as session:
            detail = f"log spreadsheet downloaded: {len(requests)} requests"
            store.audit(
                session=session, actor=actor, action="export", request_id=None, detail=detail
            )
        return to_csv(requests)

    return made


def _pipeline(requests: list[LoggedRequest]) -> None:
    work = pipeline(requests, today=dt.date.today())
    columns = st.columns(3)
    columns[0].metric("Pending requests", len(work.pending))
    columns[1].metric("Reauthorizations due in 7 days", len(work.reauthorizations_due))
    columns[2].metric("Claims unpaid past due", len(work.unpaid_claims))
    for request, when in work.reauthorizations_due:
        st.warning(
            f"Reauthorization for request {request.id} ({request.payer}) due {when.isoformat()}"
        )
    for request, claim in work.unpaid_claims:
        st.error(
            f"Claim of {usd(claim.amount_usd)} on request {request.id} ({request.payer}), "
            f"submitted {claim.submitted_on.isoformat()}, expected by "
            f"{claim.expected_by.isoformat() if claim.expected_by else '?'}"
        )


def _notes(request: LoggedRequest) -> str:
    return "(encrypted: set SCA_PATIENT_KEY to read)" if request.notes_sealed else request.notes


def _requests(requests: list[LoggedRequest], download: Callable[[], str]) -> None:
    st.subheader("Requests")
    st.dataframe(
        {
            "id": [r.id for r in requests],
            "requested": [r.requested_on.isoformat() for r in requests],
            "payer": [r.payer.title() for r in requests],
            "level": [r.level_of_care for r in requests],
            "outcome": [r.outcome for r in requests],
            "agreed": [usd(r.agreed_rate_usd) if r.agreed_rate_usd else "" for r in requests],
            "patient": ["on file (encrypted)" if r.patient_on_file else "" for r in requests],
            "notes": [_notes(r) for r in requests],
        },
        hide_index=True,
        width="stretch",
        placeholder="—",
    )
    st.download_button(
        "Download the log as a spreadsheet (no patient identifiers)",
        download,
        file_name="sca-log.csv",
        mime="text/csv",
        on_click="ignore",
    )


def _outcome(requests: list[LoggedRequest], cipher: Cipher | None) -> None:
    st.subheader("Record an outcome")
    with st.form("outcome"):
        chosen = st.selectbox(
            "Request",
            requests,
            format_func=lambda r: (
                f"{r.id}: {r.payer}, {r.level_of_care}, {r.requested_on.isoformat()} ({r.outcome})"
            ),
        )
        outcome = st.selectbox("Outcome", OUTCOMES, index=OUTCOMES.index(chosen.outcome))
        rate = st.number_input("Agreed rate ($ per unit)", 0.0, value=chosen.agreed_rate_usd or 0.0)
        decided = st.date_input("Decided on", chosen.decided_on or dt.date.today())
        notes = st.text_area("Notes (what worked, who said what)", chosen.notes)
        if st.form_submit_button("Save"):
            changes: dict[str, object] = {
                "outcome": outcome,
                "agreed_rate_usd": rate or None,
                "decided_on": decided,
            }
            if notes != chosen.notes:  # notes unread without the key are kept, not blanked
                changes["notes"] = notes
            _save_outcome(chosen.id or 0, changes, cipher)


def _save_outcome(request_id: int, changes: dict[str, object], cipher: Cipher | None) -> None:
    try:
        with store.transaction(state.log_engine()) as session:
            store.update_request(session=session, request_id=request_id, cipher=cipher, **changes)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    st.success(f"Request {request_id}: {changes['outcome']}")
    st.rerun()


def _payers(requests: list[LoggedRequest]) -> None:
    st.subheader("Payers")
    stats = all_payer_stats(requests)
    st.dataframe(
        {
            "payer": [s.payer.title() for s in stats],
            "requests": [s.requests for s in stats],
            "approval rate": [
                "" if s.approval_rate is None else pct(s.approval_rate) for s in stats
            ],
            "median days to decide": [
                "" if s.median_days_to_decision is None else f"{s.median_days_to_decision:g}"
                for s in stats
            ],
            "median first offer": [
                usd(s.median_first_offer_usd) if s.median_first_offer_usd else "" for s in stats
            ],
            "median agreed": [
                usd(s.median_agreed_usd) if s.median_agreed_usd else "" for s in stats
            ],
            "agreed vs target (mean)": [
                "" if s.agreed_minus_target_usd is None else usd(s.agreed_minus_target_usd)
                for s in stats
            ],
            "captured over OON": [
                "" if s.revenue_vs_oon_usd is None else usd(s.revenue_vs_oon_usd) for s in stats
            ],
        },
        hide_index=True,
        width="stretch",
        placeholder="—",
    )
    if any(s.approval_rate is not None for s in stats):  # nothing decided yet: no chart
        st.vega_lite_chart(spec=charts.payer_chart(stats), width="stretch")
    payer = st.selectbox("Playbook for", [s.payer for s in stats], format_func=str.title)
    book = playbook(payer, requests)
    left, right = st.columns(2)
    left.markdown("**Contacts**\n" + ("\n".join(f"- {c}" for c in book.contacts) or "none logged"))
    left.markdown(
        "**Triggers before approval**\n"
        + "\n".join(
            f"- {t.trigger}: {t.approved} approved of {t.requests}" for t in book.stats.triggers
        )
    )
    right.markdown(
        "**What worked (notes)**\n" + ("\n".join(f"- {n}" for n in book.notes) or "none logged")
    )
    fit = fit_payer(payer, requests)
    curve = fit.curve
    st.caption(
        f"Acceptance curve: {fit.reason}; half accept {curve.midpoint:.2f} x the market "
        f"median, steepness {curve.steepness:.1f}"
        + (
            f" (standard errors {fit.midpoint_se:.2f}, {fit.steepness_se:.1f})"
            if fit.midpoint_se is not None and fit.steepness_se is not None
            else ""
        )
    )
