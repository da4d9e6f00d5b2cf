"""In-network programs near a patient, for people (lines) and programs (JSON)."""

from __future__ import annotations

from collections.abc import Iterable

from sca_rates.money import usd
from sca_rates.network import NearbyProgram, NetworkSearch, RateEvidence


def network_json(search: NetworkSearch) -> dict[str, object]:
    return search.model_dump(mode="json")


def network_lines(search: NetworkSearch, *, standard: str) -> list[str]:
    """``standard`` names the access standard the miles come from (its rule, source and year)."""
    codes = ", ".join(search.codes)
    limit = f"{search.standard_miles:g} miles"
    lines = [
        f"In-network programs billing {codes}, from the patient's ZIP {search.patient_zip}",
        f"Distances: {search.distance_basis}. Access standard: {limit} ({standard}).",
        "",
    ]
    if search.within:
        lines.append(f"Within {limit}:")
        lines += _programs(search.within)
    else:
        lines.append(f"No in-network program within {limit}.")
    if search.beyond:
        lines.append(f"Nearest beyond {limit}:")
        lines += _programs(search.beyond)
    elif not search.within:
        lines.append(f"No in-network program billing {codes} in the providers file at all.")
    if search.unplaced:
        npis = ", ".join(str(n) for n in search.unplaced)
        lines.append(f"In network but not placed (a ZIP without a ZCTA point): NPI {npis}.")
    lines += ["", "Sources:"]
    for source in search.sources:
        dates = ", ".join(source.dates)
        if source.kind == "rates":
            payers = ", ".join(source.payers) or "no rows for these codes"
            lines.append(f"  rates {source.path}: {payers}; file dated {dates}")
        else:
            lines.append(f"  providers {source.path}: written {dates}")
    return lines


def _programs(programs: Iterable[NearbyProgram]) -> list[str]:
    lines = []
    for p in programs:
        where = ", ".join(x for x in (p.address, p.city, p.state) if x)
        lines.append(f"  {p.miles:6.1f} mi  {p.name} (NPI {p.npi}), {where} {p.zip5}")
        lines += [f"             {_rates(group)}" for group in _by_payer_code(p.rates)]
    return lines


def _by_payer_code(rates: Iterable[RateEvidence]) -> list[list[RateEvidence]]:
    groups: dict[tuple[str, str, str | None], list[RateEvidence]] = {}
    for rate in rates:
        groups.setdefault((rate.payer, rate.code, rate.file_date), []).append(rate)
    return list(groups.values())


def _rates(group: list[RateEvidence]) -> str:
    """One payer's prices for one code from one file: the dollar range, and any percentages."""
    first = group[0]
    dollars = sorted({r.rate_usd for r in group if r.rate_usd is not None})
    shares = sorted({r.percentage for r in group if r.percentage is not None})
    said = []
    if dollars:
        span = usd(dollars[0]) if len(dollars) == 1 else f"{usd(dollars[0])}-{usd(dollars[-1])}"
        count = f"{len(dollars)} rate{'s' if len(dollars) > 1 else ''}"
        said.append(f"{span} per billed unit of the code ({count})")
    said += [f"{s:g}% of billed charges" for s in shares]
    return (
        f"{first.payer} {first.code}: {', '.join(said) or 'a formula'}; "
        f"file dated {first.file_date or 'undated'}"
    )
