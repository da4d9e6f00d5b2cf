"""In-network programs near a patient, for people (lines) and programs (JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sca_rates.models.market import AccessStandardRow
from sca_rates.models.network import NearbyProgram, NetworkSource, RateEvidence, same_payer
from sca_rates.money import usd
from sca_rates.network import NetworkSearch


def network_json(search: NetworkSearch) -> dict[str, object]:
    return search.model_dump(mode="json")


def standard_said(standard: AccessStandardRow) -> str:
    """The access standard the miles come from: its rule, source and year."""
    rule = f"{standard.jurisdiction} {standard.area} {standard.plan_type}"
    marked = ", illustrative" if standard.illustrative else ""
    return f"{rule}, {standard.source} {standard.year}{marked}"


def network_lines(search: NetworkSearch, standard: AccessStandardRow) -> list[str]:
    codes = ", ".join(search.codes)
    limit = f"{search.standard_miles:g} miles"
    lines = [
        f"In-network programs billing {codes}, from the patient's ZIP {search.patient_zip}",
        f"Distances: {search.distance_basis}. Access standard: {limit} "
        f"({standard_said(standard)}).",
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
    lines += coverage_said(search)
    return [*lines, "", "Sources:", *(f"  {said}" for said in sources_said(search))]


def coverage_said(search: NetworkSearch) -> list[str]:
    """States within the search's reach the providers file lacks: a nearer program may be there."""
    if not search.uncovered:
        return []
    return [
        f"Not in the providers file: {', '.join(search.uncovered)}, within "
        f"{search.reach_miles:.0f} miles of the patient. A program there could be nearer: "
        "add those states with `sca-rates market providers` before this is evidence."
    ]


def sources_said(search: NetworkSearch) -> list[str]:
    """Each file the search read: whose and of when, and whether its programs counted."""
    said = []
    for source in search.sources:
        dates = ", ".join(source.dates) or "unknown"
        if source.kind == "providers":
            said.append(f"providers {source.path}: written {dates}")
            continue
        payers = ", ".join(source.payers) or "no payer named"
        counted = "" if _counted(search, source) else f" (not {search.payer}'s: not counted)"
        said.append(f"rates {source.path}: {payers}; file dated {dates}{counted}")
    return said


def kept_lines(search: NetworkSearch, case_file: Path) -> list[str]:
    """What keeping the search in the case file changes for the network-gap point."""
    kept = f"Kept in {case_file} (triggers.network_inadequacy.evidence)"
    if search.within:
        return [
            "",
            f"{kept}: {len(search.within)} in-network program"
            f"{'s lie' if len(search.within) > 1 else ' lies'} within the access standard, so "
            "no network-gap point is made for this case.",
        ]
    return ["", f"{kept}: the network-gap point now cites these files."]


def _counted(search: NetworkSearch, source: NetworkSource) -> bool:
    """Whether a rates file's programs count for the case: its payer is the case's."""
    return search.payer is None or any(same_payer(search.payer, p) for p in source.payers)


def _programs(programs: Iterable[NearbyProgram]) -> list[str]:
    lines = []
    for p in programs:
        lines.append(f"  {p.miles:6.1f} mi  {program_said(p)}")
        lines += [f"             {said}" for said in rates_said(p)]
    return lines


def program_said(program: NearbyProgram) -> str:
    where = ", ".join(x for x in (program.address, program.city, program.state) if x)
    return f"{program.name} (NPI {program.npi}), {where} {program.zip5}"


def rates_said(program: NearbyProgram) -> list[str]:
    """The program's prices in the payer's files, one line per payer, code and file."""
    return [_rates(group) for group in _by_payer_code(program.rates)]


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
