"""The payer's in-network programs near a patient: the evidence for (or against) a network gap.

A program is a provider of the providers file (``market providers``: NPPES, the program
taxonomies) with one of the program taxonomies, whose NPI a payer's in-network file lists for one
of the case's codes (``market import-tic``). Each is placed at its practice ZIP and measured from
the patient's ZIP (``ingest.geo``); units and dates as ``models.network`` says.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import Field, ValidationError

from sca_rates.compare import case_access_standard
from sca_rates.exceptions import MissingReference, UnreadableFile
from sca_rates.ingest.geo import (
    Point,
    bundled_centroids,
    distance_miles,
    great_circle_miles,
    place,
)
from sca_rates.ingest.nppes import STATES_KEPT, load_taxonomies
from sca_rates.ingest.rows import CODES_KEPT, FILTERED_BY
from sca_rates.models.base import Frozen
from sca_rates.models.case import Case
from sca_rates.models.market import AccessStandardRow, MarketData
from sca_rates.models.network import (
    DISTANCE_BASIS,
    NearbyProgram,
    NetworkEvidence,
    NetworkSource,
    RateEvidence,
    same_payer,
)

ZIP3_STATES_FILE = "zip3_states.csv"
# Beyond the standard only the nearest few are shown: the argument needs the nearest, not a list
BEYOND_SHOWN = 3
RATE_COLUMNS = (
    "payer",
    "plan",
    "file_date",
    "code",
    "rate_usd",
    "percentage",
    "negotiated_type",
    "source_file",
    "npi",
)
PROVIDER_COLUMNS = (
    "npi",
    "organization_name",
    "taxonomy_codes",
    "address",
    "city",
    "state",
    "zip5",
)


# Computed: what `sca-rates network` shows
class NetworkSearch(Frozen):
    patient_zip: str
    codes: tuple[str, ...]
    standard_miles: float = Field(gt=0)
    distance_basis: str = DISTANCE_BASIS
    within: tuple[NearbyProgram, ...]  # nearest first
    beyond: tuple[NearbyProgram, ...]  # the nearest beyond the standard, nearest first
    unplaced: tuple[int, ...] = ()  # NPIs of in-network programs whose ZIP has no ZCTA point
    # Of those, the ones in a state within reach: each could be the nearest
    unplaced_near: tuple[int, ...] = ()
    sources: tuple[NetworkSource, ...]
    payer: str | None = None  # whose rows were counted (None: every payer's)
    states_kept: tuple[str, ...] | None = None  # the providers file's states (None: not said)
    reach_miles: float = 0.0  # how far the claims reach: the standard, or the nearest beyond it
    uncovered: tuple[str, ...] = ()  # states within that reach the providers file does not hold

    def refused(self) -> str | None:
        """Why this search is no evidence of a gap, with the fix; None when it is. A search
        that misses states within its reach, or cannot place a program there, could miss a
        nearer program."""
        if self.uncovered:
            held = self.states_kept or ()
            every = " ".join(f"--state {s}" for s in sorted({*self.uncovered, *held}))
            return (
                f"The providers file holds {', '.join(held)} only; ZIPs within "
                f"{self.reach_miles:.0f} miles of {self.patient_zip} are also in "
                f"{', '.join(self.uncovered)}, where a program could be nearer. Fix: write the "
                f"providers again with `sca-rates market providers NPPES.zip -o ... {every}` and "
                "search again"
            )
        if self.unplaced_near:
            npis = ", ".join(str(n) for n in self.unplaced_near)
            return (
                f"In-network program NPI {npis} practices at a ZIP without a ZCTA point, in a "
                f"state within {self.reach_miles:.0f} miles of {self.patient_zip}: it could be "
                "the nearest, so the search is no evidence of a gap. Fix: look up its practice "
                "address; if it lies beyond the standard, type the distance to the nearest "
                "program (miles_to_nearest) in the case instead"
            )
        return None

    def evidence(self, searched: dt.date) -> NetworkEvidence:
        """What the case keeps: the nearest programs found, within the standard or not (the
        standard may change with the case; the distances do not). Refused (``refused``) when
        the search could miss a nearer program."""
        refused = self.refused()
        if refused is not None:
            raise MissingReference(refused)
        return NetworkEvidence(
            searched=searched,
            patient_zip=self.patient_zip,
            codes=self.codes,
            distance_basis=self.distance_basis,
            nearest=(*self.within, *self.beyond)[:BEYOND_SHOWN],
            sources=self.sources,
            covered_miles=None if self.states_kept is None else self.reach_miles,
        )


def search_case(
    case: Case, market: MarketData, *, rates: Sequence[Path], providers: Path, market_dir: Path
) -> tuple[NetworkSearch, AccessStandardRow]:
    """The search for a case: its code, its patient's ZIP, the access standard it is held to
    and the program taxonomies of ``market_dir``; a case it cannot be made for is one message."""
    if case.patient_zip is None:
        raise MissingReference(
            "The case gives no patient_zip. Fix: add the patient's five-digit ZIP to the case "
            'file (patient_zip: "02139"), see cases/README.md'
        )
    standard = case_access_standard(case, market)
    if standard is None:
        raise MissingReference(
            "No access standard for the case's state, area and plan type in "
            "access_standards.csv. Fix: add a row for it, see market_data/README.md"
        )
    search = find_in_network_programs(
        rates=rates,
        providers=providers,
        codes=[case.code],
        patient_zip=case.patient_zip,
        standard_miles=standard.miles,
        taxonomies=frozenset(load_taxonomies(market_dir / "program_taxonomies.csv")),
        payer=case.payer,
    )
    return search, standard


def find_in_network_programs(
    *,
    rates: Sequence[Path],
    providers: Path,
    codes: Iterable[str],
    patient_zip: str,
    standard_miles: float,
    taxonomies: frozenset[str],
    beyond_shown: int = BEYOND_SHOWN,
    centroids: Mapping[str, Point] | None = None,
    payer: str | None = None,
) -> NetworkSearch:
    """The programs in network for ``codes`` within ``standard_miles`` of ``patient_zip``, and
    the nearest ``beyond_shown`` past it, each with the rates that show it in network; only
    ``payer``'s rows count when it is given (another payer's network is not the patient's)."""
    wanted = tuple(sorted(set(codes)))
    places = centroids if centroids is not None else bundled_centroids()
    place(patient_zip, places)  # a patient's ZIP without a ZCTA point: one message
    evidence: dict[int, set[RateEvidence]] = {}
    sources = [_read_rates(path, wanted, evidence, payer) for path in rates]
    rows, kept = _read_providers(providers)
    programs, unplaced = _placed(rows, evidence, taxonomies, patient_zip, places)
    # The claims need every state within reach: the standard, or the nearest beyond it
    reach = standard_miles if not programs else max(standard_miles, programs[0].miles)
    near = _states_within(patient_zip, reach, places)
    written = dt.date.fromtimestamp(providers.stat().st_mtime).isoformat()
    return NetworkSearch(
        patient_zip=patient_zip.strip()[:5],
        codes=wanted,
        standard_miles=standard_miles,
        within=tuple(p for p in programs if p.miles <= standard_miles),
        beyond=tuple(p for p in programs if p.miles > standard_miles)[:beyond_shown],
        unplaced=tuple(sorted(unplaced)),
        unplaced_near=tuple(sorted(npi for npi, state in unplaced.items() if state in near)),
        sources=(*sources, NetworkSource(kind="providers", path=str(providers), dates=(written,))),
        payer=payer,
        states_kept=kept,
        reach_miles=reach,
        uncovered=() if kept is None else tuple(sorted(near - set(kept))),
    )


