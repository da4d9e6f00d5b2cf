"""The three numbers, talking points, answers to offers and the terms checklist: text and JSON."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from sca_rates.analytics import PayerStats, QuarterResult
from sca_rates.models.negotiate import NegotiationState, Response
from sca_rates.models.recommend import RateFigure, Recommendation
from sca_rates.models.screen import Screen
from sca_rates.models.talking_points import Figure, TalkingPoint
from sca_rates.models.terms import TermsReport
from sca_rates.money import usd
from sca_rates.present.common import UNIT_PLURAL, cents, optional_cents, per


def _figure_json(figure: RateFigure) -> dict[str, Any]:
    return {
        "per_unit_usd": cents(figure.per_unit_usd),
        "per_episode_usd": cents(figure.per_episode_usd),
        "rule": figure.rule,
        "binding": figure.binding,
        "inputs": {name: round(value, 4) for name, value in figure.inputs.items()},
    }


def cited_figure_json(figure: Figure) -> dict[str, Any]:
    return figure.model_dump()


def talking_point_json(point: TalkingPoint) -> dict[str, Any]:
    return {
        "topic": point.topic,
        "trigger": point.trigger,
        "heading": point.heading,
        "spoken": point.spoken,
        "text": point.text,
        "why": point.why,
        "illustrative": point.illustrative,
        "figures": [cited_figure_json(f) for f in point.figures],
    }


def recommendation_json(rec: Recommendation, points: tuple[TalkingPoint, ...]) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates recommend --json``."""
    return {
        "unit": rec.unit,
        "expected_units": rec.expected_units,
        "floor": _figure_json(rec.floor),
        "target": _figure_json(rec.target),
        "opening": _figure_json(rec.opening),
        "zopa": rec.zopa,
        "payer_ceiling_per_unit_usd": optional_cents(rec.payer_ceiling_per_unit_usd),
        "warnings": list(rec.warnings),
        "talking_points": [talking_point_json(point) for point in points],
    }


def _figure_source(figure: Figure) -> str:
    year = f", {figure.year}" if figure.year else ""
    mark = ", illustrative" if figure.illustrative else ""
    return f"{figure.source}{year}{mark}"


def cited_figure_text(figure: Figure) -> str:
    """ "distance: 42 miles [case file]", "median: $460.00 per day [source, 2026, illustrative]"."""
    value = usd(figure.value) if figure.unit.startswith("USD") else f"{figure.value:,.4g}"
    unit = figure.unit.removeprefix("USD").strip()
    return f"{figure.label}: {value} {unit} [{_figure_source(figure)}]".replace("  ", " ")


def recommendation_lines(rec: Recommendation, points: tuple[TalkingPoint, ...]) -> list[str]:
    unit, units = rec.unit, rec.expected_units
    lines = []
    for name, figure in (("Opening", rec.opening), ("Target", rec.target), ("Floor", rec.floor)):
        lines.append(
            f"{name:<8} {usd(figure.per_unit_usd)} {per(unit)}  "
            f"({usd(figure.per_episode_usd)} for {units:g} {UNIT_PLURAL[unit]})"
        )
        lines.append(f"         {figure.rule}")
    if rec.payer_ceiling_per_unit_usd is not None:
        lines.append(f"Payer's ceiling {usd(rec.payer_ceiling_per_unit_usd)} {per(unit)}")
    lines += [f"! {warning}" for warning in rec.warnings]
    if points:
        lines.append("Talking points")
    for point in points:
        lines += [f"* {point.heading}", f'  Say: "{point.spoken}"', f"  Why: {point.why}"]
        lines += [f"    - {cited_figure_text(figure)}" for figure in point.figures]
    return lines


