"""The written-terms checker and the reauthorization schedule."""

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.desk import open_position
from sca_rates.files import load_case, load_terms
from sca_rates.market import load_market
from sca_rates.models.terms import (
    AgreedCall,
    AgreementTerms,
    Authorization,
    CoveredService,
    Finding,
    Provider,
    RateTerm,
    Subscriber,
    TermsReport,
)
from sca_rates.present import TERM_WORDS, term_said
from sca_rates.terms import (
    business_days_before,
    check_terms,
    npi_is_valid,
    reauthorization_schedule,
)
from tests.conftest import PROJECT

VAGUE = AgreementTerms.model_validate(
    {
        "payer": "Some Plan",
        "patient": {"name": "Pat Example", "member_id": "X1"},
        "service_description": "outpatient mental health services",
        "rate": {"per_unit_usd": 400},
        "authorization": {"start_date": "2026-12-07"},
        "confirmation": "verbal",
    }
)


def test_a_vague_agreement_gets_every_finding_that_leads_to_denial() -> None:
    findings = {(f.severity, f.term) for f in check_terms(VAGUE).findings}
    assert ("error", "services") in findings  # vague service language without codes
    assert ("error", "authorization.authorized_units") in findings  # no unit limit
    assert ("error", "authorization.end_date") in findings  # no end date
    assert ("error", "cost_sharing") in findings  # cost-sharing not stated
    assert ("error", "confirmation") in findings  # verbal only
    assert ("error", "authorization.number") in findings  # missing authorization number
    assert ("error", "patient") in findings  # date of birth missing
    assert ("warning", "rate.basis") in findings
    assert not check_terms(VAGUE).ready


def test_the_vague_wording_is_quoted_back() -> None:
    services = next(f for f in check_terms(VAGUE).findings if f.term == "services")
    assert '"outpatient mental health services"' in services.message


def test_the_bundled_agreement_is_ready() -> None:
    report = check_terms(load_terms(PROJECT / "agreements" / "harborview-aetna-php.yaml"))
    assert report.ready
    assert [f.severity for f in report.findings] == []


def test_business_days_skip_the_weekend() -> None:
    # Monday 2026-12-14: Friday the 11th, Thursday the 10th, Wednesday the 9th
    assert business_days_before(dt.date(2026, 12, 14), 3) == dt.date(2026, 12, 9)
    # From Wednesday 2026-12-09, 5 business days back crosses a weekend: Tue 8, Mon 7, Fri 4,
    # Thu 3, Wed 2
    assert business_days_before(dt.date(2026, 12, 9), 5) == dt.date(2026, 12, 2)


def test_reauthorization_schedule_across_weekends_and_holidays() -> None:
    terms = AgreementTerms.model_validate(
        {
            "authorization": {
                "start_date": "2026-12-07",
                "end_date": "2027-01-01",
                "period_days": 14,
            },
            "reauthorization": {"lead_business_days": 3},
            "holidays": ["2026-12-25", "2026-12-29", "2027-01-01"],
        }
    )
    schedule = reauthorization_schedule(terms)
    # Period 1: Mon Dec 7 to Sun Dec 20; 3 business days before: Fri 18, Thu 17, Wed 16
    # Period 2: Mon Dec 21 to Fri Jan 1; before it: Thu Dec 31, Wed 30, (Tue 29 a holiday),
    # Mon 28
    assert [(s.period_start, s.period_end, s.due) for s in schedule] == [
        (dt.date(2026, 12, 7), dt.date(2026, 12, 20), dt.date(2026, 12, 16)),
        (dt.date(2026, 12, 21), dt.date(2027, 1, 1), dt.date(2026, 12, 28)),
    ]


def test_an_authorization_of_many_years_is_refused() -> None:
    with pytest.raises(ValidationError, match="more than three years"):
        AgreementTerms.model_validate(
            {"authorization": {"start_date": "2026-12-07", "end_date": "9999-12-31"}}
        )


def test_a_holiday_inside_the_lead_time_pushes_the_request_earlier() -> None:
    # Period ending Monday Dec 28: Fri 25 is a holiday, so Thu 24, Wed 23, Tue 22
    terms = AgreementTerms.model_validate(
        {
            "authorization": {"start_date": "2026-12-15", "end_date": "2026-12-28"},
            "holidays": ["2026-12-25"],
        }
    )
    assert [s.due for s in reauthorization_schedule(terms)] == [dt.date(2026, 12, 22)]


def test_no_dates_no_schedule() -> None:
    assert reauthorization_schedule(VAGUE) == []


