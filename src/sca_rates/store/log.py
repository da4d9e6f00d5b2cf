"""Keeping the negotiation log: connect (migrating the schema to the latest), and short,
keyword-only functions that each do one thing in the caller's transaction.

SQLite runs in WAL mode with a busy timeout, so two app sessions (or processes) writing at once
wait for each other instead of failing; every write happens inside ``transaction``, which
commits or rolls back as a whole.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from sca_rates.exceptions import LogError, PatientKeyError, UnknownRequest
from sca_rates.models.log import ClaimOutcome, LoggedOffer, LoggedRequest, PatientIdentifiers
from sca_rates.store.crypto import Cipher
from sca_rates.store.schema import AuditRow, Base, ClaimRow, OfferRow, RequestRow

MIGRATIONS = Path(__file__).parent / "migrations"


def connect(url: str) -> Engine:
    """An engine on the log at ``url``, its schema migrated to the latest revision."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return engine


def _sqlite_pragmas(connection: sqlite3.Connection, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # a committed record survives a crash
    cursor.execute("PRAGMA busy_timeout=30000")  # a second writer waits, it does not fail
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose writes are committed together at the end, or not at all."""
    with sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
        yield session


def _dates(text: str) -> tuple[dt.date, ...]:
    return tuple(dt.date.fromisoformat(d) for d in text.split(";") if d)


def _row_values(request: LoggedRequest, cipher: Cipher | None) -> dict[str, Any]:
    derived = {
        "id",
        "offers",
        "claims",
        "patient",
        "patient_on_file",
        "triggers",
        "reauthorization_due",
    }
    values = request.model_dump(exclude=derived)
    values["triggers"] = ";".join(request.triggers)
    values["reauthorization_due"] = ";".join(d.isoformat() for d in request.reauthorization_due)
    values |= _encrypted(request.patient, cipher)
    return values


def _encrypted(patient: PatientIdentifiers | None, cipher: Cipher | None) -> dict[str, str | None]:
    if patient is None:
        return {}
    if cipher is None:
        raise PatientKeyError(
            "patient identifiers are only stored encrypted. Fix: set "
            "SCA_PATIENT_KEY (generate one with `sca-rates log new-key`)"
        )
    dob = None if patient.date_of_birth is None else patient.date_of_birth.isoformat()
    return {
        "patient_name_enc": cipher.encrypt(patient.name),
        "patient_dob_enc": cipher.encrypt(dob),
        "member_id_enc": cipher.encrypt(patient.member_id),
    }


def add_request(
    *, session: Session, request: LoggedRequest, cipher: Cipher | None = None, actor: str
) -> int:
    """Record a request with its offers and claims; returns its id."""
    row = RequestRow(**_row_values(request, cipher))
    row.offers = [OfferRow(seq=i, **offer.model_dump()) for i, offer in enumerate(request.offers)]
    row.claims = [ClaimRow(**claim.model_dump()) for claim in request.claims]
    session.add(row)
    session.flush()
    if request.patient is not None:
        audit(session=session, actor=actor, action="store", request_id=row.id)
    return row.id


def update_request(*, session: Session, request_id: int, **changes: Any) -> None:
    """Change fields of a request (outcome, decision date, agreed rate, notes ...)."""
    row = _row(session, request_id)
    for name, value in changes.items():
        if name in ("triggers", "reauthorization_due"):
            value = ";".join(v if isinstance(v, str) else v.isoformat() for v in value)
        if not hasattr(RequestRow, name) or name.endswith("_enc") or name == "id":
            raise LogError(f"{name} is not a field of a logged request")
        setattr(row, name, value)


def add_offer(*, session: Session, request_id: int, offer: LoggedOffer) -> None:
    row = _row(session, request_id)
    row.offers.append(OfferRow(seq=len(row.offers), **offer.model_dump()))


def add_claim(*, session: Session, request_id: int, claim: ClaimOutcome) -> None:
    _row(session, request_id).claims.append(ClaimRow(**claim.model_dump()))


def audit(
    *, session: Session, actor: str, action: str, request_id: int | None, detail: str = ""
) -> None:
    session.add(AuditRow(actor=actor, action=action, request_id=request_id, detail=detail))


def _row(session: Session, request_id: int) -> RequestRow:
    row = session.get(RequestRow, request_id)
    if row is None:
        raise UnknownRequest(
            f"No logged request {request_id}. Fix: `sca-rates log list` shows the numbers"
        )
    return row


def _request(row: RequestRow, patient: PatientIdentifiers | None) -> LoggedRequest:
    return LoggedRequest(
        id=row.id,
        payer=row.payer,
        level_of_care=row.level_of_care,
        code=row.code,
        region=row.region,
        unit=row.unit,
        expected_units=row.expected_units,
        triggers=tuple(t for t in row.triggers.split(";") if t),
        verified_on=row.verified_on,
        requested_on=row.requested_on,
        decided_on=row.decided_on,
        start_on=row.start_on,
        outcome=row.outcome,
        opening_usd=row.opening_usd,
        target_usd=row.target_usd,
        floor_usd=row.floor_usd,
        market_p50_usd=row.market_p50_usd,
        oon_expected_usd=row.oon_expected_usd,
        agreed_rate_usd=row.agreed_rate_usd,
        authorization_number=row.authorization_number,
        authorized_units=row.authorized_units,
        authorization_end=row.authorization_end,
        reauthorization_due=_dates(row.reauthorization_due),
        payer_contact=row.payer_contact,
        notes=row.notes,
        acted_by=row.acted_by,
        offers=tuple(LoggedOffer.model_validate(o, from_attributes=True) for o in row.offers),
        claims=tuple(ClaimOutcome.model_validate(c, from_attributes=True) for c in row.claims),
        patient=patient,
        patient_on_file=row.patient_name_enc is not None
        or row.member_id_enc is not None
        or row.patient_dob_enc is not None,
    )


def list_requests(*, session: Session) -> list[LoggedRequest]:
    """Every request, newest first, patient identifiers left out (``patient_on_file`` says
    whether any are stored)."""
    rows = session.scalars(
        select(RequestRow)
        .options(selectinload(RequestRow.offers), selectinload(RequestRow.claims))
        .order_by(RequestRow.requested_on.desc(), RequestRow.id.desc())
    )
    return [_request(row, None) for row in rows]


def reveal(
    *, session: Session, request_id: int, cipher: Cipher, actor: str, action: str = "view"
) -> LoggedRequest:
    """One request with its patient identifiers decrypted; the reveal is audited."""
    row = _row(session, request_id)
    name, dob, member = (
        cipher.decrypt(row.patient_name_enc),
        cipher.decrypt(row.patient_dob_enc),
        cipher.decrypt(row.member_id_enc),
    )
    patient = None
    if name or dob or member:
        patient = PatientIdentifiers(
            name=name, member_id=member, date_of_birth=dt.date.fromisoformat(dob) if dob else None
        )
        audit(session=session, actor=actor, action=action, request_id=request_id)
    return _request(row, patient)


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy of the log as a SQLite file at ``target``: SQLite's own online backup,
    or, from PostgreSQL, every table read in one repeatable-read snapshot."""
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new file for the backup")
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            source = connection.connection.dbapi_connection
            assert isinstance(source, sqlite3.Connection)
            with sqlite3.connect(target) as copy:
                source.backup(copy)
            copy.close()
        return
    copy_engine = connect(f"sqlite:///{target}")
    snapshot = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with snapshot, snapshot.begin(), copy_engine.begin() as out:
        for table in Base.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in snapshot.execute(table.select())]
            if rows:
                out.execute(table.insert(), rows)
    copy_engine.dispose()
