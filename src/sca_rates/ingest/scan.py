"""The objects of one top-level array of a JSON object, found by byte scanning, each with one of
its string fields read from the bytes.

A payer's file is mostly items nobody wants; building each one as Python objects (what a
streaming parser does) is most of the cost of reading it. Here a compiled walk (``_walk.c``)
goes over the bytes once, a chunk at a time, following strings, escapes and brackets: it finds
where each item of the wanted array begins and ends and where its field's value lies, so that
only the items whose value is wanted (or cannot be read for certain) are copied out, to be
parsed.

The walk checks the structure (strings, brackets, the commas between the array's objects, a
single such array, one complete object) but not the tokens inside items it leaves unparsed;
what follows the array is checked by a parser as it is read (the caller has parsed what comes
before it). What cannot be vouched for raises ``NotSure``, and the caller reads the file again
with a full parser, which names the fault.

A large file is scanned by a second process (``scan_into``), which imports this module and the
decompressor but not the importer (measured: it starts ~0.15 s sooner).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import re
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar, cast

import ijson
import numpy as np
import numpy.typing as npt

from sca_rates.ingest._walk import value_hash, walk
from sca_rates.ingest.inflate import open_file

T = TypeVar("T")
CHUNK = 1 << 20  # bytes read and walked at a time

# The walk's state, carried from one chunk to the next: int64s in the order of the enum in
# _walk.c, which describes them. Read here: whether a string, the root object or the array is
# open (ROOT and ARRAY: 0 not yet, 1 open, 2 closed), where the open item began (ITEM, -1
# between items), the fault that stopped the walk, if any, and where the array closed.
IN_STRING, ROOT, ARRAY, ITEM, FAULT, FAULT_AT, CLOSED_AT, STATE_SIZE = 0, 3, 4, 8, 13, 14, 15, 16
# What the walk finds, one row of five per item closed: start, end (inclusive), the field's
# value start (or one of these two), its end (exclusive), its hash.
VALUE_ABSENT, VALUE_UNCERTAIN = -2, -1
FAULTS = {
    1: "the document is not one JSON object",
    2: "the array's name given twice at the top level",
    3: "something other than an object, or a missing or extra comma, among the array's items",
    4: "an item that does not close with its brace",
    5: "the array's name given to something other than an array",
    6: "a top-level key a parser may read as the array's name or a path into it",
}


class Readable(Protocol):
    """A file opened for bytes, plain or decompressing."""

    def read(self, size: int = -1, /) -> bytes: ...


class NotSure(Exception):
    """The scan cannot vouch for what it found; read the file with a full parser instead."""


class Batch(NamedTuple):
    """The kept items of one chunk, with their positions in the array; ``counted``: the items
    found so far, kept or not (after the last batch, all of them)."""

    items: list[tuple[int, bytes]]
    counted: int


# what the scanning process sends: a batch (or None), the bytes of the file read since the
# last message, and "more", "end" or "unsure"
Message = tuple[Batch | None, int, str]


def array_items(
    handle: Readable,
    key: bytes,
    field: bytes = b"",
    wanted: frozenset[bytes] | None = None,
    chunk_size: int = CHUNK,
    *,
    read_ahead: bool = False,
) -> Generator[Batch, None, None]:
    """The objects of the top-level array ``key``, a batch per chunk read. With ``wanted``,
    only the items whose string ``field`` is one of them, or cannot be read for certain from
    the bytes (an item without the field is not kept). The file is read to its end, so that
    a second such array, an element that is not an object, a missing separator or an
    unfinished document is caught (as ``NotSure``). ``read_ahead`` reads in a second thread:
    worth it when reading costs (decompressing), not for a plain file (measured in
    ``benchmarks/ingest.py``)."""
    if not all(re.fullmatch(rb"\w*", name, re.ASCII) for name in (key, field)):
        raise ValueError("the array's and the field's names are letters, digits and _ only")
    state = np.zeros(STATE_SIZE, np.int64)
    state[ITEM] = -1
    found = np.empty((chunk_size // 2 + 1, 5), np.int64)  # an item spans 2 bytes at least
    hashes = None if wanted is None else np.array([value_hash(w) for w in wanted], np.int64)
    offset, counted = 0, 0
    carried: list[bytes] = []  # the pieces of an item begun in an earlier chunk
    rest = _Rest()
    chunks = _read(handle, chunk_size)
    for chunk in _in_background(chunks) if read_ahead else chunks:
        count = walk(chunk, offset, state, found, key, field)
        if state[FAULT]:
            raise NotSure(f"{FAULTS[int(state[FAULT])]}, at byte {int(state[FAULT_AT]):,}")
        closed = found[:count]
        keep = np.ones(count, np.bool_) if hashes is None else _maybe(closed, hashes)
        kept: list[tuple[int, bytes]] = []
        for index in np.flatnonzero(keep).tolist():
            start, end, value, value_end = closed[index, :4].tolist()
            if start < offset:  # the item carried over from earlier chunks
                raw = b"".join([*carried, chunk[: end - offset + 1]])
            else:
                raw = chunk[start - offset : end - offset + 1]
            if wanted is None or value < 0 or raw[value - start : value_end - start] in wanted:
                kept.append((counted + index, raw))
        counted += count
        if state[ARRAY] == 2:
            rest.check(chunk[max(0, int(state[CLOSED_AT]) - offset + 1) :])
        yield Batch(kept, counted)
        carried = _carry(carried, chunk, offset, int(state[ITEM]))
        offset += len(chunk)
    if state[ARRAY] != 2 or state[ROOT] != 2 or state[IN_STRING]:
        raise NotSure(f"the file ends before its top-level {key.decode()!r} array is complete")
    rest.end()


class _Rest:
    """What follows the array, parsed as it is read (as the rest of an object), so that a bad
    token there is caught as a full reading would catch it."""

    def __init__(self) -> None:
        self._events = ijson.sendable_list()
        self._parser = ijson.basic_parse_coro(self._events)
        self._parser.send(b'{"":0')

    def check(self, piece: bytes) -> None:
        if not piece:  # the parser would read nothing as the end
            return
        try:
            self._parser.send(piece)
        except ijson.JSONError as exc:
            raise NotSure(f"after the array: {exc}") from None
        self._events.clear()

    def end(self) -> None:
        try:
            self._parser.close()
        except ijson.JSONError as exc:
            raise NotSure(f"after the array: {exc}") from None


def _maybe(closed: npt.NDArray[np.int64], hashes: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """The items that may be wanted: their value unread, or its hash a wanted value's."""
    value = closed[:, 2]
    maybe: npt.NDArray[np.bool_] = value == VALUE_UNCERTAIN
    return maybe | ((value >= 0) & np.isin(closed[:, 4], hashes))


