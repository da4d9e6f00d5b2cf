"""Opening the log's database: SCA_DATABASE_URL checked before anything connects, a new SQLite
file and its new folders created owner-only, and a database that is not a sca-rates log refused
before anything is written to it.

Every way this can fail is one ``LogUnavailable`` that names SCA_DATABASE_URL, says what is wrong
and shows a good value; a password in the URL is never repeated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Connection, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError

from sca_rates.exceptions import LogUnavailable
from sca_rates.store.private import create_private_file, private_folder

SETTING = "SCA_DATABASE_URL"
EXAMPLES = (
    "sqlite:////srv/sca-rates/log.sqlite (a file; three slashes and a relative path, or four "
    "and an absolute one) or postgresql+psycopg://user:password@host:5432/dbname"
)
POSTGRES = "postgresql+psycopg"  # the driver installed with sca-rates (psycopg 3)
CONNECT_TIMEOUT_S = 10  # a server that does not answer is reported, not waited on for minutes


def _unusable(shown: str, what: str, fix: str = f"write it as {EXAMPLES}") -> LogUnavailable:
    return LogUnavailable(f"{SETTING}={shown} {what}. Fix: {fix}")


def _masked(text: str) -> str:
    """The URL as typed, with any password starred: it goes into messages and logs."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", text)


def shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def database_url(text: str) -> URL:
    """SCA_DATABASE_URL as SQLAlchemy reads it, or the one message that says what is wrong."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise _unusable(repr(_masked(text)), "is not a database URL") from None
    kind = url.drivername.split("+")[0]
    if kind in ("postgres", "postgresql") and url.drivername != POSTGRES:
        raise _unusable(
            shown(url),
            f"names PostgreSQL as {url.drivername}://, which SQLAlchemy does not read with the "
            "driver sca-rates installs",
            f"begin it with {POSTGRES}://, e.g. {POSTGRES}://user:password@host:5432/dbname",
        )
    if url.drivername not in ("sqlite", POSTGRES):
        raise _unusable(shown(url), f"names a kind of database, {kind!r}, sca-rates does not use")
    if url.drivername == "sqlite" and url.database in (None, "", ":memory:"):
        raise _unusable(shown(url), "names no file, and a log in memory is lost at exit")
    return url


def engine_options(url: URL) -> dict[str, object]:
    if url.drivername == POSTGRES:
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_S}}
    return {}


def prepare_sqlite_file(url: URL) -> None:
    """A new SQLite log is created owner-only, in folders created owner-only."""
    path = Path(url.database or "")
    try:
        private_folder(path.parent)
        create_private_file(path)
    except OSError as exc:
        raise _unusable(
            shown(url),
            f"names a file that cannot be created ({exc.strerror}: {exc.filename})",
            "choose a file in a folder you may write to, e.g. sqlite:////srv/sca-rates/log.sqlite",
        ) from None


def check_is_log(connection: Connection, revisions: set[str]) -> None:
    """Refuse a database that holds tables and is not a sca-rates log (another application's,
    or a log of a newer sca-rates), before the migrations write anything into it."""
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return  # a new, empty database: the log starts here
    version = None
    if "alembic_version" in tables:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if version in revisions:
        return
    where = shown(connection.engine.url)
    if "sca_requests" in tables:
        raise _unusable(
            where,
            f"is a log written by a newer sca-rates (schema revision {version})",
            "upgrade sca-rates on this machine",
        )
    raise _unusable(
        where,
        f"is not a sca-rates log: it holds other tables ({', '.join(sorted(tables)[:4])})",
        f"point {SETTING} at the log, or at a new file such as sqlite:///var/sca-rates.sqlite",
    )


def said(exc: DBAPIError) -> str:
    """What the database said, in one line (its driver's message, without SQLAlchemy's)."""
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc.orig or exc).__name__


def _locked(url: URL, reason: str) -> LogUnavailable | None:
    """SQLite's answer once its wait for another writer ran out: another process holds the log."""
    if url.drivername != "sqlite" or "database is locked" not in reason:
        return None
    return _unusable(
        shown(url),
        f"is held by another process ({reason}, still after waiting); nothing of this change "
        "was kept",
        "let the other sca-rates (or the program that has the file open) finish, then try again",
    )


@contextmanager
def opening(url: URL) -> Iterator[None]:
    """Turn the database's refusals while opening the log into one message."""
    try:
        yield
    except OperationalError as exc:
        reason = said(exc)
        fix = (
            "check that the file and its folder may be read and written"
            if url.drivername == "sqlite"
            else "check that the server runs and the URL's host, port, user, password and "
            f"database are right, e.g. {POSTGRES}://user:password@host:5432/dbname"
        )
        raise _locked(url, reason) or _unusable(
            shown(url), f"cannot be opened ({reason})", fix
        ) from None
    except DatabaseError as exc:
        reason = said(exc)
        if url.drivername == "sqlite" and "file is not a database" in reason:
            raise _unusable(
                shown(url),
                "is not a sca-rates log (the file is not a database)",
                f"point {SETTING} at the log, or at a new file such as "
                "sqlite:///var/sca-rates.sqlite",
            ) from None
        raise _unusable(
            shown(url),
            f"cannot be opened as the log (the database said: {reason})",
            "act on what the database said (the user in the URL must be allowed to create and "
            f"change tables there; a damaged file is replaced from a backup), or point {SETTING} "
            "at another log",
        ) from None


@contextmanager
def reachable(url: URL) -> Iterator[None]:
    """A log that was opened but went away (the server stopped, the disk filled), is held by
    another process, or refuses a change: one message."""
    try:
        yield
    except OperationalError as exc:
        reason = said(exc)
        raise _locked(url, reason) or _unusable(
            shown(url),
            f"stopped answering ({reason}); nothing of this change was kept",
            "check the server or the disk, then try again",
        ) from None
    except DatabaseError as exc:
        raise _unusable(
            shown(url),
            f"refused the change (the database said: {said(exc)}); nothing of this change was kept",
            "act on what the database said (a rule or a right set on the database by whoever "
            "keeps it), then try again",
        ) from None
