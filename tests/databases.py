"""The databases the log's tests run on: a SQLite file, and PostgreSQL (the server CI starts and
names in SCA_TEST_POSTGRES_URL, else a private throwaway cluster when Debian's postgresql is
installed and the tests run as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.net import free_port

PG_BIN = Path("/usr/lib/postgresql")


def _pg_bin() -> Path | None:
    versions = sorted(PG_BIN.glob("*/bin/initdb")) if PG_BIN.exists() else []
    return versions[-1].parent if versions else None


@contextmanager
def private_postgres() -> Iterator[str | None]:
    """A URL of a fresh PostgreSQL database, or None when none can be had here."""
    given = os.environ.get("SCA_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    binaries = _pg_bin()
    if binaries is None or os.geteuid() != 0 or shutil.which("runuser") is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="sca-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()

    def as_postgres(*command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True
        )

    as_postgres(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=on"
    as_postgres(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(folder / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
