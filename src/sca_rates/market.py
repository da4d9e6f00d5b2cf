"""Market reference figures: reading ``market_data/``, and finding what applies to a case.

All amounts are US dollars per the row's unit. A lookup walks a documented fallback chain and says
which steps it took:

- payer: the payer named, then ``any-commercial`` (a commercial payer only; Medicare and Medicaid
  figures are never stood in for by commercial ones, nor the reverse);
- region: a CBSA, then its state, then ``US``;
- code: the code named, then any code of the same level of care and unit.

Files: ``rates.csv``, ``alternatives.csv`` and ``billed_shares.csv`` are bundled. A person adds
figures in files beside them named ``rates.<anything>.csv`` (and likewise for the others); rows of a
later file replace rows with the same key in earlier ones, files being read in this order: the
bundled file, then the others by name, then ``*.local.csv`` last, so a center's own figures win.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from sca_rates.exceptions import InvalidMarketData, Problem
from sca_rates.files import load_csv_rows, parse_csv_rows
from sca_rates.models.case import Case
from sca_rates.models.market import (
    PERCENTILE_OF,
    URBAN_OR_RURAL,
    AccessStandardRow,
    AlternativeRow,
    BilledShareRow,
    Distribution,
    MarketData,
    MedicareRate,
    PlanType,
    Position,
    Provenance,
    RateRow,
    RateUnit,
    WageIndexRow,
    region_kind,
)
from sca_rates.money import usd

MARKET_DOC = "market_data/README.md"
ANY_COMMERCIAL = "any-commercial"

Keyed = RateRow | AlternativeRow | BilledShareRow | WageIndexRow | AccessStandardRow
Row = TypeVar("Row", RateRow, AlternativeRow, BilledShareRow, WageIndexRow, AccessStandardRow)
# Medicare's outpatient rates (PHP and IOP among them) are 60% labor-related: that share is
# multiplied by the area's wage index, the rest paid as is (42 CFR 419.43; CMS's OPPS Pricer
# applies 0.60 x wage index + 0.40 to status-indicator P lines, the PHP and IOP per diems)
OPPS_LABOR_SHARE = 0.60


def load_market(folder: str | Path) -> MarketData:
    """Read every market file of ``folder``, local files over bundled ones."""
    folder = Path(folder)
    if not (folder / "rates.csv").is_file():
        raise InvalidMarketData(
            folder / "rates.csv",
            [
                Problem(
                    "file",
                    "no such file",
                    f"point SCA_MARKET_DATA_DIR at a folder with rates.csv ({MARKET_DOC})",
                )
            ],
        )
    read: list[str] = []
    rates = _merged(folder, "rates", RateRow, read)
    _check_statistics_in_order(rates, folder)
    return MarketData(
        rates=tuple(rates),
        alternatives=tuple(_merged(folder, "alternatives", AlternativeRow, read)),
        billed_shares=tuple(_merged(folder, "billed_shares", BilledShareRow, read)),
        wage_index=tuple(_merged(folder, "wage_index", WageIndexRow, read)),
        access_standards=tuple(_merged(folder, "access_standards", AccessStandardRow, read)),
        files=tuple(read),
    )


def market_files(folder: Path, stem: str) -> list[Path]:
    """``stem.csv``, then ``stem.*.csv`` by name, then ``stem.local.csv``: later ones win."""
    extra = sorted(p for p in folder.glob(f"{stem}.*.csv") if p.name != f"{stem}.local.csv")
    ordered = [folder / f"{stem}.csv", *extra, folder / f"{stem}.local.csv"]
    return [path for path in ordered if path.is_file()]


def _merged(folder: Path, stem: str, model: type[Row], read: list[str]) -> list[Row]:
    by_key: dict[tuple[object, ...], Row] = {}
    for path in market_files(folder, stem):
        rows = load_csv_rows(path, model, InvalidMarketData, doc=MARKET_DOC)
        _check_unique(path, rows)
        by_key.update((row.key, row) for _, row in rows)
        read.append(str(path))
    return list(by_key.values())


def _check_unique(
    path: Path,
    rows: Sequence[tuple[int, Keyed]],
) -> None:
    first_line: dict[tuple[object, ...], int] = {}
    problems = []
    for line, row in rows:
        if row.key in first_line:
            problems.append(
                Problem(
                    f"line {line}",
                    f"repeats the key of line {first_line[row.key]}",
                    "keep one of the two rows, or change the one that differs",
                )
            )
        first_line.setdefault(row.key, line)
    if problems:
        raise InvalidMarketData(path, problems)


def _check_statistics_in_order(rates: Iterable[RateRow], folder: Path) -> None:
    """p10 <= p25 <= p50 <= p75 <= p90 within each group, or the percentiles would be nonsense."""
    groups: dict[tuple[object, ...], list[RateRow]] = {}
    for row in rates:
        if row.statistic in PERCENTILE_OF:
            groups.setdefault((*row.key[:-2], row.year), []).append(row)
    for rows in groups.values():
        ordered = sorted(rows, key=lambda r: PERCENTILE_OF[r.statistic])
        amounts = [r.amount_usd for r in ordered]
        if amounts != sorted(amounts):
            first = ordered[0]
            where = (
                f"{first.payer}, {first.region}, {first.level_of_care} {first.code}, {first.year}"
            )
            given = ", ".join(f"{r.statistic} {r.amount_usd:g}" for r in ordered)
            problem = Problem(
                where,
                f"the percentiles do not rise with the statistic ({given})",
                "check the amounts of these rows",
            )
            raise InvalidMarketData(folder, [problem])


def payer_chain(payer: str) -> list[str]:
    payer = payer.lower()
    public = payer == "medicare" or payer.startswith("medicaid")
    return [payer] if public or payer == ANY_COMMERCIAL else [payer, ANY_COMMERCIAL]


def region_chain(region: str, state: str | None = None) -> list[str]:
    kind = region_kind(region)
    if kind == "cbsa":
        return [region, state, "US"] if state else [region, "US"]
    return [region, "US"] if kind == "state" else ["US"]


def _steps(asked: Sequence[str], found: str, what: str) -> list[str]:
    """The fallback steps from the first of ``asked`` to ``found``, in words."""
    if found == asked[0]:
        return []
    return [f"no figures for {what} {asked[0]}; used {found}"]


def find_distribution(
    market: MarketData,
    *,
    payer: str,
    region: str,
    state: str | None,
    level_of_care: str,
    code: str,
    unit: RateUnit,
) -> Distribution | None:
    """The market figures for what is asked, by the fallback chain; None when nothing applies."""
    payers, regions = payer_chain(payer), region_chain(region, state)
    for chosen_payer in payers:
        for chosen_region in regions:
            rows = [
                r
                for r in market.rates
                if r.payer == chosen_payer
                and r.region == chosen_region
                and r.level_of_care == level_of_care
                and r.unit == unit
            ]
            group = _best_code(rows, code)
            if group:
                steps = (
                    _steps(payers, chosen_payer, "payer")
                    + _steps(regions, chosen_region, "region")
                    + _steps([code], group[0].code, "code")
                )
                return _distribution(group, steps)
    return None


def _best_code(rows: list[RateRow], code: str) -> list[RateRow]:
    """The rows of the code asked for; failing that, of the code with the most figures. Only the
    latest year of that code is kept."""
    if not rows:
        return []
    codes = {r.code for r in rows}
    chosen = (
        code if code in codes else max(sorted(codes), key=lambda c: sum(r.code == c for r in rows))
    )
    of_code = [r for r in rows if r.code == chosen]
    latest = max(r.year for r in of_code)
    return [r for r in of_code if r.year == latest]


def provenance_of(row: RateRow | AlternativeRow | BilledShareRow) -> Provenance:
    return Provenance(
        source=row.source, source_ref=row.source_ref, year=row.year, illustrative=row.illustrative
    )


def _distribution(rows: list[RateRow], steps: list[str]) -> Distribution:
    first = rows[0]
    sizes = [r.n for r in rows]
    return Distribution(
        payer=first.payer,
        region=first.region,
        level_of_care=first.level_of_care,
        code=first.code,
        unit=first.unit,
        year=first.year,
        points={r.statistic: r.amount_usd for r in rows},
        n=None if None in sizes else min(n for n in sizes if n is not None),
        fallback=steps,
        illustrative=any(r.illustrative for r in rows),
        sources=tuple(dict.fromkeys(provenance_of(r) for r in rows)),
    )


def position(rate: float, distribution: Distribution) -> Position:
    """The percentile of ``rate``, interpolated linearly between the distribution's percentiles
    and clamped at its ends (``beyond`` then says which)."""
    known = sorted(
        (PERCENTILE_OF[s], a) for s, a in distribution.points.items() if s in PERCENTILE_OF
    )
    median = distribution.p50
    vs_p50 = None if median is None else rate - median
    if not known:
        return Position(percentile=None, beyond=None, vs_p50_usd=vs_p50)
    percentiles, amounts = zip(*known, strict=True)
    beyond = "below" if rate < amounts[0] else "above" if rate > amounts[-1] else None
    percentile = float(np.interp(rate, amounts, percentiles))
    return Position(percentile=percentile, beyond=beyond, vs_p50_usd=vs_p50)


def find_medicare(
    market: MarketData, *, code_type: str, code: str, region: str, state: str | None
) -> MedicareRate | None:
    """Medicare's amount for a code, by the region chain; the latest year found."""
    regions = region_chain(region, state)
    for chosen in regions:
        rows = [
            r
            for r in market.rates
            if r.payer == "medicare"
            and r.region == chosen
            and r.code_type == code_type
            and r.code == code
        ]
        if rows:
            row = max(rows, key=lambda r: (r.year, r.statistic == "single"))
            return MedicareRate(
                code_type=code_type,
                code=code,
                amount_usd=row.amount_usd,
                unit=row.unit,
                region=chosen,
                fallback=_steps(regions, chosen, "region"),
                provenance=provenance_of(row),
            )
    return None


