"""A payer's Transparency in Coverage in-network rates file (.json or .json.gz, of any size) to
tidy rows, streamed: memory stays bounded by one in_network item and the provider map.

Schema v1 (provider groups inline in each negotiated rate, or top-level references that may
point to a remote ``location``: recorded and skipped with a warning) and v2 (top-level
``provider_references``, prices with a ``setting``) are read alike. Two streaming passes: the
header and provider references first (they may come after the items), then the items, found
by byte scanning (``scan.py``) so that only the wanted ones are parsed; the full streaming
parser carries on from wherever the scan is unsure, and the two give identical rows.

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
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any, cast

import ijson

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest.inflate import DECOMPRESS_ERRORS, gunzip
from sca_rates.ingest.remote import PIECE, Remote, RemoteReader, describe, is_url
from sca_rates.ingest.rows import empty_row, iso_date
from sca_rates.ingest.scan import Batch, NotSure, array_items

# A file this large is scanned by a second process (measured in ``benchmarks/ingest.py``); a
# smaller one does not repay the process's start (~0.3 s).
SECOND_PROCESS_FROM = 64 << 20
# what the scanning process sends: a batch (or None), the bytes of the file read since the
# last message, and "more", "end" or "unsure"
_Message = tuple[Batch | None, int, str]
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


@dataclass
class TicReport:
    """What an import saw besides its rows."""

    items: int = 0
    wanted_items: int = 0
    rows: int = 0
    warnings: list[str] = field(default_factory=list)


class CountingReader(io.RawIOBase):
    """A file whose reads report their size (compressed bytes, for a .gz)."""

    def __init__(self, raw: io.BufferedReader, progress: Callable[[int], None]) -> None:
        self._raw, self._progress = raw, progress

    def readable(self) -> bool:
        return True

    def tell(self) -> int:  # where the underlying file is, for error messages
        return self._raw.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)
        self._progress(count or 0)
        return count or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(
    path: Path | Remote,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> IO[bytes]:
    """The file's bytes, decompressed as they are read when it is gzip; ``progress`` hears of
    every read (in bytes of the file as stored), ``warn`` of a download that had to start over."""
    raw: IO[bytes]
    if isinstance(path, Remote):
        raw = io.BufferedReader(RemoteReader(path, progress, warn), PIECE)
    else:
        raw = path.open("rb")
        if progress is not None:
            raw = io.BufferedReader(CountingReader(raw, progress))
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
    groups: dict[Any, list[tuple[list[int], str | None]]] = field(default_factory=dict)
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


def _groups(groups: list[dict[str, Any]]) -> list[tuple[list[int], str | None]]:
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
    try:
        yield from _read(path, codes, npis, tins, report, progress)
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
) -> Iterator[dict[str, Any]]:
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
    items = _fast_items(path, reported.count, codes, report, warn)
    while True:
        try:
            item = next(items, None)
        except (NotSure, ijson.JSONError, ValueError, EOFError, OSError, *DECOMPRESS_ERRORS):
            break  # the full parser reads the file again from the first item not yet read
        if item is None:
            return
        yield from _wanted_rows(item, codes, base, providers, npis, tins, report)
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
                yield from _wanted_rows(item, codes, base, providers, npis, tins, report)
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
    if isinstance(path, Remote):
        batches = _batches(path, codes, progress, read_ahead=True, warn=warn)
    elif path.stat().st_size < SECOND_PROCESS_FROM or mp.parent_process() is not None:
        batches = _batches(path, codes, progress)
    else:
        batches = _batches_elsewhere(path, codes, progress)
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
        scan = array_items(handle, b"in_network", b"billing_code", wanted, read_ahead=read_ahead)
        yield from scan


def _batches_elsewhere(
    path: Path, codes: frozenset[str], progress: Callable[[int], None]
) -> Iterator[Batch]:
    """``_batches`` run by a second process, so that scanning (there) and building rows (here)
    use both cores; a process, not a thread, as building rows holds the GIL all along and a
    thread waiting for it would wait up to 5 ms each time (measured: slower than one thread)."""
    context = mp.get_context("spawn")  # not fork: the caller may be a server with threads
    found: mp.Queue[_Message] = context.Queue(8)
    scanner = context.Process(target=_scan_into, args=(str(path), codes, found), daemon=True)
    scanner.start()
    try:
        while True:
            batch, told, status = _next_message(found, scanner)
            progress(told)
            if batch is not None:
                yield batch
            if status == "unsure":
                raise NotSure("the scanning process could not vouch for the file")
            if status == "end":
                return
    finally:
        if scanner.is_alive():
            scanner.terminate()
        scanner.join()


def _next_message(found: mp.Queue[_Message], scanner: BaseProcess) -> _Message:
    """The scanner's next message; NotSure if it had ended and none came within a second."""
    while True:
        ended = not scanner.is_alive()  # before waiting: what it sent before ending arrives
        try:
            return found.get(timeout=1)
        except queue.Empty:
            if ended:
                raise NotSure("the scanning process ended without a word") from None


