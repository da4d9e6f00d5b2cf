"""The negotiation log's storage: schema and migrations agree, records round-trip, identifiers
are ciphertext at rest, backups are consistent, a spreadsheet imports whole or not at all, and
concurrent or killed writers lose nothing, on SQLite and on PostgreSQL."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, make_url, select, text
from sqlalchemy.orm import Session

from sca_rates import store
from sca_rates.exceptions import (
    InvalidLogFile,
    LogError,
    LogUnavailable,
    PatientKeyError,
    UnknownRequest,
)
from sca_rates.logbook import from_csv, to_csv
from sca_rates.models.log import ClaimOutcome, LoggedOffer, LoggedRequest, PatientIdentifiers
from sca_rates.store import log as store_log
from sca_rates.store.crypto import Cipher, new_key
from sca_rates.store.schema import Base, LogSettingRow
from tests.conftest import PROJECT
from tests.databases import private_postgres

KEY = new_key()
PATIENT = PatientIdentifiers(
    name="Pat Unique-Name", date_of_birth=dt.date(1990, 4, 12), member_id="MEMBER-77"
)


def _request(**changes: object) -> LoggedRequest:
    base = LoggedRequest(
        payer="aetna",
        level_of_care="PHP",
        code="S0201",
        region="MA",
        unit="day",
        expected_units=18,
        triggers=("network_inadequacy",),
        requested_on=dt.date(2026, 11, 2),
        opening_usd=616,
        target_usd=599.4,
        floor_usd=521.22,
        market_p50_usd=460,
        oon_expected_usd=311,
        reauthorization_due=(dt.date(2026, 12, 16),),
        authorization_number="AUTH-2026-118844",
        authorization_start=dt.date(2026, 12, 7),
        authorization_end=dt.date(2027, 1, 1),
        authorized_units=18,
        agreed_rate_usd=598,
        agreed_unit="day",
        payment_days=30,
        notes="first call",
        offers=(
            LoggedOffer(side="payer", per_unit_usd=540, text="$540/day"),
            LoggedOffer(side="us", per_unit_usd=600, text="$600 per day", verdict="counter"),
        ),
        claims=(
            ClaimOutcome(
                submitted_on=dt.date(2026, 12, 1),
                amount_usd=6000,
                expected_by=dt.date(2026, 12, 31),
            ),
            ClaimOutcome(  # entered by hand: 5 days at $598 expected, $2,000 of it paid
                submitted_on=dt.date(2026, 12, 14),
                status="underpaid",
                amount_usd=5000,
                date_of_service=dt.date(2026, 12, 7),
                units=5,
                expected_usd=2990,
                paid_usd=2000,
                paid_on=dt.date(2027, 1, 4),
            ),
        ),
    )
    return base.model_copy(update=changes)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str | None]:
    with private_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'log.sqlite'}"
    if postgres_url is None:
        pytest.skip("no PostgreSQL here: CI sets SCA_TEST_POSTGRES_URL (see .ci/run)")
    engine = store.connect(postgres_url)
    with engine.begin() as connection:  # a clean log for each test
        connection.execute(
            text(
                "TRUNCATE sca_requests, offers, claims, claim_remits, audit, log_settings "
                "RESTART IDENTITY"
            )
        )
    engine.dispose()
    return postgres_url


def test_the_migrations_build_exactly_the_schema(database: str) -> None:
    engine = store.connect(database)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_a_request_round_trips(database: str) -> None:
    engine = store.connect(database)
    with store.transaction(engine) as session:
        request_id = store.add_request(
            session=session, request=_request(), cipher=Cipher(KEY), actor="tester"
        )
    with store.transaction(engine) as session:
        (found,) = store.list_requests(session=session, cipher=Cipher(KEY))
    # the database numbers the request and its claims (and names each claim sent without one)
    unnumbered: dict[str, Any] = {
        "id": True,
        "offers": True,
        "claims": {"__all__": {"id", "number"}},
    }
    assert found.model_dump(exclude=unnumbered) == _request().model_dump(exclude=unnumbered)
    assert [c.id for c in found.claims] == [1, 2]
    assert [c.number for c in found.claims] == ["SCA-1-1", "SCA-1-2"]
    assert [(o.side, o.per_unit_usd, o.verdict) for o in found.offers] == [
        ("payer", 540, None),
        ("us", 600, "counter"),
    ]
    assert found.id == request_id


def test_identifiers_are_ciphertext_at_rest_and_revealed_with_the_key_only(database: str) -> None:
    engine = store.connect(database)
    with store.transaction(engine) as session:
        request_id = store.add_request(
            session=session, request=_request(patient=PATIENT), cipher=Cipher(KEY), actor="tester"
        )
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT patient_name_enc, member_id_enc FROM sca_requests")
        ).one()
    assert "Pat Unique-Name" not in stored[0]
    assert "MEMBER-77" not in stored[1]
    with store.transaction(engine) as session:
        listed = store.list_requests(session=session)[0]
        assert (listed.patient, listed.patient_on_file) == (None, True)
        shown = store.reveal(
            session=session, request_id=request_id, cipher=Cipher(KEY), actor="reader"
        )
    assert shown.patient == PATIENT
    with engine.connect() as connection:
        audit = connection.execute(text("SELECT actor, action FROM audit ORDER BY id")).all()
    assert [tuple(row) for row in audit] == [("tester", "store"), ("reader", "view")]
    with store.transaction(engine) as session, pytest.raises(PatientKeyError, match="another key"):
        store.reveal(session=session, request_id=request_id, cipher=Cipher(new_key()), actor="x")


def test_identifiers_are_refused_without_a_key(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'log.sqlite'}")
    with store.transaction(engine) as session, pytest.raises(PatientKeyError, match="new-key"):
        store.add_request(session=session, request=_request(patient=PATIENT), actor="x")


def test_no_plaintext_identifier_in_the_sqlite_files(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    engine = store.connect(f"sqlite:///{path}")
    with store.transaction(engine) as session:
        store.add_request(
            session=session, request=_request(patient=PATIENT), cipher=Cipher(KEY), actor="x"
        )
    files = [p for p in tmp_path.iterdir() if p.name.startswith("log.sqlite")]  # with -wal
    assert path in files
    assert all(b"Pat Unique-Name" not in p.read_bytes() for p in files)


def _add_then_fail(engine: Engine) -> None:
    with store.transaction(engine) as session:
        store.add_request(session=session, request=_request(notes=""), actor="x")
        store.update_request(session=session, request_id=999, outcome="approved")


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'log.sqlite'}")
    with pytest.raises(UnknownRequest, match="No logged request 999"):
        _add_then_fail(engine)
    with store.transaction(engine) as session:
        assert store.list_requests(session=session) == []


def test_the_spreadsheet_round_trip_is_lossless(tmp_path: Path) -> None:
    requests = [
        _request(patient=PATIENT),
        _request(
            payer="cigna",
            outcome="approved",
            agreed_rate_usd=575.5,
            decided_on=dt.date(2026, 11, 9),
        ),
    ]
    exported = to_csv(requests, with_identifiers=True)
    again = to_csv(from_csv(exported, source="log.csv"), with_identifiers=True)
    assert again == exported
    assert "Pat Unique-Name" not in to_csv(requests)  # identifiers only when asked for


def test_a_bad_spreadsheet_row_imports_nothing(tmp_path: Path) -> None:
    good = to_csv([_request(), _request(payer="cigna")])
    bad = good.replace(",pending,", ",maybe,", 1)
    with pytest.raises(InvalidLogFile) as caught:
        from_csv(bad, source="log.csv")
    assert "line 2, column outcome" in str(caught.value)


def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'log.sqlite'}")
    with store.transaction(engine) as session:
        for payer in ("aetna", "cigna", "humana"):
            store.add_request(session=session, request=_request(payer=payer, notes=""), actor="x")
    store.backup(engine, tmp_path / "copy.sqlite", actor="x")
    copy = store.connect(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    with store.transaction(copy) as session:
        assert [r.payer for r in store.list_requests(session=session)] == [
            "humana",
            "cigna",
            "aetna",
        ]
    with pytest.raises(LogError, match="the file exists"):
        store.backup(engine, tmp_path / "copy.sqlite", actor="x")


def _count(url: str) -> int:
    engine = store.connect(url)
    with store.transaction(engine) as session:
        total = len(store.list_requests(session=session))
    engine.dispose()
    return total


def _writer(url: str, count: int, tag: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(PROJECT / "tests" / "log_writer.py"), url, str(count), tag],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "src")},
    )


def test_two_writers_at_once_lose_nothing(database: str) -> None:
    store.connect(database).dispose()  # migrate once, before the writers race
    writers = [_writer(database, 60, tag) for tag in ("a", "b")]
    ids = [line for w in writers for line in w.communicate(timeout=120)[0].split()]
    assert all(w.returncode == 0 for w in writers)
    assert len(ids) == len(set(ids)) == 120
    assert _count(database) == 120


def test_a_writer_killed_mid_write_leaves_every_committed_record(database: str) -> None:
    store.connect(database).dispose()
    writer = _writer(database, 100_000, "k")
    assert writer.stdout is not None
    committed = [writer.stdout.readline() for _ in range(40)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    committed += writer.stdout.read().split()
    engine = store.connect(database)
    with store.transaction(engine) as session:
        present = {r.id for r in store.list_requests(session=session)}
        offers = session.execute(text("SELECT count(*) FROM offers")).scalar_one()
    assert {int(i) for i in committed} <= present
    assert offers == 3 * len(present)  # no request without its offers: each write was whole
    if database.startswith("sqlite"):
        path = database.removeprefix("sqlite:///")
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("same_key", [True, False], ids=["same key", "another key"])
def test_two_first_uses_of_a_key_at_once_record_one_and_compare_it(
    database: str, monkeypatch: pytest.MonkeyPatch, same_key: bool
) -> None:
    engine, elsewhere = store.connect(database), store.connect(database)
    ours, theirs = Cipher(KEY), Cipher(KEY if same_key else new_key())
    looked = store_log._open_one

    def theirs_first(session: Session, cipher: Cipher) -> None:
        """Another session records its key after this one found none, before it records its."""
        looked(session, cipher)
        recorded = {"name": store_log.KEY_FINGERPRINT, "value": theirs.fingerprint}
        with elsewhere.begin() as connection:
            connection.execute(insert(LogSettingRow).values(recorded))

    monkeypatch.setattr(store_log, "_open_one", theirs_first)
    if same_key:
        with store.transaction(engine) as session:
            store.add_request(session=session, request=_request(), cipher=ours, actor="x")
    else:
        with (
            pytest.raises(PatientKeyError, match="started with another key"),
            store.transaction(engine) as session,
        ):
            store.add_request(session=session, request=_request(), cipher=ours, actor="x")
    monkeypatch.undo()
    with store.transaction(engine) as session:
        assert session.scalars(select(LogSettingRow.value)).all() == [theirs.fingerprint]
    elsewhere.dispose()
    assert _count(database) == (1 if same_key else 0)


def test_a_database_user_without_rights_is_told_what_the_database_said(
    postgres_url: str | None,
) -> None:
    if postgres_url is None:
        pytest.skip("no PostgreSQL here: CI sets SCA_TEST_POSTGRES_URL (see .ci/run)")
    owner = store.connect(postgres_url)
    with owner.begin() as connection:
        connection.execute(text("DROP ROLE IF EXISTS sca_clerk"))
        connection.execute(text("CREATE ROLE sca_clerk LOGIN PASSWORD 'clerk-pw'"))
    clerk = make_url(postgres_url).set(username="sca_clerk", password="clerk-pw")
    try:
        with pytest.raises(LogUnavailable) as caught:
            store.connect(clerk.render_as_string(hide_password=False))
    finally:
        with owner.begin() as connection:
            connection.execute(text("DROP ROLE sca_clerk"))
        owner.dispose()
    message = str(caught.value)
    assert "(the database said: permission denied for " in message
    assert "not a sca-rates log" not in message
    assert "clerk-pw" not in message
    assert "Fix: " in message
