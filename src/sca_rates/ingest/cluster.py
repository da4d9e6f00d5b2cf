"""Running the importers on a Dask distributed cluster that is already up (``dask scheduler``
on one machine, ``dask worker ADDRESS`` on each machine that imports): one task per file, each
writing its own Parquet file to a place every worker reaches (a shared folder, or an fsspec URL
such as ``s3://bucket/tic/``). What comes back is what the local run gives (``run.run_all``):
one ``Done`` per file, as each finishes.

Every worker needs sca-rates installed (the version that submits the tasks) and must see the
input files at the paths given, or reach their web addresses; paths are sent absolute, as a
worker's working folder is its own. A file's own error (``UnreadableFile``, ``DownloadFailed``
...) is raised as the local run raises it; a failure of the cluster is ``ClusterTaskFailed``,
and a scheduler that cannot be used ``ClusterUnavailable``. Either stops the import: files not
yet started are not imported, and each file written is whole.

Times are seconds. ``distributed`` is imported only when a cluster is used, so that the command
line starts fast.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sca_rates.exceptions import ClusterTaskFailed, ClusterUnavailable, ScaRatesError
from sca_rates.ingest.nppes import ProvidersReport, import_providers
from sca_rates.ingest.run import Done, Job, run
from sca_rates.ingest.shared import Target

if TYPE_CHECKING:
    from distributed import Client, Future

CONNECT_TIMEOUT_S = 5.0  # to reach the scheduler, then for it to have a worker
START = (
    "start one: `dask scheduler` on one machine, then `dask worker {address}` on each machine "
    "that imports (each with sca-rates installed)"
)

T = TypeVar("T")


def run_on_cluster(jobs: list[Job], *, address: str) -> Iterator[Done]:
    """Every job as one task of the cluster whose scheduler is at ``address``, as each
    finishes; each ``Done`` holds the job as given."""
    from distributed import as_completed

    with _client(address) as client:
        given = {client.submit(run, _sent(job), pure=False): job for job in jobs}
        for future in as_completed(given, loop=client.loop):
            job = given[future]
            done = _result(future, str(job.source), job.target)
            yield Done(job, done.rows, done.warnings)


def providers_on_cluster(
    path: Path,
    target: Target,
    *,
    address: str,
    states: frozenset[str],
    taxonomies: frozenset[str],
) -> ProvidersReport:
    """``nppes.import_providers`` as one task of the cluster whose scheduler is at ``address``;
    the report names the file as given, as the local run's does."""
    with _client(address) as client:
        future = client.submit(
            import_providers,
            path.absolute(),
            target.absolute() if isinstance(target, Path) else target,
            states=states,
            taxonomies=taxonomies,
            pure=False,
        )
        report = _result(future, str(path), target)
    sent = str(path.absolute())
    if report.source.startswith(sent):
        report.source = str(path) + report.source[len(sent) :]
    return report


@contextmanager
def _client(address: str) -> Iterator[Client]:
    """A client of the scheduler at ``address`` that has at least one worker."""
    from distributed import Client

    try:
        _greet(address)
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except ValueError as exc:
        raise ClusterUnavailable(
            f"--scheduler {address} is not a scheduler's address ({exc}). Fix: give the address "
            "`dask scheduler` prints, such as tcp://10.0.0.5:8786"
        ) from None
    except OSError as exc:  # refused, no such host, timed out
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ClusterUnavailable(
            f"No Dask scheduler answers at {address} ({reason}). Fix: check the address and "
            "that this machine may reach its port, or " + START.format(address=address)
        ) from None
    try:
        _wait_for_a_worker(client, address)
        yield client
    finally:
        client.close()


def _greet(address: str) -> None:
    """Connects to ``address`` and exchanges Dask's handshake, in an event loop of its own,
    before a client is made: a client that fails to start lingers, and stalls the command's
    exit for seconds."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.core import connect
    from distributed.security import Security

    scheme, location = parse_address(address)
    if scheme in ("tcp", "tls"):  # refused at once, where Dask retries until its timeout
        socket.create_connection(parse_host_port(location), CONNECT_TIMEOUT_S).close()

    async def handshake() -> None:
        arguments = Security().get_connection_args("client")
        comm = await connect(address, timeout=CONNECT_TIMEOUT_S, **arguments)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), CONNECT_TIMEOUT_S))
        return
    except TimeoutError:  # a server waiting for words of its own protocol (HTTP)
        what = f"does not answer Dask's handshake within {CONNECT_TIMEOUT_S:g} s"
    except OSError:  # refused, closed, no such host: no scheduler there
        raise
    except Exception:  # any bytes at all, read as Dask's
        what = "answers Dask's handshake with something else"
    raise ClusterUnavailable(
        f"What listens at {address} is not a Dask scheduler: it {what}. Fix: give the address "
        "`dask scheduler` prints (port 8786 unless it was started with another), not its "
        "dashboard's"
    )


def _wait_for_a_worker(client: Client, address: str) -> None:
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except TimeoutError:
        raise ClusterUnavailable(
            f"The Dask scheduler at {address} has no worker (waited {CONNECT_TIMEOUT_S:g} s). "
            f"Fix: start one with `dask worker {address}` on a machine that sees the input "
            "files and the output location"
        ) from None


def _result(future: Future[T], what: str, output: object) -> T:
    try:
        return future.result()
    except ScaRatesError:  # the importer's own message: the file, what is wrong, the fix
        raise
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ClusterTaskFailed(
            f"{what}: its import failed on the cluster ({type(exc).__name__}: {reason}), and "
            "the import stopped there. Fix: check that every worker has sca-rates installed "
            f"(this machine's version), sees the input and may write {output}; the worker's log "
            "says more"
        ) from None


def _sent(job: Job) -> Job:
    """The job with its paths absolute: a worker's working folder is its own."""
    source = job.source.absolute() if isinstance(job.source, Path) else job.source
    target = job.target.absolute() if isinstance(job.target, Path) else job.target
    return replace(job, source=source, target=target)
