"""From a call to the log, from the payer's letter to the log, and the log to and from the
spreadsheet many centers keep today.

The spreadsheet has one row per request; its columns are ``CSV_COLUMNS``. Dates are ISO
(YYYY-MM-DD), money plain dollars, triggers separated by ``;``. Patient identifiers are written
only when asked for (and the export is audited). A text cell that a spreadsheet program would run
as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written
after a single quote, which the import takes off again: the round trip is lossless.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator
from pydantic_core import ErrorDetails

from sca_rates.desk import Position
from sca_rates.exceptions import InvalidLogFile, LogError, Problem
from sca_rates.files import parse_csv_rows
from sca_rates.models.base import FieldProblem, Frozen
from sca_rates.models.compare import CaseFacts
from sca_rates.models.log import LoggedOffer, LoggedRequest, Outcome, PatientIdentifiers
from sca_rates.models.terms import AgreementTerms, Contact
from sca_rates.money import usd
from sca_rates.terms import CLEAN_CLAIM_DAYS, reauthorization_schedule

LOG_DOC = "docs/log.md"


def triggers_of(facts: CaseFacts) -> tuple[str, ...]:
    triggers = facts.case.triggers
    present = {
        "network_inadequacy": triggers.network_inadequacy is not None,
        "continuity_of_care": triggers.continuity_of_care,
        "specialized_need": triggers.specialized_need is not None,
        "step_down": triggers.step_down is not None,
    }
    return tuple(name for name, on in present.items() if on)


def request_from_call(
    position: Position,
    *,
    requested_on: dt.date,
    actor: str,
    patient: PatientIdentifiers | None = None,
    now: dt.datetime | None = None,
) -> LoggedRequest:
    """The log's record of a call: the case, the three numbers at the time, every turn."""
    facts, rec, state = position.facts, position.recommendation, position.call
    agreed = position.agreed_usd
    at = now or dt.datetime.now(dt.UTC)
    case = facts.case
    return LoggedRequest(
        payer=case.payer.lower(),
        level_of_care=case.level_of_care,
        code=case.code,
        region=case.region,
        unit=facts.pattern.unit,
        expected_units=facts.pattern.expected_units,
        triggers=triggers_of(facts),
        requested_on=requested_on,
        outcome="pending" if agreed is None else "approved",
        decided_on=None if agreed is None else requested_on,
        opening_usd=rec.opening.per_unit_usd,
        target_usd=rec.target.per_unit_usd,
        floor_usd=rec.floor.per_unit_usd,
        market_p50_usd=facts.market_p50,
        oon_expected_usd=facts.oon.per_unit_usd if facts.oon else None,
        agreed_rate_usd=agreed,
        acted_by=actor,
        offers=tuple(
            LoggedOffer(
                side=t.side, per_unit_usd=t.per_unit_usd, text=t.text, verdict=t.verdict, at=at
            )
            for t in state.exchanges
        ),
        patient=patient,
    )


CASE_RATE_TERMS = ("case_rate_usd", "case_units_covered", "beyond_per_unit_usd")


