"""``--scheduler``: the importers on a Dask distributed cluster, here a ``LocalCluster`` of two
worker processes started once for the module. Each command run on it writes the rows the local
run writes and prints its lines; a scheduler that cannot be used is one message, exit 2."""

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.exceptions import ClusterTaskFailed
from sca_rates.ingest import cluster
from sca_rates.ingest.remote import Remote
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES
from sca_rates.ingest.run import Job
from tests.cli_runs import ran, refused
from tests.conftest import FIXTURES
from tests.net import free_port

HERE = FIXTURES / "transparency"
PAYER_FILES = [  # a real payer's file (gzipped), CMS's examples, and one that warns
    "evry-health-in-network-rates-2025-06-23.json.gz",
    "tic-v2-single-plan.json",
    "tic-v2-multiple-plans.json",
    "tic-v1-remote-reference.json",
]
CODES = ",".join(sorted(BEHAVIORAL_HEALTH_CODES | {"27447", "27448"}))  # CMS's examples' codes
EXTRACT = FIXTURES / "nppes" / "npidata_pfile_20050523-20250608-synthetic.csv"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local.scheduler_address


@pytest.fixture(autouse=True)
def _wide_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The import lines unwrapped, so that they compare as lines."""
    monkeypatch.setenv("COLUMNS", "300")


def _import_tic(*args: str) -> list[str]:
    """The lines import-tic prints (with its progress, on stderr), in a sorted order: the
    cluster's files finish in any order."""
    result = CliRunner().invoke(app, ["market", "import-tic", *args])
    assert result.exit_code == 0, result.output
    return sorted(result.stderr.splitlines())


def _rows(folder: Path) -> dict[str, list[dict[str, object]]]:
    """Each Parquet file's rows, sorted."""
    return {
        path.name: sorted(pq.read_table(path).to_pylist(), key=repr)
        for path in sorted(folder.glob("*.parquet"))
    }


def _payer_files(folder: Path) -> list[str]:
    folder.mkdir()
    for name in PAYER_FILES:
        shutil.copy(HERE / name, folder / name)
    return [str(folder / name) for name in PAYER_FILES]