# The APC Medicare pays for a day of each level by provider type, for a usual day: a PHP day
# carries 4 or more services, a 3-hour IOP day 3 (CMS OPPS, CY2024 onward).
DEFAULT_MEDICARE_APC = {
    ("PHP", "hospital"): "5864",
    ("PHP", "cmhc"): "5854",
    ("IOP", "hospital"): "5861",
    ("IOP", "cmhc"): "5851",
}


def medicare_for_case(market: MarketData, case: Case) -> MedicareRate | None:
    """Medicare's rate for the case: its ``medicare_code`` or the usual APC of its level; a
    national rate is wage-adjusted for the case's area when its wage index is known."""
    code = case.medicare_code or DEFAULT_MEDICARE_APC.get(
        (case.level_of_care, case.medicare_provider_type)
    )
    if code is None:
        return None
    rate = find_medicare(market, code_type="APC", code=code, region=case.region, state=case.state)
    if rate is None or rate.region != "US":
        return rate  # a regional figure is already the area's
    wage = wage_index_for(market, case)
    if wage is None:
        return rate.model_copy(update={"wage_note": "national rate, not wage-adjusted"})
    index, where = wage
    factor = OPPS_LABOR_SHARE * index + (1 - OPPS_LABOR_SHARE)
    note = (
        f"{usd(rate.amount_usd)} national x ({OPPS_LABOR_SHARE:.0%} x wage index {index:.4f} + "
        f"{1 - OPPS_LABOR_SHARE:.0%}) = {usd(rate.amount_usd * factor)}; {where}"
    )
    return rate.model_copy(
        update={
            "amount_usd": rate.amount_usd * factor,
            "national_usd": rate.amount_usd,
            "wage_note": note,
        }
    )


