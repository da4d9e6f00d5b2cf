"""A payer's Transparency in Coverage in-network rates file (.json or .json.gz, of any size) to
tidy rows, streamed: memory stays bounded by one in_network item and the provider map.

Schema v1 (provider groups inline in each negotiated rate, or top-level references that may
point to a remote ``location``: recorded and skipped with a warning) and v2 (top-level
``provider_references``, prices with a ``setting``) are read alike. Two streaming passes: the
header and provider references first (they may come after the items), then the items, found
by byte scanning (``scan.py``) so that only the wanted ones are parsed; the full streaming
parser carries on from wherever the scan is unsure, and the two give identical rows. A large
file is scanned by a second process, started with the first pass.

``read_tic`` gives the rows as dicts; ``write_tic`` writes them to Parquet as columns, which is
several times faster than writing the dicts (``write_parquet``).

What is not a price is refused rather than guessed at: a file without in-network rates (a table
of contents, with the files it lists; an allowed-amounts file), and, in a wanted item, a rate
that is not a number (a plain number written as text, "500.00", is read) or is negative, or a
date not written YYYY-MM-DD as the CMS schema has it; the message names the entry and the field.

A file may be given by its web address (``remote.py``): each pass streams it from its server
again, so nothing is stored (a file whose provider references follow its items is downloaded
twice). It is scanned in this process, its download and decompression in a thread of their own:
the network, not the scan, sets the pace. A .gz is decompressed by ``inflate.py``.
"""

from __future__ import annotations

import io
import json
import math
import multiprocessing as mp
import queue
import re
import sys
import threading
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice, repeat
from multiprocessing.process import BaseProcess
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, cast

import ijson
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest.inflate import DECOMPRESS_ERRORS, gunzip, json_size, open_file
from sca_rates.ingest.remote import PIECE, Remote, RemoteReader, describe, is_url
from sca_rates.ingest.rows import SCHEMA, empty_row, iso_date, write_whole
from sca_rates.ingest.scan import Batch, Message, NotSure, array_items
from sca_rates.ingest.scan import scan_into as _scan_into
from sca_rates.ingest.shared import Target

# A file of this much JSON (a .gz: uncompressed) is scanned by a second process (measured in
# ``benchmarks/ingest.py``); a smaller one does not repay the process's start (~0.3 s).
SECOND_PROCESS_FROM = 64 << 20
# the array of items, and the field that decides whether one is wanted
ITEMS, CODE = b"in_network", b"billing_code"
HEADER = ("reporting_entity_name", "plan_name", "last_updated_on", "version")
# Where a table of contents gives the address of each in-network file (CMS schema)
LISTED_FILE = "reporting_structure.item.in_network_files.item.location"
LISTED_SHOWN = 20  # a payer's table of contents may name thousands; the rest are counted
# A number written as text, as some payers write their rates ("500.00")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)", re.ASCII)
# The standard json module reads some things otherwise than the streaming parser: an integer of
# 19 digits or more, a number with an exponent (1e400), a \u escape (a lone surrogate), NaN and
# Infinity. An item that may hold one (its digits made zeros, found by bytes search: a regular
# expression costs as much as the parsing) is parsed by the streaming parser
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NOT_READ_ALIKE = (b"0" * 19, b"0e", b"0E")
# A provider group: its NPIs and its TIN. The rows of a wanted item, factored: each price as
# its rows' fields (all but the provider's), with the provider groups it holds for, a row each
Group = tuple[list[int], str | None]
Prices = list[tuple[dict[str, Any], list[Group]]]


@dataclass
class TicReport:
    """What an import saw besides its rows."""

    items: int = 0
    wanted_items: int = 0
    rows: int = 0
    warnings: list[str] = field(default_factory=list)


