"""Payers' files read from their web addresses: a table of contents listed per plan, in-network
files streamed into the importer from a local HTTP server (a connection dropped mid-file is
resumed and gives the rows of the local file), every failure one message naming the address
and the fix, exit 2, nothing written; and either gzip decompressor gives the same rows."""

from __future__ import annotations

import datetime as dt
import json
import re
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.exceptions import DownloadFailed, InvalidScenario, UnreadableFile
from sca_rates.ingest import remote
from sca_rates.ingest.contents import read_contents
from sca_rates.ingest.inflate import inflater
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES
from sca_rates.ingest.tic import TicReport, read_tic
from tests.cli_runs import refused
from tests.conftest import FIXTURES

HERE = FIXTURES / "transparency"
EVRY = HERE / "evry-health-in-network-rates-2025-06-23.json.gz"  # 2.2 MB compressed
SINGLE = HERE / "tic-v2-single-plan.json"
CONTENTS = HERE / "table-of-contents-sample.json"


@dataclass
class Served:
    """What the test server sends, and what it was asked."""

    files: dict[str, bytes]
    drops: dict[int, int] = field(default_factory=dict)  # request number -> bytes sent first
    ranges: bool = True  # whether Range is answered (206) or ignored (200, the whole file)
    changing: bool = False  # a new ETag at each request: the file changes under the reader
    busy_from: int | None = None  # from this request number on, 503 Service Unavailable
    # request number -> the status answered instead of the file, and its Retry-After (if any)
    refusals: dict[int, tuple[int, str | None]] = field(default_factory=dict)
    asked: list[str | None] = field(default_factory=list)  # each request's Range header
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(served: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # the name http.server calls
            with served.lock:
                served.asked.append(self.headers.get("Range"))
                number = len(served.asked)
            if number in served.refusals:
                self._refuse(*served.refusals[number])
                return
            data = served.files.get(self.path)
            if data is None or (served.busy_from is not None and number >= served.busy_from):
                self.send_error(404 if data is None else 503)
                return
            start = 0
            wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if wanted and served.ranges:
                start = int(wanted[1])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", f'"v{number if served.changing else 1}"')
            self.send_header("Last-Modified", "Mon, 23 Jun 2025 00:00:00 GMT")
            self.end_headers()
            body = data[start:]
            if number in served.drops:  # the connection drops mid-file
                body = body[: served.drops[number]]
                self.close_connection = True
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the reader had all it wanted
                self.close_connection = True

        def _refuse(self, status: int, retry_after: str | None) -> None:
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def _server(served: Served, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """A server on a free loopback port, stopped on leaving; yields its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    server.daemon_threads = True
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries at once: the backoff's length is not what these tests are about."""
    monkeypatch.setattr(remote, "BACKOFF_S", 0.0)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each retry would have waited, none of them waited."""
    waited: list[float] = []
    monkeypatch.setattr(remote, "sleep", waited.append)
    monkeypatch.setattr(remote, "BACKOFF_S", 1.0)
    return waited


def _rows(source: str | Path, report: TicReport | None = None) -> list[dict[str, object]]:
    return list(read_tic(source, codes=BEHAVIORAL_HEALTH_CODES, report=report))


def test_a_connection_dropped_mid_file_is_resumed_and_gives_the_local_rows() -> None:
    # requests: 1 describes the file, 2 the first pass (dropped), 3 its resumption (it stops
    # where the items begin), 4 the scan (dropped), 5 its resumption
    served = Served({f"/{EVRY.name}": EVRY.read_bytes()}, drops={2: 100, 4: 700_000})
    read: list[int] = []
    with _server(served) as address:
        rows = list(
            read_tic(f"{address}/{EVRY.name}", codes=BEHAVIORAL_HEALTH_CODES, progress=read.append)
        )
    assert rows == _rows(EVRY)
    assert len(rows) == 244
    assert served.asked == [None, None, "bytes=100-", None, "bytes=700000-"]
    assert sum(read) == EVRY.stat().st_size  # the progress bar counts each byte once


def test_the_cli_imports_an_address_as_it_imports_the_file(tmp_path: Path) -> None:
    served = Served({f"/files/{EVRY.name}": EVRY.read_bytes()}, drops={2: 1_000_000})
    with _server(served) as address:
        result = CliRunner().invoke(
            app, ["market", "import-tic", f"{address}/files/{EVRY.name}", "-o", str(tmp_path)]
        )
    assert result.exit_code == 0, result.output
    local = tmp_path / "local.parquet"
    CliRunner().invoke(app, ["market", "import-tic", str(EVRY), "-o", str(local)])
    imported = tmp_path / EVRY.name.replace(".json.gz", ".parquet")
    assert pq.read_table(imported).equals(pq.read_table(local))
    assert f"{EVRY.name}: 244 rows" in result.stderr


def test_a_server_that_ignores_ranges_sends_the_file_again_and_it_is_said() -> None:
    served = Served({f"/{SINGLE.name}": SINGLE.read_bytes()}, drops={2: 1_500}, ranges=False)
    report = TicReport()
    with _server(served) as address:
        url = f"{address}/{SINGLE.name}"
        rows = list(read_tic(url, codes=frozenset({"27447"}), report=report))
    assert rows == list(read_tic(SINGLE, codes=frozenset({"27447"})))
    assert served.asked[2] == "bytes=1500-"
    assert report.warnings == [
        f"the server of {url} does not resume a download (it ignored a range "
        "request), so the file was downloaded again from its start"
    ]


def test_a_file_that_changes_while_it_is_read_is_refused_and_nothing_written(
    tmp_path: Path,
) -> None:
    served = Served({f"/{EVRY.name}": EVRY.read_bytes()}, changing=True)
    with _server(served) as address:
        url = f"{address}/{EVRY.name}"
        message = refused("market", "import-tic", url, "-o", str(tmp_path / "out"))
    assert message.strip().startswith(f"{url} changed on its server while it was being read")
    assert "Fix: run the import again" in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_connection_that_keeps_failing_is_given_up_naming_the_byte(tmp_path: Path) -> None:
    served = Served({f"/{EVRY.name}": EVRY.read_bytes()}, drops={2: 500_000}, busy_from=3)
    with _server(served) as address:
        url = f"{address}/{EVRY.name}"
        message = refused("market", "import-tic", url, "-o", str(tmp_path / "out"))
    assert message.strip().startswith(
        f"{url} could not be read whole: {remote.RETRIES} attempts in a row to read on from "
        "byte 500,000 failed (last: the server answered 503 Service Unavailable)"
    )
    assert "Fix: try again later" in message
    assert len(served.asked) == 2 + remote.RETRIES
    assert not any((tmp_path / "out").glob("*"))


def test_a_first_connection_that_keeps_failing_counts_every_attempt_made(
    tmp_path: Path,
) -> None:
    # request 1 describes the file; every later one is answered 503: the first attempt to read
    # it and its RETRIES retries
    served = Served({f"/{EVRY.name}": EVRY.read_bytes()}, busy_from=2)
    with _server(served) as address:
        url = f"{address}/{EVRY.name}"
        message = refused("market", "import-tic", url, "-o", str(tmp_path / "out"))
    made = len(served.asked) - 1
    assert made == remote.RETRIES + 1
    assert message.strip().startswith(
        f"{url} could not be read whole: {made} attempts in a row to read it failed "
        "(last: the server answered 503 Service Unavailable)"
    )
    assert not any((tmp_path / "out").glob("*"))


def test_a_busy_server_is_asked_again_after_the_wait_it_names(waits: list[float]) -> None:
    # a Retry-After in seconds is waited (at most RETRY_AFTER_CAP_S); without one, or as an
    # HTTP date, the backoff: 1 s, then twice as long each time after
    served = Served(
        {f"/{SINGLE.name}": SINGLE.read_bytes()},
        refusals={
            1: (429, "7"),
            2: (503, "3600"),
            3: (502, None),
            4: (504, "Wed, 21 Oct 2015 07:28:00 GMT"),
        },
    )
    with _server(served) as address:
        rows = list(read_tic(f"{address}/{SINGLE.name}", codes=frozenset({"27447"})))
    assert rows == list(read_tic(SINGLE, codes=frozenset({"27447"})))
    assert waits == [7.0, remote.RETRY_AFTER_CAP_S, 4.0, 8.0]
    assert remote.RETRY_AFTER_CAP_S == 30.0
    assert served.asked[:5] == [None] * 5  # four refused descriptions, then the one answered


def test_a_reading_that_is_throttled_waits_as_the_server_says(waits: list[float]) -> None:
    served = Served({f"/{SINGLE.name}": SINGLE.read_bytes()}, refusals={2: (429, "5")})
    with _server(served) as address:
        rows = list(read_tic(f"{address}/{SINGLE.name}", codes=frozenset({"27447"})))
    assert rows == list(read_tic(SINGLE, codes=frozenset({"27447"})))
    assert waits == [5.0]


def test_a_server_that_stays_busy_is_given_up_with_one_message(
    tmp_path: Path, waits: list[float]
) -> None:
    attempts = remote.RETRIES + 1
    refusals: dict[int, tuple[int, str | None]] = {n: (429, "1") for n in range(1, attempts + 2)}
    served = Served({f"/{EVRY.name}": EVRY.read_bytes()}, refusals=refusals)
    with _server(served) as address:
        url = f"{address}/{EVRY.name}"
        message = refused("market", "import-tic", url, "-o", str(tmp_path / "out"))
    assert message.strip().startswith(
        f"{url} cannot be read: {attempts} requests in a row were refused (last: the server "
        "answered 429 Too Many Requests); its server is busy, or limits how often it is asked. "
        "Fix: try again later"
    )
    assert len(served.asked) == attempts
    assert waits == [1.0] * remote.RETRIES
    assert not any((tmp_path / "out").glob("*"))


def test_an_address_not_found_is_one_message_with_the_fix(tmp_path: Path) -> None:
    with _server(Served({})) as address:
        message = refused("market", "import-tic", f"{address}/gone.json", "-o", str(tmp_path))
    assert message.startswith(f"{address}/gone.json was not found (the server answered 404")
    assert "market fetch-index" in message
    assert list(tmp_path.iterdir()) == []


def test_a_host_that_does_not_exist_is_named() -> None:
    with pytest.raises(DownloadFailed, match=r"the host no-such-host\.invalid cannot be found"):
        _rows("https://no-such-host.invalid/in-network.json.gz")


def test_a_certificate_that_cannot_be_verified_is_refused(tmp_path: Path) -> None:
    with _server(Served({"/f.json": SINGLE.read_bytes()}), _self_signed(tmp_path)) as address:
        message = refused("market", "import-tic", f"{address}/f.json", "-o", str(tmp_path))
    assert message.startswith(f"{address}/f.json cannot be read: the secure connection")
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert not list(tmp_path.glob("*.parquet"))


def _self_signed(folder: Path) -> ssl.SSLContext:
    """A server context with a certificate no authority signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


# The table of contents


def test_fetch_index_lists_each_plan_with_its_files() -> None:
    result = CliRunner().invoke(app, ["market", "fetch-index", str(CONTENTS)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "medicare: table of contents of 2023-04-19, 3 plans listed"
    chip = lines.index("chip (HIOS 3333333333, group market)")
    assert lines[chip + 1 : chip + 3] == [
        "  in-network file: https://www.some_site.com/files/chip-in-network-file.json",
        "  allowed amounts: https://www.some_site.com/files/chip-allowed-amount-file.json",
    ]
    medicaid = lines.index("medicaid (HIOS 1111111111, individual market)")
    assert lines[medicaid + 2] == (
        "  behavioral in-network shared file: "
        "https://www.some_site.com/files/behavioral-health-0000.json"
    )


def test_fetch_index_chooses_plans_by_name_or_ein_and_prints_json(tmp_path: Path) -> None:
    data = json.loads(CONTENTS.read_text())
    data["reporting_structure"][1]["reporting_plans"][0] |= {
        "plan_id_type": "EIN",
        "plan_id": "123456789",
    }
    contents = tmp_path / "toc.json"
    contents.write_text(json.dumps(data))
    by_ein = json.loads(
        _invoke("market", "fetch-index", str(contents), "--ein", "12-3456789", "--json")
    )
    assert (by_ein["plans_listed"], [p["plan_name"] for p in by_ein["plans"]]) == (3, ["chip"])
    assert by_ein["plans"][0]["in_network_files"] == [
        {
            "description": "in-network file",
            "location": "https://www.some_site.com/files/chip-in-network-file.json",
        }
    ]
    by_name = read_contents(contents, plan="MEDIC")
    assert [p.plan_name for p in by_name.plans] == ["medicaid", "medicare"]
    none = _invoke("market", "fetch-index", str(contents), "--plan", "dental")
    assert "3 plans listed, 0 chosen" in none
    assert "No plan matches" in none


def test_fetch_index_reads_a_table_of_contents_by_its_address() -> None:
    served = Served({"/toc.json": CONTENTS.read_bytes()})
    with _server(served) as address:
        contents = read_contents(f"{address}/toc.json", plan="chip")
    assert contents.source == f"{address}/toc.json"
    assert [f.location for f in contents.plans[0].in_network_files] == [
        "https://www.some_site.com/files/chip-in-network-file.json"
    ]


def test_fetch_index_says_an_in_network_file_is_not_a_table_of_contents() -> None:
    message = refused("market", "fetch-index", str(SINGLE))
    assert "is an in-network rates file, not a table of contents" in message
    assert "market import-tic" in message


def test_fetch_index_names_an_entry_without_a_location(tmp_path: Path) -> None:
    data = json.loads(CONTENTS.read_text())
    del data["reporting_structure"][1]["in_network_files"][0]["location"]
    contents = tmp_path / "toc.json"
    contents.write_text(json.dumps(data))
    with pytest.raises(UnreadableFile, match=r"reporting_structure\[1\]\.in_network_files\[0\]"):
        read_contents(contents)


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


# Decompression


@pytest.mark.parametrize("source", [EVRY, HERE / "tic-v2-multiple-plans.json"])
def test_either_decompressor_gives_the_same_rows(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if source.suffix != ".gz":  # a small file, compressed here
        import gzip

        compressed = tmp_path / f"{source.name}.gz"
        compressed.write_bytes(gzip.compress(source.read_bytes()))
        source = compressed
    found = {}
    for name in ("zlib", "isal"):
        monkeypatch.setenv("SCA_INFLATER", name)
        assert inflater() == name
        report = TicReport()
        rows = list(read_tic(source, codes=frozenset({"27447", "90837"}), report=report))
        found[name] = (rows, report)
    assert found["isal"] == found["zlib"]
    assert found["isal"][0]


def test_an_unknown_decompressor_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCA_INFLATER", "pigz")
    with pytest.raises(InvalidScenario, match="SCA_INFLATER='pigz'"):
        inflater()


@pytest.mark.parametrize("inflater", ["isal", "zlib"])
def test_a_damaged_gzip_file_is_one_message_with_either_inflater(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inflater: str
) -> None:
    # Not gzip at all: isal and zlib each raise their own error, neither an OSError
    monkeypatch.setenv("SCA_INFLATER", inflater)
    bad = tmp_path / "payer.json.gz"
    bad.write_bytes(b"not a gzip file, whatever its name says")
    read = f"{bad} cannot be read near uncompressed byte 0"
    assert read in refused("market", "fetch-index", str(bad))
    assert read in refused("market", "import-tic", str(bad), "-o", str(tmp_path / "out"))


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (
            "/no/such/index.json",
            "cannot be opened (No such file or directory). Fix: check the path",
        ),
        ("https://[bad/index.json", "is not a web address that can be read (Invalid IPv6 URL)"),
        ("https:///index.json", "is not a web address that can be read (it names no host)"),
    ],
)
def test_an_index_that_cannot_be_opened_is_one_message(source: str, words: str) -> None:
    assert words in refused("market", "fetch-index", source)
