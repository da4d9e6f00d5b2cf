"""CMS's NPPES data dissemination file (``npidata_pfile_*.csv``, about 9 GB, or the zip it comes
in) to the programs that could treat a patient: the providers of some states with a program
taxonomy (``market_data/program_taxonomies.csv``), one row each, streamed.

A zip is read as it is stored: its npidata CSV member is decompressed as it is read, never
written out. The file is read in large chunks; the lines holding a wanted state (as a field:
``"MA"``) are found by byte search, and of those only the ones holding a wanted taxonomy code
are parsed as CSV (a few in a thousand). Each is then checked column by column, so a state or a
code elsewhere in a line (a mailing address, a license number) keeps nothing. A record is one
line, as NPPES writes it. Rows are NPPES's as written: ZIP5 is the first five digits of the
practice location's postal code.

Whatever cannot be read is one UnreadableFile naming the file and the fix: not a zip nor a CSV,
a header without NPPES's columns (named), a line whose fields do not match the header, a zip
whose end or checksum is wrong (a download cut short).
"""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa

from sca_rates.exceptions import InvalidMarketData, InvalidScenario, Problem, UnreadableFile
from sca_rates.ingest.rows import write_parquet
from sca_rates.ingest.shared import Target
from sca_rates.models.cost_model import US_STATES

TAXONOMY_SLOTS = range(1, 16)  # NPPES gives up to 15 taxonomies a provider
NPI = "NPI"
ENTITY = "Entity Type Code"
ORGANIZATION = "Provider Organization Name (Legal Business Name)"
LINE_1 = "Provider First Line Business Practice Location Address"
LINE_2 = "Provider Second Line Business Practice Location Address"
CITY = "Provider Business Practice Location Address City Name"
STATE = "Provider Business Practice Location Address State Name"
POSTAL = "Provider Business Practice Location Address Postal Code"
CODES = tuple(f"Healthcare Provider Taxonomy Code_{n}" for n in TAXONOMY_SLOTS)
SWITCHES = tuple(f"Healthcare Provider Primary Taxonomy Switch_{n}" for n in TAXONOMY_SLOTS)
REQUIRED = (NPI, ENTITY, ORGANIZATION, LINE_1, LINE_2, CITY, STATE, POSTAL, *CODES, *SWITCHES)
MISSING_SHOWN = 8  # missing columns named in one message; the rest are counted
CHUNK = 8 << 20  # bytes read at a time (measured in benchmarks/providers.py: 4-16 MB alike)
HEADER_LIMIT = 1 << 20  # NPPES's header is 330 names, about 17 kB
# The data member of CMS's zip (beside it: *_fileheader.csv, othername, pl, endpoint files)
MEMBER = re.compile(r"(^|/)npidata_pfile_[^/]*\.csv$", re.IGNORECASE)
TAXONOMY_CODE = re.compile(r"[0-9]{3}[0-9A-Z]{6}X", re.ASCII)
# USPS codes of the states, DC and the territories NPPES addresses use: the cost models'
STATES = US_STATES
NPPES_FIX = (
    "give CMS's NPPES data dissemination file: the monthly zip (NPPES_Data_Dissemination_*.zip) "
    "or the npidata_pfile_*.csv inside it"
)

SCHEMA = pa.schema(
    [
        ("npi", pa.int64()),
        ("entity_type", pa.int8()),  # 1 an individual, 2 an organization
        ("organization_name", pa.string()),  # legal business name; empty for an individual
        ("taxonomy_codes", pa.list_(pa.string())),  # as listed, slot 1 first
        ("primary_taxonomy", pa.string()),  # the one switched Y, if any
        ("address", pa.string()),  # practice location, both lines
        ("city", pa.string()),
        ("state", pa.string()),
        ("zip5", pa.string()),  # first five digits of the postal code; empty if not a US ZIP
    ]
)


@dataclass
class ProvidersReport:
    """What a read saw besides its rows."""

    source: str = ""  # the file, and the zip member read
    bytes_read: int = 0  # of the CSV (uncompressed), the header included
    candidates: int = 0  # lines holding a wanted code, parsed
    rows: int = 0  # providers kept


