"""CMS's OPPS Addendum A (the CSV export) -> Medicare per diems for PHP and IOP.

Medicare pays a PHP or IOP day under the hospital outpatient prospective payment system at one of
eight APC rates: community mental health centers (5851-5854) and hospital-based programs
(5861-5864), each for days of 3 services and days of 4 or more. The amounts change every year,
so they are read from the Addendum A a person downloads, not typed in. The level of care is read
from each APC's title in the file ("Partial Hospitalization", "Intensive Outpatient").

The rates are national and unadjusted: before the wage index of the provider's area.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from pathlib import Path

from sca_rates.exceptions import InvalidMarketData, Problem
from sca_rates.models.market import RateRow

MENTAL_HEALTH_APCS = frozenset({"5851", "5852", "5853", "5854", "5861", "5862", "5863", "5864"})
_LEVELS = (("partial hospitalization", "PHP"), ("intensive outpatient", "IOP"))
_YEAR = re.compile(r"\bCY\s*(20\d\d)\b", re.IGNORECASE)


def read_addendum_a(path: str | Path, *, year: int | None = None) -> list[RateRow]:
    """The PHP and IOP APC rows of an Addendum A file, as Medicare rate rows."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _error(
            path, "file", f"cannot be read ({exc})", "give the CSV export of Addendum A"
        ) from exc
    start, columns = _header(path, records)
    year = year or _year_in(records[:start], path)
    if not 2000 <= year <= 2100:
        raise _error(
            path,
            "year",
            f"{year} is not a plausible OPPS year",
            "give the calendar year the file is for, e.g. --year 2026",
        )
    rows = [
        _rate_row(record, columns, year, path)
        for record in records[start + 1 :]
        if len(record) > columns["apc"] and record[columns["apc"]].strip() in MENTAL_HEALTH_APCS
    ]
    seen = [row.code for row in rows]
    if len(seen) != len(set(seen)):
        twice = sorted({code for code in seen if seen.count(code) > 1})
        raise _error(
            path,
            "rows",
            f"APC {', '.join(twice)} appears more than once",
            "check the file is one year's Addendum A, unedited",
        )
    if not rows:
        raise _error(
            path,
            "rows",
            "no PHP or IOP APC (5851-5854, 5861-5864) was found",
            "check this is OPPS Addendum A for CY2024 or later",
        )
    return rows


def _error(path: Path, where: str, what: str, fix: str) -> InvalidMarketData:
    return InvalidMarketData(path, [Problem(where, what, fix)])


def _header(path: Path, records: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The line of column names and where the APC, title and payment rate are."""
    for i, record in enumerate(records):
        names = [cell.strip().lower() for cell in record]
        if "apc" in names and any("payment rate" in name for name in names):
            title = next(
                (j for j, n in enumerate(names) if "title" in n or "description" in n), None
            )
            if title is None:
                break
            rate = next(j for j, n in enumerate(names) if "payment rate" in n)
            return i, {"apc": names.index("apc"), "title": title, "rate": rate}
    raise _error(
        path,
        "header",
        "no line names the columns APC, Group Title and Payment Rate",
        "give the CSV export of OPPS Addendum A as CMS publishes it",
    )


def _year_in(preamble: list[list[str]], path: Path) -> int:
    for record in preamble:
        for cell in record:
            if found := _YEAR.search(cell):
                return int(found.group(1))
    raise _error(
        path,
        "title",
        "the file does not say which calendar year it is for",
        "give the year with --year, e.g. --year 2026",
    )


def _rate_row(record: list[str], columns: dict[str, int], year: int, path: Path) -> RateRow:
    apc, title = record[columns["apc"]].strip(), record[columns["title"]].strip()
    level = next((code for words, code in _LEVELS if words in title.lower()), None)
    if level is None:
        raise _error(
            path,
            f"APC {apc}",
            f"the title {title!r} names neither PHP nor IOP",
            "check the file is OPPS Addendum A",
        )
    text = record[columns["rate"]].strip().replace("$", "").replace(",", "")
    try:
        amount = float(text)
    except ValueError:
        raise _error(
            path,
            f"APC {apc}",
            f"payment rate {text!r} is not a number",
            "check the file is the CSV export, not a reformatted copy",
        ) from None
    if amount <= 0:
        raise _error(
            path,
            f"APC {apc}",
            f"payment rate {text!r} is not above zero",
            "check the file is OPPS Addendum A",
        )
    return RateRow(
        payer="medicare",
        region="US",
        level_of_care=level,
        code_type="APC",
        code=apc,
        unit="day",
        statistic="single",
        amount_usd=amount,
        n=None,
        year=year,
        source=f"CMS OPPS Addendum A, CY{year}",
        source_ref=f"{path.name}: APC {apc} {title}; national rate before the wage index",
        illustrative=False,
    )


def write_rates(rows: list[RateRow], path: str | Path) -> None:
    """Write rows as a rates CSV that ``market.load_market`` reads back; the file appears (or
    replaces the one there) only once complete."""
    names = list(RateRow.model_fields)
    path = Path(path)
    if not path.parent.is_dir():
        raise _error(
            path, "file", "its folder does not exist", "give a path in a folder that exists"
        )
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=names)
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {
                        **row.model_dump(),
                        "n": "" if row.n is None else row.n,
                        "illustrative": str(row.illustrative).lower(),
                    }
                )
        os.chmod(temporary, 0o644)  # a data file anyone on the machine may read, as before
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
