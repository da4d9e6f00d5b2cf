"""Running the importers over many files: one Parquet file per input, several at once, with the
bytes read reported as they go. A payer's file may be read from its web address (a ``Remote``);
sizes are bytes as stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest import tic
from sca_rates.ingest.hpt import read_hpt
from sca_rates.ingest.remote import Remote
from sca_rates.ingest.rows import CODES_KEPT, FILTERED_BY, SCHEMA, write_parquet
from sca_rates.ingest.shared import Target

Progress = Callable[[int], None]  # called with the bytes just read


@dataclass(frozen=True)
class Job:
    kind: str  # "tic" or "hpt" (a hospital's file is read from disk only)
    source: Path | Remote
    target: Target  # a path, or a file at an fsspec URL
    codes: frozenset[str]
    npis: frozenset[int] | None = None
    tins: frozenset[str] | None = None


@dataclass(frozen=True)
class Done:
    job: Job
    rows: int
    warnings: tuple[str, ...]


def kept(job: Job) -> dict[bytes, bytes]:
    """What the import of ``job`` keeps, for its Parquet file (``rows.CODES_KEPT``)."""
    filters = [name for name, kept in (("npi", job.npis), ("tin", job.tins)) if kept is not None]
    return {
        CODES_KEPT: ",".join(sorted(job.codes)).encode(),
        FILTERED_BY: ",".join(filters).encode(),
    }


def run(job: Job, progress: Progress | None = None) -> Done:
    """Import one file; its Parquet file appears only if the whole file was read."""
    try:
        return _run(job, progress)
    # a value the importer did not check (an NPI beyond 64 bits overflows as it is written)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UnreadableFile(
            f"{job.source} holds a value of the wrong kind ({reason}). Fix: check that it is "
            "the file it claims to be, or download it again"
        ) from None


def _run(job: Job, progress: Progress | None) -> Done:
    if job.kind == "tic":
        report = tic.TicReport()
        count = tic.write_tic(
            job.source,
            job.target,
            codes=job.codes,
            npis=job.npis,
            tins=job.tins,
            report=report,
            progress=progress,
            schema=SCHEMA.with_metadata(kept(job)),
        )
        return Done(job, count, tuple(report.warnings))
    if not isinstance(job.source, Path):
        raise TypeError("a hospital's file is read from disk")
    count = write_parquet(read_hpt(job.source, codes=job.codes), job.target)
    if progress is not None:
        progress(job.source.stat().st_size)
    return Done(job, count, ())


def stored_size(source: Path | Remote) -> int | None:
    """The bytes of a file as stored; None for a remote file whose server does not say."""
    return source.size if isinstance(source, Remote) else source.stat().st_size


def run_all(jobs: list[Job], *, workers: int) -> Iterator[Done]:
    """Every job, ``workers`` at a time, as each finishes."""
    if workers <= 1:
        for job in jobs:
            yield run(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()
