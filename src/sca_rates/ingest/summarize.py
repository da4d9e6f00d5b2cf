"""Imported prices into market figures: percentiles with n per payer and code, as rows of a
``market_data/`` rates file the comparator reads, with the data-quality guards counted:

- prices that expired before the as-of date are dropped;
- percentages and formulas are kept apart (counted, never mixed into dollar figures);
- a dollar price outside a band around Medicare's amount for the code (default 60% to 1000%) is
  dropped as an outlier, when the market data has Medicare's amount for the code;
- five prices or more give p10 to p90; fewer, the median only. Fewer than ten is flagged as a
  small sample by the market lookup (it reads ``n``).

Before any of it, the region and the band are checked, and each imported row (a file of another
making, a negative or infinite amount or a date that is not one is refused, naming the file and
the row).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from sca_rates.exceptions import InvalidScenario, UnreadableFile
from sca_rates.ingest.rows import SCHEMA, iso_date
from sca_rates.market import find_medicare
from sca_rates.models.market import REGION, MarketData, MedicareRate, RateRow

# What each code pays for: (level of care, unit of service)
CODE_LEVELS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("S0201", "H0035", "0912", "0913"), ("PHP", "day")),
    **dict.fromkeys(("S9480", "H0015", "S9475", "0905", "0906"), ("IOP", "session")),
    **dict.fromkeys(("H0017", "H0018", "H0019", "H2036", "1001", "1002"), ("RES", "day")),
    **dict.fromkeys(("H0010", "H0011"), ("DETOX", "day")),
    **dict.fromkeys(
        ("90791", "90832", "90834", "90837", "90846", "90847", "90853"), ("OP", "session")
    ),
}
STATISTICS = {"p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90}


@dataclass
class SummaryReport:
    prices: int = 0
    expired: int = 0
    not_dollars: int = 0  # percentages and formulas, kept apart
    outliers: int = 0
    unknown_codes: int = 0
    groups: int = 0


def payer_name(value: str | None) -> str:
    """ "AETNA [1001]" -> "aetna": the name the market data and the cases use."""
    name = re.sub(r"\s*\[[^\]]*\]\s*", " ", value or "").strip().lower()
    return re.sub(r"[^a-z0-9 .&'-]", "", " ".join(name.split())) or "unknown payer"


def summarize(
    rows: Iterable[dict[str, Any]],
    *,
    region: str,
    as_of: dt.date,
    market: MarketData,
    band: tuple[float, float] = (0.6, 10.0),
    report: SummaryReport | None = None,
) -> list[RateRow]:
    """Rates rows from imported prices (see the module's guards). The region and the band are
    checked here, for every caller, before the first row is read."""
    check_region(region)
    check_band(band)
    report = report if report is not None else SummaryReport()

    @functools.cache  # one look-up per code, not per price
    def medicare(code_type: str, code: str) -> MedicareRate | None:
        return find_medicare(market, code_type=code_type, code=code, region=region, state=None)

    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    sources: dict[tuple[str, str, str], set[tuple[str, str, str]]] = defaultdict(set)
    for row in rows:
        report.prices += 1
        key = _keep(row, as_of=as_of, medicare=medicare, band=band, report=report)
        if key is not None:
            groups[key].append(float(row["rate_usd"]))
            sources[key].add(
                (row["source_file"], row["reporting_entity"] or "", row["file_date"] or "")
            )
    out: list[RateRow] = []
    for key, amounts in sorted(groups.items()):
        report.groups += 1
        out += _figures(key, amounts, sources[key], region)
    return out


def check_region(region: str) -> str:
    """The region, refused unless of the form rates rows take (``models/market.py``)."""
    if not REGION.match(region):
        raise InvalidScenario(
            f"{region!r} is not a region. Fix: give US, a state's two letters (MA), "
            "or a five-digit CBSA code (14460 for Boston)"
        )
    return region


def check_band(band: tuple[float, float]) -> None:
    """The Medicare band, refused unless its low end is at least 0 and below its high end."""
    low, high = band
    if low < 0 or low >= high:
        raise InvalidScenario(
            f"the Medicare band {low:g} to {high:g} is not a band. Fix: give --band-low at 0 or "
            "above and below --band-high, both multiples of Medicare's amount (by default 0.6 "
            "and 10)"
        )


def read_imports(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """The rows of Parquet files the importers wrote, each checked: a file of another making,
    a negative or infinite amount or a date that is not one is refused, naming the file and the
    row."""
    for path in paths:
        for number, row in enumerate(_imported(path).to_pylist(), start=1):
            _check_row(path, number, row)
            yield row


def _imported(path: Path) -> Any:  # a pyarrow Table (pyarrow is untyped)
    fix = "Fix: give the .parquet files that market import-tic or import-hpt wrote"
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UnreadableFile(f"{path} cannot be read as a Parquet file ({reason}). {fix}") from None
    if not table.schema.equals(SCHEMA):
        raise UnreadableFile(
            f"{path} was not written by the importers (its columns are not theirs: "
            f"{', '.join(table.schema.names[:8])}). {fix}"
        )
    return table


def _check_row(path: Path, number: int, row: dict[str, Any]) -> None:
    fix = "Fix: import the payer's or hospital's file again; the importer names what is wrong"
    for name in ("rate_usd", "percentage", "gross_charge_usd", "discounted_cash_usd"):
        where = f"{path}: row {number:,}, {name}"
        if row[name] is not None and not math.isfinite(row[name]):
            raise UnreadableFile(f"{where}: {row[name]} is not a finite amount. {fix}")
        if row[name] is not None and row[name] < 0:
            raise UnreadableFile(f"{where}: {row[name]} is below zero. {fix}")
    for name in ("expiration_date", "file_date"):
        try:
            iso_date(row[name], month_first=False)
        except ValueError as exc:
            raise UnreadableFile(f"{path}: row {number:,}, {name}: {exc}. {fix}") from None


def _keep(
    row: dict[str, Any],
    *,
    as_of: dt.date,
    medicare: Callable[[str, str], MedicareRate | None],
    band: tuple[float, float],
    report: SummaryReport,
) -> tuple[str, str, str] | None:
    code = str(row["code"])
    if code not in CODE_LEVELS:
        report.unknown_codes += 1
        return None
    expires = row.get("expiration_date")
    if expires and len(expires) == 10 and dt.date.fromisoformat(expires) < as_of:
        report.expired += 1
        return None
    if row.get("rate_usd") is None:
        report.not_dollars += 1
        return None
    medicare_rate = medicare(row.get("code_type") or "", code)
    if medicare_rate is not None:
        low, high = band[0] * medicare_rate.amount_usd, band[1] * medicare_rate.amount_usd
        if not low <= row["rate_usd"] <= high:
            report.outliers += 1
            return None
    return payer_name(row.get("payer")), code, str(row.get("code_type") or "")


def _figures(
    key: tuple[str, str, str], amounts: list[float], sources: set[tuple[str, str, str]], region: str
) -> list[RateRow]:
    payer, code, code_type = key
    level, unit = CODE_LEVELS[code]
    dates = sorted(d for _, _, d in sources if d)
    year = int(dates[-1][:4]) if dates else dt.date.today().year
    files = ", ".join(sorted({f"{f} ({entity}, {d})" for f, entity, d in sources}))
    wanted = STATISTICS if len(amounts) >= 5 else {"p50": 50}
    values = np.percentile(amounts, list(wanted.values()))
    return [
        RateRow(
            payer=payer,
            region=region,
            level_of_care=level,
            code_type=code_type,
            code=code,
            unit=unit,
            statistic=name,
            amount_usd=round(float(v), 2),
            n=len(amounts),
            year=year,
            source="price-transparency files",
            source_ref=f"{len(amounts)} prices from {files}",
            illustrative=False,
        )
        for name, v in zip(wanted, values, strict=True)
    ]