def _scan_into(path: str, codes: frozenset[str], found: mp.Queue[_Message]) -> None:
    """The second process: a message per chunk, with the bytes read for it. A gzip file is
    decompressed by a thread of its own (measured: ~10% faster; not worth it in one process,
    where building rows holds the GIL)."""
    lock = threading.Lock()  # reads are counted by the reading thread
    told = 0

    def count(size: int) -> None:
        nonlocal told
        with lock:
            told += size

    def send(batch: Batch | None, status: str) -> None:
        nonlocal told
        with lock:
            size, told = told, 0
        found.put((batch, size, status))

    try:
        for batch in _batches(Path(path), codes, count, read_ahead=path.endswith(".gz")):
            send(batch, "more")
        send(None, "end")
    except Exception:  # the first reading's full parser will name the fault
        send(None, "unsure")


def _wanted_rows(
    item: dict[str, Any],
    codes: frozenset[str],
    base: dict[str, Any],
    providers: _Providers,
    npis: frozenset[int] | None,
    tins: frozenset[str] | None,
    report: TicReport,
) -> Iterator[dict[str, Any]]:
    code = item.get("billing_code")
    if code is None or str(code) not in codes:  # a number is read as its digits
        return
    report.wanted_items += 1
    try:
        for row in _item_rows(item, base, providers, npis, tins):
            report.rows += 1
            yield row
    except _BadValue as exc:
        entry = f"in_network entry {report.items:,} (billing code {code})"
        raise _BadValue(f"{entry}, {exc.field}", exc.what) from None


def _item_rows(
    item: dict[str, Any],
    base: dict[str, Any],
    providers: _Providers,
    npis: frozenset[int] | None,
    tins: frozenset[str] | None,
) -> Iterator[dict[str, Any]]:
    shared = base | {
        "code": str(item.get("billing_code")),
        "code_type": item.get("billing_code_type"),
        "description": item.get("description"),
        "negotiation_arrangement": item.get("negotiation_arrangement"),
    }
    for r, rate in enumerate(item.get("negotiated_rates") or []):
        groups = _groups(rate.get("provider_groups") or [])
        for key in rate.get("provider_references") or []:
            groups += providers.groups.get(key, [])
        if npis is not None or tins is not None:
            groups = [
                (n, t)
                for n, t in groups
                if (npis is None or not npis.isdisjoint(n)) and (tins is None or t in tins)
            ]
        for p, price in enumerate(rate.get("negotiated_prices") or []):
            priced = shared | _price(price, f"negotiated_rates[{r}].negotiated_prices[{p}]")
            for npi, tin in groups:
                row = priced.copy()  # (measured: a third faster than priced | {...})
                row["npi"], row["tin"] = npi, tin
                yield row


def _price(price: dict[str, Any], where: str) -> dict[str, Any]:
    kind = price.get("negotiated_type")
    amount = _amount(price.get("negotiated_rate"), f"{where}.negotiated_rate")
    is_share = kind == "percentage"
    return {
        "negotiated_type": kind,
        "rate_usd": None if is_share else amount,
        "percentage": amount if is_share else None,
        "billing_class": price.get("billing_class"),
        "setting": price.get("setting"),
        "service_codes": [str(c) for c in price.get("service_code") or []],
        "modifiers": [str(m) for m in price.get("billing_code_modifier") or []],
        "expiration_date": _date(price.get("expiration_date"), f"{where}.expiration_date"),
    }


def _amount(value: object, where: str) -> float:
    """A rate as its number: a JSON number, or a number written as text ("500.00"); anything
    else (a dollar sign, words, nothing) or a negative amount is refused, not guessed at."""
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
        return iso_date(value, month_first=False)
    except ValueError as exc:
        raise _BadValue(where, str(exc)) from None
