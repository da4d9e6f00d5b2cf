"""A hospital's standard charges file (CMS Hospital Price Transparency v2 and v3: CSV "tall" or
"wide", or JSON) to tidy rows: the behavioral-health codes, and any row whose description names
partial hospitalization or intensive outpatient care.

Tolerant of what real files do: a byte-order mark, spaces around ``|`` in the headers, letter
case in the headers' keywords, M/D/YYYY dates, ``$`` and thousands separators in amounts. Refused,
naming the file and the line: a CSV cut short (ending inside a quoted value or mid-row), a
negative or infinite amount, a date that is not a day of the calendar.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest.rows import empty_row, iso_date
from sca_rates.ingest.tic import open_binary

PROGRAM = re.compile(r"partial\s+hosp|intensive\s+outpatient|\bphp\b|\biop\b", re.IGNORECASE)
# A quoted CSV value (its quotes doubled within it, the closing one alone), and what ends a value
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*"(?!")')
_SEPARATOR = re.compile(r"[,\r\n]")
KEYWORDS = {
    "standard_charge",
    "code",
    "type",
    "gross",
    "discounted_cash",
    "negotiated_dollar",
    "negotiated_percentage",
    "negotiated_algorithm",
    "methodology",
    "payer_name",
    "plan_name",
    "setting",
    "description",
    "modifiers",
}


def _amount(value: object, name: str = "an amount") -> float | None:
    """A dollar amount or a share as written (``$1,250.00``), None when there is none or it is
    not a figure (hospitals write "N/A"); a negative or infinite one is refused (ValueError)
    naming it."""
    if value is None:
        return None
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = str(value).replace("$", "").replace(",", "").strip()
        try:
            amount = float(text) if text else math.nan
        except ValueError:
            return None
    if math.isnan(amount):
        return None
    if math.isinf(amount):  # "Infinity", or 1e999: past what a float holds
        raise ValueError(f"{name} is {value!r}, not a finite amount")
    if amount < 0:
        raise ValueError(f"{name} is {value!r}, negative; a charge or a rate cannot be")
    return amount


def _header(name: str) -> tuple[str, ...]:
    """``Standard_Charge | Aetna | PPO | Negotiated_Dollar`` -> its parts, keywords lower-cased,
    payer and plan names as written."""
    parts = [part.strip() for part in name.split("|")]
    return tuple(p.lower() if p.lower() in KEYWORDS or p.isdigit() else p for p in parts)


def read_hpt(path: str | Path, *, codes: frozenset[str]) -> Iterator[dict[str, Any]]:
    path = Path(path)
    if path.suffix.lower() == ".json" or path.name.endswith(".json.gz"):
        yield from _json(path, codes)
    else:
        yield from _csv(path, codes)


def _wanted(
    pairs: list[tuple[str, str]], description: str, codes: frozenset[str]
) -> tuple[str, str] | None:
    """The code a row is kept for: a wanted code, else its first when the description names a
    PHP or IOP program; None when the row is not wanted."""
    for code, kind in pairs:
        if code in codes:
            return code, kind
    if PROGRAM.search(description or "") and pairs:
        return pairs[0]
    return None


def _csv(path: Path, codes: frozenset[str]) -> Iterator[dict[str, Any]]:
    records = _records(path)
    if len(records) < 3:
        raise UnreadableFile(
            f"{path} has no column header on its third line. Fix: give a CMS "
            "v2 or v3 standard charges CSV"
        )
    meta = {k.strip().lower(): v for k, v in zip(records[0][1], records[1][1], strict=False)}
    table = _Table(
        [_header(name) for name in records[2][1]],
        empty_row()
        | {
            "source_kind": "hpt",
            "source_file": path.name,
            "reporting_entity": meta.get("hospital_name"),
            "file_date": _file_date(path, meta.get("last_updated_on")),
        },
    )
    for line, record in records[3:]:
        if any(record):
            try:
                yield from table.rows(record, codes)
            except ValueError as exc:
                raise UnreadableFile(
                    f"{path}, line {line}: {exc}. Fix: correct the amount in the hospital's "
                    "file, or leave the file out"
                ) from None


def _records(path: Path) -> list[tuple[int, list[str]]]:
    """The file's records, each with the line it begins on; a file cut short (its last record
    inside a quoted value, or with fewer fields than the header) is refused."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(
            f"{path} cannot be read ({exc}). Fix: give the hospital's CSV as published (UTF-8)"
        ) from None
    buffer = io.StringIO(text)
    reader = csv.reader(buffer)
    records: list[tuple[int, list[str]]] = []
    line, start, last = 1, 0, 0  # where the record begins, and the last that is not blank
    for record in reader:
        records.append((line, record))
        if any(record):
            last = start
        line, start = reader.line_num + 1, buffer.tell()
    if len(records) >= 3:
        _check_complete(path, text[last:], records)
    return records


