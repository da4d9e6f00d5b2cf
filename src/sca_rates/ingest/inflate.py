"""Opening a file on disk for its bytes: a gzip file is decompressed as it is read, with ISA-L
(the ``isal`` package) where it is installed, about three times as fast as the standard
library's zlib on a payer's file (``benchmarks/ingest.py``), else with the standard ``gzip``
module. Both give the same bytes.

The environment variable ``SCA_INFLATER`` chooses: ``isal``, ``zlib`` (the standard one), or
``auto`` (the default: isal when installed). It is read at each opening, so that the scanning
process, which starts afresh, makes the same choice.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, cast

from sca_rates.exceptions import InvalidScenario

INFLATERS = ("auto", "isal", "zlib")


def _decompress_errors() -> tuple[type[Exception], ...]:
    """What a damaged gzip file raises besides ``OSError``: zlib's error, and isal's."""
    try:
        from isal.isal_zlib import error as isal_error
    except ImportError:
        return (zlib.error,)
    return (zlib.error, cast(type[Exception], isal_error))


DECOMPRESS_ERRORS = _decompress_errors()


def inflater() -> str:
    """The decompressor in use: ``isal`` or ``zlib``."""
    chosen = os.environ.get("SCA_INFLATER", "auto").strip().lower() or "auto"
    if chosen not in INFLATERS:
        raise InvalidScenario(
            f"SCA_INFLATER={chosen!r} is not a decompressor sca-rates knows. Fix: set it to "
            f"one of {', '.join(INFLATERS)}, or unset it"
        )
    if chosen == "zlib":
        return "zlib"
    try:
        import isal.igzip  # noqa: F401
    except ImportError:
        if chosen == "isal":
            raise InvalidScenario(
                "SCA_INFLATER=isal, but the isal package is not installed. Fix: install it "
                "(pip install isal), or unset SCA_INFLATER to use the standard decompressor"
            ) from None
        return "zlib"
    return "isal"


def gunzip(raw: IO[bytes]) -> IO[bytes]:
    """``raw`` (a gzip file's bytes) decompressed as it is read."""
    if inflater() == "isal":
        from isal import igzip

        return cast(IO[bytes], igzip.IGzipFile(fileobj=raw, mode="rb"))  # type: ignore[no-untyped-call]
    return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))


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


def open_file(path: Path, progress: Callable[[int], None] | None = None) -> IO[bytes]:
    """A file on disk's bytes, decompressed as they are read when it is gzip (``.gz``);
    ``progress`` hears of every read, in bytes as stored."""
    opened = path.open("rb")
    raw = opened if progress is None else io.BufferedReader(CountingReader(opened, progress))
    return gunzip(raw) if path.suffix == ".gz" else raw


def json_size(path: Path) -> int:
    """About how many bytes of JSON a file on disk holds: for a .gz, what its gzip trailer says
    (the size modulo 4 GiB, of the last member) or its size as stored, whichever is larger."""
    stored = path.stat().st_size
    if path.suffix != ".gz" or stored < 4:
        return stored
    with path.open("rb") as handle:
        handle.seek(-4, os.SEEK_END)
        return max(stored, int.from_bytes(handle.read(4), "little"))
