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
from collections.abc import Iterable, Iterator

from sca_rates.models.cost_model import DayIncludes
from sca_rates.models.terms import (
    AgreedCall,
    AgreementTerms,
    BundledService,
    Finding,
    RateTerm,
    ReauthorizationDue,
    Severity,
    TermsReport,
)
from sca_rates.money import usd
from sca_rates.offers import case_rate_pays

CLEAN_CLAIM_DAYS = 30  # the payment window to ask for: many states' prompt-pay laws say 30-45
ADULT_AGE = 18
# The codes a service is billed under when it is billed apart from the per diem
SERVICE_CODES: dict[BundledService, frozenset[str]] = {
    "family_sessions": frozenset({"90846", "90847"}),
    "prescriber_visits": frozenset({"90792", "99212", "99213", "99214", "99215"}),
    "drug_screens": frozenset({"80305", "80306", "80307", "G0480", "G0481", "G0482", "G0483"}),
}

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


def check_terms(
    terms: AgreementTerms, call: AgreedCall | None = None, *, today: dt.date | None = None
) -> TermsReport:
    """What is missing or vague in the letter; with the ``call``, also where the letter differs
    from what the call settled; with ``today``, a start too close to arrange."""
    findings = [finding for check in _CHECKS for finding in check(terms)]
    findings += _minor(terms, today)
    if call is not None:
        findings += [finding for check in _AGAINST_CALL for finding in check(terms, call)]
    if today is not None:
        findings += _starts_soon(terms, today)
    return TermsReport(findings=tuple(findings), schedule=tuple(reauthorization_schedule(terms)))


def _finding(severity: Severity, term: str, message: str, ask: str | None = None) -> Finding:
    return Finding(severity=severity, term=term, message=message, ask=ask)


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
    if claims.payment_days is None:
        yield _finding(
            "warning",
            "claims.payment_days",
            "no payment window for clean claims: nothing to hold a slow payment against",
            f"Please state that clean claims are paid within {CLEAN_CLAIM_DAYS} days.",
        )
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


def _provider(terms: AgreementTerms) -> Iterator[Finding]:
    """Our identifiers as the claims will carry them: a claim that does not match is rejected."""
    provider = terms.provider
    ask = "Please list our NPI, TIN and taxonomy code on the agreement, as our claims carry them."
    missing = [
        name for name, value in (("NPI", provider.npi), ("TIN", provider.tin)) if value is None
    ]
    if missing:
        yield _finding("error", "provider", f"our {' and '.join(missing)} not in the letter", ask)
    elif provider.npi is not None and not npi_is_valid(provider.npi):
        yield _finding(
            "error",
            "provider.npi",
            f"NPI {provider.npi} fails its check digit: a typing slip",
            f"Please correct our NPI on the agreement; NPI {provider.npi} is not ours.",
        )
    if provider.taxonomy is None:
        yield _finding("warning", "provider.taxonomy", "our taxonomy code not in the letter", ask)


def _hold_harmless(terms: AgreementTerms) -> Iterator[Finding]:
    ask = (
        "Please state that the patient is held harmless: billed nothing beyond in-network "
        "cost-sharing."
    )
    if terms.hold_harmless is None:
        yield _finding(
            "warning",
            "hold_harmless",
            "nothing says whether the patient may be balance-billed",
            ask,
        )
    elif not terms.hold_harmless:
        yield _finding(
            "error",
            "hold_harmless",
            "the letter lets the patient be billed past in-network cost-sharing",
            ask,
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
    _provider,
    _hold_harmless,
)


def npi_is_valid(npi: str) -> bool:
    """An NPI's tenth digit checks the nine before it (the Luhn formula over "80840" and them)."""
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if i % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return (10 - total % 10) % 10 == int(npi[9])


def _minor(terms: AgreementTerms, today: dt.date | None) -> Iterator[Finding]:
    """A minor's coverage is the subscriber's: the claim names them, so the letter must."""
    born, on = terms.patient.date_of_birth, terms.authorization.start_date or today
    if born is None or on is None or _age(born, on) >= ADULT_AGE:
        return
    subscriber = terms.patient.subscriber
    if subscriber is None or not subscriber.name or not subscriber.relationship:
        yield _finding(
            "error",
            "patient.subscriber",
            f"the patient is {_age(born, on)}: the letter must name the subscriber",
            "Please add the subscriber's name, date of birth and relationship to the patient.",
        )


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _starts_soon(terms: AgreementTerms, today: dt.date) -> Iterator[Finding]:
    """The request belongs 48-72 hours before admission: a start closer than that leaves no
    time to correct the letter."""
    start = terms.authorization.start_date
    if start is not None and today <= start < today + dt.timedelta(hours=72):
        days = (start - today).days
        when = "today" if days == 0 else f"in {days} day{'s' if days > 1 else ''}"
        yield _finding(
            "warning",
            "authorization.start_date",
            f"the stay starts {when}, less than 72 hours away: every correction must be back "
            "in writing before the first day",
            f"Please send the corrected agreement in writing before {start.isoformat()}.",
        )