def response_json(response: Response) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates counter --json``."""
    return {
        "verdict": response.verdict,
        "confirm": response.verdict == "check",
        "final": response.final,
        "ask_per_unit_usd": cents(response.ask_per_unit_usd),
        "offer_per_unit_usd": cents(response.offer.per_unit_usd),
        "offer_per_episode_usd": cents(response.offer.per_episode_usd),
        "offer_assumptions": list(response.offer.assumptions),
        "ask_the_payer": list(response.offer.asks),
        "checks": list(response.offer.checks),
        "counter_per_unit_usd": optional_cents(response.counter_per_unit_usd),
        "counter_per_episode_usd": optional_cents(response.counter_per_episode_usd),
        "concession_usd": optional_cents(response.concession_usd),
        "trades": list(response.trades),
        "line": response.line,
        "reasons": list(response.reasons),
    }


def response_lines(response: Response) -> list[str]:
    unit = response.offer.unit
    verdict = response.verdict.upper()
    if response.final and response.verdict == "decline":
        verdict = "FINAL DECLINE"
    head = f"{verdict}: offer {usd(response.offer.per_unit_usd)} {per(unit)}"
    if response.counter_per_unit_usd is not None:
        head += f"; counter {usd(response.counter_per_unit_usd)} {per(unit)}"
    elif response.verdict == "decline":
        head += f"; we could do {usd(response.ask_per_unit_usd)} {per(unit)}"
    lines = [head, f"Say: {response.line}"]
    lines += [f"Ask: {ask}" for ask in response.offer.asks]
    if response.verdict == "check":
        lines += [f"Check: {reason.removeprefix('check: ')}" for reason in response.reasons]
        lines.append("Not counted: if the payer confirms it, run again with --confirmed.")
        return lines
    label = "What would change it:" if response.verdict == "decline" else "Trade:"
    lines += [label, *[f"  - {trade}" for trade in response.trades]]
    lines += ["Why:", *[f"  - {reason}" for reason in response.reasons]]
    return lines


def terms_json(report: TermsReport) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates terms --json``."""
    return {
        "ready": report.ready,
        "findings": [f.model_dump() for f in report.findings],
        "reauthorization_due": [item.due.isoformat() for item in report.schedule],
        "schedule": [item.model_dump(mode="json") for item in report.schedule],
    }


# Each term of a letter the checker names (its field in the letter's file), in a person's words
TERM_WORDS = {
    "authorization.authorized_units": "units authorized",
    "authorization.end_date": "authorization end date",
    "authorization.number": "authorization number",
    "authorization.start_date": "start date",
    "claims.method": "how claims are sent",
    "claims.modifier": "claim modifier",
    "claims.payment_days": "payment window",
    "claims.timely_filing_days": "timely filing limit",
    "confirmation": "written confirmation",
    "cost_sharing": "patient cost-sharing",
    "hold_harmless": "hold harmless",
    "patient": "patient",
    "patient.group_number": "group number",
    "patient.subscriber": "subscriber",
    "payer_contact": "payer's contact",
    "provider": "our identifiers",
    "provider.npi": "NPI",
    "provider.taxonomy": "taxonomy code",
    "rate": "rate",
    "rate.basis": "what the rate covers",
    "rate.beyond_per_unit_usd": "rate after the units covered",
    "rate.bundle_includes": "services inside the rate",
    "rate.case_rate_usd": "case rate",
    "rate.per_unit_usd": "rate",
    "rate.unit": "rate's unit",
    "rate.units_covered": "units the case rate covers",
    "reauthorization.contact": "reauthorization contact",
    "reauthorization.process": "reauthorization",
    "services": "services",
}
_SERVICE_TERM = re.compile(r"^services\[(\d+)\]\.(\w+)$")


def term_said(term: str) -> str:
    """A term the checker names, in a person's words ("units of service 1", not
    "services[0].units"); a term not listed, its field with spaces."""
    listed = _SERVICE_TERM.match(term)
    if listed:
        return f"{listed.group(2).replace('_', ' ')} of service {int(listed.group(1)) + 1}"
    return TERM_WORDS.get(term, term.replace("_", " ").replace(".", ": "))


def terms_lines(report: TermsReport) -> list[str]:
    verdict = (
        "Ready: nothing likely to cause a denial." if report.ready else "Not ready to start care."
    )
    lines = [verdict]
    for finding in report.findings:
        lines.append(f"  [{finding.severity}] {finding.term}: {finding.message}")
        if finding.ask:
            lines.append(f"      Ask: {finding.ask}")
    if report.schedule:
        lines.append("Reauthorization requests due:")
        lines += [
            f"  {item.due.isoformat()} (for the period {item.period_start.isoformat()} to "
            f"{item.period_end.isoformat()})"
            for item in report.schedule
        ]
    return lines


