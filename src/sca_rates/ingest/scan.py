"""The elements of one top-level array of a JSON object, as raw bytes, found by byte scanning.

A payer's file is mostly items nobody wants; building each one as Python objects (what a
streaming parser does) is most of the cost of reading it. Here numpy finds, a chunk at a time,
the quotes (less those escaped), the brackets outside strings and their depth, and so the bytes
each item spans; the caller decides from those bytes whether to parse the item at all.

The scan checks the structure (strings, brackets, the commas between the array's objects, a
single such array, a complete document) but not the tokens inside items it hands out unparsed:
what it cannot vouch for raises ``NotSure``, and the caller reads the file again with a full
parser, which names the fault.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

import numpy as np
import numpy.typing as npt

T = TypeVar("T")
CHUNK = 1 << 20  # measured: 1-2 MB scans fastest (the passes stay in cache)

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE, _ARRAY = ord("{"), ord("}"), ord("[")
# the key whose value starts at the end: after the object's brace or a comma, so that a quote
# escaped inside an earlier key cannot pass for the key's opening one
_KEY_BEFORE = re.compile(rb'[{,]\s*"([^"\\]*)"\s*:\s*$')


class Readable(Protocol):
    """A file opened for bytes, plain or decompressing."""

    def read(self, size: int = -1, /) -> bytes: ...


class NotSure(Exception):
    """The scan cannot vouch for what it found; read the file with a full parser instead."""


@dataclass
class _State:
    in_string: bool = False
    escape_next: bool = False  # the chunk ended on a backslash that escapes the next byte
    depth: int = 0
    in_array: bool = False  # inside the wanted top-level array
    array_ended: bool = False


def array_items(
    handle: Readable, key: bytes, chunk_size: int = CHUNK, *, read_ahead: bool = False
) -> Generator[bytes, None, None]:
    """The raw bytes of each object in the top-level array ``key``, in order; the file is read
    to its end, so that a second such array, an element that is not an object, a missing
    separator or an unfinished document is caught (as ``NotSure``). ``read_ahead`` reads in a
    second thread: worth it when reading costs (decompressing), not for a plain file (measured
    in ``benchmarks/ingest.py``)."""
    state = _State()
    partial: list[bytes] = []  # the pieces of an item begun in an earlier chunk
    gap: list[bytes] = []  # what lies since the array opened or the last item ended
    context = b""  # the bytes before this chunk, where a key may begin
    first = True
    chunks = _read(handle, chunk_size)
    for chunk in _in_background(chunks) if read_ahead else chunks:
        starts, ends, opened, closed = _scan(chunk, state, key, context)
        cursor = 0 if opened is None else opened + 1
        if ends and (not starts or ends[0] < starts[0]):  # closes the item carried over
            yield b"".join([*partial, chunk[: ends[0] + 1]])
            partial, cursor, ends = [], ends[0] + 1, ends[1:]
        for start, end in zip(starts, ends, strict=False):
            _separated(gap, chunk[cursor:start], b"" if first else b",")
            yield chunk[start : end + 1]
            gap, cursor, first = [], end + 1, False
        if len(starts) > len(ends):
            _separated(gap, chunk[cursor : starts[-1]], b"" if first else b",")
            partial, gap, first = [chunk[starts[-1] :]], [], False
        elif closed is not None:
            _separated(gap, chunk[cursor:closed], b"")
        elif state.in_array and state.depth >= 3:  # an item longer than the chunk
            partial.append(chunk)
        elif state.in_array:
            gap.append(chunk[cursor:])
        context = (context + chunk[-512:])[-512:]
    if not state.array_ended or state.depth or state.in_string:
        raise NotSure(f"the file ends before its top-level {key.decode()!r} array is complete")


def _separated(gap: list[bytes], tail: bytes, expected: bytes) -> None:
    """Check what lies between two items (or an item and the array's bracket): whitespace
    around ``expected`` (a comma, or nothing), else the array holds more than objects."""
    if tail == expected and not gap:  # the usual, compact case, decided at once
        return
    between = b"".join([*gap, tail]) if gap else tail
    if between.strip(b" \t\r\n") != expected:
        raise NotSure(f"unexpected {between[:40]!r} between the array's objects")


def _read(handle: Readable, chunk_size: int) -> Iterator[bytes]:
    while chunk := handle.read(chunk_size):
        yield chunk


def _in_background(values: Iterator[T], depth: int = 4) -> Iterator[T]:
    """The values of ``values``, produced by a second thread while this one uses the last
    ones: reads, zlib and numpy release the GIL, so on two cores the two threads overlap.
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


def _scan(
    chunk: bytes, state: _State, key: bytes, context: bytes
) -> tuple[list[int], list[int], int | None, int | None]:
    """Where the wanted array's items start and end in ``chunk``, and where the array opens and
    closes if it does here; the state carries on.
    Comparisons are numpy's fastest passes over bytes: setting bit 0x20 maps ``[`` to ``{``
    and ``]`` to ``}`` (and nothing else to either), so three of them find every quote and
    bracket; which brackets lie outside strings follows from counting the quotes before."""
    data = np.frombuffer(chunk, np.uint8)
    folded = data | 0x20
    marks = folded == _OPEN
    marks |= folded == _CLOSE
    marks |= data == _QUOTE
    at = np.flatnonzero(marks)
    escaped = _escaped(chunk, data, state)
    if escaped:
        at = at[~np.isin(at, escaped)]
    kind = data[at]
    quote = kind == _QUOTE
    quotes_before = np.cumsum(quote, dtype=np.uint8) - quote + state.in_string  # mod 256
    bracket = ~quote & (quotes_before % 2 == 0)
    at, kind = at[bracket], kind[bracket]
    opens = (kind | 0x20) == _OPEN
    depth = state.depth + np.cumsum(np.where(opens, 1, -1))
    found = _items(chunk, at, kind, opens, depth, state, key, context)
    state.in_string ^= bool(np.count_nonzero(quote) % 2)
    state.depth = int(depth[-1]) if len(depth) else state.depth
    if state.depth < 0:
        raise NotSure("more brackets close than open")
    return found


def _items(
    chunk: bytes,
    at: npt.NDArray[np.intp],
    kind: npt.NDArray[np.uint8],
    opens: npt.NDArray[np.bool_],
    depth: npt.NDArray[np.int64],
    state: _State,
    key: bytes,
    context: bytes,
) -> tuple[list[int], list[int], int | None, int | None]:
    """Starts and ends of the wanted array's items among the chunk's brackets, and where the
    array opens and closes; top-level arrays (rare) are followed one by one."""
    top_open = np.flatnonzero(opens & (depth == 2) & (kind == _ARRAY))
    top_close = np.flatnonzero(~opens & (depth == 1))
    bounds = sorted([*top_open.tolist(), *top_close.tolist()])
    starts: list[int] = []
    ends: list[int] = []
    opened = closed = None
    begin = 0
    for bound in [*bounds, len(at)]:
        if state.in_array:
            part = slice(begin, bound)
            starts += at[part][opens[part] & (depth[part] == 3)].tolist()
            ends += at[part][~opens[part] & (depth[part] == 2)].tolist()
        if bound == len(at):
            break
        position = int(at[bound])
        if opens[bound] and _key_before(context + chunk[:position]) == key:
            if state.array_ended:
                raise NotSure(f"a second top-level {key.decode()!r} array")
            state.in_array, opened = True, position
        elif not opens[bound] and state.in_array:
            state.in_array, state.array_ended, closed = False, True, position
        begin = bound + 1
    return starts, ends, opened, closed


def _key_before(text: bytes) -> bytes | None:
    found = _KEY_BEFORE.search(text[-512:])
    return found.group(1) if found else None


def _escaped(chunk: bytes, data: npt.NDArray[np.uint8], state: _State) -> list[int]:
    """Positions of the bytes a backslash escapes (one not itself escaped); backslashes are
    rare in these files, so they are followed one by one."""
    if not state.escape_next and b"\\" not in chunk:
        return []
    escaped = [0] if state.escape_next else []
    position = 0 if state.escape_next else -1
    for backslash in np.flatnonzero(data == _BACKSLASH).tolist():
        if backslash == position:
            continue
        position = backslash + 1
        escaped.append(position)
    state.escape_next = position == len(chunk)
    return escaped