def _rate_against_call(terms: AgreementTerms, call: AgreedCall) -> Iterator[Finding]:
    """The letter's rate, per unit of the call's unit, against the rate the call settled."""
    rate, agreed = terms.rate, f"{usd(call.per_unit_usd)} per {call.unit}"
    settled = "as agreed on the call" if call.agreed else "as we asked on the call"
    if not call.agreed:
        yield _finding(
            "info",
            "rate",
            f"the call has not closed on a rate: the letter is checked against our ask, {agreed}",
        )
    if call.case_rate is not None:
        yield from _against_case_rate_agreed(rate, call, call.case_rate)
        return
    if rate.case_rate_usd is not None and rate.units_covered is not None:
        yield from _case_rate_against_call(rate, call, agreed, settled)
        return
    if rate.per_unit_usd is None:
        return  # no rate at all is the checklist's finding
    if rate.unit is not None and rate.unit != call.unit:
        yield _finding(
            "error",
            "rate.unit",
            f"the letter pays per {rate.unit}; the call settled a rate per {call.unit}",
            f"Please state the rate per {call.unit}: {agreed}, {settled}.",
        )
    elif round(rate.per_unit_usd, 2) < round(call.per_unit_usd, 2):
        yield _finding(
            "error" if call.agreed else "warning",
            "rate.per_unit_usd",
            f"the letter says {usd(rate.per_unit_usd)} per {call.unit}; the call settled {agreed}",
            f"Please correct the rate to {agreed}, {settled}.",
        )
    elif round(rate.per_unit_usd, 2) > round(call.per_unit_usd, 2):
        yield _finding(
            "info",
            "rate.per_unit_usd",
            f"the letter says {usd(rate.per_unit_usd)} per {call.unit}, more than the {agreed} "
            "settled: a payer that finds its slip later takes the difference back",
            f"Please confirm the rate of {usd(rate.per_unit_usd)} per {call.unit}.",
        )


def _case_rate_against_call(
    rate: RateTerm, call: AgreedCall, agreed: str, settled: str
) -> Iterator[Finding]:
    case_rate, covered = rate.case_rate_usd or 0.0, rate.units_covered or 0.0
    each = case_rate / covered
    past, beyond = call.expected_units - covered, rate.beyond_per_unit_usd
    if past > 0 and beyond:  # over the stay, as the call valued a case rate with a rate after
        each = (case_rate + beyond * past) / call.expected_units
    if round(each, 2) < round(call.per_unit_usd, 2):
        yield _finding(
            "error",
            "rate.case_rate_usd",
            f"the case rate, {usd(case_rate)} for {covered:g} {call.unit}s, pays {usd(each)} per "
            f"{call.unit}; the call settled {agreed}",
            f"Please correct the case rate to {usd(call.per_unit_usd * covered)} for "
            f"{covered:g} {call.unit}s ({agreed}), {settled}.",
        )
    yield from _uncovered(
        rate,
        call,
        call.expected_units,
        f"Please state that each {call.unit} past the {covered:g} is paid {agreed}.",
    )


def _against_case_rate_agreed(
    rate: RateTerm, call: AgreedCall, case_rate: RateTerm
) -> Iterator[Finding]:
    """A call that agreed a case rate: the letter, in whichever form, pays the expected stay at
    least what those terms do ("$16,000 for the 20 days" pays $16,000 for an 18-day stay; a
    letter's $800 a day, its rate per day, pays $14,400), and covers as much of it."""
    stay, unit, said = call.expected_units, call.unit, call.case_rate_said
    ask = f"Please state the case rate as agreed on the call: {said}."
    agreed, paid = _stay_paid(case_rate, call), _stay_paid(rate, call)
    if paid is None and rate.per_unit_usd is not None:
        yield _finding(
            "error", "rate.unit", f"the letter pays per {rate.unit}; the call agreed {said}", ask
        )
    elif paid is not None and agreed is not None and round(paid, 2) < round(agreed, 2):
        term = "rate.case_rate_usd" if rate.case_rate_usd is not None else "rate.per_unit_usd"
        yield _finding(
            "error",
            term,
            f"the letter pays {usd(paid)} for the {stay:g} {unit}s expected; the call agreed "
            f"{said} ({usd(agreed)} for them)",
            ask,
        )
    # Days the agreed terms left unpaid are the checklist's warning, not a letter to correct
    yield from _uncovered(rate, call, min(stay, case_rate.units_covered or stay), ask)


