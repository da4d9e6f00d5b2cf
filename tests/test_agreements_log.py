"""After the call: the payer's agreement kept with its request, claims and payments entered by
hand, what is due this week and what is unpaid past its window, and the reminders calendar. Dates
and amounts are worked by hand in the comments."""

import datetime as dt
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import streamlit
from icalendar import Calendar
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from sca_rates import store
from sca_rates.exceptions import LogError
from sca_rates.files import load_terms
from sca_rates.logbook import agreement_changes
from sca_rates.models.log import ClaimOutcome, LoggedRequest, PatientIdentifiers
from sca_rates.models.terms import AgreementTerms
from sca_rates.reminders import (
    calendar,
    claims_unpaid,
    due_this_week,
    expected_payment,
    new_claim,
    with_payment,
)
from sca_rates.settings import Settings
from sca_rates.store.crypto import Cipher, new_key
from sca_rates.store.schema import AuditRow
from tests.cli_runs import ran, refused
from tests.conftest import FIXTURES, PROJECT

D = dt.date
LETTER = PROJECT / "agreements" / "harborview-aetna-php.yaml"
TERMS = load_terms(LETTER)
CASE = str(FIXTURES / "cases" / "php-case.yaml")
MARKET = str(FIXTURES / "market")
NAME = "Jordan Example"
# A letter whose dates have passed, for the commands that refuse a date still to come: the
# authorization 2025-03-03 (a Monday) to 2025-03-16, one period; the request is due 3 business
# days before Sunday 2025-03-16: Fri 14 (1), Thu 13 (2), Wed 12 (3) -> 2025-03-12
PAST_LETTER = """\
payer: Aetna
rate: {per_unit_usd: 598, unit: day, basis: bundled_per_diem}
authorization: {number: AUTH-2025-000042, start_date: 2025-03-03, end_date: 2025-03-16,
                authorized_units: 10}
reauthorization: {lead_business_days: 3}
claims: {payment_days: 30}
payer_contact: {name: Dana Reviewer, phone: 800-555-0142}
"""


def _request(**changes: object) -> LoggedRequest:
    base = LoggedRequest(
        id=3, payer="aetna", level_of_care="PHP", unit="day", requested_on=D(2026, 11, 2)
    )
    return base.model_copy(update=changes)


def _with_agreement(terms: AgreementTerms = TERMS, **changes: object) -> LoggedRequest:
    request = _request()
    found, _ = agreement_changes(terms, request)
    return request.model_copy(update=found | changes)


def _texts(data: bytes) -> list[str]:
    """Every value of every property of an iCalendar file, its components' too, read back as
    a calendar reads it (long lines unfolded, escapes undone)."""
    return [str(value) for _, value in Calendar.from_ical(data).property_items()]


def _audited(action: str) -> list[int | None]:
    """The request of each audit row of ``action``, in order."""
    with store.transaction(store.connect(Settings().database_url)) as session:
        rows = session.execute(
            select(AuditRow.request_id).where(AuditRow.action == action).order_by(AuditRow.id)
        )
        return [request_id for (request_id,) in rows]


def _events(data: bytes) -> list[tuple[dt.date, str, str, str]]:
    """Each event of an iCalendar file read back: start, summary, description and UID."""
    return [
        (event.start, str(event["SUMMARY"]), str(event["DESCRIPTION"]), str(event["UID"]))
        for event in Calendar.from_ical(data).events
    ]


# The agreement in the log ------------------------------------------------------------------


def test_the_letter_gives_the_request_its_authorization_rate_schedule_window_and_contact() -> None:
    changes, said = agreement_changes(TERMS, _request())
    assert changes == {
        "authorization_number": "AUTH-2026-118844",
        "authorization_start": D(2026, 12, 7),
        "authorization_end": D(2027, 1, 1),
        "authorized_units": 18,
        "payment_days": 30,
        "payer_contact": "Dana Reviewer, 800-555-0142, dana.reviewer@payer.example",
        # periods of 14 days from Mon 2026-12-07: Dec 7-20 and Dec 21-Jan 1. Each request is due
        # 3 business days before its period ends: before Sun Dec 20, Fri 18, Thu 17, Wed 16;
        # before Fri Jan 1, Thu Dec 31, Wed 30, Tue 29 (the Dec 25 holiday is not passed)
        "reauthorization_due": (D(2026, 12, 16), D(2026, 12, 29)),
        "agreed_rate_usd": 598,
        "agreed_unit": "day",
        # a rate per day: a case rate logged before is cleared
        "case_rate_usd": None,
        "case_units_covered": None,
        "beyond_per_unit_usd": None,
    }
    assert said == []