def test_a_case_rate_agreement_is_checked_for_its_units_and_what_follows() -> None:
    complete = RateTerm(
        case_rate_usd=14_300, units_covered=20, beyond_per_unit_usd=715, basis="bundled_per_diem"
    )
    assert not [f for f in check_terms(AgreementTerms(rate=complete)).findings if "rate" in f.term]
    bare = RateTerm(case_rate_usd=14_300, basis="bundled_per_diem")
    found = {f.term: f.severity for f in check_terms(AgreementTerms(rate=bare)).findings}
    assert found["rate.units_covered"] == "error"
    assert found["rate.beyond_per_unit_usd"] == "warning"
    both = RateTerm(case_rate_usd=14_300, units_covered=20, per_unit_usd=715, basis="per_code")
    found = {f.term: f.severity for f in check_terms(AgreementTerms(rate=both)).findings}
    assert found["rate"] == "error"


def test_terms_reads_a_case_rate_agreement_file(tmp_path: Path) -> None:
    path = tmp_path / "case-rate.yaml"
    path.write_text(
        "rate: {case_rate_usd: 14300, units_covered: 20, beyond_per_unit_usd: 0, "
        "basis: bundled_per_diem}\n"
    )
    result = CliRunner().invoke(app, ["terms", str(path), "--json"])
    assert result.exit_code == 0, result.output
    findings = {f["term"]: f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert findings["rate.beyond_per_unit_usd"] == "info"  # past day 20 is unpaid: said
    assert "rate.per_unit_usd" not in findings


# --- The letter against the call ---------------------------------------------------------------

# The call settled $305 a session for 24 sessions of an IOP whose program also gives family
# sessions, prescriber visits and drug screens
CALL = AgreedCall(
    per_unit_usd=305,
    agreed=True,
    unit="session",
    expected_units=24,
    services=("family_sessions", "prescriber_visits", "drug_screens"),
    code="S9480",
)
# The payer's letter: $265 a session for 12 sessions, family sessions inside the rate, the rest
# neither coded nor stated
LETTER = load_terms(PROJECT / "agreements" / "harborview-aetna-php.yaml").model_copy(
    update={
        "services": (CoveredService(code="S9480", code_type="HCPCS", units=12),),
        "rate": RateTerm(per_unit_usd=265, unit="session", bundle_includes=("family_sessions",)),
        "authorization": Authorization(
            number="A1",
            start_date=dt.date(2026, 12, 7),
            end_date=dt.date(2027, 1, 29),
            authorized_units=12,
        ),
    }
)


def _found(report: TermsReport) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for finding in report.findings:
        found.setdefault(finding.term, []).append(finding)
    return found


def test_a_letter_that_differs_from_its_call_is_not_ready() -> None:
    report = check_terms(LETTER, CALL)
    assert not report.ready
    found = _found(report)
    (rate,) = found["rate.per_unit_usd"]
    assert rate.severity == "error"
    assert (
        rate.message == "the letter says $265.00 per session; the call settled $305.00 per session"
    )
    assert rate.ask == "Please correct the rate to $305.00 per session, as agreed on the call."
    (units,) = found["authorization.authorized_units"]
    assert units.message == "the letter authorizes 12 of the 24 sessions expected"
    assert units.ask == (
        "Please authorize all 24 sessions, or state in writing when and how the remaining 12 will "
        "be reviewed."
    )
    # family sessions are stated inside the rate; the other two are neither coded nor stated
    bundle = [f.message.split(" ")[0:2] for f in found["rate.bundle_includes"]]
    assert bundle == [["prescriber", "visits"], ["drug", "screens"]]
    # without the call, the same letter reads ready: only the call shows what it got wrong
    assert check_terms(LETTER).ready


def test_a_letter_in_another_unit_or_a_short_case_rate_is_caught() -> None:
    per_day = LETTER.model_copy(update={"rate": RateTerm(per_unit_usd=305, unit="day")})
    (unit,) = _found(check_terms(per_day, CALL))["rate.unit"]
    assert unit.message == "the letter pays per day; the call settled a rate per session"
    # A case rate of $6,000 for 24 sessions pays $250 a session (6,000 / 24), under $305
    low = LETTER.model_copy(update={"rate": RateTerm(case_rate_usd=6000, units_covered=24)})
    (case,) = _found(check_terms(low, CALL))["rate.case_rate_usd"]
    # the corrected case rate: $305 x 24 = $7,320
    assert case.ask == (
        "Please correct the case rate to $7,320.00 for 24 sessions ($305.00 per session), as "
        "agreed on the call."
    )
    # $7,320 for 20 sessions ($366 each) covers only 20 of the 24, and nothing pays the rest
    short = LETTER.model_copy(update={"rate": RateTerm(case_rate_usd=7320, units_covered=20)})
    found = _found(check_terms(short, CALL))
    assert "rate.case_rate_usd" not in found
    assert found["rate.units_covered"][0].message == (
        "the case rate covers 20 sessions of the 24 expected, and nothing pays the rest"
    )


def _harborview_agreed(offer: str) -> AgreedCall:
    """What a Harborview PHP call (18 days) settled when it accepted the payer's ``offer``."""
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    position = open_position(case, model=model, market=load_market(PROJECT / "market_data"))
    accepted = position.answer(offer, confirmed=True)
    assert accepted.verdict == "accept"
    return position.with_call(accepted.state).agreed_call()


def test_a_letter_with_the_case_rate_agreed_on_the_call_reads_as_agreed() -> None:
    # The call accepted "$5,000 for 10 days, $900 a day after" on Harborview's 18 days: the
    # stay pays 5,000 + 8 x 900 = $12,200, $677.78 a day. The letter saying the same terms is
    # no error (its $500 for each of the 10 days is not the whole of it)
    call = _harborview_agreed("$5,000 for 10 days, $900 a day after")
    assert call.per_unit_usd == pytest.approx(677.78, abs=0.005)
    same = RateTerm(case_rate_usd=5000, units_covered=10, beyond_per_unit_usd=900)
    letter = LETTER.model_copy(update={"rate": same})
    found = _found(check_terms(letter, call))
    assert "rate.case_rate_usd" not in found
    assert "rate.units_covered" not in found
    # $800 a day after pays 5,000 + 6,400 = $11,400, $633.33 a day: under what was agreed
    less = RateTerm(case_rate_usd=5000, units_covered=10, beyond_per_unit_usd=800)
    (low,) = _found(check_terms(LETTER.model_copy(update={"rate": less}), call))[
        "rate.case_rate_usd"
    ]
    assert low.severity == "error"


def test_a_case_rate_over_more_days_than_the_stay_is_held_to_its_whole_amount() -> None:
    # Harborview's 18 days: "$16,000 for 20 days, nothing after", confirmed, is accepted; read
    # per day it is 16,000 / 20 = $800, but for our 18 days it pays the whole $16,000. A letter
    # of $800 a day pays 18 x 800 = $14,400; a case rate of $14,400 for 18 days, the same:
    # $1,600 short of what was agreed, each an error asking for the terms as agreed
    call = _harborview_agreed("$16,000 for 20 days, nothing after")
    assert call.per_unit_usd == 800
    ask = (
        "Please state the case rate as agreed on the call: $16,000 for the 20 days, nothing after."
    )
    message = (
        "the letter pays $14,400.00 for the 18 days expected; the call agreed $16,000 for the "
        "20 days, nothing after ($16,000.00 for them)"
    )
    for short, term in (
        (RateTerm(per_unit_usd=800, unit="day"), "rate.per_unit_usd"),
        (
            RateTerm(case_rate_usd=14_400, units_covered=18, beyond_per_unit_usd=0),
            "rate.case_rate_usd",
        ),
    ):
        (found,) = _found(check_terms(LETTER.model_copy(update={"rate": short}), call))[term]
        assert (found.severity, found.message, found.ask) == ("error", message, ask)
    # the terms as agreed, or a case rate of $16,000 for our 18 days: nothing short
    for same in (
        RateTerm(case_rate_usd=16_000, units_covered=20, beyond_per_unit_usd=0),
        RateTerm(case_rate_usd=16_000, units_covered=18, beyond_per_unit_usd=0),
    ):
        terms = _found(check_terms(LETTER.model_copy(update={"rate": same}), call))
        assert not {"rate.case_rate_usd", "rate.per_unit_usd", "rate.units_covered"} & set(terms)
    # the whole amount for 15 of the 18 days, nothing after: days 16-18 unpaid
    fewer = RateTerm(case_rate_usd=16_000, units_covered=15, beyond_per_unit_usd=0)
    (unpaid,) = _found(check_terms(LETTER.model_copy(update={"rate": fewer}), call))[
        "rate.units_covered"
    ]
    assert (
        unpaid.message
        == "the case rate covers 15 days of the 18 expected, and nothing pays the rest"
    )


def test_a_letter_is_held_to_the_services_the_call_agreed_the_rate_without() -> None:
    # The call accepted "$700/day excluding labs" (confirmed) on Harborview's PHP. A letter at
    # $700 a day calling it a bundled per diem for all services says another thing; one silent
    # on what it leaves out leaves those claims to be denied. Each is a warning with its ask;
    # after a plain "$700/day", neither
    call = _harborview_agreed("$700/day excluding labs")
    assert call.limits == ("excluding labs",)
    bundled = RateTerm(per_unit_usd=700, unit="day", basis="bundled_per_diem")
    (said,) = _found(check_terms(LETTER.model_copy(update={"rate": bundled}), call))["rate.basis"]
    assert (said.severity, said.message, said.ask) == (
        "warning",
        "the letter calls the rate a bundled per diem for all services of the day; the call "
        'agreed it "excluding labs"',
        'Please state which holds: the rate "excluding labs", as said on the call, or a bundled '
        "per diem for all services of the day.",
    )
    silent = RateTerm(per_unit_usd=700, unit="day")  # also no basis: the checklist's warning
    basis = _found(check_terms(LETTER.model_copy(update={"rate": silent}), call))["rate.basis"]
    (said,) = [f for f in basis if f.message.startswith("the call agreed")]
    assert said.ask == (
        'Please state what the rate covers, and how what it leaves out ("excluding labs") is paid.'
    )
    # paid per code, what is left out is paid by its codes: the ask is for them, not a claim
    # that the letter is silent
    coded = RateTerm(per_unit_usd=700, unit="day", basis="per_code")
    (said,) = _found(check_terms(LETTER.model_copy(update={"rate": coded}), call))["rate.basis"]
    assert said.message == 'the call agreed the rate "excluding labs"; the letter pays per code'
    plain = _harborview_agreed("$700/day")
    assert plain.limits == ()
    letter = LETTER.model_copy(update={"rate": bundled})
    assert "rate.basis" not in _found(check_terms(letter, plain))


def test_a_letter_stating_the_case_rate_agreed_asks_for_no_correction() -> None:
    # Harborview's 18 days. "$13,000 for 15 days, nothing after" (13,000 / 18 = $722.22 a day
    # over our stay) accepted: a letter saying the same is no error, though days 16-18 are
    # unpaid (the checklist warns of that); a letter covering 12 days is short of what was agreed
    call = _harborview_agreed("$13,000 for 15 days, nothing after")
    same = RateTerm(case_rate_usd=13_000, units_covered=15, beyond_per_unit_usd=0)
    found = _found(check_terms(LETTER.model_copy(update={"rate": same}), call))
    assert not {"rate.case_rate_usd", "rate.per_unit_usd", "rate.units_covered"} & set(found)
    assert "rate.beyond_per_unit_usd" in found
    fewer = same.model_copy(update={"units_covered": 12})
    assert "rate.units_covered" in _found(
        check_terms(LETTER.model_copy(update={"rate": fewer}), call)
    )
    # "case rate $13,000", its days unsaid, was read over our 18 days: a letter of $13,000 for 20
    # days, nothing after, pays the same $13,000 for them
    call = _harborview_agreed("case rate $13,000")
    longer = RateTerm(case_rate_usd=13_000, units_covered=20, beyond_per_unit_usd=0)
    found = _found(check_terms(LETTER.model_copy(update={"rate": longer}), call))
    assert not {"rate.case_rate_usd", "rate.units_covered"} & set(found)
    # a rate in another unit than the call's is no statement of the case rate agreed
    per_session = RateTerm(per_unit_usd=100, unit="session")
    (unit,) = _found(check_terms(LETTER.model_copy(update={"rate": per_session}), call))[
        "rate.unit"
    ]
    assert unit.message == "the letter pays per session; the call agreed a case rate of $13,000"


def test_a_rate_checked_before_the_call_closed_is_a_risk_not_an_error() -> None:
    asked = CALL.model_copy(update={"agreed": False})
    found = _found(check_terms(LETTER, asked))
    assert found["rate.per_unit_usd"][0].severity == "warning"
    assert found["rate"][0].message == (
        "the call has not closed on a rate: the letter is checked against our ask, "
        "$305.00 per session"
    )


def test_the_letter_alone_names_what_a_claim_needs() -> None:
    bare = LETTER.model_copy(
        update={
            "provider": Provider(npi="1234567890", tin="12-3456789"),  # a wrong check digit
            "hold_harmless": False,
            "claims": LETTER.claims.model_copy(update={"payment_days": None}),
        }
    )
    found = _found(check_terms(bare))
    assert found["provider.npi"][0].message == "NPI 1234567890 fails its check digit: a typing slip"
    assert found["hold_harmless"][0].severity == "error"
    assert found["claims.payment_days"][0].ask == (
        "Please state that clean claims are paid within 30 days."
    )
    assert found["provider.taxonomy"][0].severity == "warning"


def test_the_npi_check_digit() -> None:
    # CMS's example: 123456789 with the prefix 80840, Luhn -> 3
    assert npi_is_valid("1234567893")
    assert not npi_is_valid("1234567890")


def test_a_minor_needs_the_subscriber_and_a_near_start_is_flagged() -> None:
    # Born 2010-03-01: 16 when the stay starts on 2026-12-07
    minor = LETTER.model_copy(
        update={"patient": LETTER.patient.model_copy(update={"date_of_birth": dt.date(2010, 3, 1)})}
    )
    (subscriber,) = _found(check_terms(minor))["patient.subscriber"]
    assert subscriber.message == "the patient is 16: the letter must name the subscriber"
    named = minor.model_copy(
        update={
            "patient": minor.patient.model_copy(
                update={"subscriber": Subscriber(name="Alex Example", relationship="parent")}
            )
        }
    )
    assert "patient.subscriber" not in _found(check_terms(named))
    # 2026-12-05 to a start on 2026-12-07: 2 days, under 72 hours; from 2026-12-03, 4 days
    (soon,) = _found(check_terms(LETTER, today=dt.date(2026, 12, 5)))["authorization.start_date"]
    assert soon.message.startswith("the stay starts in 2 days, less than 72 hours away")
    assert "authorization.start_date" not in _found(check_terms(LETTER, today=dt.date(2026, 12, 3)))


def test_the_programs_services_come_from_its_cost_model() -> None:
    # Harborview's PHP: family and psychiatric hours in a day; variable costs "Lunch and snacks",
    # "Transportation assistance", "Drug screens", "Workbooks and supplies"
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    position = open_position(case, model=model, market=load_market(PROJECT / "market_data"))
    call = position.agreed_call()
    assert call.services == (
        "family_sessions",
        "prescriber_visits",
        "drug_screens",
        "meals",
        "transportation",
    )
    assert (call.agreed, call.per_unit_usd) == (False, 661.0)  # no call yet: our opening
    # Cedar Path's variable costs hold "Snacks and coffee": no meal is promised to the payer
    cedar, cedar_model = load_case(PROJECT / "cases" / "cedar-path-bcbs-iop.yaml")
    cedar_position = open_position(
        cedar, model=cedar_model, market=load_market(PROJECT / "market_data")
    )
    assert "meals" not in cedar_position.agreed_call().services


def test_terms_checks_the_letter_against_a_call_from_the_cli(tmp_path: Path) -> None:
    # Cedar Path's call (tests/test_negotiate.py): $200, $240, $280, $300 -> accepted at $300
    case = PROJECT / "cases" / "cedar-path-bcbs-iop.yaml"
    history = tmp_path / "call.json"
    for offer in ("$200/session", "$240/session", "$280/session", "$300/session"):
        args = ["counter", str(case), "--offer", offer, "--history", str(history)]
        assert CliRunner().invoke(app, args).exit_code == 0
    letter = tmp_path / "letter.yaml"
    letter.write_text("rate: {per_unit_usd: 265, unit: session}\n")
    args = ["terms", str(letter), "--case", str(case), "--history", str(history), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rate = next(
        f for f in json.loads(result.stdout)["findings"] if f["term"] == "rate.per_unit_usd"
    )
    assert (
        rate["message"]
        == "the letter says $265.00 per session; the call settled $300.00 per session"
    )
    # a history without its case cannot be read
    result = CliRunner().invoke(app, ["terms", str(letter), "--history", str(history)])
    assert result.exit_code == 2
    assert "--history needs --case" in result.stderr


def test_a_birth_date_in_the_future_is_refused_in_a_letter() -> None:
    # Otherwise the checker would say "the patient is -5"
    with pytest.raises(ValidationError, match="is in the future"):
        AgreementTerms.model_validate({"patient": {"date_of_birth": "2999-01-01"}})


def test_every_term_the_checker_names_is_said_in_words() -> None:
    # A blank letter, the sample letter against a call it differs from, and one against a call
    # that left labs out: every term named has its words (the Terms page shows them)
    reports = (
        check_terms(AgreementTerms()),
        check_terms(LETTER, CALL),
        check_terms(LETTER, _harborview_agreed("$700/day excluding labs")),
    )
    terms = {finding.term for report in reports for finding in report.findings}
    assert terms  # the three letters have findings to name
    for term in terms:
        assert term in TERM_WORDS or term_said(term).endswith(" of service 1"), term
