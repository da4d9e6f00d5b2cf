"""The written-terms checklist: what must be in writing before the first day of treatment, what is
missing or vague in an agreement, and when each reauthorization request is due.

An agreement that lacks these tends to go unpaid: patient identifiers that match the card; the
covered codes with their units (not "outpatient services"); the rate and whether it is per code or
a bundled per diem; the patient's cost-sharing level; the authorization number, dates and units;
how reauthorization works and who decides it; how claims are sent, with any modifier or note, and
the timely filing limit; the payer's contact; and written, not verbal, confirmation.

Reauthorization: the authorized dates are split into periods (``period_days``, or one period);
each request is due ``lead_business_days`` business days (weekends and the payer's holidays
skipped) before its period ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sca_rates.models.terms import (
    AgreementTerms,
    Finding,
    RateTerm,
    ReauthorizationDue,
    Severity,
    TermsReport,
)

# What must be in writing before the first day, as a checklist a person reads (the call sheet and
# the confirmation email list these; the checker below tests them).
WRITTEN_TERMS = (
    "patient name, date of birth, member ID and group number, exactly as on the card",
    "every covered code (HCPCS, CPT or revenue code) with its units and any modifiers",
    "the rate: dollars per day, session or code, and whether it is a bundled per diem",
    "the patient's cost-sharing level (in-network, out-of-network or waived)",
    "the authorization number, start and end dates and the units authorized",
    "how reauthorization works: who asks, with what documents, decided how fast, and the contact",
    "how claims are sent (EDI, paper, portal), any modifier or note, and the timely filing limit",
    "the name, phone and email of the case manager who approved it",
    "written confirmation (a verbal approval is not enough)",
)


def check_terms(terms: AgreementTerms) -> TermsReport:
    findings = [finding for check in _CHECKS for finding in check(terms)]
    return TermsReport(findings=tuple(findings), schedule=tuple(reauthorization_schedule(terms)))


def _finding(severity: Severity, term: str, message: str) -> Finding:
    return Finding(severity=severity, term=term, message=message)


def _patient(terms: AgreementTerms) -> Iterator[Finding]:
    patient = terms.patient
    missing = [
        name
        for name, value in (
            ("name", patient.name),
            ("date of birth", patient.date_of_birth),
            ("member ID", patient.member_id),
        )
        if not value
    ]
    if missing:
        yield _finding(
            "error",
            "patient",
            f"patient {', '.join(missing)} missing: identifiers must "
            "match the insurance card exactly",
        )
    if not patient.group_number:
        yield _finding("warning", "patient.group_number", "group number missing")


def _services(terms: AgreementTerms) -> Iterator[Finding]:
    coded = [service for service in terms.services if service.code]
    if not coded:
        wording = f' ("{terms.service_description}")' if terms.service_description else ""
        yield _finding(
            "error",
            "services",
            f"no service codes{wording}: vague service language is "
            "denied; list every code to be paid (e.g. S0201, 90837, 90847)",
        )
    for i, service in enumerate(coded):
        if service.units is None:
            yield _finding("warning", f"services[{i}].units", f"no units stated for {service.code}")


def _rate(terms: AgreementTerms) -> Iterator[Finding]:
    rate = terms.rate
    if rate.case_rate_usd is not None:
        yield from _case_rate(rate)
    elif rate.per_unit_usd is None:
        yield _finding(
            "error",
            "rate.per_unit_usd",
            "no rate in dollars: state the amount per day, session or service, or a case rate",
        )
    if rate.basis is None:
        yield _finding(
            "warning", "rate.basis", "not stated whether the rate is per code or a bundled per diem"
        )


def _case_rate(rate: RateTerm) -> Iterator[Finding]:
    """A case rate pays a fixed amount: what it covers and what follows must be in writing, or a
    longer stay is care the payer owes nothing for."""
    if rate.per_unit_usd is not None:
        yield _finding(
            "error",
            "rate",
            "both a case rate and a rate per unit: state which pays (a rate for the units past "
            "the case rate's goes in rate.beyond_per_unit_usd)",
        )
    if rate.units_covered is None:
        yield _finding(
            "error",
            "rate.units_covered",
            "a case rate without the days or sessions it covers: state how many",
        )
    if rate.beyond_per_unit_usd is None:
        yield _finding(
            "warning",
            "rate.beyond_per_unit_usd",
            "nothing says what each day or session past the case rate's is paid: get it in "
            "writing (0 if nothing)",
        )
    elif rate.beyond_per_unit_usd == 0:
        yield _finding(
            "info",
            "rate.beyond_per_unit_usd",
            "days or sessions past the case rate's are unpaid: plan the discharge or ask for "
            "a reauthorization before they start",
        )


def _cost_sharing(terms: AgreementTerms) -> Iterator[Finding]:
    if terms.cost_sharing is None:
        yield _finding(
            "error",
            "cost_sharing",
            "the patient's cost-sharing is not stated: without it "
            "the patient may be billed at out-of-network levels",
        )
    elif terms.cost_sharing == "out_of_network":
        yield _finding(
            "warning",
            "cost_sharing",
            "the patient pays out-of-network cost-sharing: tell the patient before the first day",
        )


def _authorization(terms: AgreementTerms) -> Iterator[Finding]:
    auth = terms.authorization
    if not auth.number:
        yield _finding(
            "error",
            "authorization.number",
            "no authorization number: every claim must carry it exactly",
        )
    if auth.authorized_units is None:
        yield _finding(
            "error",
            "authorization.authorized_units",
            "no unit limit: the payer can later decide to cover only part of the stay",
        )
    if auth.start_date is None or auth.end_date is None:
        yield _finding(
            "error", "authorization.end_date", "no start or end date for the authorization"
        )
    elif auth.end_date < auth.start_date:
        yield _finding("error", "authorization.end_date", "the authorization ends before it starts")


def _reauthorization(terms: AgreementTerms) -> Iterator[Finding]:
    if not terms.reauthorization.process:
        yield _finding(
            "warning",
            "reauthorization.process",
            "no reauthorization process: who asks, "
            "with what documents, and how fast the payer decides",
        )
    if not terms.reauthorization.contact:
        yield _finding("warning", "reauthorization.contact", "no contact for reauthorization")


def _claims(terms: AgreementTerms) -> Iterator[Finding]:
    claims = terms.claims
    if claims.method is None:
        yield _finding(
            "warning", "claims.method", "claims submission method not stated (EDI, paper or portal)"
        )
    if claims.timely_filing_days is None:
        yield _finding("warning", "claims.timely_filing_days", "timely filing limit not stated")
    if not claims.modifier and not claims.note:
        yield _finding(
            "info", "claims.modifier", "ask whether SCA claims need a modifier or a note"
        )


def _contact(terms: AgreementTerms) -> Iterator[Finding]:
    contact = terms.payer_contact
    if not contact.name or not (contact.phone or contact.email):
        yield _finding(
            "warning",
            "payer_contact",
            "the approving case manager's name and phone or email are missing",
        )


def _confirmation(terms: AgreementTerms) -> Iterator[Finding]:
    if terms.confirmation != "written":
        yield _finding(
            "error",
            "confirmation",
            "not confirmed in writing: send the terms by email and "
            "ask for written confirmation before the first day",
        )


_CHECKS = (
    _patient,
    _services,
    _rate,
    _cost_sharing,
    _authorization,
    _reauthorization,
    _claims,
    _contact,
    _confirmation,
)


def business_days_before(
    day: dt.date, count: int, holidays: frozenset[dt.date] = frozenset()
) -> dt.date:
    """The date ``count`` business days before ``day`` (weekends and holidays do not count)."""
    while count:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            count -= 1
    return day


def reauthorization_schedule(terms: AgreementTerms) -> list[ReauthorizationDue]:
    """One request per authorized period, due the lead business days before the period ends."""
    auth = terms.authorization
    if auth.start_date is None or auth.end_date is None or auth.end_date < auth.start_date:
        return []
    length = auth.period_days or (auth.end_date - auth.start_date).days + 1
    holidays = frozenset(terms.holidays)
    lead = terms.reauthorization.lead_business_days
    schedule, start = [], auth.start_date
    while start <= auth.end_date:
        end = min(start + dt.timedelta(days=length - 1), auth.end_date)
        schedule.append(
            ReauthorizationDue(
                period_start=start, period_end=end, due=business_days_before(end, lead, holidays)
            )
        )
        start = end + dt.timedelta(days=1)
    return schedule