def test_a_letter_rate_other_than_the_logged_one_replaces_it_and_says_so() -> None:
    _, said = agreement_changes(TERMS, _request(agreed_rate_usd=610))
    assert said == [
        "the letter's rate, $598.00, replaces the $610.00 logged; `sca-rates terms LETTER "
        "--case CASE --history CALL` compares the letter with the call"
    ]


def test_a_case_rate_is_kept_as_what_it_pays_a_day() -> None:
    terms = TERMS.model_copy(
        update={
            "rate": TERMS.rate.model_copy(
                update={"per_unit_usd": None, "case_rate_usd": 8000, "units_covered": 10}
            )
        }
    )
    changes, said = agreement_changes(terms, _request())
    assert changes["agreed_rate_usd"] == pytest.approx(800)  # $8,000 / 10 days
    assert said[0].startswith("a case rate: claims are expected at what it pays a day, $800.00")


def _case_rate(beyond: float) -> LoggedRequest:
    rate = TERMS.rate.model_copy(
        update={
            "per_unit_usd": None,
            "case_rate_usd": 8400,
            "units_covered": 14,
            "beyond_per_unit_usd": beyond,
        }
    )
    return _with_agreement(TERMS.model_copy(update={"rate": rate}))


def _case_claim(request: LoggedRequest, units: float) -> ClaimOutcome:
    return new_claim(
        request,
        date_of_service=D(2026, 12, 7),
        units=units,
        billed_usd=1000 * units,
        submitted_on=D(2026, 12, 28),
        today=D(2027, 1, 5),
    )


def test_a_case_rate_pays_its_amount_for_the_units_it_covers_and_its_rate_beyond_after() -> None:
    # $8,400 for 14 days ($8,400 / 14 = $600 a day covered), nothing beyond: a 20-day claim is
    # 14 x $600 + 6 x $0 = $8,400 (not 20 x $600 = $12,000)
    request = _case_rate(beyond=0)
    assert request.agreed_rate_usd == pytest.approx(600)
    assert _case_claim(request, 20).expected_usd == pytest.approx(8400)
    # the stay in two claims of 10 days: 10 x $600 = $6,000; then 4 covered days x $600 =
    # $2,400 and 6 beyond at $0, $8,400 in all
    first = _case_claim(request, 10)
    second = _case_claim(request.model_copy(update={"claims": (first,)}), 10)
    assert (first.expected_usd, second.expected_usd) == pytest.approx((6000, 2400))
    # $150 a day beyond: 20 days = $8,400 + 6 x $150 = $9,300
    assert _case_claim(_case_rate(beyond=150), 20).expected_usd == pytest.approx(9300)


def test_a_letter_without_a_payment_window_says_claims_are_followed_up_after_30_days() -> None:
    terms = TERMS.model_copy(
        update={"claims": TERMS.claims.model_copy(update={"payment_days": None})}
    )
    _, said = agreement_changes(terms, _request())
    assert said == [
        "the letter names no payment window (claims.payment_days): claims are followed up 30 "
        "days after their date of service"
    ]


@pytest.mark.parametrize(
    ("request_changes", "terms_changes", "field", "fix"),
    [
        (
            {"payer": "cigna"},
            {},
            "payer: the agreement is with Aetna, request 3 with cigna",
            "attach it to that payer's request",
        ),
        (
            {"unit": "session"},
            {},
            "rate.unit: the agreement pays per day, request 3 counts sessions",
            "ask the payer for the rate per session",
        ),
        ({"outcome": "denied"}, {}, "request 3 is denied", "record the decision first"),
        (
            {},
            {"authorization": {"start_date": D(2026, 12, 7), "end_date": D(2026, 12, 1)}},
            "authorization.end_date: 2026-12-01 is before the start date 2026-12-07",
            "give the dates as the letter states them",
        ),
        (
            {},
            {"rate": {}, "authorization": {}, "claims": {}, "payer_contact": {}},
            "the agreement file states no authorization, rate, payment window nor contact",
            "fill in authorization, rate and claims.payment_days",
        ),
    ],
)
def test_a_letter_that_does_not_fit_the_request_is_refused_by_field(
    request_changes: dict[str, Any], terms_changes: dict[str, Any], field: str, fix: str
) -> None:
    terms = AgreementTerms.model_validate(TERMS.model_dump() | terms_changes)
    with pytest.raises(LogError) as refused:
        agreement_changes(terms, _request(**request_changes))
    assert str(refused.value).startswith(field)
    assert f"Fix: {fix}" in str(refused.value)