def open_binary(
    path: Path | Remote,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> IO[bytes]:
    """The file's bytes, decompressed as they are read when it is gzip; ``progress`` hears of
    every read (in bytes of the file as stored), ``warn`` of a download that had to start over."""
    if not isinstance(path, Remote):
        return open_file(path, progress)
    raw = io.BufferedReader(RemoteReader(path, progress, warn), PIECE)
    return gunzip(raw) if path.suffix == ".gz" else raw


def source_of(path: str | Path | Remote) -> Path | Remote:
    """A file as the importers take it: a path, or, for a web address, the file its server
    describes (raises ``DownloadFailed`` if it cannot be reached)."""
    if isinstance(path, Remote | Path):
        return path
    return describe(path) if is_url(path) else Path(path)


def unreadable(path: Path | Remote, handle: IO[bytes], exc: Exception) -> UnreadableFile:
    """The error of a file that stopped being readable at ``handle``'s place."""
    offset = handle.tell()
    where = "uncompressed byte" if path.suffix == ".gz" else "byte"
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return UnreadableFile(
        f"{path} cannot be read near {where} {offset:,} ({reason}). Fix: the file "
        "is truncated or damaged; download it again"
    )


class _BadValue(ValueError):
    """A value of a wanted item that cannot be used; ``field`` says where it is."""

    def __init__(self, field: str, what: str) -> None:
        super().__init__(f"{field}: {what}")
        self.field, self.what = field, what


@dataclass
class _Outline:
    """What the first pass sees besides the provider references: the header's scalars, the
    top-level keys (what kind of file it is), and, in a table of contents, the files it lists."""

    header: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    listed: dict[str, None] = field(default_factory=dict)  # locations, in order, each once

    def see(self, prefix: str, event: str, value: Any) -> None:
        """An event at the top level or at a listed file's location (rare: the caller asks
        only for those, as a call per event would slow the reading of the whole file)."""
        if prefix == "" and event == "map_key":
            self.keys.append(value)
        elif prefix == LISTED_FILE and event == "string":
            self.listed[value] = None


@dataclass
class _Providers:
    groups: dict[Any, list[Group]] = field(default_factory=dict)
    remote: set[Any] = field(default_factory=set)


def _first_pass(path: Path | Remote, warn: Callable[[str], None]) -> tuple[_Outline, _Providers]:
    """The header's scalars and the top-level provider references, in one streamed read. When
    both are already in hand as the in_network array begins (the usual order), the read stops
    there; otherwise it goes on to the end, since they may follow the items."""
    outline = _Outline()
    header = outline.header
    providers = _Providers()
    seen_references = False
    with open_binary(path, warn=warn) as handle:
        try:
            events = ijson.parse(handle, use_float=True)
            for prefix, event, value in events:
                if prefix in HEADER and event in ("string", "number"):
                    header[prefix] = value
                elif not prefix or prefix == LISTED_FILE:
                    outline.see(prefix, event, value)
                elif prefix == "provider_references.item" and event == "start_map":
                    _reference(build_object(events, prefix), providers)
                elif prefix == "provider_references" and event == "end_array":
                    seen_references = True
                elif (
                    prefix == "in_network"
                    and event == "start_array"
                    and seen_references
                    and all(key in header for key in HEADER if key != "plan_name")
                ):
                    break
        except (ijson.JSONError, EOFError, OSError, *DECOMPRESS_ERRORS) as exc:
            raise unreadable(path, handle, exc) from None
    return outline, providers


def _check_kind(path: Path | Remote, outline: _Outline) -> None:
    """Refuses a file without in-network rates, saying what it is: a table of contents (with
    the files it lists), an allowed-amounts file, or something else."""
    if "in_network" in outline.keys:
        return
    if "reporting_structure" in outline.keys:
        raise UnreadableFile(_contents_message(path, list(outline.listed)))
    if "out_of_network" in outline.keys:
        raise UnreadableFile(
            f"{path} is an allowed-amounts file (its out_of_network array holds what the plan "
            "paid out-of-network providers), not an in-network rates file. Fix: import the "
            "payer's in-network rates file instead; the payer's table of contents lists them"
        )
    fields = ", ".join(outline.keys[:10]) or "none: it is not a JSON object"
    raise UnreadableFile(
        f"{path} has no in_network array, so it is not a Transparency in Coverage in-network "
        f"rates file (its top-level fields: {fields}). Fix: give the payer's in-network rates "
        "file (.json or .json.gz)"
    )


def _contents_message(path: Path | Remote, listed: list[str]) -> str:
    lines = [
        f"{path} is a table of contents (reporting_structure), not an in-network rates file. "
        + (
            f"It lists {len(listed):,} in-network files:"
            if listed
            else "It lists no in-network file."
        )
    ]
    lines += [f"  {location}" for location in listed[:LISTED_SHOWN]]
    if len(listed) > LISTED_SHOWN:
        lines.append(f"  ... and {len(listed) - LISTED_SHOWN:,} more")
    lines.append(
        "Fix: download the in-network files of the plans you negotiate with and import those"
    )
    return "\n".join(lines)


def build_object(events: Iterator[tuple[str, str, Any]], prefix: str) -> dict[str, Any]:
    """The object starting at ``prefix`` (its start_map already read), built from the events."""
    builder = ijson.ObjectBuilder()
    builder.event("start_map", None)
    for inner, event, value in events:
        builder.event(event, value)
        if inner == prefix and event == "end_map":
            break
    built: dict[str, Any] = builder.value
    return built


def _reference(item: dict[str, Any], providers: _Providers) -> None:
    key = item.get("provider_group_id")
    if "location" in item and not item.get("provider_groups"):
        providers.remote.add(key)
        return
    providers.groups[key] = _groups(item.get("provider_groups") or [])


def _groups(groups: list[dict[str, Any]]) -> list[Group]:
    return [
        ([int(n) for n in g.get("npi") or []], (g.get("tin") or {}).get("value")) for g in groups
    ]


def read_tic(
    path: str | Path | Remote,
    *,
    codes: frozenset[str],
    npis: frozenset[int] | None = None,
    tins: frozenset[str] | None = None,
    report: TicReport | None = None,
    progress: Callable[[int], None] | None = None,
) -> Generator[dict[str, Any], None, None]:
    """Tidy rows (one per negotiated price and provider group) for the items whose billing code
    is in ``codes``, optionally only for providers with one of ``npis`` or ``tins``. ``path``
    may be a web address (https://)."""
    path = source_of(path)
    with _refused(path):
        for prices in _read(path, codes, npis, tins, report, progress):
            for priced, groups in prices:
                for npi, tin in groups:
                    row = priced.copy()  # (measured: a third faster than priced | {...})
                    row["npi"], row["tin"] = npi, tin
                    yield row


def write_tic(
    path: str | Path | Remote,
    target: Target,
    *,
    codes: frozenset[str],
    npis: frozenset[int] | None = None,
    tins: frozenset[str] | None = None,
    report: TicReport | None = None,
    progress: Callable[[int], None] | None = None,
    schema: pa.Schema = SCHEMA,
    batch: int = 20_000,
) -> int:
    """What ``write_parquet(read_tic(...), target, schema=schema)`` writes (the same rows, the
    same errors), built as columns rather than a dict per row: a price's fields are repeated
    for each of its provider groups by Arrow, in bulk. Measured on the 0.5 GB .json.gz of
    ``benchmarks/ingest.py``: 2.3 s, against 8 s through dicts. ``batch``: rows per row group
    (20,000 as fast as 50,000, with 40 MB less at the peak). Returns the rows written."""
    source = source_of(path)

    def tables() -> Iterator[pa.Table]:
        columns, written = _Columns(schema), False
        with _refused(source):
            for prices in _read(source, codes, npis, tins, report, progress):
                columns.add(prices)
                if columns.rows >= batch:
                    yield columns.table()
                    columns, written = _Columns(schema), True
        if columns.rows or not written:  # an empty import still writes a table
            yield columns.table()

    return _write_tables(tables(), target, schema=schema)


def _write_tables(tables: Iterable[pa.Table], target: Target, *, schema: pa.Schema) -> int:
    """``tables`` to ``target`` as one Parquet file that appears only once complete (a
    temporary file, renamed), as ``rows.write_parquet`` writes rows; returns the rows written."""

    def fill(sink: str | IO[bytes]) -> int:
        with pq.ParquetWriter(sink, schema) as writer:
            return _write_behind(tables, writer)

    return write_whole(target, fill)


def _write_behind(tables: Iterable[pa.Table], writer: pq.ParquetWriter) -> int:
    """Each of ``tables`` written by a second thread while this one makes the next (Parquet's
    encoding releases the GIL; measured: ~12% faster on two cores); the rows written."""
    pending: queue.Queue[pa.Table | None] = queue.Queue(1)
    failed: list[BaseException] = []

    def write() -> None:
        while (table := pending.get()) is not None:
            if not failed:  # after a failure, only drained, so that no put waits forever
                try:
                    writer.write_table(table)
                except BaseException as exc:  # raised in the caller's thread
                    failed.append(exc)

    writing = threading.Thread(target=write, name="sca-rates-parquet", daemon=True)
    writing.start()
    count = 0
    try:
        for table in tables:
            if failed:
                break
            pending.put(table)
            count += table.num_rows
    finally:
        pending.put(None)
        writing.join()
    if failed:
        raise failed[0]
    return count


@contextmanager
def _refused(path: Path | Remote) -> Iterator[None]:
    """A wrong value met while reading, as the error that says where and what to do."""
    try:
        yield
    except _BadValue as exc:
        raise UnreadableFile(
            f"{path}: {exc.field}: {exc.what}. Fix: the payer's file is wrong there; ask the "
            "payer for a corrected file, or leave this file out"
        ) from None
    except (ValueError, TypeError, AttributeError) as exc:  # a value of the wrong kind
        raise UnreadableFile(
            f"{path} does not follow the Transparency in Coverage schema ({exc}). Fix: check "
            "that it is an in-network rates file, or download it again"
        ) from None


def _read(
    path: Path | Remote,
    codes: frozenset[str],
    npis: frozenset[int] | None,
    tins: frozenset[str] | None,
    report: TicReport | None,
    progress: Callable[[int], None] | None,
) -> Iterator[Prices]:
    """The prices of each item read, with their provider groups (a row each): none for an
    item not wanted."""
    with _second_process(path, codes) as scanner:
        yield from _read_with(scanner, path, codes, npis, tins, report, progress)


def _read_with(
    scanner: _Scanner | None,
    path: Path | Remote,
    codes: frozenset[str],
    npis: frozenset[int] | None,
    tins: frozenset[str] | None,
    report: TicReport | None,
    progress: Callable[[int], None] | None,
) -> Iterator[Prices]:
    report = report if report is not None else TicReport()
    warnings = report.warnings

    def warn(message: str) -> None:  # said once, though each pass may meet it
        if message not in warnings:
            warnings.append(message)

    outline, providers = _first_pass(path, warn)  # progress counts the items' reading only
    _check_kind(path, outline)
    header = outline.header
    if providers.remote:
        report.warnings.append(
            f"{len(providers.remote)} provider references point to a remote "
            "location and were skipped"
        )
    base = empty_row() | {
        "source_kind": "tic",
        "source_file": path.name,
        "reporting_entity": header.get("reporting_entity_name"),
        "payer": header.get("reporting_entity_name"),
        "plan": header.get("plan_name") or "(several plans)",
        "file_date": _date(header.get("last_updated_on"), "last_updated_on"),
    }
    # (producing the items in a second thread was measured: no faster, the work holds the GIL)
    reported = _Reported(progress)
    items = _fast_items(scanner, path, reported.count, codes, report, warn)
    while True:
        try:
            item = next(items, None)
        except (NotSure, ijson.JSONError, ValueError, EOFError, OSError, *DECOMPRESS_ERRORS):
            break  # the full parser reads the file again from the first item not yet read
        if item is None:
            return
        yield _wanted_prices(item, codes, base, providers, npis, tins, report)
    with open_binary(path, reported.catch_up(), warn) as handle:
        try:
            for item in islice(
                ijson.items(handle, "in_network.item", use_float=True), report.items, None
            ):
                if not isinstance(item, dict):
                    raise UnreadableFile(
                        f"{path}: entry {report.items + 1:,} of in_network is not an object. "
                        "Fix: this is not a Transparency in Coverage in-network file, or it is "
                        "damaged; download it again"
                    )
                report.items += 1
                yield _wanted_prices(item, codes, base, providers, npis, tins, report)
        except (ijson.JSONError, EOFError, OSError, *DECOMPRESS_ERRORS) as exc:
            raise unreadable(path, handle, exc) from None


@dataclass
class _Reported:
    """Bytes read, told to ``progress`` once each even when a second reading goes over them."""

    progress: Callable[[int], None] | None
    total: int = 0

    def count(self, size: int) -> None:
        self.total += size
        if self.progress is not None:
            self.progress(size)

    def catch_up(self) -> Callable[[int], None]:
        """For a second reading: reports only what goes beyond the first."""
        already, read = self.total, 0

        def counted(size: int) -> None:
            nonlocal read
            before, read = read, read + size
            self.count(max(0, read - max(before, already)))

        return counted


def _fast_items(
    scanner: _Scanner | None,
    path: Path | Remote,
    progress: Callable[[int], None],
    codes: frozenset[str],
    report: TicReport,
    warn: Callable[[str], None],
) -> Iterator[dict[str, Any]]:
    """The items that may be wanted, parsed by the same parser as the full path (so that the
    values are the same); the others are only counted, decided from their bytes. Raises where
    only a full reading can say more; ``report.items`` then counts the items decided before."""
    batches: Iterator[Batch]
    if scanner is not None:
        batches = scanner.batches(progress)
    elif isinstance(path, Remote):
        batches = _batches(path, codes, progress, read_ahead=True, warn=warn)
    else:
        batches = _batches(path, codes, progress)
    for batch in batches:
        for index, raw in batch.items:
            report.items = index  # a full reading would start again here
            item = _parsed(raw)
            if not isinstance(item, dict):
                raise NotSure("an item that is not an object")
            report.items = index + 1
            yield item
        report.items = batch.counted


def _parsed(raw: bytes) -> Any:
    """An item's bytes as Python values, the same as the streaming parser gives: by the json
    module (measured: a third faster) unless the item may hold what the two read otherwise."""
    zeros = raw.translate(_DIGITS_AS_ZERO)
    if b"\\u" in raw or any(sign in zeros for sign in _NOT_READ_ALIKE):
        return next(ijson.items(raw, "", use_float=True))
    return json.loads(raw, parse_constant=_no_constant)


def _no_constant(name: str) -> None:
    raise NotSure(f"{name} is not JSON")  # the streaming parser names the fault


def _batches(
    path: Path | Remote,
    codes: frozenset[str],
    progress: Callable[[int], None],
    *,
    read_ahead: bool = False,
    warn: Callable[[str], None] | None = None,
) -> Iterator[Batch]:
    """The file's items whose billing code is one of ``codes`` or cannot be read for certain
    from their bytes, a batch per chunk read."""
    wanted = frozenset(code.encode() for code in codes)
    with open_binary(path, progress, warn) as handle:
        yield from array_items(handle, ITEMS, CODE, wanted, read_ahead=read_ahead)


@contextmanager
def _second_process(path: Path | Remote, codes: frozenset[str]) -> Iterator[_Scanner | None]:
    """``_batches`` of a large file on disk run by a second process, so that scanning (there)
    and building rows (here) use both cores; started at once, so that its start (~0.3 s)
    overlaps the first pass. A process, not a thread, as building rows holds the GIL all along
    and a thread waiting for it would wait up to 5 ms each time (measured: slower than one
    thread). None for a small or remote file, or in a process that is itself a second one."""
    if (
        isinstance(path, Remote)
        or json_size(path) < SECOND_PROCESS_FROM
        or mp.parent_process() is not None
    ):
        yield None
        return
    context = mp.get_context("spawn")  # not fork: the caller may be a server with threads
    found: mp.Queue[Message] = context.Queue(8)
    wanted = frozenset(code.encode() for code in codes)
    process = context.Process(
        target=_scan_into, args=(str(path), ITEMS, CODE, wanted, found), daemon=True
    )
    _start_alone(process)
    try:
        yield _Scanner(process, found)
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


def _start_alone(process: BaseProcess) -> None:
    """Start ``process`` without the parent's main script: spawn runs it again in the child
    (for `sca-rates`, the whole command line; for the app, Streamlit: ~0.4 s before the first
    byte is scanned), and the scanner, a function of ``scan``, needs none of it. The main
    module's file and spec are hidden only while the child's start-up data is written."""
    main = sys.modules["__main__"]
    spec, path = getattr(main, "__spec__", None), main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        process.start()
    finally:
        main.__spec__ = spec
        if path is not None:
            main.__file__ = path


@dataclass
class _Scanner:
    """The second scanning process, and the messages it sends."""

    process: BaseProcess
    found: mp.Queue[Message]

    def batches(self, progress: Callable[[int], None]) -> Iterator[Batch]:
        while True:
            batch, told, status = _next_message(self.found, self.process)
            progress(told)
            if batch is not None:
                yield batch
            if status == "unsure":
                raise NotSure("the scanning process could not vouch for the file")
            if status == "end":
                return


def _next_message(found: mp.Queue[Message], scanner: BaseProcess) -> Message:
    """The scanner's next message; NotSure if it had ended and none came within a second."""
    while True:
        ended = not scanner.is_alive()  # before waiting: what it sent before ending arrives
        try:
            return found.get(timeout=1)
        except queue.Empty:
            if ended:
                raise NotSure("the scanning process ended without a word") from None


def _wanted_prices(
    item: dict[str, Any],
    codes: frozenset[str],
    base: dict[str, Any],
    providers: _Providers,
    npis: frozenset[int] | None,
    tins: frozenset[str] | None,
    report: TicReport,
) -> Prices:
    code = item.get("billing_code")
    if code is None or str(code) not in codes:  # a number is read as its digits
        return []
    report.wanted_items += 1
    try:
        prices = _item_prices(item, base, providers, npis, tins)
    except _BadValue as exc:
        entry = f"in_network entry {report.items:,} (billing code {code})"
        raise _BadValue(f"{entry}, {exc.field}", exc.what) from None
    report.rows += sum(len(groups) for _, groups in prices)
    return prices


def _item_prices(
    item: dict[str, Any],
    base: dict[str, Any],
    providers: _Providers,
    npis: frozenset[int] | None,
    tins: frozenset[str] | None,
) -> Prices:
    shared = base | {
        "code": str(item.get("billing_code")),
        "code_type": item.get("billing_code_type"),
        "description": item.get("description"),
        "negotiation_arrangement": item.get("negotiation_arrangement"),
    }
    prices: Prices = []
    for r, rate in enumerate(item.get("negotiated_rates") or []):
        groups = _groups(rate.get("provider_groups") or [])
        references = rate.get("provider_references") or []
        groups += chain.from_iterable(map(providers.groups.get, references, repeat(())))
        if npis is not None or tins is not None:
            groups = [
                (n, t)
                for n, t in groups
                if (npis is None or not npis.isdisjoint(n)) and (tins is None or t in tins)
            ]
        for p, price in enumerate(rate.get("negotiated_prices") or []):
            try:
                prices.append((_price(price, shared), groups))
            except _BadValue as exc:  # where it is, written only when it is needed
                where = f"negotiated_rates[{r}].negotiated_prices[{p}].{exc.field}"
                raise _BadValue(where, exc.what) from None
    return prices


class _Columns:
    """A batch of rows as columns, kept factored until written: the prices (a row's fields but
    its provider's), the provider groups (each once: an item's rates name the same ones over
    and over), and for each row which of each."""

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        self.rows = 0
        self.prices: list[dict[str, Any]] = []
        self.repeats: list[int] = []  # the rows of each price: one per provider group
        self.group_of = array("q")  # each row's group: its place in self.groups
        self.groups: dict[int, Group] = {}  # by id, in order of place
        self._place: dict[int, int] = {}  # the same ids: each group is held in self.groups
        self._rates: dict[int, list[int]] = {}  # by id of a rate's list of groups, held in
        self._held: list[list[Group]] = []  # ... this one so that no other list takes its id

    def add(self, prices: Prices) -> None:
        place = self._place
        for priced, groups in prices:
            at = self._rates.get(id(groups))
            if at is None:  # a rate's first price: the others share its list of groups
                at = [place.setdefault(id(group), len(place)) for group in groups]
                self.groups.update(zip(map(id, groups), groups, strict=True))
                self._rates[id(groups)] = at
                self._held.append(groups)
            self.prices.append(priced)
            self.repeats.append(len(at))
            self.group_of.extend(at)
            self.rows += len(at)

    def table(self) -> pa.Table:
        """The rows, as ``write_parquet`` would make them from their dicts."""
        fields = [field for field in self.schema if field.name not in ("npi", "tin")]
        row = itemgetter(*(field.name for field in fields))
        columns = zip(*map(row, self.prices), strict=True) if self.prices else [[]] * len(fields)
        price_of = np.repeat(np.arange(len(self.prices)), self.repeats)
        prices = pa.Table.from_arrays(
            [pa.array(values, field.type) for values, field in zip(columns, fields, strict=True)],
            schema=pa.schema(fields),
        ).take(price_of)
        groups = pa.Table.from_pydict(
            {
                "npi": [npi for npi, _ in self.groups.values()],
                "tin": [tin for _, tin in self.groups.values()],
            },
            schema=pa.schema([self.schema.field("npi"), self.schema.field("tin")]),
        ).take(np.frombuffer(self.group_of, np.int64))
        return pa.Table.from_arrays(
            [
                (groups if name in ("npi", "tin") else prices).column(name)
                for name in self.schema.names
            ],
            schema=self.schema,
        )


def _price(price: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """The row of one negotiated price: the item's ``shared`` fields and the price's own (set
    one by one on a copy: measured on benchmarks/ingest.py's items, the prices take 15% less
    time than merging two dicts). ``shared`` holds every column (``empty_row``), so of
    ``rate_usd`` and ``percentage`` the one not set stays None."""
    row = shared.copy()
    kind = row["negotiated_type"] = price.get("negotiated_type")
    amount = _amount(price.get("negotiated_rate"), "negotiated_rate")
    row["percentage" if kind == "percentage" else "rate_usd"] = amount
    row["billing_class"] = price.get("billing_class")
    row["setting"] = price.get("setting")
    row["service_codes"] = _texts(price.get("service_code"))
    row["modifiers"] = _texts(price.get("billing_code_modifier"))
    row["expiration_date"] = _date(price.get("expiration_date"), "expiration_date")
    return row


def _texts(values: Any) -> list[str]:
    return list(map(str, values)) if values else []


def _amount(value: object, where: str) -> float:
    """A rate as its number: a JSON number, or a number written as text ("500.00"); anything
    else (a dollar sign, words, nothing) or a negative amount is refused, not guessed at."""
    if type(value) is float and 0.0 <= value < math.inf:  # the usual; NaN fails both
        return value
    written = isinstance(value, str) and _NUMBER.fullmatch(value.strip()) is not None
    if not (written or isinstance(value, int | float)) or isinstance(value, bool):
        shown = "missing" if value is None else f"{value!r} is not a number"
        raise _BadValue(where, f"{shown}; the CMS schema has a number such as 500.00 here")
    amount = float(cast(str | float, value))
    if amount < 0:
        raise _BadValue(where, f"{value!r} is negative; a negotiated rate cannot be")
    if not math.isfinite(amount):
        raise _BadValue(where, f"{value!r} is not a finite amount")
    return amount


def _date(value: object, where: str) -> str | None:
    """A date of the file as ISO; the CMS schema writes them YYYY-MM-DD, so 13/01/2024 is
    refused rather than read as a month 13 (or as never expiring)."""
    try:
        return _iso(value) if isinstance(value, str) else iso_date(value, month_first=False)
    except ValueError as exc:
        raise _BadValue(where, str(exc)) from None


@lru_cache(maxsize=1024)  # a file writes the same few dates over and over
def _iso(text: str) -> str | None:
    return iso_date(text, month_first=False)