def _carry(carried: list[bytes], chunk: bytes, offset: int, item: int) -> list[bytes]:
    """The pieces of the item still open at the chunk's end (none when none is)."""
    if item < 0:
        return []
    if item >= offset:
        return [chunk[item - offset :]]
    return [*carried, chunk]


def _read(handle: Readable, chunk_size: int) -> Iterator[bytes]:
    while chunk := handle.read(chunk_size):
        yield chunk


def _in_background(values: Iterator[T], depth: int = 4) -> Iterator[T]:
    """The values of ``values``, produced by a second thread while this one uses the last
    ones: reads, zlib and the walk release the GIL, so on two cores the two threads overlap.
    An exception in the producer is raised here, after the values before it; stopping early
    stops the producer."""
    queued: queue.Queue[tuple[T | None, BaseException | None, bool]] = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for value in values:
                if not _put(queued, (value, None, False), stop):
                    return
            _put(queued, (None, None, True), stop)
        except BaseException as exc:  # handed over, raised where the values are used
            _put(queued, (None, exc, True), stop)
        finally:
            close = getattr(values, "close", None)
            if close is not None:
                close()

    producer = threading.Thread(target=produce, name="sca-rates-read-ahead", daemon=True)
    producer.start()
    try:
        while True:
            value, error, done = queued.get()
            if error is not None:
                raise error
            if done:
                return
            yield cast(T, value)
    finally:
        stop.set()
        producer.join()


def _put(queued: queue.Queue[Any], entry: Any, stop: threading.Event) -> bool:
    """Queue ``entry`` unless the consumer stops first; whether it was queued."""
    while not stop.is_set():
        try:
            queued.put(entry, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False


def scan_into(
    path: str, key: bytes, field: bytes, wanted: frozenset[bytes], found: mp.Queue[Message]
) -> None:
    """The body of a second process: ``array_items`` of a file on disk (decompressed if .gz),
    sent as a message per chunk with the bytes read for it. A gzip file is decompressed by a
    thread of its own (measured: ~10% faster; not worth it in one process, where building rows
    holds the GIL)."""
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
        with open_file(Path(path), count) as handle:
            gzip = path.endswith(".gz")
            for batch in array_items(handle, key, field, wanted, read_ahead=gzip):
                send(batch, "more")
        send(None, "end")
    except Exception:  # the first reading's full parser will name the fault
        send(None, "unsure")
