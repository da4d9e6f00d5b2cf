"""After the call, the payer's answer: each logged claim has the number it is sent with, a
payer's 835 remittance is read into the log by that number (paid, underpaid, denied, reversed,
with reasons and an appeal deadline), the same file read twice counts nothing twice, a malformed
file changes nothing, and appeals are logged, flagged and put in the calendar. Amounts and dates
are worked by hand in the comments.

The fixture ``remit/log_claims.835`` (Aetna, trace EFT0000201, dated 2025-04-16, paid 2025-04-18,
$3,100 = $2,990 + $2,600 + $0 - $2,990 + $500) names the claims the tests enter on one request at
the agreed $598 a day, 5 days each ($2,990 expected):

- SCA-1-1 paid in full: $2,990 (CO 45 $2,010 off the $5,000 billed);
- SCA-1-2 underpaid: $2,600 paid, $2,990 - $2,600 = $390 short (CO 45 $2,400, RARC N381);
- HRC-7781 (a number given by the billing system) denied: CO 50 $3,000 and CO 197 $2,000;
- SCA-1-4 reversed: the $2,990 recorded on it taken back (CLP02 22, every amount negative);
- SCA-9-99, which the log does not know ($500 paid).

The appeal deadline of the underpayment and the denial: 2025-04-16 + 180 days = 2025-10-13
(April 16 -> 30 is 14 days, May 45, June 75, July 106, August 137, September 167, October 13 is
180).
"""

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from streamlit.testing.v1 import AppTest

from sca_rates import store
from sca_rates.models.log import ClaimOutcome, ClaimReason, LoggedRequest
from sca_rates.reminders import appeals, calendar, claims_unpaid, owed, payment_said
from sca_rates.settings import Settings
from sca_rates.store.crypto import new_key
from tests.cli_runs import ran, refused
from tests.conftest import FIXTURES

D = dt.date
CASE = str(FIXTURES / "cases" / "php-case.yaml")
MARKET = str(FIXTURES / "market")
REMITTANCE = FIXTURES / "remit" / "log_claims.835"
APPEAL_BY = D(2025, 10, 13)
LETTER = """\
payer: Aetna
rate: {per_unit_usd: 598, unit: day, basis: bundled_per_diem}
authorization: {number: AUTH-2025-000042, start_date: 2025-03-03, end_date: 2025-03-16,
                authorized_units: 20}
claims: {payment_days: 30}
payer_contact: {name: Dana Reviewer, phone: 800-555-0142}
"""


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    made = new_key()
    monkeypatch.setenv("SCA_PATIENT_KEY", made)
    monkeypatch.setenv("SCA_ACTOR", "billing@harbor.example")
    return made


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "aetna-2025.yaml"
    path.write_text(LETTER)
    return path


def _claim(served: str, sent: str, *more: str) -> str:
    return ran(
        "log",
        "claim",
        "1",
        "--date-of-service",
        served,
        "--units",
        "5",
        "--billed",
        "5000",
        "--submitted-on",
        sent,
        *more,
    )


@pytest.fixture
def claims(key: str, letter: Path) -> None:
    """One request at $598 a day and the four claims the fixture names; claim 4 was paid $2,990
    by hand, which the remittance reverses."""
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(letter))
    _claim("2025-03-03", "2025-03-08")
    _claim("2025-03-10", "2025-03-15")
    _claim("2025-03-03", "2025-03-08", "--number", "HRC-7781")
    _claim("2025-03-10", "2025-03-15")
    ran("log", "paid", "4", "--amount", "2990", "--on", "2025-03-28")


def _logged() -> dict[str, dict[str, Any]]:
    """Each logged claim as `log list --json` shows it, by its number."""
    (request,) = json.loads(ran("log", "list", "--json"))
    return {claim["number"]: claim for claim in request["claims"]}


def _requests() -> list[LoggedRequest]:
    with store.transaction(store.connect(Settings().database_url)) as session:
        return store.list_requests(session=session)


def _audit() -> list[tuple[str, str, str]]:
    database = Settings().database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT actor, action, detail FROM audit WHERE action = 'remit'")
        return list(rows)


def _state(claim: dict[str, Any]) -> tuple[Any, ...]:
    return (
        claim["status"],
        claim["paid_usd"],
        claim["paid_on"],
        claim["appeal_by"],
        [(r["kind"], r["group"], r["code"], r["amount_usd"]) for r in claim["reasons"]],
    )