# Claims and payments -----------------------------------------------------------------------


def test_a_claim_is_expected_to_bring_the_agreed_rate_times_its_units() -> None:
    claim = new_claim(
        _with_agreement(),
        date_of_service=D(2026, 12, 7),
        units=5,
        billed_usd=5000,
        submitted_on=D(2026, 12, 12),
        today=D(2026, 12, 14),
    )
    assert claim.expected_usd == pytest.approx(2990)  # $598 x 5 days
    assert (claim.amount_usd, claim.units, claim.status) == (5000, 5, "submitted")


def test_a_claim_on_a_request_without_an_agreement_says_how_to_attach_one() -> None:
    with pytest.raises(LogError, match=r"request 3 has no agreement with a rate") as refused:
        expected_payment(_request(), 5)
    assert "Fix: attach the letter with `sca-rates log agreement 3 --terms FILE`" in str(
        refused.value
    )


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"units": 0}, "units: 0 is not above 0"),
        ({"billed_usd": -5}, "billed: -5 is not above $0"),
        ({"date_of_service": D(2026, 12, 20)}, "date of service: 2026-12-20 is still to come"),
        (
            {"submitted_on": D(2026, 12, 1)},
            "submitted on: 2026-12-01 is before the date of service",
        ),
    ],
)
def test_a_bad_claim_is_refused_by_field(changes: dict[str, Any], said: str) -> None:
    given: dict[str, Any] = {
        "date_of_service": D(2026, 12, 7),
        "units": 5,
        "billed_usd": 5000,
        "submitted_on": D(2026, 12, 12),
        "today": D(2026, 12, 14),
    } | changes
    with pytest.raises(LogError, match="Fix: ") as refused:
        new_claim(_with_agreement(), **given)
    assert str(refused.value).startswith(said)


def _claim(**changes: object) -> ClaimOutcome:
    base = ClaimOutcome(
        id=7,
        submitted_on=D(2026, 12, 12),
        amount_usd=5000,
        date_of_service=D(2026, 12, 7),
        units=5,
        expected_usd=2990,  # $598 x 5 days
    )
    return base.model_copy(update=changes)


def test_a_partial_payment_leaves_the_claim_underpaid_by_the_difference() -> None:
    first = with_payment(_claim(), amount_usd=2000, paid_on=D(2027, 1, 4), today=D(2027, 1, 5))
    assert (first.status, first.paid_usd, first.paid_on) == ("underpaid", 2000, D(2027, 1, 4))
    # $2,990 expected - $2,000 received = $990 still owed; it comes, and the claim is paid
    second = with_payment(first, amount_usd=990, paid_on=D(2027, 1, 20), today=D(2027, 1, 20))
    assert (second.status, second.paid_usd, second.paid_on) == ("paid", 2990, D(2027, 1, 20))


@pytest.mark.parametrize(
    ("amount", "on", "said"),
    [
        (0, D(2027, 1, 4), "amount: 0 is not above $0"),
        (100, D(2027, 2, 1), "paid on: 2027-02-01 is still to come"),
        (100, D(2026, 12, 1), "paid on: 2026-12-01 is before the claim was sent (2026-12-12)"),
    ],
)
def test_a_bad_payment_is_refused_by_field(amount: float, on: dt.date, said: str) -> None:
    with pytest.raises(LogError, match="Fix: ") as refused:
        with_payment(_claim(), amount_usd=amount, paid_on=on, today=D(2027, 1, 5))
    assert str(refused.value).startswith(said)


# What is due -------------------------------------------------------------------------------


