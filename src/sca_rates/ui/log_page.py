"""The negotiation log: what needs doing (reauthorization requests due this week, claims unpaid
past their agreement's payment window, and the calendar of both), every request (identifiers
masked), outcomes to record, and what the log says about each payer. Notes and payer contacts are
shown decrypted when the key is set; patients are named only when the key is set and the person
asks (each reveal audited); the spreadsheet's download is audited."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from sca_rates import charts, present, store
from sca_rates.analytics import all_payer_stats, pending, playbook, results
from sca_rates.calibration import fit_payer
from sca_rates.exceptions import ScaRatesError
from sca_rates.logbook import to_csv
from sca_rates.models.log import LoggedRequest
from sca_rates.money import pct, usd
from sca_rates.reminders import (
    APPEAL_WARNING_DAYS,
    REVIEW_DOCUMENTS,
    WEEK_DAYS,
    AppealItem,
    ClaimFollowUp,
    ReauthorizationReminder,
    appeals,
    calendar,
    claim_listed,
    claim_warnings,
    claims_unpaid,
    due_this_week,
    expected_said,
    follow_up,
    payment_said,
    reasons_said,
    remittance_said,
    with_payment,
)
from sca_rates.remit import DEFAULT_APPEAL_WINDOW_DAYS, read_remittances
from sca_rates.store.crypto import Cipher
from sca_rates.terms import CLEAN_CLAIM_DAYS
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
    today = dt.date.today()
    due, unpaid = due_this_week(requests, today=today), claims_unpaid(requests, today=today)
    _pipeline(requests, due, unpaid)
    appealed = appeals(requests)
    names = _patient_names(engine, due, [*unpaid, *appealed], cipher)
    _due_this_week(due, names, today)
    _claims_unpaid(unpaid, names)
    _denied_and_underpaid(appealed, names, today)
    st.download_button(
        "Download the reminders calendar (.ics, no patient names)",
        lambda: calendar(requests, now=dt.datetime.now(dt.UTC)),  # made on a click
        file_name="sca-reminders.ics",
        mime="text/calendar",
        on_click="ignore",
    )
    _requests(requests, _audited_csv(engine, requests, state.actor()))
    _outcome(requests, cipher)
    _claims(requests)
    _payers(requests)
    _results(requests)


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


def _pipeline(
    requests: list[LoggedRequest], due: list[ReauthorizationReminder], unpaid: list[ClaimFollowUp]
) -> None:
    columns = st.columns(3)
    columns[0].metric("Pending requests", len(pending(requests)))
    columns[1].metric(f"Reauthorizations due in {WEEK_DAYS} days or overdue", len(due))
    columns[2].metric("Claims unpaid past due", len(unpaid))


def _patient_names(
    engine: Engine,
    due: list[ReauthorizationReminder],
    unpaid: Sequence[ClaimFollowUp | AppealItem],
    cipher: Cipher | None,
) -> dict[int, str]:
    """The patients of what is due, named only with the key and when asked (each reveal
    audited); otherwise a request is shown by its number, payer and level of care."""
    wanted = sorted({item.request_id for item in due} | {item.request_id for item in unpaid})
    if cipher is None or not wanted:
        return {}
    if not st.toggle("Name the patients of what is due (each is recorded in the audit)"):
        return {}
    names = {}
    try:
        with store.transaction(engine) as session:
            for request_id in wanted:
                shown = store.reveal(
                    session=session, request_id=request_id, cipher=cipher, actor=state.actor()
                )
                if shown.patient is not None and shown.patient.name:
                    names[request_id] = shown.patient.name
    except ScaRatesError as exc:
        st.error(str(exc))
        return {}
    return names


def _who(request_id: int, payer: str, level_of_care: str, names: dict[int, str]) -> str:
    shown = f"request {request_id} · {payer.title()} · {level_of_care}"
    return f"{names[request_id]} ({shown})" if request_id in names else shown


def _due_this_week(
    due: list[ReauthorizationReminder], names: dict[int, str], today: dt.date
) -> None:
    st.subheader("Due this week")
    days = f"{WEEK_DAYS} days (today and the {WEEK_DAYS - 1} after it)"
    if not due:
        st.caption(f"No reauthorization request is overdue or due in the next {days}.")
        return
    st.dataframe(
        {
            "due": [item.due.isoformat() for item in due],
            "overdue": ["overdue" if item.overdue(today) else "" for item in due],
            "patient": [_who(i.request_id, i.payer, i.level_of_care, names) for i in due],
            "authorization": [item.authorization_number or "" for item in due],
            "reauthorization": [f"request {item.number} of {item.of}" for item in due],
        },
        hide_index=True,
        width="stretch",
    )
    st.caption(
        f"Due in the next {days}, and overdue while the authorization runs. Each "
        f"reauthorization request goes with the medical-necessity review: {REVIEW_DOCUMENTS}."
    )


def _claims_unpaid(unpaid: list[ClaimFollowUp], names: dict[int, str]) -> None:
    st.subheader("Claims unpaid")
    if not unpaid:
        st.caption("No claim is unpaid past its agreement's payment window.")
        return
    st.dataframe(
        {
            "claim": [item.claim_id for item in unpaid],
            "patient": [_who(i.request_id, i.payer, i.level_of_care, names) for i in unpaid],
            "date of service": [item.date_of_service.isoformat() for item in unpaid],
            "due by": [item.window_ends.isoformat() for item in unpaid],
            # the window in days; the caption says when none was stated
            "window": [
                f"{item.window_days} days" + ("" if item.window_stated else " (assumed)")
                for item in unpaid
            ],
            "expected": [usd(item.expected_usd) for item in unpaid],
            "received": [usd(item.received_usd) for item in unpaid],
            "unpaid": [usd(item.unpaid_usd) for item in unpaid],
        },
        hide_index=True,
        width="stretch",
    )
    if any(not item.window_stated for item in unpaid):
        st.caption(
            "Where the agreement names no payment window, a claim is counted unpaid "
            f"{CLEAN_CLAIM_DAYS} days after its date of service."
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
            "days to decide": [
                "" if s.median_days_to_decision is None else f"{s.median_days_to_decision:g}"
                for s in stats
            ],
            "first offer": [
                usd(s.median_first_offer_usd) if s.median_first_offer_usd else "" for s in stats
            ],
            "agreed": [usd(s.median_agreed_usd) if s.median_agreed_usd else "" for s in stats],
            "vs target": [
                "" if s.agreed_minus_target_usd is None else usd(s.agreed_minus_target_usd)
                for s in stats
            ],
            "over OON": [
                "" if s.revenue_vs_oon_usd is None else usd(s.revenue_vs_oon_usd) for s in stats
            ],
        },
        hide_index=True,
        width="stretch",
        placeholder="—",
    )
    st.caption(
        "Days to decide, first offer and agreed: medians over the payer's requests (rates per "
        "unit). Vs target: the mean of agreed less our target, per unit. Over OON: what its "
        "agreements brought in over billing out of network, in all."
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
            f"- {present.TRIGGER_WORDS.get(t.trigger, t.trigger)}: {t.approved} approved of "
            f"{t.requests}"
            for t in book.stats.triggers
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


# The table's columns named short enough to fit 1280 wide (the CSV keeps the full names)
_SHORT_RESULT_LABELS = {
    "approval rate (%)": "approved (%)",
    "median days to decision": "days to decide",
    "SCA revenue ($)": "SCA ($)",
    "billing OON instead ($)": "OON instead ($)",
    "captured vs OON ($)": "captured ($)",
}


def _results(requests: list[LoggedRequest]) -> None:
    """What SCAs brought, per payer and quarter, against billing out of network instead."""
    rows = results(requests)
    st.subheader("Results per quarter")
    if any(r.approved for r in rows):
        st.vega_lite_chart(spec=charts.results_chart(rows), width="stretch")
    cells = present.result_rows(rows)
    st.dataframe(
        {name: [row[i] for row in cells] for i, name in enumerate(present.RESULT_COLUMNS)},
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config=_SHORT_RESULT_LABELS,
    )
    st.caption(
        "SCA revenue: the agreed rate x the units authorized (else expected) of approved "
        "requests. Billing OON instead: what billing out of network would have netted them, where "
        "the log has it. Declining the patient brings nothing: against it, all of the SCA "
        "revenue is captured. A request counts in the quarter it was decided (else requested)."
    )
    st.download_button(
        "Download the results (CSV)",
        present.results_csv(rows),
        file_name="sca-results.csv",
        mime="text/csv",
    )


# Claims, payments and remittances -----------------------------------------------------------

SAID = "log_page_said"  # what the last claim, payment or remittance did, shown after the rerun


def _denied_and_underpaid(items: list[AppealItem], names: dict[int, str], today: dt.date) -> None:
    st.subheader("Denied and underpaid")
    if not items:
        st.caption("No claim is denied or underpaid.")
        return
    st.dataframe(
        {
            "claim": [item.claim_id for item in items],
            "number": [item.number for item in items],
            "patient": [_who(i.request_id, i.payer, i.level_of_care, names) for i in items],
            "date of service": [item.date_of_service.isoformat() for item in items],
            "status": [item.status for item in items],
            "reasons": [reasons_said(item.reasons) for item in items],
            "expected": [usd(item.expected_usd) for item in items],
            "received": [usd(item.received_usd) for item in items],
            "short": [usd(item.short_usd) for item in items],
            "appeal by": [item.appeal_by.isoformat() if item.appeal_by else "" for item in items],
            "appeal": [item.standing(today) for item in items],
        },
        hide_index=True,
        width="stretch",
    )
    flagged = [item for item in items if item.flagged(today)]
    if flagged:
        st.warning(
            f"Appeal deadline within {APPEAL_WARNING_DAYS} days, no appeal sent: "
            + ", ".join(f"claim {i.number} by {i.appeal_by}" for i in flagged)
            + ". Log an appeal once sent with `sca-rates log appeal CLAIM --on DATE`."
        )
    st.caption(
        "The appeal deadline is the remittance's date plus the window given when it was read "
        "(180 days unless said); the agreement or the plan sets the real one."
    )


def _claims(requests: list[LoggedRequest]) -> None:
    """Enter a claim, record a payment, read a remittance; what the last one did is shown."""
    st.subheader("Claims and remittances")
    for line in st.session_state.pop(SAID, []):
        st.success(line)
    _add_claim(requests)
    _record_payment(requests)
    _read_remittance()


def _done(lines: list[str]) -> None:
    """Keep what was done for the next run, and run the page again with the log as it is now."""
    st.session_state[SAID] = lines
    st.rerun()


def _add_claim(requests: list[LoggedRequest]) -> None:
    today = dt.date.today()
    with st.form("claim"):
        st.markdown("**Enter a claim** (the payment expected is the agreed rate x the units)")
        chosen = st.selectbox(
            "Request",
            requests,
            format_func=lambda r: (
                f"{r.id}: {r.payer.title()}, {r.level_of_care}, "
                + (f"{usd(r.agreed_rate_usd)} per {r.unit}" if r.agreed_rate_usd else "no rate")
            ),
        )
        served = st.date_input("Date of service (the first day billed)", today)
        units = st.number_input("Units (days or sessions billed)", min_value=0.0, step=1.0)
        billed = st.number_input("Billed ($)", min_value=0.0, step=100.0)
        sent = st.date_input("Sent on", today)
        number = st.text_input(
            "Claim number sent (CLM01)", help="Blank: the log numbers it SCA-request-claim."
        )
        if st.form_submit_button("Enter the claim"):
            _save_claim(chosen.id or 0, served, units, billed, sent, number)


def _save_claim(
    request_id: int, served: object, units: float, billed: float, sent: object, number: str
) -> None:
    if not isinstance(served, dt.date) or not isinstance(sent, dt.date):
        st.error("Date of service and sent on: give both dates. Fix: pick each in the calendar")
        return
    try:
        with store.transaction(state.log_engine()) as session:
            request, claim = store.enter_claim(
                session=session,
                request_id=request_id,
                today=dt.date.today(),
                date_of_service=served,
                units=units,
                billed_usd=billed,
                submitted_on=sent,
                number=number,
            )
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    due = follow_up(request, claim)
    said = [
        f"Logged claim {claim.id} on request {request_id}: expected "
        f"{usd(claim.expected_usd or 0)} ({expected_said(request, units)})"
        + ("" if due is None else f", due by {due.window_ends}")
        + f". Send it as claim number {claim.number} (the patient control number, CLM01)."
    ]
    _done(said + [f"Warning: {w}" for w in claim_warnings(request, claim)])


def _record_payment(requests: list[LoggedRequest]) -> None:
    claims = [(r, c) for r in requests for c in r.claims]
    if not claims:
        st.caption("No claim entered yet: a payment is recorded on a claim.")
        return
    with st.form("payment"):
        st.markdown(
            "**Record a payment** (payments on a claim add up; a claim with a remittance read "
            "takes its payments from the remittances)"
        )
        _, claim = st.selectbox(
            "Claim",
            claims,
            format_func=lambda pair: (
                f"{pair[1].number} · request {pair[0].id} {pair[0].payer.title()} "
                f"{pair[0].level_of_care} · {claim_listed(pair[1])}"
            ),
        )
        amount = st.number_input("Amount paid ($)", min_value=0.0, step=100.0)
        paid_on = st.date_input("Paid on", dt.date.today())
        if st.form_submit_button("Record the payment"):
            _save_payment(claim.id or 0, amount, paid_on)


def _save_payment(claim_id: int, amount: float, paid_on: object) -> None:
    if not isinstance(paid_on, dt.date):
        st.error("Paid on: no date given. Fix: pick the day the payment came")
        return
    try:
        with store.transaction(state.log_engine()) as session:
            _, claim = store.get_claim(session=session, claim_id=claim_id)
            paid = with_payment(claim, amount_usd=amount, paid_on=paid_on, today=dt.date.today())
            store.update_claim(session=session, claim=paid)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    _done([payment_said(paid)])


def _read_remittance() -> None:
    st.markdown(
        "**Read a payer's 835 remittance**: each claim it names is matched by the number it was "
        "sent with; a file read again applies nothing twice"
    )
    upload = st.file_uploader("835 remittance (ERA) file", key="remittance")
    days = st.number_input(
        "Days to appeal after the remittance (the agreement or the plan sets them)",
        min_value=0,
        value=DEFAULT_APPEAL_WINDOW_DAYS,
        step=1,
    )
    if upload is None or not st.button("Read the remittance"):
        return
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "remittance.835"
            path.write_bytes(upload.getvalue())
            remittances = read_remittances(path, name=upload.name)
        with store.transaction(state.log_engine()) as session:
            reads = store.read_into_log(
                session=session,
                remittances=remittances,
                source=f"{upload.name} (uploaded)",
                actor=state.actor(),
                appeal_window_days=int(days),
            )
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    _done([line for read in reads for line in remittance_said(read)])