# The claim's number -------------------------------------------------------------------------


def test_each_claim_has_the_number_it_is_sent_with_shown_where_claims_are_listed(
    key: str, letter: Path
) -> None:
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(letter))
    out = _claim("2025-03-03", "2025-03-08")
    assert "claim number SCA-1-1: send it as the patient control number (CLM01)" in out
    out = _claim("2025-03-10", "2025-03-15", "--number", "HRC-7781")
    assert "claim number HRC-7781" in out
    assert list(_logged()) == ["SCA-1-1", "HRC-7781"]
    listed = ran("log", "list")
    assert "claim 1 SCA-1-1; service 2025-03-03; 5 units; billed $5,000.00" in listed
    assert "claim 2 HRC-7781; service 2025-03-10" in listed


@pytest.mark.parametrize(
    ("number", "said"),
    [
        ("HRC-7781", "number: HRC-7781 is already the number of claim 1"),
        ("SCA-4-4", "number: SCA-4-4 has the form of the numbers sca-rates makes"),
        ("A*B", "number: the claim number 'A*B' is not 1 to 38 characters without *"),
        ("X" * 39, "is not 1 to 38 characters"),
    ],
)
def test_a_bad_or_taken_claim_number_is_refused_by_field(
    key: str, letter: Path, number: str, said: str
) -> None:
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(letter))
    _claim("2025-03-03", "2025-03-08", "--number", "HRC-7781")
    message = _cli_refused_claim(number)
    assert said in message
    assert "Fix: " in message
    assert list(_logged()) == ["HRC-7781"]


def _cli_refused_claim(number: str) -> str:
    return refused(
        "log",
        "claim",
        "1",
        "--date-of-service",
        "2025-03-10",
        "--units",
        "5",
        "--billed",
        "5000",
        "--submitted-on",
        "2025-03-15",
        "--number",
        number,
    )


# Reading a remittance -----------------------------------------------------------------------


def test_a_remittance_records_each_outcome_on_the_claim_it_names(claims: None) -> None:
    out = ran("log", "remit", str(REMITTANCE))
    lines = out.splitlines()
    assert lines[0] == (
        f"remittance {REMITTANCE}: Aetna, trace EFT0000201, $3,100.00 paid 2025-04-18 "
        "(remittance dated 2025-04-16)"
    )
    assert lines[1] == (
        "claim SCA-1-1 (claim 1, request 1): paid; $2,990.00 received of $2,990.00 expected"
    )
    assert lines[2].startswith(
        "claim SCA-1-2 (claim 2, request 1): underpaid by $390.00; $2,600.00 received of "
        "$2,990.00 expected; CO CARC 45 $2,400.00: Charge exceeds fee schedule"
    )
    assert lines[2].endswith("; appeal by 2025-10-13")
    assert lines[3].startswith(
        "claim HRC-7781 (claim 3, request 1): denied; $0.00 received of $2,990.00 expected; "
        "CO CARC 50 $3,000.00: These are non-covered services because this is not deemed a "
        "'medical necessity' by the payer; CO CARC 197 $2,000.00: Precertification/"
        "authorization/notification/pre-treatment absent; RARC N130"
    )
    assert lines[4] == (
        "claim SCA-1-4 (claim 4, request 1): reversed; $0.00 received of $2,990.00 expected; "
        "the payer reversed $2,990.00 paid earlier on this claim"
    )
    assert lines[5].startswith("not in the log: claim SCA-9-99 (payer claim AET2504160005")
    logged = _logged()
    assert _state(logged["SCA-1-1"]) == ("paid", 2990, "2025-04-18", None, [])
    assert _state(logged["SCA-1-2"]) == (
        "underpaid",
        2600,
        "2025-04-18",
        "2025-10-13",
        [("CARC", "CO", "45", 2400), ("RARC", None, "N381", None)],
    )
    assert _state(logged["HRC-7781"]) == (
        "denied",
        0,  # the remittance paid nothing
        None,
        "2025-10-13",
        [
            ("CARC", "CO", "50", 3000),
            ("CARC", "CO", "197", 2000),
            ("RARC", None, "N130", None),
            ("RARC", None, "N54", None),
        ],
    )
    # $2,990 recorded by hand, less the $2,990 the payer took back
    assert _state(logged["SCA-1-4"]) == ("reversed", 0, "2025-03-28", None, [])
    assert logged["HRC-7781"]["reasons"][0]["meaning"].startswith("These are non-covered")
    ((actor, action, detail),) = _audit()
    assert (actor, action) == ("billing@harbor.example", "remit")
    assert detail == (
        f"{REMITTANCE}: trace EFT0000201; 4 claims applied, 0 already read, 1 not in the log"
    )


