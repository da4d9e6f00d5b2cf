"""The log against bad input and careless handling: a mistyped or unreachable database is one
message (and pricing goes on without it), bad files and values are refused by name, nothing is
doubled or lost, files with patient information are owner-only, the spreadsheet runs no formula,
one key per log, notes encrypted, and every export and backup audited with who did it."""

import base64
import datetime as dt
import hmac
import json
import os
import re
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
import streamlit
from alembic import command as alembic
from alembic.config import Config
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner, Result

from sca_rates import store
from sca_rates.cli import app
from sca_rates.exceptions import InvalidLogFile, LogError, LogUnavailable, PatientKeyError
from sca_rates.logbook import CsvRow, from_csv, neutralized, new_requests, to_csv, unquoted
from sca_rates.models.log import LoggedOffer, LoggedRequest, PatientIdentifiers
from sca_rates.settings import Settings
from sca_rates.store import log as store_log
from sca_rates.store.crypto import Cipher, new_key
from sca_rates.store.log import MIGRATIONS
from sca_rates.ui import state
from sca_rates.ui.log_page import _audited_csv
from tests.conftest import PROJECT
from tests.net import free_port
from tests.test_cli_negotiate import CASE, MARKET, _seed_a_fitted_log

KEY = new_key()
SAME = (
    "(the same in every column; blank notes and payer contacts, as an export without "
    "SCA_PATIENT_KEY leaves them, are not compared, and the log's own are kept)"
)
PATIENT = PatientIdentifiers(name="Pat Doe", date_of_birth=dt.date(1990, 4, 12), member_id="M-1")


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _request(**changes: object) -> LoggedRequest:
    base = LoggedRequest(
        payer="aetna",
        level_of_care="PHP",
        requested_on=dt.date(2026, 11, 2),
        opening_usd=616,
        offers=(LoggedOffer(side="payer", per_unit_usd=540, text="$540/day"),),
    )
    return base.model_copy(update=changes)


def _url() -> str:
    return Settings().database_url