def wage_index_for(market: MarketData, case: Case) -> tuple[float, str] | None:
    """The wage index for the case's area and where it comes from: the case's own figure, else
    the area's row raised to its state's rural floor (no area is paid less than the state's
    rural areas), else None."""
    if case.wage_index is not None:
        return case.wage_index, "the case's wage index"
    area = case.wage_area or (case.region if region_kind(case.region) == "cbsa" else None)
    rows = [r for r in market.wage_index if r.area == area]
    if area is None or not rows:
        return None
    row = max(rows, key=lambda r: r.year)
    cited = f"{row.source}, {row.year}"
    where = f"area {row.area} ({row.name}) {row.wage_index:.4f} [{cited}]"
    state = case.state or row.state
    floors = [r for r in market.wage_index if r.rural and r.state == state and r.year == row.year]
    if floors and floors[0].wage_index > row.wage_index:
        floor = floors[0]
        return floor.wage_index, f"{where}, raised to {state}'s rural floor {floor.wage_index:.4f}"
    return row.wage_index, where


def find_access_standard(
    market: MarketData, *, state: str | None, area: str, plan_type: PlanType
) -> AccessStandardRow | None:
    """The access standard for a member in ``area`` of a ``plan_type`` plan: the state's rule for
    that plan type, else the state's general rule, else the national rule for the plan type,
    else the national default; the latest year. A rule written for the area itself (a CMS county
    type) comes before one for urban or rural areas."""
    areas = dict.fromkeys((area, URBAN_OR_RURAL[area]))
    for jurisdiction in (state, "US"):
        for plan in (plan_type, "any"):
            for where in areas:
                rows = [
                    r
                    for r in market.access_standards
                    if (r.jurisdiction, r.area, r.plan_type) == (jurisdiction, where, plan)
                ]
                if rows:
                    return max(rows, key=lambda r: r.year)
    return None