def test_the_same_remittance_read_twice_changes_nothing_the_second_time(claims: None) -> None:
    ran("log", "remit", str(REMITTANCE))
    first = _logged()
    out = ran("log", "remit", str(REMITTANCE))
    assert out.count("already read from this remittance; nothing applied again") == 4
    assert "not in the log: claim SCA-9-99" in out
    assert _logged() == first
    assert [detail.split("; ", 1)[1] for *_, detail in _audit()] == [
        "4 claims applied, 0 already read, 1 not in the log",
        "0 claims applied, 4 already read, 1 not in the log",
    ]


def test_a_malformed_remittance_is_one_message_and_changes_nothing(
    claims: None, tmp_path: Path
) -> None:
    before = _logged()
    bad = tmp_path / "bad.835"
    bad.write_text(
        REMITTANCE.read_text().replace("CLP*SCA-1-1*1*5000*2990*", "CLP*SCA-1-1*1*5000*29x0*")
    )
    message = refused("log", "remit", str(bad))
    assert message == (
        f"Remittance file {bad}, segment 13: CLP element 04 '29x0' is not an amount. Fix: ask "
        "the payer or clearinghouse for a corrected file; sca-rates does not guess a figure\n"
    )
    cut = tmp_path / "cut.835"
    cut.write_text(REMITTANCE.read_text().split("SE*")[0])
    assert refused("log", "remit", str(cut)).startswith(f"Remittance file {cut}")
    assert refused("log", "remit", str(REMITTANCE), "--appeal-days", "-1").startswith(
        "appeal days: -1 is below 0. Fix: "
    )
    assert _logged() == before
    assert _audit() == []


# Appeals -------------------------------------------------------------------------------------


def test_an_appeal_is_logged_on_a_denied_or_underpaid_claim_by_either_number(
    claims: None,
) -> None:
    ran("log", "remit", str(REMITTANCE))
    out = ran("log", "appeal", "SCA-1-2", "--on", "2025-05-01", "--note", "sent to Dana")
    assert out.strip() == (
        "claim SCA-1-2 (claim 2): appeal of the underpaid claim sent 2025-05-01, by the deadline "
        "2025-10-13; $390.00 at stake"
    )
    assert "appeal of the denied claim sent 2025-05-02" in ran(
        "log", "appeal", "3", "--on", "2025-05-02"
    )
    logged = _logged()
    assert (logged["SCA-1-2"]["appealed_on"], logged["SCA-1-2"]["appeal_note"]) == (
        "2025-05-01",
        "sent to Dana",
    )
    database = Settings().database_url.removeprefix("sqlite:///")
    assert b"sent to Dana" not in Path(database).read_bytes()  # encrypted, like notes


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("1", "--on", "2025-05-01"), "claim 1 is paid: only a denied or underpaid claim"),
        (("3", "--on", "2025-04-01"), "on: 2025-04-01 is before the decision it appeals"),
        (("3", "--on", "2999-01-01"), "on: 2999-01-01 is still to come"),
        (("3", "--on", "05/01/2025"), "--on: '05/01/2025' is not a date"),
        (("SCA-7-7", "--on", "2025-05-01"), "No logged claim numbered 'SCA-7-7'"),
    ],
)
def test_a_bad_appeal_is_refused_by_field(claims: None, args: tuple[str, ...], said: str) -> None:
    ran("log", "remit", str(REMITTANCE))
    message = refused("log", "appeal", *args)
    assert message.startswith(said) or said in message
    assert "Fix: " in message


