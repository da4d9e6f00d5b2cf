"""Files that may hold patient information (the SQLite log, its backups, the spreadsheet with
notes or identifiers) are created readable by their owner only: 0600, in new folders 0700.

A file is written only into a folder that exists: a mistyped folder is a message, not a tree of
new folders somewhere unexpected.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sca_rates.exceptions import LogError

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> None:
    """Make ``folder`` and any missing parent owner-only; existing ones are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=FOLDER_MODE, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only unless it exists (SQLite then keeps the mode, and
    gives its -wal and -shm files the same)."""
    with contextlib.suppress(FileExistsError):  # another process made it first: theirs stands
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def check_target(path: Path, *, what: str, new: bool) -> None:
    """Refuse, before anything is read or audited, a target that cannot be written: a missing
    folder, a folder given as the file, or (``new``) a file that exists."""
    if not path.parent.is_dir():
        raise LogError(
            f"cannot write the {what} to {path}: the folder {path.parent} does not exist. "
            "Fix: create the folder first, or give a path in a folder that exists"
        )
    if path.is_dir():
        raise LogError(f"cannot write the {what} to {path}: it is a folder. Fix: name a file")
    if new and path.exists():
        raise LogError(
            f"cannot write the {what} to {path}: the file exists. Fix: choose a new file name"
        )


def write_private_text(path: Path, text: str, *, what: str) -> None:
    """Write ``text`` to ``path`` (replacing it), the file owner-only whether new or not."""
    check_target(path, what=what, new=False)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(descriptor, FILE_MODE)  # an older file keeps its mode through O_CREAT
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    except OSError as exc:
        raise LogError(
            f"cannot write the {what} to {path} ({exc.strerror}). Fix: choose a file you may "
            "write to"
        ) from None