def test_import_tic_on_the_cluster_writes_the_local_runs_rows_and_lines(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Relative paths, from a folder other than the workers': they are sent absolute
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    here = _import_tic(*_payer_files(Path("in")), "--codes", CODES, "-o", "out/")
    monkeypatch.chdir(tmp_path / "there")
    args = [*_payer_files(Path("in")), "--codes", CODES, "-o", "out/"]
    there = _import_tic(*args, "--scheduler", scheduler)
    assert there == here
    assert "tic-v1-remote-reference.json: 10 rows -> out/tic-v1-remote-reference.parquet" in there
    assert any(line.startswith("  warning: 1 provider references") for line in there)
    local, on_cluster = _rows(tmp_path / "here" / "out"), _rows(tmp_path / "there" / "out")
    assert len(on_cluster) == len(PAYER_FILES)
    assert sum(map(len, on_cluster.values())) == 1008 + 10 + 12 + 10
    assert on_cluster == local


def test_providers_on_the_cluster_writes_the_local_runs_rows_and_line(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXTRACT, tmp_path / EXTRACT.name)  # named relative, as a person types it
    command = ["market", "providers", EXTRACT.name, "--state", "MA", "--state", "NY", "-o"]
    here = ran(*command, "here.parquet")
    there = ran(*command, "there.parquet", "--scheduler", scheduler)
    assert there == here.replace("here.parquet", "there.parquet")
    assert there.startswith(f"{EXTRACT.name}: 0.0 MB read, 7 providers with a program taxonomy")
    local = pq.read_table(tmp_path / "here.parquet").to_pylist()
    assert sorted(pq.read_table(tmp_path / "there.parquet").to_pylist(), key=repr) == sorted(
        local, key=repr
    )


@pytest.mark.parametrize("on_cluster", [True, False])
def test_a_file_url_as_output_is_written_through_fsspec(
    scheduler: str, tmp_path: Path, on_cluster: bool
) -> None:
    files = [str(HERE / name) for name in PAYER_FILES[1:3]]
    local = tmp_path / "local"
    _import_tic(*files, "--codes", CODES, "-o", str(local))
    cluster_args = ["--scheduler", scheduler] if on_cluster else []
    url = f"file://{tmp_path}/shared/tic/"
    lines = _import_tic(*files, "--codes", CODES, "-o", url, *cluster_args)
    assert f"tic-v2-single-plan.json: 10 rows -> {url}tic-v2-single-plan.parquet" in lines
    shared = tmp_path / "shared" / "tic"
    # The same files, and no temporary file left beside them
    assert sorted(p.name for p in shared.iterdir()) == sorted(p.name for p in local.iterdir())
    assert _rows(shared) == _rows(local)
    message = refused("market", "import-tic", *files, "--codes", CODES, "-o", url, *cluster_args)
    assert f"{url}tic-v2-single-plan.parquet" in message
    assert "already exist; nothing was written. Fix: pass --force" in message
    _import_tic(*files, "--codes", CODES, "-o", url, "--force", *cluster_args)
    assert _rows(shared) == _rows(local)


def test_a_providers_file_url_as_output_on_the_cluster(scheduler: str, tmp_path: Path) -> None:
    url = f"file://{tmp_path}/shared/providers.parquet"
    said = ran(
        "market", "providers", str(EXTRACT), "--state", "MA", "-o", url, "--scheduler", scheduler
    )
    assert said.endswith(f"6 providers with a program taxonomy in MA -> {url}\n")
    assert pq.read_table(tmp_path / "shared" / "providers.parquet").num_rows == 6


def test_a_file_the_importer_refuses_is_refused_alike_on_the_cluster(
    scheduler: str, tmp_path: Path
) -> None:
    whole = (HERE / PAYER_FILES[1]).read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(whole[: len(whole) // 2])
    here = refused("market", "import-tic", str(cut), "-o", str(tmp_path / "here"))
    there = refused(
        "market", "import-tic", str(cut), "-o", str(tmp_path / "there"), "--scheduler", scheduler
    )
    assert there == here
    assert f"{cut} cannot be read near byte" in there
    assert not (tmp_path / "there").exists() or not any((tmp_path / "there").iterdir())


def test_a_task_that_fails_for_the_cluster_names_the_file_and_the_fix(
    scheduler: str, tmp_path: Path
) -> None:
    # A hospital's file at a web address: run() refuses it with a TypeError, not one of ours
    remote = Remote("https://payer.example/hospital.csv", None, None, None)
    job = Job("hpt", remote, tmp_path / "hospital.parquet", BEHAVIORAL_HEALTH_CODES)
    with pytest.raises(ClusterTaskFailed) as caught:
        list(cluster.run_on_cluster([job], address=scheduler))
    assert str(caught.value).startswith(
        "https://payer.example/hospital.csv: its import failed on the cluster (TypeError: a "
        "hospital's file is read from disk), and the import stopped there. Fix: check that "
        "every worker has sca-rates installed"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["market", "import-tic", str(HERE / PAYER_FILES[1])],
        ["market", "providers", str(EXTRACT), "--state", "MA"],
    ],
)
def test_a_scheduler_that_does_not_answer_is_one_message(
    tmp_path: Path, command: list[str]
) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there: refused at once
    out = tmp_path / "out" / "o.parquet"
    message = refused(*command, "-o", str(out), "--scheduler", address)
    assert len(message.strip().splitlines()) == 1
    assert message.strip().startswith(f"No Dask scheduler answers at {address} (")
    assert f"`dask scheduler` on one machine, then `dask worker {address}`" in message
    assert not out.parent.exists()


def test_a_server_that_is_not_a_scheduler_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers (as HTTP)
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        out = str(tmp_path / "o.parquet")
        message = refused(
            "market", "import-tic", str(HERE / PAYER_FILES[1]), "-o", out, "--scheduler", address
        )
    assert message.strip() == (
        f"What listens at {address} is not a Dask scheduler: it does not answer Dask's "
        "handshake within 0.5 s. Fix: give the address `dask scheduler` prints (port 8786 "
        "unless it was started with another), not its dashboard's"
    )


def test_a_malformed_scheduler_address_is_refused() -> None:
    out = "unused.parquet"
    message = refused(
        "market", "import-tic", str(HERE / PAYER_FILES[1]), "-o", out, "--scheduler", "localhost"
    )
    assert message.strip().startswith("--scheduler localhost is not a scheduler's address (")
    assert "Fix: give the address `dask scheduler` prints" in message


def test_a_scheduler_without_a_worker_says_to_start_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 0.5)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        address = empty.scheduler_address
        out = str(tmp_path / "o.parquet")
        message = refused(
            "market", "import-tic", str(HERE / PAYER_FILES[1]), "-o", out, "--scheduler", address
        )
    assert message.strip().startswith(
        f"The Dask scheduler at {address} has no worker (waited 0.5 s)"
    )
    assert f"Fix: start one with `dask worker {address}`" in message


def test_jobs_are_refused_with_a_scheduler_whose_workers_decide(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    args = ["market", "import-tic", str(HERE / PAYER_FILES[1]), "-o", out, "--jobs", "2"]
    message = refused(*args, "--scheduler", "tcp://127.0.0.1:8786")
    assert message.strip().startswith("--jobs 2 with --scheduler: the cluster's workers decide")