def test_an_appeal_note_without_the_key_is_refused(
    claims: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran("log", "remit", str(REMITTANCE))
    monkeypatch.delenv("SCA_PATIENT_KEY")
    message = refused("log", "appeal", "3", "--on", "2025-05-01", "--note", "to Dana")
    assert (
        "appeal notes (like notes) are only stored encrypted. Fix: set SCA_PATIENT_KEY" in message
    )
    assert _logged()["HRC-7781"]["appealed_on"] is None


def _appealable(appeal_by: D, **changes: object) -> LoggedRequest:
    claim = ClaimOutcome(
        id=7,
        number="SCA-1-7",
        submitted_on=D(2025, 3, 8),
        amount_usd=5000,
        date_of_service=D(2025, 3, 3),
        units=5,
        expected_usd=2990,
        status="denied",
        remitted_on=D(2025, 4, 16),
        appeal_by=appeal_by,
        reasons=(ClaimReason(kind="CARC", code="50", meaning="not medically necessary"),),
    ).model_copy(update=changes)
    return LoggedRequest(
        id=1, payer="aetna", level_of_care="PHP", requested_on=D(2025, 2, 1), claims=(claim,)
    )


def test_an_appeal_deadline_within_14_days_is_flagged_until_an_appeal_is_sent() -> None:
    (item,) = appeals([_appealable(APPEAL_BY)])
    assert item.short_usd == pytest.approx(2990)  # a denial: the whole expected payment
    # 2025-10-13 - 14 days = 2025-09-29: flagged from then on; the day before is 15 days away
    assert item.flagged(D(2025, 9, 29))
    assert not item.flagged(D(2025, 9, 28))
    assert item.standing(D(2025, 9, 29)) == "appeal due in 14 days (flagged)"
    assert item.standing(D(2025, 10, 15)) == "deadline passed 2 days ago"
    (sent,) = appeals([_appealable(APPEAL_BY, appealed_on=D(2025, 9, 30))])
    assert not sent.flagged(D(2025, 10, 1))
    assert sent.standing(D(2025, 10, 1)) == "appeal sent 2025-09-30"
    # an appeal sent before a later remittance answered the earlier decision, not this one
    (again,) = appeals([_appealable(APPEAL_BY, appealed_on=D(2025, 4, 1))])
    assert again.appealed_on is None
    assert again.flagged(D(2025, 10, 1))


def _events(data: bytes) -> list[tuple[D, str, str]]:
    return [(e.start, str(e["SUMMARY"]), str(e["UID"])) for e in Calendar.from_ical(data).events]


def test_the_calendar_has_an_event_for_each_appeal_deadline_not_yet_met(claims: None) -> None:
    ran("log", "remit", str(REMITTANCE))
    now = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    appeal_events = [e for e in _events(calendar(_requests(), now=now)) if "appeal" in e[2]]
    assert appeal_events == [
        (
            APPEAL_BY,
            "Appeal deadline: Aetna PHP, auth AUTH-2025-000042, claim SCA-1-2 underpaid, "
            "$390.00 short",
            "sca-rates-claim-2-appeal",
        ),
        (
            APPEAL_BY,
            "Appeal deadline: Aetna PHP, auth AUTH-2025-000042, claim HRC-7781 denied, "
            "$2,990.00 short",
            "sca-rates-claim-3-appeal",
        ),
    ]
    ran("log", "appeal", "HRC-7781", "--on", "2025-05-01")
    left = [e[2] for e in _events(calendar(_requests(), now=now)) if "appeal" in e[2]]
    assert left == ["sca-rates-claim-2-appeal"]


# The Log page --------------------------------------------------------------------------------


def _page() -> AppTest:
    return AppTest.from_string(
        "from sca_rates.ui import log_page\nlog_page.render_page()", default_timeout=60
    ).run()


def _successes(at: AppTest) -> list[str]:
    return [str(s.value) for s in at.success]


def test_the_log_page_enters_a_claim_and_records_a_payment(key: str, letter: Path) -> None:
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(letter))
    at = _page()
    assert not at.exception
    form = {w.label: w for w in (*at.date_input, *at.number_input, *at.text_input)}
    form["Date of service (the first day billed)"].set_value(D(2025, 3, 3))
    form["Units (days or sessions billed)"].set_value(5.0)
    form["Billed ($)"].set_value(5000.0)
    form["Sent on"].set_value(D(2025, 3, 8))
    form["Claim number sent (CLM01)"].set_value("HRC-7781")
    at = next(b for b in at.button if b.label == "Enter the claim").click().run()
    assert not at.exception
    assert not at.error
    # $598 x 5 days = $2,990, due 2025-03-03 + 30 days = 2025-04-02
    assert _successes(at)[0] == (
        "Logged claim 1 on request 1: expected $2,990.00 ($598.00 x 5), due by 2025-04-02. "
        "Send it as claim number HRC-7781 (the patient control number, CLM01)."
    )
    assert _logged()["HRC-7781"]["expected_usd"] == 2990
    next(w for w in at.number_input if w.label == "Amount paid ($)").set_value(2000.0)
    next(w for w in at.date_input if w.label == "Paid on").set_value(D(2025, 3, 28))
    at = next(b for b in at.button if b.label == "Record the payment").click().run()
    assert _successes(at) == [
        "claim 1: received $2,000.00 of $2,990.00 expected; underpaid by $990.00"
    ]
    # a bad input is one message on the page, nothing stored
    next(w for w in at.number_input if w.label == "Amount paid ($)").set_value(0.0)
    at = next(b for b in at.button if b.label == "Record the payment").click().run()
    assert [e.value for e in at.error] == [
        "amount: 0 is not above $0. Fix: give the dollars the payer paid on the claim, e.g. "
        "--amount 2990"
    ]
    assert _logged()["HRC-7781"]["paid_usd"] == 2000