def _check_complete(path: Path, tail: str, records: list[tuple[int, list[str]]]) -> None:
    """A file cut short mostly ends mid-record: inside a quoted value (``tail``: the text of
    the last record on), or with fewer fields than the header and the record before. (A cut
    exactly between two records cannot be told.)"""
    header, rows = records[2][1], [(n, r) for n, r in records[3:] if any(r)]
    if not rows:
        return
    line, last = rows[-1]
    fixing = "Fix: the file is truncated; download it again from the hospital's website"
    if _ends_inside_quotes(tail):
        raise UnreadableFile(
            f"{path} ends inside a quoted value begun on line {line}, so it is cut short. " + fixing
        )
    before = len(rows[-2][1]) if len(rows) > 1 else len(header)
    if len(last) < min(before, len(header)):
        raise UnreadableFile(
            f"{path} ends in the middle of a row: line {line} has {len(last)} of the header's "
            f"{len(header)} fields. " + fixing
        )


def _ends_inside_quotes(text: str) -> bool:
    """Whether CSV text ends inside a quoted value, its quotes read as a CSV reader reads them:
    a quote opening a value begins quoted text, two quotes within it are one quote, one alone
    ends it, and what follows up to the next separator is kept as written."""
    at = 0
    while at < len(text):
        if text[at] == '"':
            quoted = _QUOTED.match(text, at)
            if quoted is None:
                return True
            at = quoted.end()
        separator = _SEPARATOR.search(text, at)
        if separator is None:
            return False
        at = separator.end()
    return False


class _Table:
    """The prices of a CSV's records, read by its header: "tall" (a payer and plan per record)
    or "wide" (a column per payer, plan and kind of price)."""

    def __init__(self, header: list[tuple[str, ...]], base: dict[str, Any]) -> None:
        self.base = base
        self.code_at = {h[1]: i for i, h in enumerate(header) if len(h) == 2 and h[0] == "code"}
        self.type_at = {h[1]: i for i, h in enumerate(header) if len(h) == 3 and h[:1] == ("code",)}
        self.index = {h: i for i, h in enumerate(header)}
        self.tall = ("payer_name",) in self.index
        self.payers = sorted(
            {(h[1], h[2]) for h in header if len(h) == 4 and h[0] == "standard_charge"}
        )

    def cell(self, record: list[str], key: tuple[str, ...]) -> str | None:
        i = self.index.get(key)
        return record[i].strip() or None if i is not None and i < len(record) else None

    def rows(self, record: list[str], codes: frozenset[str]) -> Iterator[dict[str, Any]]:
        """The record's prices, when it is for a wanted code or program."""
        pairs = [
            (record[i].strip(), record[self.type_at[n]].strip().upper())
            for n, i in self.code_at.items()
            if i < len(record)
            and record[i].strip()
            and n in self.type_at
            and self.type_at[n] < len(record)
        ]
        chosen = _wanted(pairs, self.cell(record, ("description",)) or "", codes)
        if chosen is None:
            return
        row = self.base | self._charges(record, chosen)
        if self.tall:
            yield row | _terms(
                self.cell(record, ("payer_name",)),
                self.cell(record, ("plan_name",)),
                lambda key: self.cell(record, ("standard_charge", key)),
            )
            return
        for payer, plan in self.payers:
            terms = _terms(
                payer,
                plan,
                lambda key, payer=payer, plan=plan: self.cell(
                    record, ("standard_charge", payer, plan, key)
                ),
            )
            if (
                terms["rate_usd"] is not None
                or terms["percentage"] is not None
                or terms["algorithm"]
            ):
                yield row | terms

    def _charges(self, record: list[str], chosen: tuple[str, str]) -> dict[str, Any]:
        cell = self.cell
        return {
            "code": chosen[0],
            "code_type": chosen[1],
            "description": cell(record, ("description",)),
            "setting": cell(record, ("setting",)),
            "modifiers": [
                m.strip() for m in (cell(record, ("modifiers",)) or "").split("|") if m.strip()
            ],
            "gross_charge_usd": _amount(
                cell(record, ("standard_charge", "gross")), "standard_charge|gross"
            ),
            "discounted_cash_usd": _amount(
                cell(record, ("standard_charge", "discounted_cash")),
                "standard_charge|discounted_cash",
            ),
        }