def test_a_claim_is_unpaid_the_day_after_its_payment_window() -> None:
    request = _with_agreement(claims=(_claim(paid_usd=2000, status="underpaid"),))
    # service 2026-12-07 + 30 days = 2027-01-06, the window's last day: not yet late
    assert claims_unpaid([request], today=D(2027, 1, 6)) == []
    (late,) = claims_unpaid([request], today=D(2027, 1, 7))
    assert (late.window_ends, late.follow_up_on, late.window_stated) == (
        D(2027, 1, 6),
        D(2027, 1, 7),
        True,
    )
    assert (late.expected_usd, late.received_usd, late.unpaid_usd) == (2990, 2000, 990)


def test_without_a_payment_window_a_claim_is_unpaid_after_30_days_and_that_is_said() -> None:
    request = _with_agreement(payment_days=None, claims=(_claim(date_of_service=D(2026, 12, 14)),))
    # 2026-12-14 + 30 days = 2027-01-13
    (late,) = claims_unpaid([request], today=D(2027, 1, 14))
    assert (late.window_ends, late.window_days, late.window_stated) == (D(2027, 1, 13), 30, False)


def test_a_claim_paid_in_full_or_denied_is_not_followed_up() -> None:
    paid = _claim(id=8, paid_usd=2990, status="paid")
    denied = _claim(id=9, status="denied")
    request = _with_agreement(claims=(paid, denied))
    assert claims_unpaid([request], today=D(2027, 3, 1)) == []


def test_the_reauthorizations_due_this_week_are_the_7_days_from_today_and_those_overdue() -> None:
    request = _with_agreement()  # due 2026-12-16 and 2026-12-29; the authorization ends 2027-01-01
    # 7 days from Thu 2026-12-10: Dec 10, 11, 12, 13, 14, 15 and 16
    assert [r.due for r in due_this_week([request], today=D(2026, 12, 10))] == [D(2026, 12, 16)]
    assert [r.due for r in due_this_week([request], today=D(2026, 12, 9))] == []  # Dec 9 to 15
    # Dec 16 passed unsent (the log keeps no "sent"): listed as overdue while the authorization
    # runs, beside Dec 29 once it is within Dec 23 to 29
    (late,) = due_this_week([request], today=D(2026, 12, 17))
    assert (late.due, late.overdue(D(2026, 12, 17))) == (D(2026, 12, 16), True)
    assert [r.due for r in due_this_week([request], today=D(2026, 12, 23))] == [
        D(2026, 12, 16),
        D(2026, 12, 29),
    ]
    assert due_this_week([request], today=D(2027, 1, 2)) == []  # the authorization has ended
    withdrawn = request.model_copy(update={"outcome": "withdrawn"})
    assert due_this_week([withdrawn], today=D(2026, 12, 9)) == []


# The calendar ------------------------------------------------------------------------------


def test_the_calendar_has_one_all_day_event_per_request_due_and_per_claim_follow_up() -> None:
    request = _with_agreement(claims=(_claim(),))
    now = dt.datetime(2026, 12, 10, 9, tzinfo=dt.UTC)
    events = _events(calendar([request], now=now))
    assert [(start, summary) for start, summary, _, _ in events] == [
        (D(2026, 12, 16), "Reauthorization request due: Aetna PHP, auth AUTH-2026-118844"),
        (D(2026, 12, 29), "Reauthorization request due: Aetna PHP, auth AUTH-2026-118844"),
        # 2026-12-07 + 30 days = 2027-01-06, the window's last day; followed up the day after.
        # Nothing paid of $598 x 5 = $2,990
        (
            D(2027, 1, 7),
            "Claim follow-up: Aetna PHP, auth AUTH-2026-118844, service 2026-12-07, "
            "$2,990.00 unpaid",
        ),
    ]
    assert "the updated treatment plan and progress notes" in events[0][2]
    assert "$2,990.00 expected, $0.00 received" in events[2][2]
    for event in Calendar.from_ical(calendar([request], now=now)).events:
        assert event.end - event.start == dt.timedelta(days=1)  # one whole day