def test_the_log_page_reads_an_uploaded_remittance_and_lists_what_to_appeal(
    claims: None,
) -> None:
    at = _page()
    uploader = at.file_uploader(key="remittance")
    uploader.set_value(("era-0416.835", REMITTANCE.read_bytes(), "application/octet-stream"))
    at = at.run()
    at = next(b for b in at.button if b.label == "Read the remittance").click().run()
    assert not at.exception
    assert not at.error
    said = _successes(at)
    assert said[0].startswith("remittance era-0416.835: Aetna, trace EFT0000201")
    assert "claim HRC-7781 (claim 3, request 1): denied" in said[3]
    assert said[5].startswith("not in the log: claim SCA-9-99")
    assert _logged()["SCA-1-2"]["status"] == "underpaid"
    assert "Denied and underpaid" in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if "appeal by" in d.value.columns)
    assert list(table["number"]) == ["SCA-1-2", "HRC-7781"]
    assert list(table["short"]) == ["$390.00", "$2,990.00"]
    assert list(table["appeal by"]) == ["2025-10-13", "2025-10-13"]
    assert "CO CARC 50 $3,000.00" in table["reasons"][1]
    # the deadline has passed by now (the fixture is of 2025): no appeal sent, so it is said
    assert table["appeal"][0].startswith("deadline passed")
    # read again: nothing applied twice
    at = next(b for b in at.button if b.label == "Read the remittance").click().run()
    assert sum("already read" in line for line in _successes(at)) == 4


def test_the_log_page_shows_a_malformed_remittance_as_one_error(claims: None) -> None:
    at = _page()
    at.file_uploader(key="remittance").set_value(
        ("scan.pdf", b"%PDF-1.4 \xff\xfe", "application/pdf")
    )
    at = at.run()
    at = next(b for b in at.button if b.label == "Read the remittance").click().run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("Remittance file scan.pdf")
    assert _audit() == []


