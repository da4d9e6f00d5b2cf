"""A hospital's standard charges file (CMS Hospital Price Transparency v2 and v3: CSV "tall" or
"wide", or JSON) to tidy rows: the behavioral-health codes, and any row whose description names
partial hospitalization or intensive outpatient care.

Tolerant of what real files do: a byte-order mark, spaces around ``|`` in the headers, letter
case in the headers' keywords, M/D/YYYY dates, ``$`` and thousands separators in amounts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest.rows import empty_row, iso_date
from sca_rates.ingest.tic import open_binary

PROGRAM = re.compile(r"partial\s+hosp|intensive\s+outpatient|\bphp\b|\biop\b", re.IGNORECASE)
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


def _amount(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).replace("$", "").replace(",", "").strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


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
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(
            f"{path} cannot be read ({exc}). Fix: give the hospital's CSV as published (UTF-8)"
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 3:
        raise UnreadableFile(
            f"{path} has no column header on its third line. Fix: give a CMS "
            "v2 or v3 standard charges CSV"
        )
    meta = {k.strip().lower(): v for k, v in zip(rows[0], rows[1], strict=False)}
    header = [_header(name) for name in rows[2]]
    base = empty_row() | {
        "source_kind": "hpt",
        "source_file": path.name,
        "reporting_entity": meta.get("hospital_name"),
        "file_date": iso_date(meta.get("last_updated_on")),
    }
    code_at = {h[1]: i for i, h in enumerate(header) if len(h) == 2 and h[0] == "code"}
    type_at = {h[1]: i for i, h in enumerate(header) if len(h) == 3 and h[:1] == ("code",)}
    index = {h: i for i, h in enumerate(header)}
    tall = ("payer_name",) in index
    payers = sorted({(h[1], h[2]) for h in header if len(h) == 4 and h[0] == "standard_charge"})
    for record in rows[3:]:
        if not any(record):
            continue

        def cell(key: tuple[str, ...], record: list[str] = record) -> str | None:
            i = index.get(key)
            return record[i].strip() or None if i is not None and i < len(record) else None

        pairs = [
            (record[i].strip(), record[type_at[n]].strip().upper())
            for n, i in code_at.items()
            if i < len(record) and record[i].strip() and n in type_at and type_at[n] < len(record)
        ]
        chosen = _wanted(pairs, cell(("description",)) or "", codes)
        if chosen is None:
            continue
        row = base | {
            "code": chosen[0],
            "code_type": chosen[1],
            "description": cell(("description",)),
            "setting": cell(("setting",)),
            "modifiers": [m.strip() for m in (cell(("modifiers",)) or "").split("|") if m.strip()],
            "gross_charge_usd": _amount(cell(("standard_charge", "gross"))),
            "discounted_cash_usd": _amount(cell(("standard_charge", "discounted_cash"))),
        }
        if tall:
            yield row | _terms(
                cell(("payer_name",)),
                cell(("plan_name",)),
                lambda key, cell=cell: cell(("standard_charge", key)),
            )
        else:
            for payer, plan in payers:
                terms = _terms(
                    payer,
                    plan,
                    lambda key, cell=cell, payer=payer, plan=plan: cell(
                        ("standard_charge", payer, plan, key)
                    ),
                )
                if (
                    terms["rate_usd"] is not None
                    or terms["percentage"] is not None
                    or terms["algorithm"]
                ):
                    yield row | terms


def _terms(payer: str | None, plan: str | None, value: Any) -> dict[str, Any]:
    dollar, share = _amount(value("negotiated_dollar")), _amount(value("negotiated_percentage"))
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
        "file_date": iso_date(header.get("last_updated_on")),
    }
    with open_binary(path) as handle:
        for item in ijson.items(handle, "standard_charge_information.item", use_float=True):
            pairs = [
                (str(c.get("code")), str(c.get("type", "")).upper())
                for c in item.get("code_information") or []
            ]
            chosen = _wanted(pairs, item.get("description") or "", codes)
            if chosen is None:
                continue
            for charge in item.get("standard_charges") or []:
                row = base | {
                    "code": chosen[0],
                    "code_type": chosen[1],
                    "description": item.get("description"),
                    "setting": charge.get("setting"),
                    "gross_charge_usd": _amount(charge.get("gross_charge")),
                    "discounted_cash_usd": _amount(charge.get("discounted_cash")),
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