def find_alternatives(
    market: MarketData, *, payer: str, region: str, state: str | None, diagnosis: str
) -> list[AlternativeRow]:
    """The payer's alternative settings that treat the diagnosis, one row each: the best match by
    payer, then region, then the latest year."""
    payers, regions = payer_chain(payer), region_chain(region, state)
    rank = {(p, r): i for i, (p, r) in enumerate((p, r) for p in payers for r in regions)}
    best: dict[str, AlternativeRow] = {}
    for row in market.alternatives:
        if (row.payer, row.region) not in rank or not row.fits(diagnosis):
            continue
        held = best.get(row.setting)
        score = (rank[(row.payer, row.region)], -row.year)
        if held is None or score < (rank[(held.payer, held.region)], -held.year):
            best[row.setting] = row
    return sorted(best.values(), key=lambda row: row.per_diem_usd * row.typical_los_days)


def find_billed_shares(
    market: MarketData, *, region: str, state: str | None
) -> list[BilledShareRow]:
    """Contracts that pay a share of billed charges, nearest region first."""
    regions = region_chain(region, state)
    return sorted(
        (r for r in market.billed_shares if r.region in regions),
        key=lambda r: (regions.index(r.region), r.share_of_billed),
    )


def read_rates_text(text: str, source: str) -> list[RateRow]:
    """Rates from CSV text (an upload), checked like a file: row by row, keys unique."""
    rows = parse_csv_rows(text, RateRow, InvalidMarketData, source=source, doc=MARKET_DOC)
    _check_unique(Path(source), rows)
    return [row for _, row in rows]


def with_rates(market: MarketData, rows: Iterable[RateRow], source: str) -> MarketData:
    """The market with ``rows`` laid over it (a row with the key of an existing one wins)."""
    by_key = {row.key: row for row in market.rates}
    by_key.update((row.key, row) for row in rows)
    rates = list(by_key.values())
    _check_statistics_in_order(rates, Path(source))
    return market.model_copy(update={"rates": tuple(rates), "files": (*market.files, source)})