def test_claims_logged_before_numbers_existed_get_the_number_the_log_makes(
    tmp_path: Path,
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    from sca_rates.store.log import _alembic

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    config = _alembic()
    with engine.begin() as connection:  # a log as revision 0003 left it, with one claim
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(
            text(
                "INSERT INTO sca_requests (payer, level_of_care, code, region, unit, "
                "expected_units, triggers, requested_on, outcome, reauthorization_due, notes, "
                "acted_by) VALUES ('aetna', 'PHP', '', '', 'day', 0, '', '2025-02-01', "
                "'approved', '', '', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claims (request_id, submitted_on, status, amount_usd) "
                "VALUES (1, '2025-03-08', 'submitted', 5000)"
            )
        )
    engine.dispose()
    with store.transaction(store.connect(url)) as session:
        (request,) = store.list_requests(session=session)
    assert [claim.number for claim in request.claims] == ["SCA-1-1"]


# Review fixes: money counted once, in the order the payer dated it ---------------------------

ENVELOPE_HEAD = (
    "ISA*00*          *00*          *ZZ*AETNA          *ZZ*HARBORRC       *250416*0900*^*00501"
    "*000000301*0*P*:~GS*HP*AETNA*HARBORRC*20250416*0900*301*X*005010X221A1~"
)
ENVELOPE_TAIL = "GE*1*301~IEA*1*000000301~"


def _remit_file(
    folder: Path,
    *,
    trace: str,
    dated: str,
    claims: list[str],
    payer: str = "AETNA",
    adjustments: tuple[str, ...] = (),
) -> Path:
    """A one-payment 835 paying what its CLPs pay, less its PLB adjustments."""
    paid = sum(float(s.split("*")[4]) for s in claims if s.startswith("CLP*"))
    paid -= sum(float(amount) for s in adjustments for amount in s.split("*")[4::2])
    body = [
        "ST*835*0301",
        f"BPR*I*{paid:g}*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*"
        f"{dated}",
        f"TRN*1*{trace}*1512345678",
        f"DTM*405*{dated}",
        f"N1*PR*{payer}*XV*60054",
        "N1*PE*HARBOR RECOVERY CENTER*XX*1234567893",
        "LX*1",
        *claims,
        *adjustments,
    ]
    body.append(f"SE*{len(body) + 1}*0301")
    path = folder / f"{trace}.835"
    path.write_text(ENVELOPE_HEAD + "~".join(body) + "~" + ENVELOPE_TAIL)
    return path


def _two_claims(key: str, letter: Path, *more: str) -> None:
    """Request 1 at $598 a day (30-day window) with claims 1 (SCA-1-1) and 2, 5 days each:
    $598 x 5 = $2,990 expected on each."""
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(letter))
    _claim("2025-03-03", "2025-03-08")
    _claim("2025-03-10", "2025-03-15", *more)


def test_a_claim_the_payer_paid_with_the_patients_share_is_not_unpaid_nor_underpaid() -> None:
    # $1,000 expected: $900 paid by the payer + $100 the patient's share = $1,000 allowed
    claim = ClaimOutcome(
        id=7,
        number="SCA-1-7",
        submitted_on=D(2025, 3, 8),
        amount_usd=1500,
        date_of_service=D(2025, 3, 3),
        units=1,
        expected_usd=1000,
        paid_usd=900,
        patient_responsibility_usd=100,
        status="paid",
        remitted_on=D(2025, 4, 16),
    )
    request = LoggedRequest(
        id=1, payer="aetna", level_of_care="PHP", requested_on=D(2025, 2, 1), claims=(claim,)
    )
    assert claims_unpaid([request], today=D(2025, 12, 1)) == []
    now = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    assert [e for e in _events(calendar([request], now=now)) if "follow-up" in e[2]] == []
    assert owed(claim) == 0
    said = payment_said(claim)
    assert said.endswith("paid in full")
    assert "underpaid" not in said
    # $850 paid + $100 = $950: $50 still owed, everywhere the same
    short = claim.model_copy(update={"paid_usd": 850})
    request = request.model_copy(update={"claims": (short,)})
    (late,) = claims_unpaid([request], today=D(2025, 12, 1))
    assert late.unpaid_usd == pytest.approx(50)
    assert payment_said(short).endswith("underpaid by $50.00")


def test_remittances_read_out_of_order_leave_the_claim_as_the_payer_dated_them(
    key: str, letter: Path, tmp_path: Path
) -> None:
    _two_claims(key, letter)
    # April 16: $2,990 paid in full on SCA-1-1
    first = _remit_file(
        tmp_path,
        trace="EFTA",
        dated="20250416",
        claims=["CLP*SCA-1-1*1*5000*2990**12*AETA1*13*1", "CAS*CO*45*2010"],
    )
    # May 20: the $2,990 taken back and paid again at $2,600 (CO 45 $2,400): $390 short; and
    # SCA-1-2 paid in full, so the payment is -$2,990 + $2,600 + $2,990 = $2,600
    later = _remit_file(
        tmp_path,
        trace="EFTB",
        dated="20250520",
        claims=[
            "CLP*SCA-1-1*22*-5000*-2990**12*AETA1*13*1",
            "CAS*CO*45*-2010",
            "CLP*SCA-1-1*1*5000*2600**12*AETB1*13*1",
            "CAS*CO*45*2400",
            "CLP*SCA-1-2*1*5000*2990**12*AETB2*13*1",
            "CAS*CO*45*2010",
        ],
    )
    ran("log", "remit", str(later))  # read first
    out = ran("log", "remit", str(first))
    # $2,990 - $2,990 + $2,600 = $2,600 received; $2,990 - $2,600 = $390 underpaid; the appeal
    # deadline counts from May 20: + 180 days = 2025-11-16 (May 31 is 11, June 41, July 72,
    # August 103, September 133, October 164, November 16 is 180)
    claim = _logged()["SCA-1-1"]
    assert _state(claim) == (
        "underpaid",
        2600,
        "2025-05-20",
        "2025-11-16",
        [("CARC", "CO", "45", 2400)],
    )
    assert "worked out again in the order of the remittances' dates" in out
    assert claim["remitted_on"] == "2025-05-20"


