"""Market page: every reference figure with its source, year and illustrative mark; where the
case's numbers sit in the market found for it; and rates of your own for this session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import streamlit as st

from sca_rates import charts
from sca_rates.desk import Position
from sca_rates.exceptions import ScaRatesError
from sca_rates.files import keep_network_evidence
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES
from sca_rates.ingest.run import Job
from sca_rates.ingest.run import run as run_job
from sca_rates.ingest.summarize import SummaryReport, summarize
from sca_rates.models.case import Case
from sca_rates.models.market import AccessStandardRow, MarketData
from sca_rates.money import usd
from sca_rates.network import NetworkSearch, search_case
from sca_rates.present.network import (
    program_said,
    rates_said,
    sources_said,
    standard_said,
)
from sca_rates.ui import state
from sca_rates.ui.case_form import case_in_sidebar, chosen_case_file


def render_page() -> None:
    st.title("Market")
    chosen = case_in_sidebar()
    # Figures of your own first, so that everything below already uses them
    with st.expander("Add figures of your own for this session", expanded=False):
        _upload()
        _import()
    try:
        market = state.market()
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    if chosen is not None:
        try:
            _case_in_market(state.position(*chosen))
        except ScaRatesError as exc:
            st.error(str(exc))
        _network(chosen[0], market)
    _table(market)


def _case_in_market(position: Position) -> None:
    facts, rec = position.facts, position.recommendation
    dist, unit = facts.distribution, facts.pattern.unit
    st.subheader(
        f"{facts.case.payer}, {facts.case.region}, {facts.pattern.level_of_care} {facts.case.code}"
    )
    if dist is None:
        st.warning("No market figure for this payer, region and level of care.")
        return
    marks = {
        "floor": rec.floor.per_unit_usd,
        "target": rec.target.per_unit_usd,
        "opening": rec.opening.per_unit_usd,
        "fully loaded cost": facts.cost.fully_loaded_per_unit,
    }
    if facts.medicare_per_unit_usd is not None:
        marks["Medicare"] = facts.medicare_per_unit_usd
    st.vega_lite_chart(spec=charts.distribution_chart(dist, marks, unit), width="stretch")
    source = "; ".join(f"{s.source}, {s.year}" for s in dist.sources)
    mark = " Illustrative figures." if dist.illustrative else ""
    sample = f"n = {dist.n}" if dist.n else "sample size unknown"
    st.caption(
        f"Figures: {dist.payer}, {dist.region}, {dist.code}, {dist.year} ({sample}). "
        f"Source: {source}.{mark}"
    )
    for step in dist.fallback:
        st.caption(f"Fallback: {step}")


SEARCH = "network_search"  # the last search of the payer's files, kept across reruns


def _network(case: Case, market: MarketData) -> None:
    """The payer's in-network programs near the patient, from its files, and keeping them in
    the case file as the evidence of the gap (as `sca-rates network --save` does)."""
    st.subheader("The payer's network near the patient")
    with st.form("network"):
        rates = st.text_area(
            "The payer's in-network rates: Parquet files of `sca-rates market import-tic`, "
            "one path a line",
            height=68,
        )
        providers = st.text_input("The programs: the Parquet file of `sca-rates market providers`")
        if st.form_submit_button("Search"):
            paths = [Path(line.strip()).expanduser() for line in rates.splitlines() if line.strip()]
            try:
                st.session_state[SEARCH] = search_case(
                    case,
                    market,
                    rates=paths,
                    providers=Path(providers.strip()).expanduser(),
                    market_dir=state.settings().market_data_dir,
                )
            except ScaRatesError as exc:
                st.session_state.pop(SEARCH, None)
                st.error(str(exc))
    found: tuple[NetworkSearch, AccessStandardRow] | None = st.session_state.get(SEARCH)
    if found is None or not _for_case(found[0], case):
        return
    search, standard = found
    _programs_found(search, standard)
    _keep(search)


def _for_case(search: NetworkSearch, case: Case) -> bool:
    """A search for another case (code, ZIP or payer) says nothing of this one."""
    searched = (search.codes, search.patient_zip, search.payer)
    return searched == ((case.code,), case.patient_zip, case.payer)


def _programs_found(search: NetworkSearch, standard: AccessStandardRow) -> None:
    limit = f"{search.standard_miles:g} miles"
    st.caption(
        f"From the patient's ZIP {search.patient_zip}, {search.distance_basis}. Access "
        f"standard: {limit} ({standard_said(standard)})."
    )
    for title, programs in (
        (f"Within {limit}", search.within),
        (f"Nearest beyond {limit}", search.beyond),
    ):
        if programs:
            st.markdown(f"**{title}**")
            st.markdown(
                "\n".join(
                    f"- **{p.miles:.1f} mi** {program_said(p)}: " + "; ".join(rates_said(p))
                    for p in programs
                )
            )
    if not search.within and not search.beyond:
        st.markdown(f"No in-network program billing {', '.join(search.codes)} in these files.")
    refused = search.refused()  # a state missing, or a program not placed, within reach
    if refused is not None:
        st.warning(
            f"This search cannot be kept as the case's evidence: {refused[0].lower()}{refused[1:]}."
        )
    st.caption("Sources: " + "; ".join(sources_said(search)))


def _keep(search: NetworkSearch) -> None:
    """The button that keeps the search in the case file, offered only when it can be kept
    (``_programs_found`` says why not)."""
    if search.refused() is not None:
        return
    path = chosen_case_file()
    if path is None:
        st.caption("To keep these programs as the case's evidence, choose a case file.")
        return
    if st.button(f"Keep in {path.name} as the evidence of the network gap"):
        try:
            keep_network_evidence(path, search.evidence(dt.date.today()))
        except ScaRatesError as exc:
            st.error(str(exc))
            return
        if search.within:
            st.warning(
                f"Kept in {path.name}: in-network programs lie within the access standard, so "
                "no network-gap point is made for this case."
            )
        else:
            st.success(f"Kept in {path.name}: the network-gap point now cites these files.")


def _cited(sources: list[tuple[str, int, bool]]) -> tuple[list[str], str]:
    """Each row's source as a note number with its year, and the notes in full: a source of
    90 characters would be cut in a column at 1280 wide."""
    notes: dict[str, int] = {}
    column = []
    for source, year, illustrative in sources:
        number = notes.setdefault(source, len(notes) + 1)
        column.append(f"[{number}] {year}" + (" estimate" if illustrative else ""))
    return column, "Sources: " + "; ".join(f"[{n}] {s}" for s, n in notes.items())


def _table(market: MarketData) -> None:
    st.subheader("Reference rates")
    levels = sorted({row.level_of_care for row in market.rates})
    shown = st.multiselect("Levels of care", levels, default=levels)
    rows = [row for row in market.rates if row.level_of_care in shown]
    sources, notes = _cited([(r.source, r.year, r.illustrative) for r in rows])
    st.dataframe(
        {
            "payer": [r.payer for r in rows],
            "region": [r.region for r in rows],
            "code": [f"{r.level_of_care} {r.code_type} {r.code}" for r in rows],
            "amount": [f"{r.statistic} {usd(r.amount_usd)} per {r.unit}" for r in rows],
            "sample": ["unknown" if r.n is None else f"{r.n:,}" for r in rows],
            "source": sources,
        },
        hide_index=True,
        width="stretch",
        placeholder="—",
    )
    st.caption(notes)
    st.subheader("The payer's alternatives")
    alternatives = market.alternatives
    sources, notes = _cited([(a.source, a.year, a.illustrative) for a in alternatives])
    st.dataframe(
        {
            "setting": [a.setting.replace("_", " ") for a in alternatives],
            "treats": [a.treats.replace("_", " ").replace(";", ", ") for a in alternatives],
            "payer, region": [f"{a.payer}, {a.region}" for a in alternatives],
            "per day": [usd(a.per_diem_usd) for a in alternatives],
            "typical stay": [f"{a.typical_los_days:g} days" for a in alternatives],
            "source": sources,
        },
        hide_index=True,
        width="stretch",
        placeholder="—",
    )
    st.caption(notes)
    st.caption("Files read, the later over the earlier: " + ", ".join(market.files))


def _upload() -> None:
    st.markdown("**A rates file of your own**")
    upload = st.file_uploader("A rates CSV (the columns of market_data/rates.csv)", type=["csv"])
    if upload is None:
        return
    try:
        count = state.upload_rates(upload.getvalue().decode("utf-8-sig"), upload.name)
    except UnicodeDecodeError:
        st.error(f"{upload.name} is not UTF-8 text. Fix: save it as CSV (UTF-8).")
    except ScaRatesError as exc:
        st.error(str(exc))
    else:
        st.success(
            f"{count} rows from {upload.name} are used in this session, over the bundled "
            "figures with the same key."
        )


def _import() -> None:
    """A payer's in-network file or a hospital's standard charges, read on the server (a path:
    these files can be gigabytes) and summarized into rates for this session."""
    st.markdown("**A price-transparency file**")
    with st.form("import"):
        path = st.text_input("Path of the file on this machine (.json, .json.gz or .csv)")
        kind = st.radio(
            "It is",
            ["a payer's in-network rates (TiC)", "a hospital's standard charges"],
            horizontal=True,
        )
        region = st.text_input("Region the prices are for (US, a state, or a CBSA)", "US")
        as_of = st.date_input("Drop prices expired before", dt.date.today())
        if not st.form_submit_button("Import and use"):
            return
    source = Path(path.strip()).expanduser()
    if not source.is_file():
        st.error(f"{source}: no such file. Fix: give the full path of a file on this machine.")
        return
    target = state.settings().imports_dir / f"{source.name}.parquet"
    job = Job(
        "tic" if kind.startswith("a payer") else "hpt", source, target, BEHAVIORAL_HEALTH_CODES
    )
    report = SummaryReport()
    try:
        with st.spinner(f"Reading {source.name}"):
            done = run_job(job)
            rows = pq.read_table(target).to_pylist()
            figures = summarize(
                rows,
                region=region.strip().upper(),
                as_of=as_of,
                market=state.market(),
                report=report,
            )
    except (ScaRatesError, OSError, ValueError) as exc:
        st.error(str(exc))
        return
    state.use_rates(figures)
    st.success(
        f"{done.rows:,} prices read; {report.expired:,} expired, {report.not_dollars:,} "
        f"percentages or formulas kept apart, {report.outliers:,} outside the Medicare "
        f"band; {len(figures)} market figures now used in this session."
    )
    for warning in done.warnings:
        st.warning(warning)
