"""Decompressing a gzip file as it is read: with ISA-L (the ``isal`` package) where it is
installed, about three times as fast as the standard library's zlib on a payer's file
(``benchmarks/ingest.py``), else with the standard ``gzip`` module. Both give the same bytes.

The environment variable ``SCA_INFLATER`` chooses: ``isal``, ``zlib`` (the standard one), or
``auto`` (the default: isal when installed). It is read at each opening, so that the scanning
process, which starts afresh, makes the same choice.
"""

from __future__ import annotations

import gzip
import os
import zlib
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
