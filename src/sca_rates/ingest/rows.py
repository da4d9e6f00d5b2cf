"""The tidy rows every importer writes, one negotiated price each, and writing them as Parquet
without ever leaving a partial file (a temporary file, renamed on success), to a path or to a
file at an fsspec URL (``shared.py``)."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from sca_rates.ingest.shared import SharedFile, Target

# The behavioral-health codes imported by default: per diems for PHP and IOP (HCPCS and UB-04
# revenue codes), residential and detox per diems, and the psychotherapy CPT codes.
BEHAVIORAL_HEALTH_CODES = frozenset(
    {
        "S0201",
        "H0035",
        "H0015",
        "S9480",
        "H2036",
        "S9475",
        "H0017",
        "H0018",
        "H0019",
        "H0010",
        "H0011",
        "90791",
        "90832",
        "90834",
        "90837",
        "90846",
        "90847",
        "90853",
        "0905",
        "0906",
        "0912",
        "0913",
        "1001",
        "1002",
    }
)

SCHEMA = pa.schema(
    [
        ("source_kind", pa.string()),  # tic (a payer's file) or hpt (a hospital's)
        ("source_file", pa.string()),
        ("reporting_entity", pa.string()),  # the insurer, or the hospital
        ("payer", pa.string()),  # who pays the rate: the insurer, or the hospital's payer_name
        ("plan", pa.string()),
        ("file_date", pa.string()),  # ISO date the file says it was updated
        ("code", pa.string()),
        ("code_type", pa.string()),
        ("description", pa.string()),
        ("negotiation_arrangement", pa.string()),
        ("negotiated_type", pa.string()),  # negotiated, derived, fee schedule, percentage ...
        ("rate_usd", pa.float64()),  # a dollar amount, when the price is one
        (
            "percentage",
            pa.float64(),
        ),  # a share (e.g. of billed charges), as written: 55.3 for 55.3%
        ("algorithm", pa.string()),  # the terms, when the price is a formula
        ("methodology", pa.string()),
        ("billing_class", pa.string()),
        ("setting", pa.string()),
        ("service_codes", pa.list_(pa.string())),
        ("modifiers", pa.list_(pa.string())),
        ("expiration_date", pa.string()),
        ("npi", pa.list_(pa.int64())),
        ("tin", pa.string()),
        ("gross_charge_usd", pa.float64()),
        ("discounted_cash_usd", pa.float64()),
    ]
)


# What an import kept, in its Parquet file's metadata: a file imported for other codes, or for
# some NPIs or TINs only, lists only some programs, and is no evidence that a program is absent
CODES_KEPT = b"sca_rates.codes"  # the codes kept, comma-separated
FILTERED_BY = b"sca_rates.filtered_by"  # "npi", "tin", both comma-separated, or empty


def write_parquet(
    rows: Iterable[dict[str, Any]],
    target: Target,
    *,
    schema: pa.Schema = SCHEMA,
    batch: int = 50_000,
) -> int:
    """Write rows (streamed, in batches) to ``target`` with ``schema`` (the tidy rows' by
    default); it appears only once complete, and an empty result is still a table."""
    return write_whole(target, lambda sink: _write_batches(rows, sink, schema, batch))


def write_whole(target: Target, fill: Callable[[str | IO[bytes]], int]) -> int:
    """``fill`` a sink for ``target``, which appears only once ``fill`` has returned (a
    temporary file beside it, renamed; at a URL, moved into place): a file cut short by an
    error is never left for a reader. Returns what ``fill`` returns."""
    if isinstance(target, SharedFile):
        return target.write(fill)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        count = fill(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _write_batches(
    rows: Iterable[dict[str, Any]], sink: str | IO[bytes], schema: pa.Schema, batch: int
) -> int:
    count = 0
    with pq.ParquetWriter(sink, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                count, chunk = count + len(chunk), []
        if chunk or not count:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count


def empty_row() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(SCHEMA.names)
    row |= {"service_codes": [], "modifiers": [], "npi": []}
    return row


# ISO, alone or followed by a time; M/D/YYYY, as US hospitals' files write dates
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ].*)?", re.ASCII)
_MONTH_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def iso_date(value: object, *, month_first: bool = True) -> str | None:
    """A date as ISO (YYYY-MM-DD) from what the files write: ISO with or without a time, or, when
    ``month_first`` (hospitals' files), M/D/YYYY. Raises ValueError for anything else, and for a
    day that does not exist (month 13): kept as written, it would pass for a date."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if _ISO.fullmatch(text):
        return _real_day(text, int(text[:4]), int(text[5:7]), int(text[8:10]))
    if month_first and (found := _MONTH_FIRST.fullmatch(text)):
        month, day, year = (int(part) for part in found.groups())
        return _real_day(text, year, month, day)
    written = "YYYY-MM-DD (or M/D/YYYY)" if month_first else "YYYY-MM-DD"
    raise ValueError(f"{text!r} is not a date written {written}")


def _real_day(text: str, year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(
            f"{text!r} is not a day of the calendar (month {month}, day {day})"
        ) from None