def _file_date(path: Path, value: object) -> str | None:
    try:
        return iso_date(value)
    except ValueError as exc:
        raise UnreadableFile(
            f"{path}: last_updated_on: {exc}. Fix: CMS's template writes it YYYY-MM-DD; ask "
            "the hospital for a corrected file"
        ) from None


def _terms(payer: str | None, plan: str | None, value: Any) -> dict[str, Any]:
    whose = f"{payer} {plan}"
    dollar = _amount(value("negotiated_dollar"), f"{whose}'s negotiated_dollar")
    share = _amount(value("negotiated_percentage"), f"{whose}'s negotiated_percentage")
    return {
        "payer": payer,
        "plan": plan,
        "rate_usd": dollar,
        "percentage": share,
        "algorithm": value("negotiated_algorithm"),
        "methodology": value("methodology"),
        "negotiated_type": "negotiated"
        if dollar is not None
        else "percentage"
        if share is not None
        else "algorithm",
    }


def _json(path: Path, codes: frozenset[str]) -> Iterator[dict[str, Any]]:
    header: dict[str, Any] = {}
    with open_binary(path) as handle:
        try:
            for prefix, event, value in ijson.parse(handle, use_float=True):
                if prefix in ("hospital_name", "last_updated_on") and event == "string":
                    header[prefix] = value
        except (ijson.JSONError, EOFError, OSError) as exc:
            raise UnreadableFile(
                f"{path} cannot be read near byte {handle.tell():,} ({exc}). "
                "Fix: the file is truncated or damaged"
            ) from None
    base = empty_row() | {
        "source_kind": "hpt",
        "source_file": path.name,
        "reporting_entity": header.get("hospital_name"),
        "file_date": _file_date(path, header.get("last_updated_on")),
    }
    with open_binary(path) as handle:
        items = ijson.items(handle, "standard_charge_information.item", use_float=True)
        for number, item in enumerate(items, start=1):
            try:
                yield from _item_rows(item, base, codes)
            except ValueError as exc:
                raise UnreadableFile(
                    f"{path}: standard_charge_information entry {number:,}: {exc}. Fix: "
                    "correct the amount in the hospital's file, or leave the file out"
                ) from None


def _item_rows(
    item: dict[str, Any], base: dict[str, Any], codes: frozenset[str]
) -> Iterator[dict[str, Any]]:
    """The prices of one item of a JSON file, when it is for a wanted code or program."""
    pairs = [
        (str(c.get("code")), str(c.get("type", "")).upper())
        for c in item.get("code_information") or []
    ]
    chosen = _wanted(pairs, item.get("description") or "", codes)
    if chosen is None:
        return
    for charge in item.get("standard_charges") or []:
        row = base | {
            "code": chosen[0],
            "code_type": chosen[1],
            "description": item.get("description"),
            "setting": charge.get("setting"),
            "gross_charge_usd": _amount(charge.get("gross_charge"), "gross_charge"),
            "discounted_cash_usd": _amount(charge.get("discounted_cash"), "discounted_cash"),
        }
        for payer in charge.get("payers_information") or []:
            yield row | _terms(
                payer.get("payer_name"),
                payer.get("plan_name"),
                lambda key, payer=payer: payer.get(
                    key.replace("negotiated_", "standard_charge_")
                    if key.startswith("negotiated")
                    else key
                ),
            )