def load_taxonomies(path: Path) -> dict[str, str]:
    """The program taxonomies file (code, name, source): code -> name, every row checked.
    UTF-8, with or without the byte-order mark a spreadsheet program writes before a CSV it
    saves."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("code", "name", "source") if c not in (reader.fieldnames or [])]
            if missing:
                raise InvalidMarketData(
                    path,
                    [
                        Problem(
                            "header",
                            f"no column {', '.join(missing)}",
                            "the header is code,name,source",
                        )
                    ],
                )
            found, problems = _taxonomy_rows(reader)
    except OSError as exc:
        raise InvalidScenario(f"cannot read {path}: {exc.strerror}. Fix: check the path") from None
    except UnicodeDecodeError:
        problems = [Problem("file", "not UTF-8 text", "save it as UTF-8 CSV")]
    except csv.Error as exc:
        fix = "save it as comma-separated values with a header row"
        problems = [Problem("file", f"not a readable CSV file ({exc})", fix)]
    if not problems and not found:
        problems.append(Problem("file", "no taxonomy codes", "list at least one code"))
    if problems:
        raise InvalidMarketData(path, problems)
    return found


def _taxonomy_rows(reader: csv.DictReader[str]) -> tuple[dict[str, str], list[Problem]]:
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for row in reader:
        where = f"line {reader.line_num}"
        code = (row.get("code") or "").strip().upper()
        if not TAXONOMY_CODE.fullmatch(code):
            problems.append(
                Problem(
                    where,
                    f"{code!r} is not a taxonomy code",
                    "write ten characters ending in X, as NUCC does (261QM0801X)",
                )
            )
        elif code in found:
            problems.append(Problem(where, f"{code} is listed twice", "keep one row"))
        elif not (row.get("name") or "").strip() or not (row.get("source") or "").strip():
            problems.append(Problem(where, f"{code} has no name or source", "give both"))
        else:
            found[code] = (row.get("name") or "").strip()
    return found, problems


def check_states(states: Iterable[str]) -> frozenset[str]:
    """The states given (``MA``, ``ma``), as USPS codes; anything else is refused."""
    wanted = frozenset(s.strip().upper() for s in states)
    wrong = sorted(s for s in wanted if s not in STATES)
    if not wanted or wrong:
        shown = ", ".join(wrong) or "none"
        raise InvalidScenario(
            f"--state {shown}: give each state as its two-letter USPS code (--state MA --state RI)"
        )
    return wanted


def read_providers(
    path: str | Path,
    *,
    states: frozenset[str],
    taxonomies: frozenset[str],
    report: ProvidersReport | None = None,
) -> Iterator[dict[str, Any]]:
    """The providers of ``states`` with one of ``taxonomies`` among their taxonomy codes."""
    path = Path(path)
    report = report if report is not None else ProvidersReport()
    with _open(path) as (handle, source):
        report.source = source
        header, quoted = _header(handle, source)
        columns = _columns(header, source)
        wanted = _Wanted.of(states, taxonomies, quoted=quoted)
        try:
            yield from _rows(handle, source, columns, len(header), wanted, report)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise UnreadableFile(
                f"{source} cannot be read near byte {report.bytes_read:,} of its CSV ({reason}). "
                "Fix: the file is truncated or damaged; download it again"
            ) from None


@contextmanager
def _open(path: Path) -> Iterator[tuple[IO[bytes], str]]:
    """The CSV's bytes: the file itself, or the npidata member of a zip, decompressed as read."""
    try:
        plain = path.open("rb")
        magic = plain.read(4)
    except OSError as exc:  # no such file, a folder, no permission
        raise UnreadableFile(f"{path}: {exc.strerror}. Fix: check the path") from None
    with plain:
        if not magic.startswith(b"PK"):
            plain.seek(0)
            yield plain, str(path)
            return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(
            f"{path} is a damaged or incomplete zip file ({exc}). Fix: the download was cut "
            "short or the file is damaged; download it again"
        ) from None
    with archive:
        member = _member(archive, path)
        source = f"{path} (member {member.filename})"
        try:
            handle = archive.open(member)
        except NotImplementedError:
            raise UnreadableFile(
                f"{source} is compressed with a method Python cannot read (zip method "
                f"{member.compress_type}). Fix: extract that member with unzip or 7-Zip and "
                "give the .csv"
            ) from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnreadableFile(
                f"{source} cannot be opened ({exc}). Fix: download the zip again"
            ) from None
        with handle:
            yield handle, source


