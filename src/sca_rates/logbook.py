"""From a call to the log, and the log to and from the spreadsheet many centers keep today.

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
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sca_rates.desk import Position
from sca_rates.exceptions import InvalidLogFile, Problem
from sca_rates.files import parse_csv_rows
from sca_rates.models.base import Frozen
from sca_rates.models.compare import CaseFacts
from sca_rates.models.log import (
    LoggedOffer,
    LoggedRequest,
    Outcome,
    PatientIdentifiers,
    born,
    decided_after,
)

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


class CsvRow(Frozen):
    """One row of the spreadsheet, as validated on import."""

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
    agreed_rate_usd: float | None = Field(default=None, gt=0)
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

    @field_validator("patient_date_of_birth")
    @classmethod
    def _born(cls, value: dt.date | None) -> dt.date | None:
        return born(value)

    @field_validator("decided_on")
    @classmethod
    def _decided(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return decided_after(value, info.data.get("requested_on"))


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
    """Every row of the spreadsheet as a request, or one error listing every bad row by line:
    then nothing of the file is imported."""
    rows = parse_csv_rows(text, CsvRow, InvalidLogFile, source=source, doc=LOG_DOC)
    requests = []
    for line, row in rows:
        try:
            requests.append(_request(row))
        except ValueError as exc:
            raise InvalidLogFile(
                source, [Problem(f"line {line}", str(exc), f"see {LOG_DOC}")]
            ) from None
    return requests


def _request(row: CsvRow) -> LoggedRequest:
    data = row.model_dump(exclude={"triggers", "first_offer_usd", *IDENTIFIER_COLUMNS})
    identifiers = (row.patient_name, row.patient_date_of_birth, row.member_id)
    patient = (
        None
        if not any(identifiers)
        else PatientIdentifiers(
            name=row.patient_name, date_of_birth=row.patient_date_of_birth, member_id=row.member_id
        )
    )
    offers = (
        ()
        if row.first_offer_usd is None
        else (LoggedOffer(side="payer", per_unit_usd=row.first_offer_usd, text="first offer"),)
    )
    return LoggedRequest(
        **data,
        triggers=tuple(t for t in row.triggers.split(";") if t),
        offers=offers,
        patient=patient,
    )


def _identity(request: LoggedRequest, *, with_identifiers: bool) -> tuple[str, ...]:
    """The request as its spreadsheet row reads, cell by cell."""
    columns = [c for c in CSV_COLUMNS if with_identifiers or c not in IDENTIFIER_COLUMNS]
    values = _csv_values(request)
    return tuple(_cell(values[c]) for c in columns)


def new_requests(
    rows: list[LoggedRequest], logged: list[LoggedRequest]
) -> tuple[list[LoggedRequest], int]:
    """The spreadsheet's rows not already in the log, and how many were.

    A row is in the log when a logged request reads the same in every column of the spreadsheet
    (its identifiers compared when the row gives them): such a row adds nothing, and importing
    the same spreadsheet twice then doubles nothing. Each logged request answers for one row, so
    two equal rows of a new spreadsheet both import; a request whose notes this key cannot read
    answers for none (imported again rather than lost)."""
    readable = [r for r in logged if not r.notes_sealed]
    unmatched = {
        ids: Counter(_identity(r, with_identifiers=ids) for r in readable) for ids in (True, False)
    }
    new = []
    for row in rows:
        ids = row.patient is not None
        key = _identity(row, with_identifiers=ids)
        if unmatched[ids][key]:
            unmatched[ids][key] -= 1
        else:
            new.append(row)
    return new, len(rows) - len(new)
