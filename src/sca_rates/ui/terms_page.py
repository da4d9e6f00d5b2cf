"""Terms: the agreement as the payer confirmed it, what is missing or vague, when each
reauthorization is due, and the email asking the payer to confirm it all in writing."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import streamlit as st

from sca_rates import present
from sca_rates.exceptions import InvalidTerms, ScaRatesError
from sca_rates.export import DOCUMENTS, FORMATS, build_context, file_name, render
from sca_rates.files import TERMS_DOC, load_terms, validate_model
from sca_rates.models.terms import AgreementTerms, BundledService
from sca_rates.money import usd
from sca_rates.terms import check_terms
from sca_rates.ui import state
from sca_rates.ui.case_form import case_in_sidebar

NONE = "(start blank)"
BUNDLED: tuple[str, ...] = get_args(BundledService)
# Words, not emoji: a marker must read on a machine without an emoji font
SEVERITY = {"error": "must fix", "warning": "risk", "info": "worth asking"}


def render_page() -> None:
    st.title("Terms in writing")
    chosen = case_in_sidebar()
    files = {p.name: p for p in sorted(state.settings().agreements_dir.glob("*.yaml"))}
    start = st.selectbox("Start from", [NONE, *files])
    try:
        base = load_terms(files[start]) if start in files else AgreementTerms()
        terms = _form(base, prefix=start)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    st.session_state[state.TERMS] = terms
    position = state.position(*chosen) if chosen is not None else None
    # The letter against the call in progress: the rate it settled, its stay, the program's
    # services (position.with_call: the call as the call desk left it)
    call = position.with_call(state.current_call()).agreed_call() if position else None
    report = check_terms(terms, call, today=dt.date.today())
    st.subheader("What the checker finds")
    if call is not None:
        settled = "agreed" if call.agreed else "asked (no agreement yet)"
        st.caption(
            f"Checked against the call: {usd(call.per_unit_usd)} per {call.unit} {settled}, "
            f"{call.expected_units:g} {call.unit}s expected."
        )
    if report.ready:
        st.success("Nothing that is likely to lead to a denial.")
    # A list, not a table: each finding and the sentence to ask for are read whole at 1280 wide
    st.markdown(
        "\n".join(
            f"- **{SEVERITY[f.severity]}** · {present.term_said(f.term)}: {f.message}"
            + (f"  \n  Ask: *{f.ask}*" if f.ask else "")
            for f in report.findings
        )
    )
    if report.schedule:
        st.subheader("Reauthorization requests due")
        st.dataframe(
            {
                "request by": [s.due.isoformat() for s in report.schedule],
                "period": [
                    f"{s.period_start.isoformat()} to {s.period_end.isoformat()}"
                    for s in report.schedule
                ],
            },
            hide_index=True,
            placeholder="—",
        )
    if position is not None:
        context = build_context(position, terms=terms)
        email = str(render("terms-email", context, "txt"))
        st.subheader("Ask the payer to confirm in writing")
        st.code(email, language=None, wrap_lines=True)  # read whole at 1280 wide, no scrolling
        st.download_button(
            DOCUMENTS["terms-email"].name,
            email,
            file_name=file_name("terms-email", "txt"),
            mime=FORMATS["txt"].mime,
        )


def _date(label: str, value: dt.date | None, key: str) -> dt.date | None:
    return st.date_input(label, value, key=key)


def _form(base: AgreementTerms, *, prefix: str) -> AgreementTerms:
    def key(name: str) -> str:
        return f"terms:{prefix}:{name}"

    st.caption(f"Fill in what the payer confirmed; leave blank what it did not. See {TERMS_DOC}.")
    left, right = st.columns(2)
    patient = base.patient
    with left:
        st.markdown("**Patient**")
        data: dict[str, Any] = {
            "patient": {
                "name": st.text_input("Name", patient.name or "", key=key("name")) or None,
                "date_of_birth": _date("Date of birth", patient.date_of_birth, key("dob")),
                "member_id": st.text_input("Member ID", patient.member_id or "", key=key("member"))
                or None,
                "group_number": st.text_input(
                    "Group number", patient.group_number or "", key=key("group")
                )
                or None,
            }
        }
        st.markdown("**Rate and cost-sharing**")
        data["rate"] = base.rate.model_dump() | {
            "per_unit_usd": st.number_input(
                "Rate ($ per unit)", 0.0, value=base.rate.per_unit_usd or 0.0, key=key("rate")
            )
            or None,
            "bundle_includes": st.multiselect(
                "The rate includes",
                BUNDLED,
                default=list(base.rate.bundle_includes),
                format_func=lambda s: s.replace("_", " "),
                key=key("bundle"),
            ),
        }
        harmless = {"not stated": None, "yes": True, "no": False}
        data["hold_harmless"] = harmless[
            st.radio(
                "Patient held harmless (no balance billing)",
                list(harmless),
                index=list(harmless.values()).index(base.hold_harmless),
                horizontal=True,
                key=key("harmless"),
            )
        ]
        sharing = [None, "in_network", "out_of_network", "waived"]
        data["cost_sharing"] = st.selectbox(
            "Patient cost-sharing",
            sharing,
            index=sharing.index(base.cost_sharing),
            key=key("sharing"),
        )
        confirmations = [None, "written", "verbal"]
        data["confirmation"] = st.selectbox(
            "Confirmed",
            confirmations,
            index=confirmations.index(base.confirmation),
            key=key("confirmed"),
        )
    with right:
        auth = base.authorization
        st.markdown("**Authorization**")
        data["authorization"] = {
            "number": st.text_input("Authorization number", auth.number or "", key=key("auth"))
            or None,
            "start_date": _date("Start", auth.start_date, key("start")),
            "end_date": _date("End", auth.end_date, key("end")),
            "authorized_units": st.number_input(
                "Units authorized", 0.0, value=auth.authorized_units or 0.0, key=key("units")
            )
            or None,
            "period_days": st.number_input(
                "Reviewed every (days; 0: once)", 0, value=auth.period_days or 0, key=key("period")
            )
            or None,
        }
        data["reauthorization"] = {
            "process": st.text_input(
                "Reauthorization process", base.reauthorization.process or "", key=key("process")
            )
            or None,
            "contact": st.text_input(
                "Reauthorization contact", base.reauthorization.contact or "", key=key("contact")
            )
            or None,
            "lead_business_days": st.slider(
                "Ask this many business days before a period ends",
                3,
                5,
                base.reauthorization.lead_business_days,
                key=key("lead"),
            ),
        }
    data["services"] = [s.model_dump() for s in base.services]
    data["service_description"] = (
        st.text_input(
            "What the payer wrote about the services covered",
            base.service_description or "",
            key=key("wording"),
        )
        or None
    )
    data["claims"] = base.claims.model_dump() | {
        "payment_days": st.number_input(
            "Clean claims paid within (days; 0: not stated)",
            0,
            value=base.claims.payment_days or 0,
            key=key("payment"),
        )
        or None
    }
    provider = base.provider
    columns = st.columns(3)
    data["provider"] = {
        name: column.text_input(label, getattr(provider, name) or "", key=key(name)).strip() or None
        for column, (name, label) in zip(
            columns,
            (("npi", "Our NPI"), ("tin", "Our TIN"), ("taxonomy", "Our taxonomy code")),
            strict=True,
        )
    }
    # What the form does not edit is kept as the file has it (the subscriber, the contact ...)
    data = base.model_dump() | data
    data["patient"] = base.patient.model_dump() | data["patient"]
    return validate_model(
        data, AgreementTerms, InvalidTerms, source="the terms form", doc=TERMS_DOC
    )