def _rows(sql: str) -> list[tuple[object, ...]]:
    engine = store.connect(_url())
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def _one_message(result: Result) -> str:
    """A person's error: exit 2, no traceback, the message on stderr."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stderr


# 1. A mistyped or unreachable SCA_DATABASE_URL, for every command that opens the log


def _bad_urls(tmp_path: Path) -> dict[str, str]:
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder")
    return {
        "sqlite:/x": "is not a database URL",
        "var/x.sqlite": "is not a database URL",
        "postgres://clerk:s3cret@localhost/sca": "postgresql+psycopg://",
        "sqllite:///tmp/x.sqlite": "'sqllite'",
        f"sqlite:///{a_file}/sub/log.sqlite": "cannot be created",
        f"postgresql+psycopg://clerk:s3cret@127.0.0.1:{free_port()}/sca": "cannot be opened",
    }


def _log_commands(tmp_path: Path) -> list[list[str]]:
    sheet = tmp_path / "in.csv"
    sheet.write_text(to_csv([_request()]))
    return [
        ["log", "list"],
        ["log", "stats"],
        ["log", "calibrate", "aetna"],
        ["log", "outcome", "1", "--outcome", "approved"],
        ["log", "add", CASE, "--market-data", MARKET],
        ["log", "export", str(tmp_path / "out.csv")],
        ["log", "import", str(sheet)],
        ["log", "backup", str(tmp_path / "copy.sqlite")],
    ]


def test_every_log_command_names_a_bad_database_url_and_a_good_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for url, what in _bad_urls(tmp_path).items():
        monkeypatch.setenv("SCA_DATABASE_URL", url)
        for command in _log_commands(tmp_path):
            message = _one_message(_cli(*command))
            assert message.startswith("SCA_DATABASE_URL="), (url, command, message)
            assert what in message, (url, command, message)
            assert "Fix: " in message
            assert "s3cret" not in message  # a password is never repeated
            assert len(message.strip().splitlines()) == 1


def test_a_bad_url_is_refused_before_anything_is_created(tmp_path: Path) -> None:
    with pytest.raises(LogUnavailable, match=re.escape("postgresql+psycopg://user:password@")):
        store.connect(f"sqllite:///{tmp_path / 'x.sqlite'}")
    assert list(tmp_path.iterdir()) == []


# 2. Pricing needs no log


@pytest.mark.parametrize("command", ["recommend", "simulate"])
def test_pricing_works_without_a_log_and_says_why_in_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_log = tmp_path / "notes.txt"
    not_a_log.write_text("a text file, not the log\n" * 200)
    for url in ("postgres://localhost/sca", f"sqlite:///{not_a_log}"):
        monkeypatch.setenv("SCA_DATABASE_URL", url)
        sized = ["--n", "500"] if command == "simulate" else []
        result = _cli(command, CASE, "--market-data", MARKET, "--json", *sized)
        assert result.exit_code == 0, result.output
        (warning,) = result.stderr.strip().splitlines()
        assert warning.startswith("warning: the payer's fitted acceptance curve is left out: ")
        assert "SCA_DATABASE_URL" in warning
    assert not_a_log.read_text().startswith("a text file")  # untouched


def test_a_malformed_key_does_not_stop_pricing_nor_its_fitted_curve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _seed_a_fitted_log()
    monkeypatch.setenv("SCA_PATIENT_KEY", "not-a-fernet-key")
    result = _cli("recommend", CASE, "--market-data", MARKET, "--json")
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout)["fitted_opening_usd"], float)  # needs no key


def test_the_call_desk_prices_without_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_DATABASE_URL", f"postgresql+psycopg://x@127.0.0.1:{free_port()}/x")
    monkeypatch.setenv("SCA_PATIENT_KEY", "not-a-fernet-key")
    at = AppTest.from_string(
        "from sca_rates.ui import call_desk\ncall_desk.render_page()", default_timeout=60
    ).run()
    assert not at.exception
    assert not at.error
    left_out = [w.value for w in at.warning if "fitted acceptance curve is left out" in w.value]
    assert len(left_out) == 1
    assert "SCA_DATABASE_URL" in left_out[0]
    assert any(m.value.startswith("Opening **") for m in at.markdown)


# 3. Files that are not what they should be


def test_importing_a_binary_file_is_one_message(tmp_path: Path) -> None:
    workbook = tmp_path / "log.xlsx"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)))
    message = _one_message(_cli("log", "import", str(workbook)))
    assert str(workbook) in message
    assert "CSV UTF-8" in message


def test_export_into_a_missing_folder_writes_nothing_and_audits_nothing(tmp_path: Path) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(session=session, request=_request(), actor="x")
    target = tmp_path / "missing" / "log.csv"
    message = _one_message(_cli("log", "export", str(target)))
    assert "does not exist" in message
    assert not target.parent.exists()
    assert _rows("SELECT action FROM audit WHERE action = 'export'") == []


def test_backup_into_a_missing_folder_is_one_message(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "copy.sqlite"
    message = _one_message(_cli("log", "backup", str(target)))
    assert f"the folder {target.parent} does not exist" in message
    assert not target.parent.exists()


def test_a_file_that_is_not_the_log_is_refused_and_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other-app.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    connection.close()
    words = tmp_path / "words.txt"
    words.write_text("hello\n" * 500)
    for path in (other, words):
        before = path.read_bytes()
        monkeypatch.setenv("SCA_DATABASE_URL", f"sqlite:///{path}")
        for command in (["log", "list"], ["log", "stats"]):
            assert "is not a sca-rates log" in _one_message(_cli(*command))
        assert path.read_bytes() == before


# 4. Values refused by name; nothing doubled


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"patient_date_of_birth": "2999-01-01"}, "column patient_date_of_birth"),
        ({"agreed_rate_usd": "-450"}, "column agreed_rate_usd"),
        ({"decided_on": "2026-10-01"}, "column decided_on"),
    ],
)
def test_the_import_refuses_an_impossible_value_by_line_and_column(
    change: dict[str, str], column: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_PATIENT_KEY", KEY)
    good = {"requested_on": "2026-11-02", "payer": "aetna", "level_of_care": "PHP"}
    row = good | change
    sheet = tmp_path / "in.csv"
    sheet.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    message = _one_message(_cli("log", "import", str(sheet)))
    assert f"line 2, {column}" in message
    assert "Fix: " in message
    assert _rows("SELECT id FROM sca_requests") == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (["--rate", "-5"], "agreed_rate_usd"),
        (["--decided-on", "2026-10-01"], "decided_on"),
    ],
)
def test_an_outcome_is_refused_by_field_and_nothing_changes(options: list[str], field: str) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(session=session, request=_request(), actor="x")
    message = _one_message(_cli("log", "outcome", "1", "--outcome", "approved", *options))
    assert f"request 1 was not changed: {field}: " in message
    assert "Fix: " in message
    assert _rows("SELECT outcome, agreed_rate_usd FROM sca_requests") == [("pending", None)]


def test_importing_the_same_spreadsheet_twice_doubles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_PATIENT_KEY", KEY)
    rows = [_request(patient=PATIENT, notes="spoke with Dana"), _request(payer="cigna")]
    sheet = tmp_path / "log.csv"
    sheet.write_text(to_csv(rows, with_identifiers=True))
    assert _cli("log", "import", str(sheet)).stdout.startswith("imported 2 requests")
    again = _cli("log", "import", str(sheet))
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        f"imported 0 requests from {sheet}",
        f"skipped 2 rows already in the log {SAME}",
    ]
    grown = tmp_path / "grown.csv"
    grown.write_text(to_csv([*rows, _request(payer="humana")], with_identifiers=True))
    assert _cli("log", "import", str(grown)).stdout.startswith("imported 1 requests")
    assert len(_rows("SELECT id FROM sca_requests")) == 3


def test_an_export_imported_again_doubles_nothing_and_two_equal_new_rows_both_count() -> None:
    logged = [_request(), _request(payer="cigna")]
    exported = from_csv(to_csv(logged), source="log.csv")
    assert new_requests(exported, logged) == ([], 2)
    twice = from_csv(to_csv([_request(payer="humana")] * 2), source="log.csv")
    new, skipped = new_requests(twice, logged)
    assert (len(new), skipped) == (2, 0)


# 5. Owner-only files


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_its_folders_backups_and_exports_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    previous = os.umask(0o022)  # the umask a person most often has: group and others may read
    request.addfinalizer(lambda: os.umask(previous))
    database = tmp_path / "new" / "deeper" / "log.sqlite"
    monkeypatch.setenv("SCA_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("SCA_PATIENT_KEY", KEY)
    with store.transaction(store.connect(_url())) as session:
        store.add_request(
            session=session, request=_request(patient=PATIENT), actor="x", cipher=Cipher(KEY)
        )
    assert (_mode(tmp_path / "new"), _mode(database.parent)) == (0o700, 0o700)
    assert _mode(database) == 0o600
    assert all(_mode(p) == 0o600 for p in database.parent.iterdir())  # with -wal and -shm
    assert _cli("log", "backup", str(tmp_path / "copy.sqlite")).exit_code == 0
    assert _mode(tmp_path / "copy.sqlite") == 0o600
    old = tmp_path / "old.csv"
    old.write_text("an older export, world-readable")
    old.chmod(0o644)
    for target in (tmp_path / "new.csv", old):
        assert _cli("log", "export", str(target), "--with-identifiers").exit_code == 0
        assert _mode(target) == 0o600
        assert "Pat Doe" in target.read_text()


# 6. No formula runs from the spreadsheet


def test_a_formula_in_a_note_is_exported_as_text() -> None:
    sheet = to_csv([_request(notes='=HYPERLINK("http://x","y")', payer_contact="@desk")])
    assert ",'@desk," in sheet
    assert "'=HYPERLINK" in sheet
    (back,) = from_csv(sheet, source="log.csv")
    assert (back.notes, back.payer_contact) == ('=HYPERLINK("http://x","y")', "@desk")


@given(st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "''", ""]), st.text(max_size=20))
def test_the_quote_round_trip_is_lossless(start: str, rest: str) -> None:
    cell = start + rest
    assert unquoted(neutralized(cell)) == cell
    assert not neutralized(cell).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(
    st.sampled_from(["=", "+", "-", "@", "'", ""]),
    st.text(st.characters(categories=["L", "N", "P", "S"]), max_size=12),
)
def test_notes_round_trip_through_the_spreadsheet(start: str, rest: str) -> None:
    note = (start + rest).strip()
    (back,) = from_csv(to_csv([_request(notes=note)]), source="log.csv")
    assert back.notes == note


# 7. Secrets and patient files out of version control


@pytest.mark.parametrize("path", [".streamlit/secrets.toml", "agreements/aetna-doe.private.yaml"])
def test_secrets_and_private_agreements_are_ignored_by_git(path: str) -> None:
    done = subprocess.run(["git", "check-ignore", "-q", path], cwd=PROJECT, check=False)
    assert done.returncode == 0


# 8. One key per log


def test_a_second_key_is_refused_and_the_first_still_reads() -> None:
    engine = store.connect(_url())
    first, second = Cipher(KEY), Cipher(new_key())
    with store.transaction(engine) as session:
        store.add_request(
            session=session, request=_request(patient=PATIENT), cipher=first, actor="x"
        )
    with (
        pytest.raises(PatientKeyError, match="started with another key"),
        store.transaction(engine) as session,
    ):
        store.add_request(session=session, request=_request(notes="x"), cipher=second, actor="x")
    with store.transaction(engine) as session:
        assert len(store.list_requests(session=session, cipher=first)) == 1
    ((fingerprint,),) = _rows("SELECT value FROM log_settings")
    assert fingerprint == first.fingerprint != second.fingerprint
    # an HMAC of a fixed label under the key's 32 bytes: neither the key nor its text
    label = b"sca-rates patient key fingerprint v1"
    assert fingerprint == hmac.new(base64.urlsafe_b64decode(KEY), label, "sha256").hexdigest()


def test_an_older_log_first_opened_with_another_key_records_no_key() -> None:
    engine = store.connect(_url())
    with store.transaction(engine) as session:
        store.add_request(
            session=session, request=_request(patient=PATIENT), cipher=Cipher(KEY), actor="x"
        )
    with engine.begin() as connection:  # as a log of the version before fingerprints
        connection.execute(text("DELETE FROM log_settings"))
    with pytest.raises(PatientKeyError), store.transaction(engine) as session:
        store.list_requests(session=session, cipher=Cipher(new_key()))
    assert _rows("SELECT value FROM log_settings") == []


def test_the_cli_refuses_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(
            session=session, request=_request(patient=PATIENT), cipher=Cipher(KEY), actor="x"
        )
    monkeypatch.setenv("SCA_PATIENT_KEY", new_key())
    assert "started with another key" in _one_message(_cli("log", "list"))


# 9. Notes and contacts encrypted


def test_notes_and_contacts_are_ciphertext_at_rest_and_read_with_the_key() -> None:
    engine = store.connect(_url())
    request = _request(notes="Pat Doe's mother called", payer_contact="Dana at Aetna, x221")
    with store.transaction(engine) as session:
        store.add_request(session=session, request=request, cipher=Cipher(KEY), actor="x")
    path = Path(_url().removeprefix("sqlite:///"))
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    assert all(b"Pat Doe" not in p.read_bytes() and b"Dana" not in p.read_bytes() for p in files)
    with store.transaction(engine) as session:
        (shown,) = store.list_requests(session=session, cipher=Cipher(KEY))
        (hidden,) = store.list_requests(session=session)
    assert (shown.notes, shown.payer_contact, shown.notes_sealed) == (
        request.notes,
        request.payer_contact,
        False,
    )
    assert (hidden.notes, hidden.payer_contact, hidden.notes_sealed) == ("", None, True)


def test_notes_without_a_key_are_refused_not_kept_in_the_clear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SCA_PATIENT_KEY", raising=False)
    message = _one_message(_cli("log", "add", CASE, "--market-data", MARKET, "--notes", "Pat"))
    assert "SCA_PATIENT_KEY" in message
    assert _rows("SELECT id FROM sca_requests") == []


def test_plain_notes_of_an_older_log_are_encrypted_at_the_first_key() -> None:
    engine = store.connect(_url())
    with store.transaction(engine) as session:
        store.add_request(session=session, request=_request(), actor="x")
    with engine.begin() as connection:  # as revision 0001 kept them
        connection.execute(
            text("UPDATE sca_requests SET notes = 'Pat Doe', payer_contact = 'Dana'")
        )
    with store.transaction(engine) as session:
        (before,) = store.list_requests(session=session)
        (after,) = store.list_requests(session=session, cipher=Cipher(KEY))
    assert (before.notes, after.notes, after.payer_contact) == ("Pat Doe", "Pat Doe", "Dana")
    assert _rows("SELECT notes, payer_contact FROM sca_requests") == [("", None)]


# 10. Who acted, and every export audited


def test_the_app_names_the_signed_in_person(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCA_ACTOR", "front-desk")
    monkeypatch.setattr(streamlit, "user", {"is_logged_in": True, "email": "dana@center.org"})
    assert state.actor() == "dana@center.org"
    monkeypatch.setattr(streamlit, "user", {"is_logged_in": True, "name": "Dana Lee"})
    assert state.actor() == "Dana Lee"
    monkeypatch.setattr(streamlit, "user", {"is_logged_in": False, "email": "dana@center.org"})
    assert state.actor() == "front-desk"


def test_exports_and_backups_are_audited_with_who(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_ACTOR", "dana")
    monkeypatch.setenv("SCA_PATIENT_KEY", KEY)
    with store.transaction(store.connect(_url())) as session:
        store.add_request(
            session=session, request=_request(patient=PATIENT), cipher=Cipher(KEY), actor="x"
        )
        store.add_request(session=session, request=_request(payer="cigna"), actor="x")
    assert _cli("log", "export", str(tmp_path / "plain.csv")).exit_code == 0
    assert _cli("log", "export", str(tmp_path / "ids.csv"), "--with-identifiers").exit_code == 0
    assert _cli("log", "backup", str(tmp_path / "copy.sqlite")).exit_code == 0
    audited = _rows("SELECT actor, action, request_id, detail FROM audit WHERE actor = 'dana'")
    assert audited == [
        ("dana", "export", None, f"{tmp_path / 'plain.csv'}: 2 requests"),
        ("dana", "export", 1, ""),  # the one request whose identifiers were shown
        ("dana", "export", None, f"{tmp_path / 'ids.csv'}: 2 requests, with patient identifiers"),
        ("dana", "backup", None, str(tmp_path / "copy.sqlite")),
    ]


def test_the_log_pages_download_is_audited(monkeypatch: pytest.MonkeyPatch) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(session=session, request=_request(), actor="x")
    monkeypatch.setenv("SCA_ACTOR", "dana")
    engine = state.log_engine()
    with store.transaction(engine) as session:
        requests = store.list_requests(session=session)
    sheet = _audited_csv(engine, requests, "dana")()
    assert sheet.startswith("requested_on,payer")
    assert _rows("SELECT actor, action FROM audit WHERE action = 'export'") == [("dana", "export")]


def test_a_log_of_revision_0001_upgrades_and_keeps_its_notes() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", _url())
    alembic.upgrade(config, "0001")  # a log as the version before this one left it
    with sqlite3.connect(_url().removeprefix("sqlite:///")) as connection:
        connection.execute(
            "INSERT INTO sca_requests (payer, level_of_care, code, region, unit, expected_units,"
            " triggers, requested_on, outcome, reauthorization_due, notes, acted_by)"
            " VALUES ('aetna', 'PHP', '', '', 'day', 0, '', '2026-11-02', 'pending', '',"
            " 'Dana said yes', 'x')"
        )
    connection.close()
    engine = store.connect(_url())
    with store.transaction(engine) as session:
        (plain,) = store.list_requests(session=session)
        (opened,) = store.list_requests(session=session, cipher=Cipher(KEY))
    assert plain.notes == opened.notes == "Dana said yes"
    assert _rows("SELECT notes, notes_enc IS NOT NULL FROM sca_requests") == [("", 1)]


# 11. What a review of the above found


def test_a_key_pasted_with_a_newline_or_spaces_is_the_same_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(
            session=session,
            request=_request(notes="spoke with Dana"),
            cipher=Cipher(KEY),
            actor="x",
        )
    assert Cipher(KEY + "\n").fingerprint == Cipher(f" {KEY} \r\n").fingerprint
    assert Cipher(KEY + "\n").fingerprint == Cipher(KEY).fingerprint
    monkeypatch.setenv("SCA_PATIENT_KEY", KEY + "\n")  # as a password manager may paste it
    result = _cli("log", "list", "--json")
    assert result.exit_code == 0, result.output
    assert [r["notes"] for r in json.loads(result.stdout)] == ["spoke with Dana"]


def _no_file_here(tmp_path: Path, where: str) -> Path:
    if where == "proc":
        return Path("/proc/copy.sqlite")  # a folder the system makes no file in
    return tmp_path / ("b" * 300 + ".sqlite")  # a name longer than the system allows


# (A folder the user may not write to takes the same path; the tests run as root, who may.)
NO_FILE_HERE = ["proc", "long name"]


@pytest.mark.parametrize("where", NO_FILE_HERE)
def test_a_backup_where_no_file_can_be_made_is_one_message(tmp_path: Path, where: str) -> None:
    target = _no_file_here(tmp_path, where)
    message = _one_message(_cli("log", "backup", str(target)))
    assert message.startswith(f"cannot write the backup to {target} (")
    assert "Fix: " in message
    assert target.name not in os.listdir(target.parent)
    assert _rows("SELECT action FROM audit") == []


@pytest.mark.parametrize("where", NO_FILE_HERE)
def test_an_export_where_no_file_can_be_made_is_one_message(tmp_path: Path, where: str) -> None:
    target = _no_file_here(tmp_path, where).with_suffix(".csv")
    message = _one_message(_cli("log", "export", str(target)))
    assert message.startswith(f"cannot write the log spreadsheet to {target} (")
    assert "Fix: " in message
    assert _rows("SELECT action FROM audit") == []


def test_a_copy_that_fails_midway_is_one_message_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(session=session, request=_request(), actor="x")
    opened = sqlite3.connect

    def read_only(target: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        return opened(f"file:{target}?mode=ro", uri=True)  # every write to the copy fails

    monkeypatch.setattr(sqlite3, "connect", read_only)
    target = tmp_path / "copy.sqlite"
    message = _one_message(_cli("log", "backup", str(target)))
    monkeypatch.undo()
    assert message.startswith(f"cannot write the backup to {target} (attempt to write a readonly")
    assert "no backup was kept. Fix: " in message
    assert list(tmp_path.iterdir()) == []
    assert _rows("SELECT action FROM audit") == []


def _refuse_audits(action: str) -> None:
    """A rule of the database (as its keeper might set one) that refuses an audit row."""
    engine = store.connect(_url())
    engine.dispose()
    with sqlite3.connect(_url().removeprefix("sqlite:///")) as connection:
        connection.execute(
            f"CREATE TRIGGER refuse_{action} BEFORE INSERT ON audit WHEN NEW.action = '{action}' "
            "BEGIN SELECT RAISE(ABORT, 'the audit is closed for maintenance'); END"
        )
    connection.close()


@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_file_whose_audit_cannot_be_written_is_removed(tmp_path: Path, command: str) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(session=session, request=_request(), actor="x")
    _refuse_audits(command)
    target = tmp_path / ("log.csv" if command == "export" else "copy.sqlite")
    message = _one_message(_cli("log", command, str(target)))
    assert "the database said: the audit is closed for maintenance" in message
    assert "nothing of this change was kept" in message
    assert list(tmp_path.iterdir()) == []  # no file, nor a copy's -wal or -shm
    assert _rows("SELECT action FROM audit") == []


def test_a_damaged_log_is_reported_as_the_database_says_not_as_another_file() -> None:
    engine = store.connect(_url())
    with store.transaction(engine) as session:
        store.add_request(session=session, request=_request(), actor="x")
    engine.dispose()  # everything in the main file, none in the -wal
    path = Path(_url().removeprefix("sqlite:///"))
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xab" * 3996  # the first page (the list of tables), after the header
    path.write_bytes(bytes(data))
    message = _one_message(_cli("log", "list"))
    assert "(the database said: database disk image is malformed)" in message
    assert "not a sca-rates log" not in message
    assert "Fix: " in message


def test_a_log_held_by_another_process_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    with store.transaction(store.connect(_url())) as session:
        store.add_request(session=session, request=_request(), actor="x")
    monkeypatch.setattr(store_log, "BUSY_TIMEOUT_MS", 50)  # not the half minute it waits
    holder = sqlite3.connect(_url().removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        message = _one_message(_cli("log", "outcome", "1", "--outcome", "approved"))
    finally:
        holder.rollback()
        holder.close()
    assert "is held by another process (database is locked" in message
    assert "the server or the disk" not in message
    assert "Fix: let the other sca-rates" in message
    assert _rows("SELECT outcome FROM sca_requests") == [("pending",)]


def test_an_export_without_the_key_imported_again_doubles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.transaction(store.connect(_url())) as session:
        sealed = _request(notes="spoke with Dana", payer_contact="Dana, x221")
        store.add_request(session=session, request=sealed, cipher=Cipher(KEY), actor="x")
        store.add_request(session=session, request=_request(payer="cigna"), actor="x")
    sheet = tmp_path / "log.csv"
    monkeypatch.delenv("SCA_PATIENT_KEY", raising=False)
    assert _cli("log", "export", str(sheet)).exit_code == 0
    assert "Dana" not in sheet.read_text()  # encrypted: left blank
    for key in (None, KEY):  # imported again without the key, and with it
        if key is not None:
            monkeypatch.setenv("SCA_PATIENT_KEY", key)
        again = _cli("log", "import", str(sheet))
        assert again.exit_code == 0, again.output
        assert again.stdout.splitlines() == [
            f"imported 0 requests from {sheet}",
            f"skipped 2 rows already in the log {SAME}",
        ]
    with store.transaction(store.connect(_url())) as session:
        logged = store.list_requests(session=session, cipher=Cipher(KEY))
    assert sorted((r.payer, r.notes, r.payer_contact) for r in logged) == [
        ("aetna", "spoke with Dana", "Dana, x221"),  # the log's notes kept
        ("cigna", "", None),
    ]


def test_a_row_without_notes_matches_a_sealed_request_and_one_with_notes_goes_first() -> None:
    listed_without_key = _request().model_copy(update={"notes_sealed": True})
    assert new_requests([_request()], [listed_without_key]) == ([], 1)
    logged = [_request(notes="spoke with Dana")]
    with_notes, blank = _request(notes="spoke with Dana"), _request()
    for rows in ([with_notes, blank], [blank, with_notes]):
        assert new_requests(rows, logged) == ([blank], 1)  # the logged one answers for one row
    assert new_requests([_request(notes="other words")], logged) == (
        [_request(notes="other words")],
        0,
    )


def test_the_import_reports_the_models_rules_for_every_bad_cell_by_line_and_column() -> None:
    sheet = (
        "requested_on,payer,level_of_care,agreed_rate_usd,first_offer_usd,expected_units\n"
        "2026-11-02,aetna,PHP,-450,,\n"
        "2026-11-02,aetna,PHP,,0,\n"
        "2026-11-02,aetna,PHP,,,-3\n"
    )
    with pytest.raises(InvalidLogFile) as caught:
        from_csv(sheet, source="log.csv")
    problems = str(caught.value).splitlines()[1:]
    assert problems == [
        "  - line 2, column agreed_rate_usd: the agreed rate -450 is not above $0. Fix: give the "
        "agreed dollars per unit",
        "  - line 3, column first_offer_usd: Input should be greater than 0. Fix: correct the "
        "cell (see docs/log.md)",
        "  - line 4, column expected_units: Input should be greater than or equal to 0. Fix: "
        "correct the cell (see docs/log.md)",
    ]


def test_the_spreadsheet_row_holds_no_rule_of_its_own() -> None:
    row = CsvRow.model_validate(
        {
            "requested_on": "2026-11-02",
            "payer": "aetna",
            "level_of_care": "PHP",
            "decided_on": "2026-10-01",
            "agreed_rate_usd": "-450",
            "patient_date_of_birth": "2999-01-01",
        }
    )
    assert row.agreed_rate_usd == -450  # refused by the request's model, once (see above)


def test_export_with_identifiers_and_no_key_says_how_to_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCA_PATIENT_KEY", raising=False)
    target = tmp_path / "log.csv"
    message = _one_message(_cli("log", "export", str(target), "--with-identifiers"))
    assert message.startswith("--with-identifiers needs SCA_PATIENT_KEY. Fix: ")
    assert "`sca-rates log new-key`" in message
    assert "leave out --with-identifiers" in message
    assert not target.exists()


def test_a_field_one_may_not_change_is_refused_naming_those_one_may() -> None:
    engine = store.connect(_url())
    with store.transaction(engine) as session:
        request_id = store.add_request(session=session, request=_request(), actor="x")
    with pytest.raises(LogError) as caught, store.transaction(engine) as session:
        store.update_request(session=session, request_id=request_id, colour="red")
    message = str(caught.value)
    assert message.startswith("colour: not a field of a logged request one may change. Fix: ")
    changeable = ("agreed_rate_usd", "decided_on", "notes", "outcome", "payer_contact")
    assert all(name in message for name in changeable)
    assert "patient_on_file" not in message