def _placed(
    rows: list[dict[str, Any]],
    evidence: dict[int, set[RateEvidence]],
    taxonomies: frozenset[str],
    patient_zip: str,
    places: Mapping[str, Point],
) -> tuple[list[NearbyProgram], dict[int, str | None]]:
    """The in-network programs among the providers, nearest first, and the NPIs of those whose
    ZIP has no ZCTA point, with their states."""
    programs: list[NearbyProgram] = []
    unplaced: dict[int, str | None] = {}
    for row in rows:
        if row["npi"] not in evidence or taxonomies.isdisjoint(row["taxonomy_codes"] or ()):
            continue
        zip5 = row["zip5"] or ""
        if zip5 not in places:
            unplaced[row["npi"]] = row["state"]
            continue
        programs.append(
            NearbyProgram(
                npi=row["npi"],
                name=row["organization_name"] or f"NPI {row['npi']}",
                address=row["address"],
                city=row["city"],
                state=row["state"],
                zip5=zip5,
                miles=distance_miles(patient_zip, zip5, centroids=places),
                rates=tuple(sorted(evidence[row["npi"]], key=_rate_order)),
            )
        )
    programs.sort(key=lambda p: (p.miles, p.npi))
    return programs, unplaced


def _states_within(patient_zip: str, miles: float, places: Mapping[str, Point]) -> set[str]:
    """The states with a ZIP within ``miles`` of the patient: a providers file that lacks one
    could miss a program nearer than any it shows."""
    origin = place(patient_zip, places)
    prefixes = bundled_zip3_states()
    return {
        state
        for zip5, point in places.items()
        if great_circle_miles(origin, point) <= miles
        for state in prefixes.get(zip5[:3], ())
    }