def payer_stats_lines(stats: PayerStats) -> list[str]:
    def money(value: float | None) -> str:
        return "-" if value is None else usd(value)

    rate = "-" if stats.approval_rate is None else f"{stats.approval_rate:.0%}"
    days = "-" if stats.median_days_to_decision is None else f"{stats.median_days_to_decision:g}"
    lines = [
        f"{stats.payer}: {stats.requests} requests, {stats.approved} approved, {stats.denied} "
        f"denied, {stats.pending} pending; approval rate {rate}; median {days} days to decide",
        f"  first offer (median) {money(stats.median_first_offer_usd)}, agreed (median) "
        f"{money(stats.median_agreed_usd)} per unit",
        f"  agreed against our opening {money(stats.agreed_minus_opening_usd)}, target "
        f"{money(stats.agreed_minus_target_usd)}, floor {money(stats.agreed_minus_floor_usd)} "
        "per unit (mean)",
        f"  revenue captured over billing out of network {money(stats.revenue_vs_oon_usd)}",
    ]
    lines += [
        f"  trigger {TRIGGER_WORDS.get(t.trigger, t.trigger)}: {t.approved} approved of "
        f"{t.requests}"
        for t in stats.triggers
    ]
    return lines


def call_so_far(call: NegotiationState, unit: str) -> str:
    """The call's turns in one line, the payer's and ours in order: "payer $400.00 · us $699.00
    · payer $450.00 · us $640.00 per day"."""
    turns = " · ".join(f"{turn.side} {usd(turn.per_unit_usd)}" for turn in call.exchanges)
    return f"{turns} per {unit}"


# A case's trigger as a person says it (the log keeps the field's name)
TRIGGER_WORDS = {
    "network_inadequacy": "network gap",
    "continuity_of_care": "continuity of care",
    "specialized_need": "specialized need",
    "step_down": "step-down",
}
TOOL_WORDS = {
    "single_case_agreement": "a single case agreement",
    "gap_exception": "a gap exception",
    "bill_out_of_network": "billing out of network",
    "none": "none of them",
}


def screen_json(result: Screen) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates screen --json``."""
    return result.model_dump(mode="json")


def screen_lines(result: Screen) -> list[str]:
    lines = [f"Fits: {TOOL_WORDS[result.tool]}: {result.reason}."]
    if result.timing:
        lines.append(f"When: {result.timing}.")
    lines.append("What the request rests on:")
    lines += [f"  [{'x' if f.holds else ' '}] {f.name}: {f.detail}" for f in result.factors]
    lines.append("On file:")
    lines += [f"  [{'x' if ready else ' '}] {words}" for words, ready in result.documents]
    lines += [f"Warning: {warning}" for warning in result.warnings]
    return lines


RESULT_COLUMNS = (
    "payer",
    "quarter",
    "requests",
    "approved",
    "denied",
    "approval rate (%)",
    "median days to decision",
    "SCA revenue ($)",
    "billing OON instead ($)",
    "captured vs OON ($)",
)


def result_rows(rows: Sequence[QuarterResult]) -> list[tuple[str, ...]]:
    """The results as text cells, in RESULT_COLUMNS order; a blank cell is a figure the log
    does not have."""

    def money(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    def share(value: float | None) -> str:
        return "" if value is None else f"{value * 100:.0f}"

    return [
        (
            r.payer,
            r.quarter,
            str(r.requests),
            str(r.approved),
            str(r.denied),
            share(r.approval_rate),
            "" if r.median_days_to_decision is None else f"{r.median_days_to_decision:g}",
            money(r.sca_revenue_usd),
            money(r.oon_revenue_usd),
            money(r.captured_vs_oon_usd),
        )
        for r in rows
    ]


def results_csv(rows: Sequence[QuarterResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    writer.writerows(result_rows(rows))
    return out.getvalue()


def result_lines(rows: Sequence[QuarterResult]) -> list[str]:
    """One line a payer and quarter: decisions, then what the approved requests are worth."""
    if not rows:
        return ["Nothing logged yet."]
    lines = []
    for r in rows:
        rate = "" if r.approval_rate is None else f" ({r.approval_rate:.0%} approved)"
        days = (
            ""
            if r.median_days_to_decision is None
            else f", median {r.median_days_to_decision:g} days to decision"
        )
        oon = (
            ""
            if r.oon_revenue_usd is None or r.captured_vs_oon_usd is None
            else f"; billing out of network instead {usd(r.oon_revenue_usd)}, "
            f"{usd(r.captured_vs_oon_usd)} captured over it"
        )
        lines.append(
            f"{r.payer} {r.quarter}: {r.requests} request{'' if r.requests == 1 else 's'}, "
            f"{r.approved} approved, "
            f"{r.denied} denied{rate}{days}; SCA revenue {usd(r.sca_revenue_usd)}{oon}"
        )
    return lines