def test_the_calendar_keeps_its_uids_and_names_a_patient_only_when_given() -> None:
    # the request as revealed, its patient named: the calendar names them only when asked
    request = _with_agreement(claims=(_claim(),), patient=PatientIdentifiers(name=NAME))
    first = calendar([request], now=dt.datetime(2026, 12, 10, tzinfo=dt.UTC))
    later = calendar([request], now=dt.datetime(2026, 12, 11, tzinfo=dt.UTC))
    assert (
        [uid for *_, uid in _events(first)]
        == [uid for *_, uid in _events(later)]
        == [
            "sca-rates-request-3-reauthorization-1",
            "sca-rates-request-3-reauthorization-2",
            "sca-rates-claim-7-follow-up",
        ]
    )
    texts = _texts(first)
    assert any("Reauthorization request due: Aetna PHP" in text for text in texts)
    assert not any(NAME.lower() in text.lower() for text in texts)
    named = calendar([request], now=dt.datetime(2026, 12, 10, tzinfo=dt.UTC), patients={3: NAME})
    assert all(summary.endswith(f", patient {NAME}") for _, summary, _, _ in _events(named))


# The commands ------------------------------------------------------------------------------


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    made = new_key()
    monkeypatch.setenv("SCA_PATIENT_KEY", made)
    return made


@pytest.fixture
def past_letter(tmp_path: Path) -> Path:
    path = tmp_path / "aetna-2025.yaml"
    path.write_text(PAST_LETTER)
    return path


def _listed() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(ran("log", "list", "--json"))
    return found


def test_log_add_with_terms_stores_the_agreement_and_list_json_shows_it(key: str) -> None:
    out = ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(LETTER))
    assert "agreement request 1: AUTH-2026-118844; $598.00 per day; 2026-12-07 to 2027-01-01" in out
    (listed,) = _listed()
    assert {
        name: listed[name]
        for name in (
            "authorization_number",
            "authorization_start",
            "authorization_end",
            "authorized_units",
            "agreed_rate_usd",
            "agreed_unit",
            "reauthorization_due",
            "payment_days",
            "payer_contact",
        )
    } == {
        "authorization_number": "AUTH-2026-118844",
        "authorization_start": "2026-12-07",
        "authorization_end": "2027-01-01",
        "authorized_units": 18,
        "agreed_rate_usd": 598,
        "agreed_unit": "day",
        "reauthorization_due": ["2026-12-16", "2026-12-29"],
        "payment_days": 30,
        "payer_contact": "Dana Reviewer, 800-555-0142, dana.reviewer@payer.example",
    }


def test_the_case_managers_contact_is_stored_encrypted_and_refused_without_a_key(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(LETTER))
    database = Settings().database_url.removeprefix("sqlite:///")
    assert b"Dana Reviewer" not in Path(database).read_bytes()
    monkeypatch.delenv("SCA_PATIENT_KEY")
    message = refused("log", "add", CASE, "--market-data", MARKET, "--terms", str(LETTER))
    assert "payer contact may name the patient" in message
    assert "Fix: set SCA_PATIENT_KEY" in message
    assert len(_listed()) == 1  # the refused request was not stored
    assert _listed()[0]["payer_contact"] is None  # left out without the key, as notes are


def test_log_agreement_attaches_a_letter_to_a_logged_request(key: str, past_letter: Path) -> None:
    ran("log", "add", CASE, "--market-data", MARKET)
    out = ran("log", "agreement", "1", "--terms", str(past_letter))
    assert out.startswith(
        "agreement request 1: AUTH-2025-000042; $598.00 per day; 2025-03-03 to 2025-03-16; "
        "10 units authorized; reauthorization requests due 2025-03-12; clean claims paid "
        "within 30 days"
    )
    assert _listed()[0]["reauthorization_due"] == ["2025-03-12"]


def test_log_agreement_refuses_another_payers_letter_and_an_unknown_request(
    key: str, tmp_path: Path
) -> None:
    ran("log", "add", CASE, "--market-data", MARKET)
    cigna = tmp_path / "cigna.yaml"
    cigna.write_text("payer: Cigna\nrate: {per_unit_usd: 500, unit: day}\n")
    assert refused("log", "agreement", "1", "--terms", str(cigna)).startswith(
        "payer: the agreement is with Cigna, request 1 with aetna. Fix: "
    )
    assert refused("log", "agreement", "9", "--terms", str(LETTER)).startswith(
        "No logged request 9. Fix: "
    )
    assert _listed()[0]["authorization_number"] is None  # nothing changed