def test_a_payment_by_hand_on_a_claim_with_a_remittance_is_refused(
    key: str, letter: Path, tmp_path: Path
) -> None:
    _two_claims(key, letter)
    paid = _remit_file(
        tmp_path,
        trace="EFTA",
        dated="20250416",
        claims=["CLP*SCA-1-1*1*5000*2990**12*AETA1*13*1", "CAS*CO*45*2010"],
    )
    ran("log", "remit", str(paid))
    message = refused("log", "paid", "1", "--amount", "2990", "--on", "2025-04-20")
    assert message.startswith("claim 1 (SCA-1-1) has a remittance read (2025-04-16)")
    assert "Fix: read the remittance that reports this payment" in message
    assert _state(_logged()["SCA-1-1"])[:2] == ("paid", 2990)  # not $5,980, overpaid


def test_a_remittance_of_another_payer_is_not_applied(
    key: str, letter: Path, tmp_path: Path
) -> None:
    _two_claims(key, letter)
    before = _logged()
    cigna = _remit_file(
        tmp_path,
        trace="CIG1",
        dated="20250416",
        payer="CIGNA",
        claims=["CLP*SCA-1-1*1*5000*2990**12*CIG1*13*1", "CAS*CO*45*2010"],
    )
    out = ran("log", "remit", str(cigna))
    assert (
        "claim SCA-1-1 (claim 1, request 1): not applied: the claim is logged on request 1 with "
        "Aetna, and this remittance is from CIGNA" in out
    )
    assert _logged() == before
    assert _audit()[0][2].endswith(
        "0 claims applied, 0 already read, 1 logged with another payer, 0 not in the log"
    )


def test_a_claim_is_named_by_the_number_it_was_sent_with_before_its_log_number(
    key: str, letter: Path, tmp_path: Path
) -> None:
    _two_claims(key, letter, "--number", "1")  # claim 2 was sent as "1"
    denial = _remit_file(
        tmp_path,
        trace="EFTD",
        dated="20250416",
        claims=["CLP*1*4*5000*0**12*AETD1*13*1", "CAS*CO*50*5000"],
    )
    ran("log", "remit", str(denial))
    out = ran("log", "appeal", "1", "--on", "2025-05-01")
    assert out.startswith("claim 1 (claim 2): appeal of the denied claim sent 2025-05-01")
    assert _logged()["1"]["appealed_on"] == "2025-05-01"


def test_two_adjudications_of_one_claim_in_one_payment_are_both_kept(
    key: str, letter: Path, tmp_path: Path
) -> None:
    _two_claims(key, letter)
    # a split claim: the payer adjudicates SCA-1-1 twice under one claim number, $1,495 each
    # (days 1-3 and 4-5 of $2,990): $1,495 + $1,495 = $2,990, paid in full
    split = _remit_file(
        tmp_path,
        trace="EFTS",
        dated="20250416",
        claims=[
            "CLP*SCA-1-1*1*3000*1495**12*AETS1*13*1",
            "CAS*CO*45*1505",
            "CLP*SCA-1-1*1*2000*1495**12*AETS1*13*1",
            "CAS*CO*45*505",
        ],
    )
    ran("log", "remit", str(split))
    assert _state(_logged()["SCA-1-1"])[:2] == ("paid", 2990)
    again = ran("log", "remit", str(split))
    assert "already read from this remittance; nothing applied again" in again
    assert _state(_logged()["SCA-1-1"])[:2] == ("paid", 2990)


