"""Keeping the negotiation log: connect (migrating the schema to the latest), and short,
keyword-only functions that each do one thing in the caller's transaction.

SQLite runs in WAL mode with a busy timeout, so two app sessions (or processes) writing at once
wait for each other instead of failing; every write happens inside ``transaction``, which
commits or rolls back as a whole.

Patient identifiers, notes and the payer contact (which may name the patient) are stored only as
Fernet ciphertext. A log keeps the fingerprint of the first key used with it and refuses any
other, so two keys are never mixed in one database.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from sqlalchemy import URL, Engine, Insert, create_engine, event, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from sca_rates.exceptions import LogError, PatientKeyError, UnknownRequest
from sca_rates.models.base import FieldProblem
from sca_rates.models.log import (
    LOGGED,
    ClaimOutcome,
    LoggedOffer,
    LoggedRequest,
    PatientIdentifiers,
)
from sca_rates.reminders import RemitEntry, new_claim
from sca_rates.remit import ClaimPayment
from sca_rates.store import database
from sca_rates.store.crypto import Cipher
from sca_rates.store.private import check_target, new_private_file
from sca_rates.store.schema import (
    AuditRow,
    Base,
    ClaimRemitRow,
    ClaimRow,
    LogSettingRow,
    OfferRow,
    RequestRow,
)

MIGRATIONS = Path(__file__).parent / "migrations"
KEY_FINGERPRINT = "patient_key_fingerprint"
SEALED_TEXT = ("notes", "payer_contact")  # free text that may name the patient: encrypted
DERIVED = {"id", "offers", "claims", "patient", "patient_on_file", "notes_sealed"}
ROW_ID_LIMIT = 2**31  # ids are 32-bit integers on PostgreSQL: a larger number names no row
BUSY_TIMEOUT_MS = 30_000  # how long a writer waits for another before the log is called held


def _alembic() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def connect(url: str) -> Engine:
    """An engine on the log at ``url``, its schema migrated to the latest revision. A mistyped
    URL, a server that does not answer or a database that is not a sca-rates log is one
    ``LogUnavailable`` naming SCA_DATABASE_URL."""
    parsed = database.database_url(url)
    if parsed.drivername == "sqlite":
        database.prepare_sqlite_file(parsed)
    engine = create_engine(parsed, **database.engine_options(parsed))
    with database.opening(parsed):
        _open(engine)
    return engine


def _open(engine: Engine) -> None:
    """Check the database is a log (or empty), set SQLite's pragmas and migrate the schema."""
    config = _alembic()
    revisions = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    # checked before the pragmas: WAL mode would rewrite another application's file
    with engine.connect() as connection:
        database.check_is_log(connection, revisions)
    engine.dispose()
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(connection: sqlite3.Connection, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # a committed record survives a crash
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # a second writer waits
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose writes are committed together at the end, or not at all."""
    with (
        database.reachable(engine.url),
        sessionmaker(engine, expire_on_commit=False)() as session,
        session.begin(),
    ):
        yield session


def check_key(*, session: Session, cipher: Cipher) -> None:
    """Refuse a key other than the one the log was started with; the first key used is
    recorded (after it is shown to open what a log of an older sca-rates already holds).

    Two sessions may use a log's first key at once: each records it only if no other did
    meanwhile, then both compare what was recorded."""
    recorded = _recorded_fingerprint(session)
    if recorded is None:
        _open_one(session, cipher)
        session.execute(_record_once(session, cipher.fingerprint))
        recorded = _recorded_fingerprint(session)
        if recorded == cipher.fingerprint:
            _seal_plain_text(session, cipher)
    if recorded != cipher.fingerprint:
        raise PatientKeyError(
            "this log was started with another key than SCA_PATIENT_KEY; one log never mixes "
            "two keys. Fix: set SCA_PATIENT_KEY to the key the log was started with (the "
            "center's password manager keeps it), or use a new log for the new key"
        )


def _recorded_fingerprint(session: Session) -> str | None:
    where = LogSettingRow.name == KEY_FINGERPRINT
    return session.scalars(select(LogSettingRow.value).where(where)).first()


def _record_once(session: Session, fingerprint: str) -> Insert:
    """The fingerprint's row, inserted unless another session's is there by then (both
    databases wait for that session's transaction to end before deciding)."""
    values = {"name": KEY_FINGERPRINT, "value": fingerprint}
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(LogSettingRow).values(values).on_conflict_do_nothing()
    return sqlite.insert(LogSettingRow).values(values).on_conflict_do_nothing()


def _open_one(session: Session, cipher: Cipher) -> None:
    """Decrypt one stored value, if any: a wrong key raises before it is recorded."""
    encrypted = (RequestRow.patient_name_enc, RequestRow.patient_dob_enc, RequestRow.member_id_enc)
    sealed = (RequestRow.notes_enc, RequestRow.payer_contact_enc, ClaimRow.appeal_note_enc)
    for column in (*encrypted, *sealed):
        token = session.scalars(select(column).where(column.is_not(None)).limit(1)).first()
        if token is not None:
            cipher.decrypt(token)
            return


def _seal_plain_text(session: Session, cipher: Cipher) -> None:
    """Notes and contacts kept in the clear by a log of revision 0001, encrypted in place."""
    plain = select(RequestRow).where(
        or_(RequestRow.notes != "", RequestRow.payer_contact.is_not(None))
    )
    for row in session.scalars(plain):
        row.notes_enc = cipher.encrypt(row.notes or None)
        row.payer_contact_enc = cipher.encrypt(row.payer_contact)
        row.notes, row.payer_contact = "", None


def _dates(text: str) -> tuple[dt.date, ...]:
    return tuple(dt.date.fromisoformat(d) for d in text.split(";") if d)


def _row_values(request: LoggedRequest, cipher: Cipher | None) -> dict[str, Any]:
    values = request.model_dump(exclude=DERIVED | set(SEALED_TEXT))
    values["triggers"] = ";".join(request.triggers)
    values["reauthorization_due"] = ";".join(d.isoformat() for d in request.reauthorization_due)
    values |= _encrypted(request.patient, cipher)
    values |= _sealed({name: getattr(request, name) for name in SEALED_TEXT}, cipher)
    return values


def _no_key(what: str) -> PatientKeyError:
    return PatientKeyError(
        f"{what} are only stored encrypted. Fix: set SCA_PATIENT_KEY (generate one with "
        "`sca-rates log new-key`)"
    )


def _encrypted(patient: PatientIdentifiers | None, cipher: Cipher | None) -> dict[str, str | None]:
    if patient is None:
        return {}
    if cipher is None:
        raise _no_key("patient identifiers")
    dob = None if patient.date_of_birth is None else patient.date_of_birth.isoformat()
    return {
        "patient_name_enc": cipher.encrypt(patient.name),
        "patient_dob_enc": cipher.encrypt(dob),
        "member_id_enc": cipher.encrypt(patient.member_id),
    }


def _sealed(texts: dict[str, str | None], cipher: Cipher | None) -> dict[str, str | None]:
    """Notes and the payer contact as ciphertext; refused without a key rather than kept in
    the clear or dropped, since either may name the patient."""
    given = {name: text or None for name, text in texts.items()}
    if not any(given.values()):
        return {f"{name}_enc": None for name in given}
    if cipher is None:
        raise _no_key(
            "notes and the payer contact may name the patient, so they (like the identifiers)"
        )
    return {f"{name}_enc": cipher.encrypt(text) for name, text in given.items()}


def add_request(
    *, session: Session, request: LoggedRequest, cipher: Cipher | None = None, actor: str
) -> int:
    """Record a request with its offers and claims; returns its id."""
    if cipher is not None:
        check_key(session=session, cipher=cipher)
    row = RequestRow(**_row_values(request, cipher))
    row.offers = [OfferRow(seq=i, **offer.model_dump()) for i, offer in enumerate(request.offers)]
    for claim in request.claims:
        _check_number(session, claim.number)
    row.claims = [ClaimRow(**_claim_values(claim, cipher)) for claim in request.claims]
    session.add(row)
    session.flush()
    for claim_row in row.claims:
        claim_row.number = claim_row.number or generated_number(row.id, claim_row.id)
    if request.patient is not None:
        audit(session=session, actor=actor, action="store", request_id=row.id)
    return row.id


def update_request(
    *, session: Session, request_id: int, cipher: Cipher | None = None, **changes: Any
) -> None:
    """Change fields of a request (outcome, decision date, agreed rate, notes ...), checked as
    a logged request is: a change the log would refuse on entry is refused here too."""
    if cipher is not None:
        check_key(session=session, cipher=cipher)
    row = _row(session, request_id)
    fields = LoggedRequest.model_fields.keys() - DERIVED
    unknown = [name for name in changes if name not in fields]
    if unknown:
        raise LogError(
            f"{', '.join(unknown)}: not a field of a logged request one may change. Fix: change "
            f"one of {', '.join(sorted(fields))}"
        )
    _check_change(_request(row, None, cipher), request_id, changes)
    texts = {name: changes.pop(name) for name in SEALED_TEXT if name in changes}
    if texts:
        _set_texts(row, texts, cipher)
    for name, value in changes.items():
        if name in ("triggers", "reauthorization_due"):
            value = ";".join(v if isinstance(v, str) else v.isoformat() for v in value)
        setattr(row, name, value)


def _set_texts(row: RequestRow, texts: dict[str, str | None], cipher: Cipher | None) -> None:
    for column, token in _sealed(texts, cipher).items():
        setattr(row, column, token)
        # the clear copy a log of revision 0001 may hold goes with the change
        plain = column.removesuffix("_enc")
        setattr(row, plain, "" if plain == "notes" else None)


def _check_change(current: LoggedRequest, request_id: int, changes: dict[str, Any]) -> None:
    try:
        LoggedRequest.model_validate(current.model_dump() | changes)
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors())
        raise LogError(f"request {request_id} was not changed: {problems}") from None


def _problem(error: Any) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "the request"
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        return f"{field}: {cause}"
    return f"{field}: {error['msg']}. Fix: give {field} a value it allows"


def add_offer(*, session: Session, request_id: int, offer: LoggedOffer) -> None:
    row = _row(session, request_id)
    row.offers.append(OfferRow(seq=len(row.offers), **offer.model_dump()))


def generated_number(request_id: int, claim_id: int) -> str:
    """The number a claim is sent with when the person gives none: SCA-{request}-{claim}."""
    return f"SCA-{request_id}-{claim_id}"


def _check_number(session: Session, number: str | None) -> None:
    if number is None:
        return
    taken = session.scalars(select(ClaimRow.id).where(ClaimRow.number == number)).first()
    if taken is not None:
        raise LogError(
            f"number: {number} is already the number of claim {taken}; a remittance names a "
            "claim by it, so no two claims share one. Fix: give the number your billing system "
            "sent on this claim (CLM01), or leave --number out to use the one sca-rates makes"
        )


def _claim_values(claim: ClaimOutcome, cipher: Cipher | None) -> dict[str, Any]:
    """A claim as its row holds it: reasons as JSON, the appeal's note as ciphertext (a note
    left out is left as the row has it)."""
    values = claim.model_dump(exclude={"id", "appeal_note", "reasons"})
    values["reasons"] = (
        json.dumps([reason.model_dump() for reason in claim.reasons]) if claim.reasons else None
    )
    if claim.appeal_note:
        if cipher is None:
            raise _no_key("an appeal's note may name the patient, so appeal notes (like notes)")
        values["appeal_note_enc"] = cipher.encrypt(claim.appeal_note)
    return values


def enter_claim(
    *, session: Session, request_id: int, today: dt.date, **entered: Any
) -> tuple[LoggedRequest, ClaimOutcome]:
    """A claim entered by hand (the CLI's ``log claim``, the Log page's form): its expected
    payment from the request's agreement (``reminders.new_claim`` takes ``entered``: the date of
    service, units, billed dollars, the day it was sent, its number), then recorded."""
    request = get_request(session=session, request_id=request_id)
    claim = new_claim(request, today=today, **entered)
    return request, add_claim(session=session, request_id=request_id, claim=claim)


def add_claim(
    *, session: Session, request_id: int, claim: ClaimOutcome, cipher: Cipher | None = None
) -> ClaimOutcome:
    """Record a claim of a request; returns it as logged, with its id and number (the one given,
    else ``generated_number``)."""
    _check_number(session, claim.number)
    row = ClaimRow(**_claim_values(claim, cipher))
    request = _row(session, request_id)  # held: the session keeps its rows only weakly
    request.claims.append(row)
    session.flush()
    row.number = row.number or generated_number(request_id, row.id)
    session.flush()
    return _claim(row, cipher)


def get_claim(
    *, session: Session, claim_id: int, cipher: Cipher | None = None
) -> tuple[int, ClaimOutcome]:
    """A claim and the id of its request (its appeal's note read when a key is given)."""
    if cipher is not None:
        check_key(session=session, cipher=cipher)
    row = _claim_row(session, claim_id)
    return row.request_id, _claim(row, cipher)


def find_claim(
    *, session: Session, claim: str, cipher: Cipher | None = None
) -> tuple[int, ClaimOutcome]:
    """A claim named by the number it was sent with (SCA-12-31, or a billing system's, which
    may be all digits) or by its log number (31): the number sent is looked up first."""
    text = claim.strip()
    found = session.scalars(select(ClaimRow.id).where(ClaimRow.number == text)).first()
    if found is None and text.isascii() and text.isdigit():
        return get_claim(session=session, claim_id=int(text), cipher=cipher)
    if found is None:
        raise LogError(
            f"No logged claim numbered {text!r}. Fix: give the claim's number in the log or the "
            "number it was sent with; `sca-rates log list --json` shows both for each claim"
        )
    return get_claim(session=session, claim_id=found, cipher=cipher)


def update_claim(*, session: Session, claim: ClaimOutcome, cipher: Cipher | None = None) -> None:
    """Write a claim back as given (a payment recorded on it, say): the computing is done
    before, by ``reminders``."""
    if cipher is not None and claim.appeal_note:
        check_key(session=session, cipher=cipher)
    row = _claim_row(session, claim.id or 0)
    for name, value in _claim_values(claim, cipher).items():
        setattr(row, name, value)


def _claim_row(session: Session, claim_id: int) -> ClaimRow:
    row = session.get(ClaimRow, claim_id) if 0 < claim_id < ROW_ID_LIMIT else None
    if row is None:
        raise LogError(
            f"No logged claim {claim_id}. Fix: `sca-rates log list --json` shows each request's "
            "claims with their numbers"
        )
    return row


def _claim(row: ClaimRow, cipher: Cipher | None) -> ClaimOutcome:
    """A claim as a person reads it: its appeal's note decrypted with the key, else left out."""
    claim = ClaimOutcome.model_validate(row, from_attributes=True, context=LOGGED)
    if cipher is None or row.appeal_note_enc is None:
        return claim
    return claim.model_copy(update={"appeal_note": cipher.decrypt(row.appeal_note_enc)})


def remit_entries(*, session: Session, claim_ids: Iterable[int]) -> dict[int, list[RemitEntry]]:
    """Every adjudication read from remittances for these claims, by claim id, in the order read.
    A row read before revision 0005 kept only its amounts, status and payer claim number: it is
    named by those, and stands for an adjudication without reasons."""
    wanted = list(claim_ids)
    if not wanted:
        return {}
    rows = session.scalars(
        select(ClaimRemitRow).where(ClaimRemitRow.claim_id.in_(wanted)).order_by(ClaimRemitRow.id)
    )
    found: dict[int, list[RemitEntry]] = {}
    for row in rows:
        found.setdefault(row.claim_id, []).append(_remit_entry(row))
    return found


def _remit_entry(row: ClaimRemitRow) -> RemitEntry:
    if row.adjudication is not None and row.position is not None:
        payment = ClaimPayment.model_validate_json(row.adjudication)
        place = f"CLP {row.position:05d}"
    else:
        payment = ClaimPayment(
            segment=0,
            claim_id=row.claim.number or "",
            status_code=row.status_code,
            status="",
            billed_usd=0.0,
            paid_usd=row.paid_usd,
            patient_responsibility_usd=row.patient_responsibility_usd,
            payer_claim_number=row.payer_claim_number,
        )
        place = f"{row.payer_claim_number} {row.status_code}"
    return RemitEntry(
        key=(row.claim_id, row.trace_number, place),
        issued_on=row.issued_on,
        payment_date=row.payment_date or row.issued_on,
        appeal_window_days=row.appeal_window_days,
        payment=payment,
        read=row.id,
    )


def add_remit(*, session: Session, entry: RemitEntry, source: str) -> None:
    """Keep one adjudication read from a remittance whole, so a claim is rebuilt from its rows
    and a second reading skips it."""
    claim_id, trace, place = entry.key
    payment = entry.payment
    session.add(
        ClaimRemitRow(
            claim_id=claim_id,
            trace_number=trace,
            payer_claim_number=payment.payer_claim_number,
            status_code=payment.status_code,
            paid_usd=payment.paid_usd,
            patient_responsibility_usd=payment.patient_responsibility_usd,
            issued_on=entry.issued_on,
            source=source,
            position=int(place.removeprefix("CLP ")),
            payment_date=entry.payment_date,
            appeal_window_days=entry.appeal_window_days,
            adjudication=payment.model_dump_json(),
        )
    )


def audit(
    *, session: Session, actor: str, action: str, request_id: int | None, detail: str = ""
) -> None:
    session.add(AuditRow(actor=actor, action=action, request_id=request_id, detail=detail))


def _row(session: Session, request_id: int) -> RequestRow:
    row = session.get(RequestRow, request_id) if 0 < request_id < ROW_ID_LIMIT else None
    if row is None:
        raise UnknownRequest(
            f"No logged request {request_id}. Fix: `sca-rates log list` shows the numbers"
        )
    return row


def _texts(row: RequestRow, cipher: Cipher | None) -> dict[str, Any]:
    """The notes and payer contact as a person reads them: decrypted with the key; without it,
    left out and ``notes_sealed`` set (a log of revision 0001 not yet opened with a key still
    holds them in the clear)."""
    sealed = row.notes_enc is not None or row.payer_contact_enc is not None
    if not sealed:
        return {"notes": row.notes, "payer_contact": row.payer_contact, "notes_sealed": False}
    if cipher is None:
        return {"notes": "", "payer_contact": None, "notes_sealed": True}
    return {
        "notes": cipher.decrypt(row.notes_enc) or "",
        "payer_contact": cipher.decrypt(row.payer_contact_enc),
        "notes_sealed": False,
    }


def _request(
    row: RequestRow, patient: PatientIdentifiers | None, cipher: Cipher | None
) -> LoggedRequest:
    columns = LoggedRequest.model_fields.keys() - DERIVED - set(SEALED_TEXT) - {"triggers"}
    values = {name: getattr(row, name) for name in columns} | _texts(row, cipher)
    values |= {
        "id": row.id,
        "triggers": tuple(t for t in row.triggers.split(";") if t),
        "reauthorization_due": _dates(row.reauthorization_due),
        "offers": tuple(LoggedOffer.model_validate(o, from_attributes=True) for o in row.offers),
        "claims": tuple(_claim(c, cipher) for c in row.claims),
        "patient": patient,
        "patient_on_file": row.patient_name_enc is not None
        or row.member_id_enc is not None
        or row.patient_dob_enc is not None,
    }
    # what the log holds was checked when it was written; a rule added since (a decision not
    # before its request) must not make an older record unreadable
    return LoggedRequest.model_validate(values, context=LOGGED)


def _rows(session: Session) -> Iterator[RequestRow]:
    return iter(
        session.scalars(
            select(RequestRow)
            .options(selectinload(RequestRow.offers), selectinload(RequestRow.claims))
            .order_by(RequestRow.requested_on.desc(), RequestRow.id.desc())
        )
    )


def get_request(
    *, session: Session, request_id: int, cipher: Cipher | None = None
) -> LoggedRequest:
    """One request as ``list_requests`` gives it (identifiers left out)."""
    if cipher is not None:
        check_key(session=session, cipher=cipher)
    return _request(_row(session, request_id), None, cipher)


def list_requests(*, session: Session, cipher: Cipher | None = None) -> list[LoggedRequest]:
    """Every request, newest first, patient identifiers left out (``patient_on_file`` says
    whether any are stored); notes and payer contacts decrypted when a key is given."""
    if cipher is not None:
        check_key(session=session, cipher=cipher)
    return [_request(row, None, cipher) for row in _rows(session)]


def requests_to_compare(*, session: Session, cipher: Cipher | None) -> list[LoggedRequest]:
    """Every request with what the key opens, identifiers too, to tell whether a spreadsheet's
    row is already in the log. Never for display: nothing is audited."""
    if cipher is None:
        return list_requests(session=session)
    check_key(session=session, cipher=cipher)
    return [_request(row, _patient(row, cipher), cipher) for row in _rows(session)]


def _patient(row: RequestRow, cipher: Cipher) -> PatientIdentifiers | None:
    name, dob, member = (
        cipher.decrypt(row.patient_name_enc),
        cipher.decrypt(row.patient_dob_enc),
        cipher.decrypt(row.member_id_enc),
    )
    if not (name or dob or member):
        return None
    return PatientIdentifiers.model_validate(
        {"name": name, "member_id": member, "date_of_birth": dob}, context=LOGGED
    )


def reveal(
    *, session: Session, request_id: int, cipher: Cipher, actor: str, action: str = "view"
) -> LoggedRequest:
    """One request with its patient identifiers decrypted; the reveal is audited."""
    check_key(session=session, cipher=cipher)
    row = _row(session, request_id)
    patient = _patient(row, cipher)
    if patient is not None:
        audit(session=session, actor=actor, action=action, request_id=request_id)
    return _request(row, patient, cipher)


def reveal_all(
    *, session: Session, cipher: Cipher, actor: str, action: str = "view"
) -> list[LoggedRequest]:
    """Every request as ``list_requests`` gives it, with the identifiers on file revealed (each
    reveal audited)."""
    return [
        reveal(session=session, request_id=r.id or 0, cipher=cipher, actor=actor, action=action)
        if r.patient_on_file
        else r
        for r in list_requests(session=session, cipher=cipher)
    ]


def backup(engine: Engine, target: Path, *, actor: str) -> None:
    """A consistent copy of the log as a new, owner-only SQLite file at ``target``: SQLite's own
    online backup, or, from PostgreSQL, every table read in one repeatable-read snapshot. The
    backup is audited once it is written; a copy whose audit cannot be written is removed, as
    is half a copy: a backup on disk is always one the audit names."""
    check_target(target, what="backup", new=True)
    new_private_file(target, what="backup")
    try:
        _copy(engine, target)
        with transaction(engine) as session:
            audit(
                session=session, actor=actor, action="backup", request_id=None, detail=str(target)
            )
    except BaseException:
        for path in (target, *(target.with_name(target.name + end) for end in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)
        raise


@contextmanager
def _writing(target: Path) -> Iterator[None]:
    """What goes wrong writing the copy, as one message naming it."""
    try:
        yield
    except (sqlite3.Error, DBAPIError) as exc:
        reason = database.said(exc) if isinstance(exc, DBAPIError) else str(exc)
        raise LogError(
            f"cannot write the backup to {target} ({reason}); no backup was kept. Fix: free "
            "space on that disk or choose a folder you may write to, then try again"
        ) from None


def _copy(engine: Engine, target: Path) -> None:
    if engine.dialect.name == "sqlite":
        with database.reachable(engine.url), engine.connect() as connection:
            source = connection.connection.dbapi_connection
            assert isinstance(source, sqlite3.Connection)
            with _writing(target):
                copy = sqlite3.connect(target)
                try:
                    source.backup(copy)
                finally:
                    copy.close()
        return
    with database.reachable(engine.url):
        snapshot = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot, snapshot.begin():
            tables = [
                (t, [dict(r._mapping) for r in snapshot.execute(t.select())])
                for t in Base.metadata.sorted_tables
            ]
    copy_engine = create_engine(URL.create("sqlite", database=str(target)))
    try:
        with _writing(target):
            _open(copy_engine)
            with copy_engine.begin() as out:
                for table, rows in tables:
                    if rows:
                        out.execute(table.insert(), rows)
    finally:
        copy_engine.dispose()