def test_claims_and_payments_entered_by_hand(key: str, past_letter: Path) -> None:
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(past_letter))
    out = ran(
        "log",
        "claim",
        "1",
        "--date-of-service",
        "2025-03-03",
        "--units",
        "5",
        "--billed",
        "5000",
        "--submitted-on",
        "2025-03-08",
    )
    # $598 x 5 days = $2,990; 2025-03-03 + 30 days = 2025-04-02
    assert out.startswith(
        "logged claim 1 on request 1: billed $5,000.00, expected $2,990.00 ($598.00 x 5); due "
        "to be paid within 30 days, by 2025-04-02"
    )
    out = ran("log", "paid", "1", "--amount", "2000", "--on", "2025-03-28")
    assert out.strip() == (
        "claim 1: received $2,000.00 of $2,990.00 expected; underpaid by $990.00"
    )
    (claim,) = _listed()[0]["claims"]
    assert (claim["id"], claim["status"], claim["paid_usd"], claim["expected_usd"]) == (
        1,
        "underpaid",
        2000,
        2990,
    )
    # the window ended 2025-04-02; the day after, $990 of it is still unpaid
    with store.transaction(store.connect(Settings().database_url)) as session:
        requests = store.list_requests(session=session)
    (late,) = claims_unpaid(requests, today=D(2025, 4, 3))
    assert late.unpaid_usd == pytest.approx(990)


def test_a_claim_without_an_agreement_and_bad_claim_input_are_one_message_each(
    key: str,
) -> None:
    ran("log", "add", CASE, "--market-data", MARKET)
    claim = ("log", "claim", "1", "--units", "5", "--billed", "5000")
    assert "request 1 has no agreement with a rate" in refused(
        *claim, "--date-of-service", "2025-03-03"
    )
    assert refused(*claim, "--date-of-service", "03/03/2025").startswith(
        "--date-of-service: '03/03/2025' is not a date. Fix: write it YYYY-MM-DD"
    )
    assert refused("log", "paid", "4", "--amount", "10", "--on", "2025-03-28").startswith(
        "No logged claim 4. Fix: "
    )


def test_log_calendar_writes_an_owner_only_file_replaced_only_with_force(
    key: str, past_letter: Path, tmp_path: Path
) -> None:
    ran("log", "add", CASE, "--market-data", MARKET, "--terms", str(past_letter))
    ran(
        "log",
        "claim",
        "1",
        "--date-of-service",
        "2025-03-03",
        "--units",
        "5",
        "--billed",
        "5000",
        "--submitted-on",
        "2025-03-08",
    )
    ics = tmp_path / "sca.ics"
    assert ran("log", "calendar", "-o", str(ics)).startswith(
        f"wrote the calendar to {ics}, naming no patient"
    )
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600
    assert [(start, summary) for start, summary, _, _ in _events(ics.read_bytes())] == [
        (D(2025, 3, 12), "Reauthorization request due: Aetna PHP, auth AUTH-2025-000042"),
        # 2025-03-03 + 30 days = 2025-04-02; the follow-up the day after. $598 x 5 = $2,990
        (
            D(2025, 4, 3),
            "Claim follow-up: Aetna PHP, auth AUTH-2025-000042, service 2025-03-03, "
            "$2,990.00 unpaid",
        ),
    ]
    ics.write_text("kept")
    assert "the file exists. Fix: give --force to replace it" in refused(
        "log", "calendar", "-o", str(ics)
    )
    assert ics.read_text() == "kept"
    ran("log", "calendar", "-o", str(ics), "--force")
    assert len(_events(ics.read_bytes())) == 2