def agreement_changes(
    terms: AgreementTerms, request: LoggedRequest
) -> tuple[dict[str, Any], list[str]]:
    """The changes that put the payer's letter into a logged request, and what to tell the
    person about them. What the letter states replaces what the log held (the letter is what
    the payer pays by); what it leaves out is kept. A letter of another payer, of another unit
    of service, or for a request denied or withdrawn is refused."""
    _check_agreement(terms, request, _named(request))
    auth, rate = terms.authorization, terms.rate
    stated: dict[str, Any] = {
        "authorization_number": auth.number,
        "authorization_start": auth.start_date,
        "authorization_end": auth.end_date,
        "authorized_units": auth.authorized_units,
        "payment_days": terms.claims.payment_days,
        "payer_contact": contact_text(terms.payer_contact),
    }
    schedule = reauthorization_schedule(terms)
    if schedule:
        stated["reauthorization_due"] = tuple(item.due for item in schedule)
    said = []
    per_unit = _per_unit(terms)
    if per_unit is not None:
        stated["agreed_rate_usd"] = per_unit
        stated["agreed_unit"] = rate.unit or request.unit
        if rate.per_unit_usd is None:
            stated |= {
                "case_rate_usd": rate.case_rate_usd,
                "case_units_covered": rate.units_covered,
                "beyond_per_unit_usd": rate.beyond_per_unit_usd or 0.0,
            }
            said.append(
                f"a case rate: claims are expected at what it pays a {request.unit}, "
                f"{usd(per_unit)} (the case rate over the {rate.units_covered:g} it covers), "
                f"and at {usd(rate.beyond_per_unit_usd or 0)} a {request.unit} past them"
            )
        logged = request.agreed_rate_usd
        if logged is not None and round(logged, 2) != round(per_unit, 2):
            said.append(
                f"the letter's rate, {usd(per_unit)}, replaces the {usd(logged)} logged; "
                "`sca-rates terms LETTER --case CASE --history CALL` compares the letter with "
                "the call"
            )
    changes = {name: value for name, value in stated.items() if value is not None}
    if rate.per_unit_usd is not None:  # a rate per unit replaces a case rate logged before
        changes |= dict.fromkeys(CASE_RATE_TERMS)
    if not changes:
        raise LogError(
            "the agreement file states no authorization, rate, payment window nor contact. "
            "Fix: fill in authorization, rate and claims.payment_days as the letter gives them "
            "(agreements/README.md)"
        )
    if terms.claims.payment_days is None and request.payment_days is None:
        said.append(
            "the letter names no payment window (claims.payment_days): claims are followed up "
            f"{CLEAN_CLAIM_DAYS} days after their date of service"
        )
    return changes, said


def _named(request: LoggedRequest) -> str:
    return "the request" if request.id is None else f"request {request.id}"


def _check_agreement(terms: AgreementTerms, request: LoggedRequest, named: str) -> None:
    if request.outcome in ("denied", "withdrawn"):
        raise LogError(
            f"{named} is {request.outcome}: an agreement belongs to a request the payer "
            f"approved. Fix: record the decision first (`sca-rates log outcome {request.id} "
            "--outcome approved`), or attach the letter to its own request"
        )
    if terms.payer and terms.payer.strip().lower() != request.payer.strip().lower():
        raise LogError(
            f"payer: the agreement is with {terms.payer}, {named} with {request.payer}. Fix: "
            "attach it to that payer's request (`sca-rates log list`), or correct payer in the "
            "file"
        )
    unit = terms.rate.unit
    if unit in ("day", "session") and unit != request.unit:
        raise LogError(
            f"rate.unit: the agreement pays per {unit}, {named} counts {request.unit}s. Fix: "
            f"ask the payer for the rate per {request.unit}, or correct rate.unit in the file"
        )
    auth = terms.authorization
    if auth.start_date and auth.end_date and auth.end_date < auth.start_date:
        raise LogError(
            f"authorization.end_date: {auth.end_date.isoformat()} is before the start date "
            f"{auth.start_date.isoformat()}. Fix: give the dates as the letter states them"
        )


def _per_unit(terms: AgreementTerms) -> float | None:
    """The agreed dollars per unit: the rate, or what a case rate pays a unit it covers."""
    rate = terms.rate
    if rate.per_unit_usd is not None:
        return rate.per_unit_usd
    if rate.case_rate_usd is not None and rate.units_covered is not None:
        return rate.case_rate_usd / rate.units_covered
    return None


def agreement_said(request: LoggedRequest) -> str:
    """The agreement a request holds, in one line for a person."""
    auth = request.authorization_number or "no authorization number"
    parts = [f"request {request.id}: {auth}"]
    if request.agreed_rate_usd is not None:
        parts.append(f"{usd(request.agreed_rate_usd)} per {request.agreed_unit or request.unit}")
    if request.authorization_start or request.authorization_end:
        start, end = request.authorization_start, request.authorization_end
        parts.append(f"{start or '?'} to {end or '?'}")
    if request.authorized_units is not None:
        parts.append(f"{request.authorized_units:g} units authorized")
    if request.reauthorization_due:
        dates = ", ".join(d.isoformat() for d in request.reauthorization_due)
        parts.append(f"reauthorization requests due {dates}")
    if request.payment_days is not None:
        parts.append(f"clean claims paid within {request.payment_days} days")
    return "; ".join(parts)