def _member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if not m.is_dir()]
    data = [m for m in members if MEMBER.search(m.filename)]
    if not data:  # a zip of one CSV, named otherwise
        data = [m for m in members if m.filename.lower().endswith(".csv")]
        data = data if len(data) == 1 else []
    if not data:
        names = ", ".join(m.filename for m in members[:10]) or "nothing"
        raise UnreadableFile(
            f"{path} holds no npidata_pfile_*.csv (it holds {names}). Fix: {NPPES_FIX}"
        )
    return max(data, key=lambda m: m.file_size)


def _header(handle: IO[bytes], source: str) -> tuple[list[str], bool]:
    """The header's names, and whether its fields are quoted (NPPES quotes every field)."""
    line = handle.readline(HEADER_LIMIT)
    if not line.endswith(b"\n") or b"\x00" in line:
        what = "is empty" if not line else "is not a CSV file (no header line)"
        raise UnreadableFile(f"{source} {what}. Fix: {NPPES_FIX}")
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(f"{source} is not a CSV file (not text). Fix: {NPPES_FIX}") from None
    return next(csv.reader([text.rstrip("\r\n")]), []), text.startswith('"')


def _columns(header: list[str], source: str) -> dict[str, int]:
    where = {name.strip(): index for index, name in enumerate(header)}
    missing = [name for name in REQUIRED if name not in where]
    if missing:
        named = ", ".join(f'"{name}"' for name in missing[:MISSING_SHOWN])
        more = f" and {len(missing) - MISSING_SHOWN} more" if len(missing) > MISSING_SHOWN else ""
        raise UnreadableFile(
            f"{source} is not NPPES's npidata file: its header has no {named}{more}. Fix: "
            f"{NPPES_FIX}"
        )
    return {name: where[name] for name in REQUIRED}


@dataclass(frozen=True)
class _Wanted:
    """What is kept, and the bytes that find its lines: each state as a field of the file."""

    states: frozenset[str]
    taxonomies: frozenset[str]
    state_fields: tuple[bytes, ...]
    codes: tuple[bytes, ...]

    @classmethod
    def of(cls, states: frozenset[str], taxonomies: frozenset[str], *, quoted: bool) -> _Wanted:
        field = '"{}"' if quoted else ",{},"  # 4 bytes, as _fields compares them
        return cls(
            states,
            taxonomies,
            tuple(field.format(state).encode() for state in sorted(states)),
            tuple(code.encode() for code in sorted(taxonomies)),
        )


def _rows(
    handle: IO[bytes],
    source: str,
    columns: dict[str, int],
    width: int,
    wanted: _Wanted,
    report: ProvidersReport,
) -> Iterator[dict[str, Any]]:
    rest = b""
    report.bytes_read = handle.tell() if handle.seekable() else 0  # the header's
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            break
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n") + 1  # the lines before it are whole; the rest waits
        for start in _candidates(data, cut, wanted):
            row = _parse(data, start, source, width, report)
            report.candidates += 1
            kept = _kept(row, columns, wanted)
            if kept is not None:
                report.rows += 1
                yield kept
        report.bytes_read += cut
        rest = data[cut:]
    if rest:  # the last line, without its newline: complete, or the file is cut short
        row = _parse(rest + b"\n", 0, source, width, report)
        report.bytes_read += len(rest)
        kept = _kept(row, columns, wanted)
        if kept is not None:
            report.rows += 1
            yield kept


