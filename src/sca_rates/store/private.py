"""Files that may hold patient information (the SQLite log, its backups, the spreadsheet with
notes or identifiers) are created readable by their owner only: 0600, in new folders 0700.

A file is written only into a folder that exists: a mistyped folder is a message, not a tree of
new folders somewhere unexpected.
"""

from __future__ import annotations

import contextlib
import errno
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


def new_private_file(path: Path, *, what: str) -> None:
    """Create ``path`` empty and owner-only, refusing one that exists (even one made a moment
    ago by another process: it is not ours to fill, nor to remove)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        raise LogError(
            f"cannot write the {what} to {path}: the file exists. Fix: choose a new file name"
        ) from None
    except OSError as exc:
        raise unwritable(path, what, exc) from None


def unwritable(path: Path, what: str, exc: OSError) -> LogError:
    """The one message for a file the system would not let us write (a folder we may not
    write to, a name too long, a place such as /proc where no file can be made)."""
    reason = exc.strerror or type(exc).__name__
    fix = {
        errno.ENAMETOOLONG: "give a shorter file name",
        errno.ENOSPC: "free space on that disk, or choose a folder on another",
    }.get(exc.errno or 0, "choose a file in a folder you may write to, such as your home folder")
    return LogError(f"cannot write the {what} to {path} ({reason}). Fix: {fix}")


def check_target(path: Path, *, what: str, new: bool) -> None:
    """Refuse, before anything is read or audited, a target that cannot be written: a missing
    folder, a folder given as the file, (``new``) a file that exists, or a path the system
    cannot even look at (a name too long)."""
    try:
        _check_target(path, what=what, new=new)
    except OSError as exc:
        raise unwritable(path, what, exc) from None


def _check_target(path: Path, *, what: str, new: bool) -> None:
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
        raise unwritable(path, what, exc) from None