def test_log_calendar_names_patients_only_when_asked_and_with_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, past_letter: Path, tmp_path: Path
) -> None:
    ran(
        "log",
        "add",
        CASE,
        "--market-data",
        MARKET,
        "--terms",
        str(past_letter),
        "--patient-name",
        NAME,
    )
    plain, named = tmp_path / "plain.ics", tmp_path / "named.ics"
    ran("log", "calendar", "-o", str(plain))
    texts = _texts(plain.read_bytes())
    assert any("Reauthorization request due" in text for text in texts)
    assert not any(NAME.lower() in text.lower() for text in texts)
    assert _audited("export") == []  # no name shown, none recorded
    assert "naming 1 patients" in ran("log", "calendar", "-o", str(named), "--with-patient-names")
    (event,) = _events(named.read_bytes())
    assert event[1].endswith(f", patient {NAME}")
    assert _audited("export") == [1]  # the name of request 1, recorded as exported
    monkeypatch.delenv("SCA_PATIENT_KEY")
    assert refused(
        "log", "calendar", "-o", str(tmp_path / "x.ics"), "--with-patient-names"
    ).startswith("--with-patient-names needs SCA_PATIENT_KEY. Fix: ")


# The Log page ------------------------------------------------------------------------------


def _seed_page_log(today: dt.date, key: str) -> None:
    """One request whose first reauthorization was due 11 days ago (overdue: its authorization
    runs another 30 days) and whose second is due in 3 days, with a claim whose 30-day window
    ended yesterday, $2,000 of its $2,990 paid."""
    request = _with_agreement(
        id=None,
        authorization_end=today + dt.timedelta(days=30),
        reauthorization_due=(today - dt.timedelta(days=11), today + dt.timedelta(days=3)),
        claims=(
            _claim(
                id=None,
                date_of_service=today - dt.timedelta(days=31),
                submitted_on=today - dt.timedelta(days=28),
                paid_usd=2000,
                status="underpaid",
            ),
        ),
        patient=PatientIdentifiers(name=NAME),
    )
    engine = store.connect(Settings().database_url)
    with store.transaction(engine) as session:
        store.add_request(session=session, request=request, cipher=Cipher(key), actor="tester")


def test_the_log_page_shows_what_is_due_this_week_and_the_claims_unpaid(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    today = dt.date.today()
    _seed_page_log(today, key)
    made: dict[str, Callable[[], bytes]] = {}
    draw = streamlit.download_button

    def keep(label: str, data: Any, **kwargs: Any) -> bool:
        made[kwargs["file_name"]] = data  # the maker, called here as Streamlit calls it on a click
        return draw(label, data, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", keep)
    at = AppTest.from_string(
        "from sca_rates.ui import log_page\nlog_page.render_page()", default_timeout=60
    ).run()
    assert not at.exception
    assert [s.value for s in at.subheader][:2] == ["Due this week", "Claims unpaid"]
    due = at.dataframe[0].value
    assert list(due["due"]) == [
        (today - dt.timedelta(days=11)).isoformat(),
        (today + dt.timedelta(days=3)).isoformat(),
    ]
    assert list(due["overdue"]) == ["overdue", ""]
    assert list(due["patient"]) == ["request 1 · Aetna · PHP"] * 2  # no name without asking
    assert list(due["reauthorization"]) == ["request 1 of 2", "request 2 of 2"]
    assert at.metric[1].label == "Reauthorizations due in 7 days or overdue"
    assert "Due in the next 7 days (today and the 6 after it)" in at.caption[0].value
    # what goes with each request is said once, under the table
    assert "medical-necessity review: the updated treatment plan and progress notes" in (
        at.caption[0].value
    )
    unpaid = at.dataframe[1].value
    # $598 x 5 days = $2,990 expected, $2,000 received: $990 unpaid
    assert (unpaid["expected"][0], unpaid["received"][0], unpaid["unpaid"][0]) == (
        "$2,990.00",
        "$2,000.00",
        "$990.00",
    )
    assert unpaid["window"][0] == "30 days"  # the agreement's own (not assumed)
    assert unpaid["due by"][0] == (today - dt.timedelta(days=1)).isoformat()
    events = _events(made["sca-reminders.ics"]())
    assert NAME not in str(events)
    assert [start for start, *_ in events] == [
        today - dt.timedelta(days=11),
        today + dt.timedelta(days=3),
        today,
    ]
    assert _audited("view") == []  # nothing named, nothing recorded
    at = next(t for t in at.toggle if t.label.startswith("Name the patients")).set_value(True).run()
    assert _audited("view") == [1]  # the one request with something due, named once
    assert list(at.dataframe[0].value["patient"]) == [f"{NAME} (request 1 · Aetna · PHP)"] * 2