def _uncovered(rate: RateTerm, call: AgreedCall, owed: float, ask: str) -> Iterator[Finding]:
    """A case rate in the letter covering fewer units than ``owed``, with nothing after them."""
    covered = rate.units_covered
    if covered is not None and covered < owed and not rate.beyond_per_unit_usd:
        yield _finding(
            "error",
            "rate.units_covered",
            f"the case rate covers {covered:g} {call.unit}s of the {call.expected_units:g} "
            "expected, and nothing pays the rest",
            ask,
        )


def _stay_paid(rate: RateTerm, call: AgreedCall) -> float | None:
    """What a rate pays for the call's expected stay, every unit attended; None when it pays in
    another unit or states no rate."""
    if rate.case_rate_usd is not None and rate.units_covered is not None:
        return float(
            case_rate_pays(
                rate.case_rate_usd,
                rate.units_covered,
                rate.beyond_per_unit_usd,
                call.expected_units,
            )
        )
    if rate.per_unit_usd is not None and rate.unit in (None, call.unit):
        return rate.per_unit_usd * call.expected_units
    return None


def _units_against_call(terms: AgreementTerms, call: AgreedCall) -> Iterator[Finding]:
    """A partial authorization is the usual way a stay ends up half paid."""
    authorized = terms.authorization.authorized_units or next(
        (s.units for s in terms.services if s.code == call.code and s.units), None
    )
    if authorized is not None and authorized < call.expected_units:
        rest = call.expected_units - authorized
        yield _finding(
            "warning",
            "authorization.authorized_units",
            f"the letter authorizes {authorized:g} of the {call.expected_units:g} {call.unit}s "
            "expected",
            f"Please authorize all {call.expected_units:g} {call.unit}s, or state in writing "
            f"when and how the remaining {rest:g} will be reviewed.",
        )


def _bundle_against_call(terms: AgreementTerms, call: AgreedCall) -> Iterator[Finding]:
    """Each service the program gives besides its therapy is coded in the letter or stated to
    be inside the rate; otherwise the payer may deny it, or call the day incomplete."""
    coded = {service.code for service in terms.services if service.code}
    stated = set(terms.rate.bundle_includes)
    for service in call.services:
        codes = SERVICE_CODES.get(service, frozenset())
        if service in stated or codes & coded:
            continue
        words = service.replace("_", " ")
        are = "is" if service == "transportation" else "are"
        listed = f", or list their codes ({', '.join(sorted(codes))}) with units" if codes else ""
        yield _finding(
            "warning",
            "rate.bundle_includes",
            f"{words} {are} neither coded in the letter nor stated to be inside the rate",
            f"Please state that the rate includes {words}{listed}.",
        )


def _limits_against_call(terms: AgreementTerms, call: AgreedCall) -> Iterator[Finding]:
    """Services the call's rate was agreed without ("excluding labs"): a letter calling it a
    bundled per diem for all services says another thing, and one silent on them leaves their
    claims to be denied."""
    if not call.limits:
        return
    said = "; ".join(f'"{words}"' for words in call.limits)  # the payer's words, quoted
    if terms.rate.basis == "bundled_per_diem":
        yield _finding(
            "warning",
            "rate.basis",
            f"the letter calls the rate a bundled per diem for all services of the day; the call "
            f"agreed it {said}",
            f"Please state which holds: the rate {said}, as said on the call, or a bundled per "
            "diem for all services of the day.",
        )
        return
    if terms.rate.basis == "per_code":  # what is left out is paid by its own code, if listed
        yield _finding(
            "warning",
            "rate.basis",
            f"the call agreed the rate {said}; the letter pays per code",
            f"Please list the codes, with units, that pay what the rate leaves out ({said}).",
        )
        return
    yield _finding(
        "warning",
        "rate.basis",
        f"the call agreed the rate {said}; the letter does not say how what it leaves out is paid",
        f"Please state what the rate covers, and how what it leaves out ({said}) is paid.",
    )


_AGAINST_CALL = (
    _rate_against_call,
    _units_against_call,
    _bundle_against_call,
    _limits_against_call,
)

# A variable cost of the program named with one of these words is that service
_SERVICE_WORDS: tuple[tuple[BundledService, tuple[str, ...]], ...] = (
    ("drug_screens", ("drug screen", "toxicolog", "urine")),
    ("meals", ("meal", "lunch", "breakfast", "dinner")),  # snacks and coffee are no meal
    ("transportation", ("transport",)),
)


def program_services(
    day: DayIncludes | None, variable_costs: Iterable[str]
) -> tuple[BundledService, ...]:
    """What the program gives a patient besides its therapy, from the cost model: family sessions
    and prescriber visits from what a day includes, the rest from its variable costs' names."""
    found: list[BundledService] = []
    if day is not None and day.family_hours > 0:
        found.append("family_sessions")
    if day is not None and day.psychiatric_hours > 0:
        found.append("prescriber_visits")
    names = [name.lower() for name in variable_costs]
    for service, words in _SERVICE_WORDS:
        if any(word in name for name in names for word in words):
            found.append(service)
    return tuple(found)


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
