"""A payer's Transparency in Coverage in-network rates file (.json or .json.gz, of any size) to
tidy rows, streamed: memory stays bounded by one in_network item and the provider map.

Schema v1 (provider groups inline in each negotiated rate, or top-level references that may
point to a remote ``location``: recorded and skipped with a warning) and v2 (top-level
``provider_references``, prices with a ``setting``) are read alike. Two streaming passes: the
header and provider references first (they may come after the items), then the items, found
by byte scanning (``scan.py``) so that only the wanted ones are parsed; the full streaming
parser carries on from wherever the scan is unsure, and the two give identical rows.
"""

from __future__ import annotations

import gzip
import io
import multiprocessing as mp
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any, cast

import ijson

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest.rows import empty_row, iso_date
from sca_rates.ingest.scan import Batch, NotSure, array_items

# A file this large is scanned by a second process (measured in ``benchmarks/ingest.py``); a
# smaller one does not repay the process's start (~0.3 s).
SECOND_PROCESS_FROM = 64 << 20
# what the scanning process sends: a batch (or None), the bytes of the file read since the
# last message, and "more", "end" or "unsure"
_Message = tuple[Batch | None, int, str]
HEADER = ("reporting_entity_name", "plan_name", "last_updated_on", "version")


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


def open_binary(path: Path, progress: Callable[[int], None] | None = None) -> IO[bytes]:
    """The file's bytes, decompressed as they are read when it is gzip; ``progress`` hears of
    every read (in bytes of the file as stored)."""
    raw: IO[bytes] = path.open("rb")
    if progress is not None:
        raw = io.BufferedReader(CountingReader(cast(io.BufferedReader, raw), progress))
    return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")) if path.suffix == ".gz" else raw


def _fail(path: Path, handle: IO[bytes], exc: Exception) -> UnreadableFile:
    offset = handle.tell()
    where = "uncompressed byte" if path.suffix == ".gz" else "byte"
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return UnreadableFile(
        f"{path} cannot be read near {where} {offset:,} ({reason}). Fix: the file "
        "is truncated or damaged; download it again"
    )


@dataclass
class _Providers:
    groups: dict[Any, list[tuple[list[int], str | None]]] = field(default_factory=dict)
    remote: set[Any] = field(default_factory=set)


def _first_pass(path: Path) -> tuple[dict[str, Any], _Providers]:
    """The header's scalars and the top-level provider references, in one streamed read. When
    both are already in hand as the in_network array begins (the usual order), the read stops
    there; otherwise it goes on to the end, since they may follow the items."""
    header: dict[str, Any] = {}
    providers = _Providers()
    seen_references = False
    with open_binary(path) as handle:
        try:
            events = ijson.parse(handle, use_float=True)
            for prefix, event, value in events:
                if prefix in HEADER and event in ("string", "number"):
                    header[prefix] = value
                elif prefix == "provider_references.item" and event == "start_map":
                    _reference(_build(events, prefix), providers)
                elif prefix == "provider_references" and event == "end_array":
                    seen_references = True
                elif (
                    prefix == "in_network"
                    and event == "start_array"
                    and seen_references
                    and all(key in header for key in HEADER if key != "plan_name")
                ):
                    break
        except (ijson.JSONError, EOFError, OSError) as exc:
            raise _fail(path, handle, exc) from None
    return header, providers


def _build(events: Iterator[tuple[str, str, Any]], prefix: str) -> dict[str, Any]:
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
    path: str | Path,
    *,
    codes: frozenset[str],
    npis: frozenset[int] | None = None,
    tins: frozenset[str] | None = None,
    report: TicReport | None = None,
    progress: Callable[[int], None] | None = None,
) -> Generator[dict[str, Any], None, None]:
    """Tidy rows (one per negotiated price and provider group) for the items whose billing code
    is in ``codes``, optionally only for providers with one of ``npis`` or ``tins``."""
    path = Path(path)
    try:
        yield from _read(path, codes, npis, tins, report, progress)
    except (ValueError, TypeError, AttributeError) as exc:  # a value of the wrong kind
        raise UnreadableFile(
            f"{path} does not follow the Transparency in Coverage schema ({exc}). Fix: check "
            "that it is an in-network rates file, or download it again"
        ) from None