def test_provider_adjustments_are_listed_with_a_recoupment_to_check_by_hand(
    key: str, letter: Path, tmp_path: Path
) -> None:
    _two_claims(key, letter)
    # $2,990 on SCA-1-1, less $250 recouped for an earlier claim (WO), plus $12.50 interest
    # (L6, negative: added): $2,990 - $250 + $12.50 = $2,752.50 paid
    plb = _remit_file(
        tmp_path,
        trace="EFTP",
        dated="20250416",
        claims=["CLP*SCA-1-1*1*5000*2990**12*AETP1*13*1", "CAS*CO*45*2010"],
        adjustments=("PLB*1234567893*20251231*WO:AET2503280004*250*L6*-12.5",),
    )
    out = ran("log", "remit", str(plb))
    assert "$2,752.50 paid" in out
    assert (
        "provider adjustment (PLB) WO AET2503280004: $250.00 taken from the payment; if it "
        "recoups an earlier claim's payment, check by hand which claim" in out
    )
    assert "provider adjustment (PLB) L6: $12.50 added to the payment" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("paid", "1", "--amount", "inf", "--on", "2025-03-28"), "amount: inf is not a number"),
        (("paid", "1", "--amount", "nan", "--on", "2025-03-28"), "amount: nan is not a number"),
        (
            ("paid", "99999999999999999999", "--amount", "1", "--on", "2025-03-28"),
            "No logged claim 99999999999999999999",
        ),
        (("appeal", "\u00b2", "--on", "2025-05-01"), "No logged claim numbered '\u00b2'"),
        (
            ("appeal", "99999999999999999999", "--on", "2025-05-01"),
            "No logged claim 99999999999999999999",
        ),
        (
            ("claim", "1", "--date-of-service", "2025-03-17", "--units", "inf", "--billed", "5000"),
            "units: inf is not a number",
        ),
        (
            ("claim", "1", "--date-of-service", "2025-03-17", "--units", "5", "--billed", "inf"),
            "billed: inf is not a number",
        ),
    ],
)
def test_amounts_and_numbers_no_log_can_hold_are_refused_in_one_message(
    key: str, letter: Path, args: tuple[str, ...], said: str
) -> None:
    _two_claims(key, letter)
    message = refused("log", *args)
    assert message.startswith(said)
    assert "Fix: " in message
    ran("log", "list")  # the log still lists


def test_a_log_read_before_adjudications_were_kept_whole_skips_them_and_keeps_its_money(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    from sca_rates.store.log import _alembic

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    monkeypatch.setenv("SCA_DATABASE_URL", url)
    engine = create_engine(url)
    config = _alembic()
    with engine.begin() as connection:  # revision 0004: SCA-1-1 paid $2,990 by the fixture
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        connection.execute(
            text(
                "INSERT INTO sca_requests (payer, level_of_care, code, region, unit, "
                "expected_units, triggers, requested_on, outcome, reauthorization_due, notes, "
                "acted_by, agreed_rate_usd) VALUES ('aetna', 'PHP', '', '', 'day', 0, '', "
                "'2025-02-01', 'approved', '', '', '', 598)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claims (request_id, submitted_on, status, amount_usd, "
                "date_of_service, units, expected_usd, paid_usd, paid_on, number, "
                "patient_responsibility_usd, remitted_on) VALUES (1, '2025-03-08', 'paid', "
                "5000, '2025-03-03', 5, 2990, 2990, '2025-04-18', 'SCA-1-1', 0, '2025-04-16')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claim_remits (claim_id, trace_number, payer_claim_number, "
                "status_code, paid_usd, patient_responsibility_usd, issued_on, source) VALUES "
                "(1, 'EFT0000201', 'AET2504160001', '1', 2990, 0, '2025-04-16', 'era.835')"
            )
        )
    engine.dispose()
    out = ran("log", "remit", str(REMITTANCE))
    assert "claim SCA-1-1 (claim 1, request 1): already read from this remittance" in out
    (request,) = _requests()
    (claim,) = request.claims
    # $2,990 received, all of it from the remittance: none recorded by hand
    assert (claim.status, claim.paid_usd, claim.hand_paid_usd) == ("paid", 2990, 0)