def _candidates(data: bytes, cut: int, wanted: _Wanted) -> list[int]:
    """Where the lines (before ``cut``) holding a wanted state and a wanted code start, in
    order, each once: the state found by ``_fields``, then the codes looked for in its line."""
    starts: set[int] = set()
    for needle in wanted.state_fields:
        end = -1
        for found in _fields(data, cut, needle):
            if found < end:  # a second hit in a line already seen
                continue
            start = data.rfind(b"\n", 0, found) + 1
            end = data.find(b"\n", found)
            line = data[start:end]
            if any(code in line for code in wanted.codes):
                starts.add(start)
    return sorted(starts)


def _fields(data: bytes, cut: int, needle: bytes) -> list[int]:
    """Where the 4 bytes of ``needle`` (a state as a field: ``"MA"``) are in ``data[:cut]``,
    in order. Compared as 32-bit words at the four offsets, as bytes.find skips poorly through
    a file that is mostly quotes and commas (measured: about 4x faster)."""
    key = int.from_bytes(needle, "little")
    found = []
    for shift in range(4):
        words = np.frombuffer(data, dtype="<u4", count=max(0, cut - shift) // 4, offset=shift)
        found.append(np.flatnonzero(words == key) * 4 + shift)
    positions: list[int] = np.sort(np.concatenate(found)).tolist()
    return positions


def _parse(data: bytes, start: int, source: str, width: int, report: ProvidersReport) -> list[str]:
    end = data.find(b"\n", start)
    text = data[start:end].rstrip(b"\r").decode("utf-8", "replace")
    try:
        row = next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        row, problem = [], str(exc)
    else:
        problem = f"{len(row)} fields where the header has {width}"
    if len(row) != width:
        raise UnreadableFile(
            f"{source}, the line at byte {report.bytes_read + start:,} of its CSV: {problem}. "
            "Fix: the file is truncated or damaged; download it again"
        )
    return row


def _kept(row: list[str], columns: dict[str, int], wanted: _Wanted) -> dict[str, Any] | None:
    """The provider's row, if it is in a wanted state with a program taxonomy."""
    state = row[columns[STATE]].strip().upper()
    if state not in wanted.states:
        return None
    codes = [row[columns[c]].strip().upper() for c in CODES]
    if wanted.taxonomies.isdisjoint(codes):
        return None
    switches = [row[columns[s]].strip().upper() for s in SWITCHES]
    primary = next((c for c, s in zip(codes, switches, strict=True) if s == "Y" and c), None)
    npi = row[columns[NPI]].strip()
    entity = row[columns[ENTITY]].strip()
    postal = row[columns[POSTAL]].strip()
    lines = (row[columns[LINE_1]].strip(), row[columns[LINE_2]].strip())
    return {
        "npi": int(npi) if npi.isdigit() else None,
        "entity_type": int(entity) if entity in ("1", "2") else None,
        "organization_name": row[columns[ORGANIZATION]].strip() or None,
        "taxonomy_codes": [c for c in codes if c],
        "primary_taxonomy": primary,
        "address": ", ".join(part for part in lines if part) or None,
        "city": row[columns[CITY]].strip() or None,
        "state": state,
        "zip5": postal[:5] if len(postal) >= 5 and postal[:5].isdigit() else None,
    }


# The states a providers file was filtered to, in its metadata: a program in another state is
# not in it, so a search near a border must know which states it holds
STATES_KEPT = b"sca_rates.states"


def write_providers(
    rows: Iterable[dict[str, Any]], target: Target, *, states: frozenset[str] | None = None
) -> int:
    """Write the rows (of ``states``, when said) to ``target`` as Parquet; it appears only once
    every row is written."""
    schema = (
        SCHEMA
        if states is None
        else SCHEMA.with_metadata({STATES_KEPT: ",".join(sorted(states)).encode()})
    )
    return write_parquet(rows, target, schema=schema, batch=20_000)


def import_providers(
    path: Path, target: Target, *, states: frozenset[str], taxonomies: frozenset[str]
) -> ProvidersReport:
    """Read the providers of ``states`` with one of ``taxonomies`` from ``path`` and write them
    to ``target``: one task, run here or on a cluster's worker; the report counts the rows."""
    report = ProvidersReport()
    rows = read_providers(path, states=states, taxonomies=taxonomies, report=report)
    write_providers(rows, target, states=states)
    return report