def _read(
    path: Path,
    codes: frozenset[str],
    npis: frozenset[int] | None,
    tins: frozenset[str] | None,
    report: TicReport | None,
    progress: Callable[[int], None] | None,
) -> Iterator[dict[str, Any]]:
    report = report if report is not None else TicReport()
    header, providers = _first_pass(path)  # progress counts the items' reading only
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
        "file_date": iso_date(header.get("last_updated_on")),
    }
    # (producing the items in a second thread was measured: no faster, the work holds the GIL)
    reported = _Reported(progress)
    items = _fast_items(path, reported.count, codes, report)
    while True:
        try:
            item = next(items, None)
        except (NotSure, ijson.JSONError, ValueError, EOFError, OSError):
            break  # the full parser reads the file again from the first item not yet read
        if item is None:
            return
        yield from _wanted_rows(item, codes, base, providers, npis, tins, report)
    with open_binary(path, reported.catch_up()) as handle:
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
        except (ijson.JSONError, EOFError, OSError) as exc:
            raise _fail(path, handle, exc) from None


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
    path: Path,
    progress: Callable[[int], None],
    codes: frozenset[str],
    report: TicReport,
) -> Iterator[dict[str, Any]]:
    """The items that may be wanted, parsed by the same parser as the full path (so that the
    values are the same); the others are only counted, decided from their bytes. Raises where
    only a full reading can say more; ``report.items`` then counts the items decided before."""
    alone = path.stat().st_size < SECOND_PROCESS_FROM or mp.parent_process() is not None
    for batch in (_batches if alone else _batches_elsewhere)(path, codes, progress):
        for index, raw in batch.items:
            report.items = index  # a full reading would start again here
            item = next(ijson.items(raw, "", use_float=True))
            if not isinstance(item, dict):
                raise NotSure("an item that is not an object")
            report.items = index + 1
            yield item
        report.items = batch.counted


def _batches(
    path: Path,
    codes: frozenset[str],
    progress: Callable[[int], None],
    *,
    read_ahead: bool = False,
) -> Iterator[Batch]:
    """The file's items whose billing code is one of ``codes`` or cannot be read for certain
    from their bytes, a batch per chunk read."""
    wanted = frozenset(code.encode() for code in codes)
    with open_binary(path, progress) as handle:
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
    for row in _item_rows(item, base, providers, npis, tins):
        report.rows += 1
        yield row


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
    for rate in item.get("negotiated_rates") or []:
        groups = _groups(rate.get("provider_groups") or [])
        for key in rate.get("provider_references") or []:
            groups += providers.groups.get(key, [])
        groups = [
            (n, t)
            for n, t in groups
            if (npis is None or not npis.isdisjoint(n)) and (tins is None or t in tins)
        ]
        for price in rate.get("negotiated_prices") or []:
            priced = shared | _price(price)
            for npi, tin in groups:
                yield priced | {"npi": npi, "tin": tin}


def _price(price: dict[str, Any]) -> dict[str, Any]:
    kind = price.get("negotiated_type")
    amount = price.get("negotiated_rate")
    is_share = kind == "percentage"
    return {
        "negotiated_type": kind,
        "rate_usd": None if is_share else amount,
        "percentage": amount if is_share else None,
        "billing_class": price.get("billing_class"),
        "setting": price.get("setting"),
        "service_codes": [str(c) for c in price.get("service_code") or []],
        "modifiers": [str(m) for m in price.get("billing_code_modifier") or []],
        "expiration_date": iso_date(price.get("expiration_date")),
    }
