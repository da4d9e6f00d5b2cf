"""A real headless Chromium (Debian's, driven by Playwright) against the app served on a free
loopback port: for the end-to-end test, the screenshots and the UI benchmark."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Playwright

from tests.net import free_port

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError(
            "Chromium is not installed: run `make browser` (apt-get install chromium)"
        )
    return found


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


@contextmanager
def served_app(script: str = "app.py", timeout_s: float = 60) -> Iterator[str]:
    """`streamlit run SCRIPT` on a free port; yields its URL once the health check answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    # A served app of its own keeps its drafts and log apart: no call left by another run
    scratch = tempfile.TemporaryDirectory()
    env = os.environ | {
        "SCA_DRAFTS_DIR": str(Path(scratch.name) / "drafts"),
        "SCA_DATABASE_URL": f"sqlite:///{Path(scratch.name) / 'log.sqlite'}",
    }
    process = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        scratch.cleanup()
