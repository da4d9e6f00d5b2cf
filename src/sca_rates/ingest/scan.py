"""The elements of one top-level array of a JSON object, as raw bytes, found by byte scanning.

A payer's file is mostly items nobody wants; building each one as Python objects (what a
streaming parser does) is most of the cost of reading it. Here numpy finds, a chunk at a time,
the quotes (less those escaped), the brackets outside strings and their depth, and so the bytes
each item spans; the caller decides from those bytes whether to parse the item at all.

Nothing here validates the JSON between the items it hands out: a scan that ends with the array
unclosed or never found raises ``NotSure``, and the caller reads the file again with a full
parser, which names the fault.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

import numpy as np
import numpy.typing as npt

T = TypeVar("T")
CHUNK = 1 << 20  # measured: 1-2 MB scans fastest (the passes stay in cache)

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE, _ARRAY = ord("{"), ord("}"), ord("[")
_KEY_BEFORE = re.compile(rb'"([^"\\]*)"\s*:\s*$')  # the key whose value starts at the end


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
) -> Iterator[bytes]:
    """The raw bytes of each object in the top-level array ``key``, in order. Stops reading
    once that array closes. ``read_ahead`` reads in a second thread: worth it when reading
    costs (decompressing), not for a plain file (measured in ``benchmarks/ingest.py``)."""
    state = _State()
    partial: list[bytes] = []  # the pieces of an item begun in an earlier chunk
    context = b""  # the bytes before this chunk, where a key may begin
    chunks = _read(handle, chunk_size)
    for chunk in _in_background(chunks) if read_ahead else chunks:
        starts, ends = _scan(chunk, state, key, context)
        if ends and (not starts or ends[0] < starts[0]):  # closes the item carried over
            yield b"".join([*partial, chunk[: ends[0] + 1]])
            partial, ends = [], ends[1:]
        for start, end in zip(starts, ends, strict=False):
            yield chunk[start : end + 1]
        if len(starts) > len(ends):
            partial = [chunk[starts[-1] :]]
        elif state.in_array and state.depth >= 3:  # an item longer than the chunk
            partial.append(chunk)
        if state.array_ended:
            return
        context = (context + chunk[-512:])[-512:]
    raise NotSure(f"the top-level {key.decode()!r} array never closed")


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


def _scan(chunk: bytes, state: _State, key: bytes, context: bytes) -> tuple[list[int], list[int]]:
    """Where the wanted array's items start and end in ``chunk``; the state carries on.
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
    starts, ends = _items(chunk, at, kind, opens, depth, state, key, context)
    state.in_string ^= bool(np.count_nonzero(quote) % 2)
    state.depth = int(depth[-1]) if len(depth) else state.depth
    if state.depth < 0:
        raise NotSure("more brackets close than open")
    return starts, ends


def _items(
    chunk: bytes,
    at: npt.NDArray[np.intp],
    kind: npt.NDArray[np.uint8],
    opens: npt.NDArray[np.bool_],
    depth: npt.NDArray[np.int64],
    state: _State,
    key: bytes,
    context: bytes,
) -> tuple[list[int], list[int]]:
    """Starts and ends of the wanted array's items among the chunk's brackets; opening and
    closing of top-level arrays (rare) are followed one by one."""
    top_open = np.flatnonzero(opens & (depth == 2) & (kind == _ARRAY))
    top_close = np.flatnonzero(~opens & (depth == 1))
    bounds = sorted([*top_open.tolist(), *top_close.tolist()])
    starts: list[int] = []
    ends: list[int] = []
    begin = 0
    for bound in [*bounds, len(at)]:
        if state.in_array:
            part = slice(begin, bound)
            starts += at[part][opens[part] & (depth[part] == 3)].tolist()
            ends += at[part][~opens[part] & (depth[part] == 2)].tolist()
        if bound == len(at):
            break
        if opens[bound]:
            state.in_array = _key_before(context + chunk[: at[bound]]) == key
        elif state.in_array:
            state.in_array, state.array_ended = False, True
            break
        begin = bound + 1
    return starts, ends


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
