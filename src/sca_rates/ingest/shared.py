"""Outputs at an fsspec URL (``file:///shared/tic/``, ``s3://bucket/tic/``, ``gs://...``): a
place every worker of a cluster reaches, written through fsspec. A ``SharedFile`` answers what
the output checks ask of a path (its name and suffix, whether it exists or is a folder, a file
in it), so that a URL and a path are checked by the same code (``outputs.py``).

A file is written under a temporary name beside its own (``.uhc.parquet.<random>``, which a
``*.parquet`` pattern does not match) and moved to its name once whole: a rename on a disk, a
copy then a delete on an object store. A reader never sees a partial file.

An object store's package (``s3fs`` for s3://, ``gcsfs`` for gs://) is installed apart, on the
machine that runs the command and on every worker; its credentials are the store's usual ones
(``AWS_PROFILE`` ...) on each machine.
"""

from __future__ import annotations

import posixpath
import re
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sca_rates.exceptions import InvalidScenario

_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE | re.ASCII)
_STORES = "file://, s3://, gs://, az://"


@dataclass(frozen=True)
class SharedFile:
    """A file, or a folder, at an fsspec URL, as given: ``s3://bucket/tic/uhc.parquet``."""

    url: str

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rpartition("/")[2]

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.name)[1]

    def __truediv__(self, name: str) -> SharedFile:
        return SharedFile(f"{self.url.rstrip('/')}/{name}")

    def __str__(self) -> str:
        return self.url

    def exists(self) -> bool:
        fs, path = _filesystem(self.url)
        return bool(_asked(self.url, fs.exists, path))

    def is_dir(self) -> bool:
        fs, path = _filesystem(self.url)
        return bool(_asked(self.url, fs.isdir, path))

    def write(self, fill: Callable[[IO[bytes]], int]) -> int:
        """What ``fill`` writes to the handle it is given (and returns, a count), at this URL;
        the file appears only if ``fill`` returns."""
        fs, path = _filesystem(self.url)
        folder, name = posixpath.split(path)
        temporary = posixpath.join(folder, f".{name}.{uuid.uuid4().hex[:12]}")
        try:
            fs.makedirs(folder, exist_ok=True)
            with fs.open(temporary, "wb") as handle:
                count = fill(handle)
            fs.mv(temporary, path)
        except BaseException:
            with suppress(OSError):  # never written, or already gone
                fs.rm(temporary)
            raise
        return count


Target = Path | SharedFile  # where an importer writes: a path, or a file at an fsspec URL


def output_of(text: str) -> Target:
    """``-o`` as given: a file at an fsspec URL (``s3://bucket/tic/``), else a path."""
    if _URL.match(text) is None:
        return Path(text)
    if text.lower().startswith(("https://", "http://")):
        raise InvalidScenario(
            f"-o {text}: a web address cannot be written to. Fix: give a path, or the URL of a "
            f"store ({_STORES})"
        )
    _filesystem(text)  # a store fsspec does not know, or whose package is missing, is refused now
    return SharedFile(text)


def _filesystem(url: str) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    try:
        fs, path = url_to_fs(url)
    except ImportError as exc:  # fsspec names the store's package: "Install s3fs to access S3"
        raise InvalidScenario(
            f"-o {url}: {exc}. Fix: pip install that package, on this machine and on every "
            "worker of the cluster"
        ) from None
    except ValueError as exc:  # "Protocol not known: xyz"
        raise InvalidScenario(
            f"-o {url}: {exc}. Fix: give a path, or the URL of a store ({_STORES})"
        ) from None
    return fs, str(path)


def _asked(url: str, question: Callable[[str], object], path: str) -> object:
    """A question to the store, whose failure (no such bucket, no permission) is one message."""
    try:
        return question(path)
    except OSError as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InvalidScenario(
            f"-o {url} cannot be reached ({reason}). Fix: check the URL and this machine's "
            "credentials for the store"
        ) from None