def contact_text(contact: Contact) -> str | None:
    """The case manager as one line: name, phone, email (what the letter gives of them)."""
    parts = [part for part in (contact.name, contact.phone, contact.email) if part]
    return ", ".join(parts) or None


class CsvRow(Frozen):
    """One row of the spreadsheet, as read on import: each cell of its type. The rules of a
    request (a birth date not to come, a decision not before its request, an agreed rate above
    $0) are the models' (``models/log.py``), applied to the request the row makes."""

    requested_on: dt.date
    payer: str
    level_of_care: str
    code: str = ""
    region: str = ""
    unit: str = "day"
    expected_units: float = 0
    triggers: str = ""
    verified_on: dt.date | None = None
    decided_on: dt.date | None = None
    start_on: dt.date | None = None
    outcome: Outcome = "pending"
    first_offer_usd: float | None = None
    opening_usd: float | None = None
    target_usd: float | None = None
    floor_usd: float | None = None
    market_p50_usd: float | None = None
    oon_expected_usd: float | None = None
    agreed_rate_usd: float | None = None
    authorization_number: str | None = None
    payer_contact: str | None = None
    notes: str = ""
    acted_by: str = ""
    patient_name: str | None = None
    patient_date_of_birth: dt.date | None = None
    member_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _unquoted(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {k: unquoted(v) if isinstance(v, str) else v for k, v in data.items()}


# What a spreadsheet program reads as the start of a formula (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    # a text that already starts with the quote is quoted again when the import would take
    # its quote off: what is exported always comes back as it was
    return text.startswith(FORMULA_STARTS) or (text[:1] == "'" and _needs_quote(text[1:]))


def neutralized(text: str) -> str:
    """A text cell as written to the spreadsheet: never run as a formula."""
    return "'" + text if _needs_quote(text) else text


def unquoted(text: str) -> str:
    """A text cell as read back: the quote ``neutralized`` added taken off."""
    return text[1:] if text[:1] == "'" and _needs_quote(text[1:]) else text


CSV_COLUMNS = tuple(CsvRow.model_fields)
IDENTIFIER_COLUMNS = ("patient_name", "patient_date_of_birth", "member_id")


def to_csv(requests: list[LoggedRequest], *, with_identifiers: bool = False) -> str:
    """The log as the spreadsheet; identifiers only when asked for (and revealed)."""
    columns = [c for c in CSV_COLUMNS if with_identifiers or c not in IDENTIFIER_COLUMNS]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for request in requests:
        writer.writerow({k: _cell(v) for k, v in _csv_values(request).items() if k in columns})
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else repr(value)
    return neutralized(str(value))


def _csv_values(request: LoggedRequest) -> dict[str, Any]:
    patient = request.patient or PatientIdentifiers()
    values = request.model_dump(include=set(CSV_COLUMNS))
    values |= {
        "triggers": ";".join(request.triggers),
        "first_offer_usd": request.first_offer_usd,
        "patient_name": patient.name,
        "patient_date_of_birth": patient.date_of_birth,
        "member_id": patient.member_id,
    }
    return values


def read_spreadsheet(path: Path) -> str:
    """The text of a spreadsheet to import, or one message when it is no CSV text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem("file", f"cannot be read ({exc.strerror})", "check the path")
        raise InvalidLogFile(path, [problem]) from None
    fix = "save the spreadsheet as CSV UTF-8 (comma delimited) and import that file"
    if b"\x00" in data:
        problem = Problem("file", "it is a binary file (an .xlsx workbook?), not CSV text", fix)
        raise InvalidLogFile(path, [problem])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidLogFile(path, [Problem("file", "it is not UTF-8 text", fix)]) from None


def from_csv(text: str, *, source: str) -> list[LoggedRequest]:
    """Every row of the spreadsheet as a request, or one error listing every bad cell by line
    and column: then nothing of the file is imported."""
    rows = parse_csv_rows(text, CsvRow, InvalidLogFile, source=source, doc=LOG_DOC)
    requests, problems = [], []
    for line, row in rows:
        try:
            requests.append(_request(row))
        except ValidationError as exc:
            problems += [_problem(line, error) for error in exc.errors()]
    if problems:
        raise InvalidLogFile(source, problems)
    return requests


def _request(row: CsvRow) -> LoggedRequest:
    data = row.model_dump(exclude={"triggers", "first_offer_usd", *IDENTIFIER_COLUMNS})
    identifiers = (row.patient_name, row.patient_date_of_birth, row.member_id)
    patient = (
        None
        if not any(identifiers)
        else {
            "name": row.patient_name,
            "date_of_birth": row.patient_date_of_birth,
            "member_id": row.member_id,
        }
    )
    offers = (
        []
        if row.first_offer_usd is None
        else [{"side": "payer", "per_unit_usd": row.first_offer_usd, "text": "first offer"}]
    )
    return LoggedRequest.model_validate(
        data
        | {
            "triggers": tuple(t for t in row.triggers.split(";") if t),
            "offers": offers,
            "patient": patient,
        }
    )


# The spreadsheet's column of a field of the request it makes, where the two names differ
_COLUMN_OF: dict[tuple[str | int, ...], str] = {
    ("patient", "name"): "patient_name",
    ("patient", "date_of_birth"): "patient_date_of_birth",
    ("patient", "member_id"): "member_id",
    ("offers", 0): "first_offer_usd",
}


def _problem(line: int, error: ErrorDetails) -> Problem:
    """A rule of the models broken by a row, named by its line and column."""
    loc = tuple(error["loc"])
    column = _COLUMN_OF.get(loc[:2], str(loc[0]) if loc else "row")
    where = f"line {line}, column {column}"
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        return Problem(where, cause.what, cause.fix)
    return Problem(where, error["msg"].rstrip("."), f"correct the cell (see {LOG_DOC})")


def _identity(
    request: LoggedRequest, *, with_identifiers: bool, sealed: bool = True
) -> tuple[str, ...]:
    """The request as its spreadsheet row reads, cell by cell (without the notes and payer
    contact unless ``sealed``)."""
    columns = [
        c
        for c in CSV_COLUMNS
        if (with_identifiers or c not in IDENTIFIER_COLUMNS) and (sealed or c not in SEALED)
    ]
    values = _csv_values(request)
    return tuple(_cell(values[c]) for c in columns)


SEALED = ("notes", "payer_contact")  # kept encrypted: blank in an export without the key


def _sealed_blank(request: LoggedRequest) -> bool:
    return not request.notes and not request.payer_contact


def new_requests(
    rows: list[LoggedRequest], logged: list[LoggedRequest]
) -> tuple[list[LoggedRequest], int]:
    """The spreadsheet's rows not already in the log, and how many were.

    A row is in the log when a logged request reads the same in every column of the spreadsheet
    (its identifiers compared when the row gives them): such a row adds nothing, and importing
    the same spreadsheet twice then doubles nothing. A row whose notes and payer contact are
    blank, as an export without the key leaves a request whose notes are encrypted, is compared
    in every other column, with every logged request, readable or not: a request is never
    doubled because its notes could not be shown, and nothing of the log is changed (its notes
    stay as they are). Each logged request answers for one row, so two equal rows of a new
    spreadsheet both import; rows with notes are matched first, to the requests whose notes
    this key reads."""
    taken: set[int] = set()  # logged requests that answered for a row
    found: set[int] = set()  # rows in the log
    for loose in (False, True):
        pools: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, request in enumerate(logged):
            if loose or not request.notes_sealed:
                for ids in (True, False):
                    pools[_identity(request, with_identifiers=ids, sealed=not loose)].append(i)
        for n, row in enumerate(rows):
            if _sealed_blank(row) != loose:
                continue
            key = _identity(row, with_identifiers=row.patient is not None, sealed=not loose)
            match = next((i for i in pools.get(key, ()) if i not in taken), None)
            if match is not None:
                taken.add(match)
                found.add(n)
    return [row for n, row in enumerate(rows) if n not in found], len(found)