@functools.cache
def bundled_zip3_states() -> dict[str, tuple[str, ...]]:
    """The states of each 3-digit ZIP prefix (market_data/zip3_states.csv, from USPS's L002)."""
    from sca_rates.settings import PROJECT_ROOT

    path = PROJECT_ROOT / "market_data" / ZIP3_STATES_FILE
    states: dict[str, tuple[str, ...]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            states[row["zip3"]] = (*states.get(row["zip3"], ()), row["state"])
    return states


def _rate_order(rate: RateEvidence) -> tuple[Any, ...]:
    return (rate.payer, rate.code, rate.rate_usd or 0.0, rate.percentage or 0.0, rate.file_date)


def _read_rates(
    path: Path, codes: tuple[str, ...], into: dict[int, set[RateEvidence]], payer: str | None
) -> NetworkSource:
    """Add each program's prices for ``codes`` from one in-network rates file to ``into``. The
    file's payers and dates are read from all its rows: a file that lists no program for the
    codes is still that payer's file of that date."""
    table = _table(
        path, RATE_COLUMNS, "give a Parquet file written by `sca-rates market import-tic`"
    )
    _lists_every_program(path, table.schema.metadata or {}, codes)
    payers = {p for p in pc.unique(table.column("payer")).to_pylist() if p}
    dates = {d or "undated" for d in pc.unique(table.column("file_date")).to_pylist()}
    for row in table.filter(
        pc.is_in(table.column("code"), pa.array(codes, pa.string()))
    ).to_pylist():
        npis = row.pop("npi") or []
        try:
            rate = RateEvidence.model_validate(row)
        except ValidationError as exc:
            raise UnreadableFile(
                f"{path} has a rate row that cannot be read ({exc.errors()[0]['msg']}). Fix: "
                "give a Parquet file written by `sca-rates market import-tic`"
            ) from None
        if payer is not None and not same_payer(payer, rate.payer):
            continue
        for npi in npis:
            into.setdefault(npi, set()).add(rate)
    return NetworkSource(
        kind="rates", path=str(path), dates=tuple(sorted(dates)), payers=tuple(sorted(payers))
    )


def _lists_every_program(path: Path, metadata: dict[bytes, bytes], codes: tuple[str, ...]) -> None:
    """A file imported without the codes, or for some NPIs or TINs only, cannot show that a
    program is absent: it is refused (a file without the import's record is taken as whole)."""
    again = "Fix: import the payer's file again with `sca-rates market import-tic`"
    kept = metadata.get(CODES_KEPT)
    missing = sorted(set(codes) - set(kept.decode().split(","))) if kept is not None else []
    if missing:
        raise UnreadableFile(
            f"{path} was imported without code {', '.join(missing)}: it cannot show which "
            f"programs bill it. {again} and the default codes or --codes {','.join(missing)}"
        )
    filtered = metadata.get(FILTERED_BY, b"").decode()
    if filtered:
        only = " and ".join(f"--{name}-file" for name in filtered.split(","))
        raise UnreadableFile(
            f"{path} was imported with {only}: it lists those providers' programs only. "
            f"{again}, without {only}"
        )


def _read_providers(path: Path) -> tuple[list[dict[str, Any]], tuple[str, ...] | None]:
    """The providers' rows, and the states the file was filtered to when it says."""
    fix = "give a Parquet file written by `sca-rates market providers`"
    table = _table(path, PROVIDER_COLUMNS, fix)
    kept = (table.schema.metadata or {}).get(STATES_KEPT)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows, None if kept is None else tuple(kept.decode().split(","))


def _table(path: Path, columns: tuple[str, ...], fix: str) -> pa.Table:
    """The columns of a Parquet file, or one UnreadableFile naming the file and the fix."""
    try:
        names = pq.read_schema(path).names
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file. Fix: {fix}") from None
    except (OSError, pa.ArrowException):
        raise UnreadableFile(f"{path}: not a Parquet file. Fix: {fix}") from None
    missing = [c for c in columns if c not in names]
    if missing:
        raise UnreadableFile(f"{path}: has no column {', '.join(missing)}. Fix: {fix}")
    try:
        return pq.read_table(path, columns=list(columns))
    except (OSError, pa.ArrowException):
        raise UnreadableFile(f"{path}: cannot be read whole (truncated?). Fix: {fix}") from None
