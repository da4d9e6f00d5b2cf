"""Running the importers over many files: one Parquet file per input, several at once, with the
bytes read reported as they go."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from sca_rates.ingest import tic
from sca_rates.ingest.hpt import read_hpt
from sca_rates.ingest.rows import write_parquet

Progress = Callable[[int], None]  # called with the bytes just read


@dataclass(frozen=True)
class Job:
    kind: str  # "tic" or "hpt"
    source: Path
    target: Path
    codes: frozenset[str]
    npis: frozenset[int] | None = None
    tins: frozenset[str] | None = None


@dataclass(frozen=True)
class Done:
    job: Job
    rows: int
    warnings: tuple[str, ...]


def targets(sources: list[Path], output: Path) -> list[Path]:
    """One Parquet file per input: ``output`` itself for a single input named .parquet, else
    ``output/<input name>.parquet``."""
    if len(sources) == 1 and output.suffix == ".parquet":
        return [output]
    return [output / f"{source.name.split('.')[0]}.parquet" for source in sources]


def run(job: Job, progress: Progress | None = None) -> Done:
    """Import one file; its Parquet file appears only if the whole file was read."""
    if job.kind == "tic":
        report = tic.TicReport()
        rows: Iterator[dict[str, object]] = tic.read_tic(
            job.source,
            codes=job.codes,
            npis=job.npis,
            tins=job.tins,
            report=report,
            progress=progress,
        )
        count = write_parquet(rows, job.target)
        return Done(job, count, tuple(report.warnings))
    count = write_parquet(read_hpt(job.source, codes=job.codes), job.target)
    if progress is not None:
        progress(job.source.stat().st_size)
    return Done(job, count, ())


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
