"""Reading 835 remittances and matching them to the claims we expect at the agreed rate.

The fixtures in tests/fixtures/remit/ follow the 5010 835 guide (005010X221A1); their amounts,
worked by hand, are in the comments beside each test. The agreed rates: PHP (S0201, revenue code
0912) $650 a day on agreement SCA-1 and $700 a day on SCA-2; IOP (S9480, H0015) $275 and $250 a
session.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sca_rates.exceptions import InvalidRemittance, ScaRatesError
from sca_rates.remit import (
    ExpectedClaim,
    Remittance,
    match_remittance,
    read_remittance,
    read_remittances,
)

FIXTURES = Path(__file__).parent / "fixtures" / "remit"
CENT = 0.005


def fixture(name: str) -> Remittance:
    return read_remittance(FIXTURES / name)


def expect(claim_id: str, agreement: str, day: str, units: float, rate: float) -> ExpectedClaim:
    return ExpectedClaim(
        claim_id=claim_id,
        agreement_id=agreement,
        date_of_service=dt.date.fromisoformat(day),
        units=units,
        expected_usd=units * rate,
    )


# One payment of several claims: $3,250 + $880 + $750 = $4,880 (BPR02).
#   PHP-1001: 5 days billed at $1,200 = $6,000; CO-45 $2,750; paid $3,250 = 5 x $650.
#   IOP-2001: 4 sessions billed at $450 = $1,800; CO-45 $700; allowed $1,100 = 4 x $275, of which
#             PR-2 coinsurance $220 (20%) and the payer $880.
#   IOP-2002: 3 sessions billed at $400 = $1,200; CO-45 $450; paid $750 = 3 x $250.


def test_one_payment_of_several_claims_reads_payer_payment_and_each_claim() -> None:
    remittance = fixture("several_claims.835")

    assert remittance.payer_name == "ACME HEALTH PLAN"
    assert remittance.payee_id == "1234567893"
    assert remittance.payment_usd == pytest.approx(4880.0, abs=CENT)
    assert remittance.payment_method == "ACH"
    assert remittance.payment_date == dt.date(2026, 1, 7)
    assert remittance.issued_on == dt.date(2026, 1, 5)  # DTM*405, the day it was produced
    assert remittance.trace_number == "EFT0000101"
    assert remittance.warnings == ()
    assert [c.claim_id for c in remittance.claims] == ["PHP-1001", "IOP-2001", "IOP-2002"]

    php, iop, _ = remittance.claims
    assert (php.status_code, php.status) == ("1", "Processed as Primary")
    assert php.payer_claim_number == "ACM2601050001"
    assert (php.billed_usd, php.paid_usd) == pytest.approx((6000.0, 3250.0), abs=CENT)
    (day,) = php.lines
    assert (day.qualifier, day.procedure_code, day.revenue_code) == ("HC", "S0201", "0912")
    assert day.units == 5
    assert (day.service_from, day.service_to) == (dt.date(2025, 12, 1), dt.date(2025, 12, 5))
    assert day.allowed_usd == pytest.approx(3250.0, abs=CENT)
    assert day.control_number == "PHP1001-1"
    (contract,) = day.adjustments
    assert (contract.group, contract.carc) == ("CO", "45")
    assert contract.amount_usd == pytest.approx(2750.0, abs=CENT)
    assert contract.meaning.startswith("Charge exceeds fee schedule")
    assert contract.group_meaning == "Contractual Obligations"

    assert iop.patient_responsibility_usd == pytest.approx(220.0, abs=CENT)
    assert [(a.group, a.carc, a.amount_usd) for a in iop.all_adjustments] == [
        ("CO", "45", 700.0),
        ("PR", "2", 220.0),
    ]
    assert iop.all_adjustments[1].meaning == "Coinsurance Amount"


def test_claims_paid_at_the_agreed_rate_are_paid_and_unknown_claims_are_listed() -> None:
    remittance = fixture("several_claims.835")
    expected = [
        expect("PHP-1001", "SCA-1", "2025-12-01", 5, 650.0),  # $3,250
        expect("IOP-2001", "SCA-1", "2025-12-08", 4, 275.0),  # $1,100 = $880 + $220 patient
        expect("IOP-9999", "SCA-3", "2025-12-20", 2, 275.0),  # not in this file
    ]

    result = match_remittance(remittance, expected)

    php, iop, missing = result.claims
    assert (php.outcome, php.matched, php.underpaid_usd, php.appeal_by) == ("paid", True, 0.0, None)
    assert php.paid_usd == pytest.approx(3250.0, abs=CENT)
    assert iop.outcome == "paid"
    assert iop.paid_usd + iop.patient_responsibility_usd == pytest.approx(1100.0, abs=CENT)
    assert iop.reasons == ()
    assert (missing.outcome, missing.matched, missing.paid_usd) == ("not_in_file", False, 0.0)
    assert [c.claim_id for c in result.unknown_claims] == ["IOP-2002"]


# A partial payment: $2,600 + $825 + $12.50 interest (PLB L6 -12.50) = $3,437.50 (BPR02).
#   PHP-1002: 5 days at the agreed $700 = $3,500 expected; the payer allowed and paid $2,600
#             ($520 a day, its own schedule): underpaid $3,500 - $2,600 = $900.
#   IOP-2003: 4 sessions at $275 = $1,100 expected; billed $1,800; 3 paid at $275 = $825,
#             CO-45 $525 (3 x $175) and CO-151 $450 (the 4th session):
#             underpaid $1,100 - $825 = $275.
#   Appeal by 2026-01-19 + 180 days = 2026-07-18.


def test_partial_payment_is_underpaid_against_the_agreed_rate() -> None:
    remittance = fixture("partial_payment.835")
    assert remittance.payment_usd == pytest.approx(3437.5, abs=CENT)
    (interest,) = remittance.provider_adjustments
    assert (interest.reason, interest.amount_usd) == ("L6", -12.5)

    result = match_remittance(
        remittance,
        [
            expect("PHP-1002", "SCA-2", "2026-01-05", 5, 700.0),
            expect("IOP-2003", "SCA-2", "2026-01-12", 4, 275.0),
        ],
    )

    php, iop = result.claims
    assert php.outcome == "underpaid"
    assert php.underpaid_usd == pytest.approx(900.0, abs=CENT)
    assert [(r.group, r.carc, r.amount_usd) for r in php.reasons] == [("CO", "45", 3400.0)]
    assert [r.code for r in php.remarks] == ["N381"]
    assert php.appeal_by == dt.date(2026, 7, 18)

    assert iop.outcome == "underpaid"
    assert iop.underpaid_usd == pytest.approx(275.0, abs=CENT)
    assert [r.carc for r in iop.reasons] == ["45", "151"]
    assert iop.reasons[1].meaning.startswith("Payment adjusted because the payer deems")
    assert iop.remarks[0].meaning.startswith("The number of Days or Units of Service exceeds")
    assert "3 units paid of the 4 expected" in iop.notes


def test_appeal_window_is_the_callers() -> None:
    remittance = fixture("partial_payment.835")
    claim = [expect("PHP-1002", "SCA-2", "2026-01-05", 5, 700.0)]

    result = match_remittance(remittance, claim, appeal_window_days=90)

    assert result.appeal_window_days == 90
    assert result.claims[0].appeal_by == dt.date(2026, 4, 19)  # 2026-01-19 + 90 days


# A denial, no payment (BPR01 H, BPR02 0, BPR04 NON), produced 2026-01-26.
#   PHP-1003: 7 days billed at $1,200 = $8,400: 5 days CO-50 (medical necessity) $6,000 and 2
#             days beyond the authorization CO-197 $2,400; expected 7 x $650 = $4,550.
#   IOP-2005: 3 sessions billed at $450 = $1,350, claim-level CO-197 with remark M62.
#   Appeal by 2026-01-26 + 180 days = 2026-07-25.


def test_denial_gives_each_carc_with_its_meaning_and_an_appeal_deadline() -> None:
    remittance = fixture("denial.835")
    assert remittance.payment_usd == 0.0
    assert remittance.payment_method == "NON"

    result = match_remittance(
        remittance,
        [
            expect("PHP-1003", "SCA-1", "2026-01-12", 7, 650.0),
            expect("IOP-2005", "SCA-1", "2026-01-19", 3, 275.0),
        ],
    )

    php, iop = result.claims
    assert (php.outcome, php.denied, php.paid_usd) == ("denied", True, 0.0)
    assert php.expected_usd == pytest.approx(4550.0, abs=CENT)
    assert php.underpaid_usd == 0.0  # a denial is not counted as an underpayment
    assert [(r.carc, r.amount_usd) for r in php.reasons] == [("50", 6000.0), ("197", 2400.0)]
    assert "medical necessity" in php.reasons[0].meaning
    assert (
        php.reasons[1].meaning
        == "Precertification/authorization/notification/pre-treatment absent."
    )
    assert [r.code for r in php.remarks] == ["N130", "N54"]
    assert php.appeal_by == dt.date(2026, 7, 25)

    assert iop.outcome == "denied"
    assert [(r.group, r.carc, r.amount_usd) for r in iop.reasons] == [("CO", "197", 1350.0)]
    assert iop.remarks[0].meaning == "Missing/incomplete/invalid treatment authorization code."
    assert iop.appeal_by == dt.date(2026, 7, 25)


# A reversal and corrections: -$2,600 + $3,500 - $750 + $0 = $150 (BPR02).
#   PHP-1002: the $2,600 paid on 2026-01-19 is reversed (CLP02 22, every amount negative) and the
#             claim paid again at the agreed 5 x $700 = $3,500: paid in full, net $900 this time.
#   IOP-2002: the $750 paid is reversed and the claim denied, OA-22 (another payer is primary).


def test_reversal_takes_back_the_old_payment_and_the_correction_stands() -> None:
    remittance = fixture("reversal.835")
    reversal = remittance.claims[0]
    assert reversal.is_reversal
    assert (reversal.billed_usd, reversal.paid_usd) == pytest.approx((-6000.0, -2600.0), abs=CENT)
    assert reversal.lines[0].units == -5
    assert reversal.all_adjustments[0].amount_usd == pytest.approx(-3400.0, abs=CENT)

    result = match_remittance(
        remittance,
        [
            expect("PHP-1002", "SCA-2", "2026-01-05", 5, 700.0),
            expect("IOP-2002", "SCA-1", "2025-12-15", 3, 250.0),
        ],
    )

    php, iop = result.claims
    assert (php.outcome, php.reversed) == ("paid", True)
    assert php.paid_usd == pytest.approx(3500.0, abs=CENT)
    assert php.net_paid_usd == pytest.approx(900.0, abs=CENT)
    assert php.appeal_by is None
    assert "the payer reversed $2,600.00 paid earlier on this claim" in php.notes

    assert (iop.outcome, iop.reversed, iop.denied) == ("denied", True, True)
    assert iop.net_paid_usd == pytest.approx(-750.0, abs=CENT)
    assert [(r.group, r.carc) for r in iop.reasons] == [("OA", "22")]
    assert "coordination of benefits" in iop.reasons[0].meaning


def test_a_reversal_alone_leaves_the_claim_reversed() -> None:
    text = (FIXTURES / "reversal.835").read_text()
    # Keep only the reversal of IOP-2002 (segments 26-31): the payment is then a $750 debit.
    segments = [s for s in text.split("~\n") if s]
    header = segments[:12]  # ISA ... LX
    reversal = segments[25:31]  # CLP*IOP-2002*22 ... CAS
    body = [*header[2:], *reversal]
    body[1] = (
        "BPR*I*750*D*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20260304"
    )
    trailer = [f"SE*{len(body) + 1}*0004", "GE*1*104", "IEA*1*000000104"]
    only_reversal = "~\n".join([*header[:2], *body, *trailer]) + "~\n"

    remittance = read_remittance(only_reversal, name="reversal only")
    assert remittance.payment_usd == pytest.approx(-750.0, abs=CENT)
    (claim,) = match_remittance(
        remittance, [expect("IOP-2002", "SCA-1", "2025-12-15", 3, 250.0)]
    ).claims
    assert (claim.outcome, claim.paid_usd, claim.appeal_by) == ("reversed", 0.0, None)
    assert claim.net_paid_usd == pytest.approx(-750.0, abs=CENT)


def test_text_and_paths_read_alike_and_line_endings_do_not_matter() -> None:
    path = FIXTURES / "several_claims.835"
    text = path.read_text()

    assert read_remittance(str(path)) == read_remittance(path)
    from_text = read_remittance(text.replace("\n", "\r\n"), name=str(path))
    assert from_text == read_remittance(path)
    assert read_remittance(text.replace("\n", ""), name=str(path)) == from_text
    assert len(read_remittances(path)) == 1


def test_a_date_of_service_outside_the_claim_is_noted() -> None:
    remittance = fixture("several_claims.835")
    (claim,) = match_remittance(
        remittance, [expect("PHP-1001", "SCA-1", "2025-11-03", 5, 650.0)]
    ).claims
    assert claim.matched
    assert any("do not include 2025-11-03" in note for note in claim.notes)


def test_codes_missing_from_the_short_list_point_to_x12() -> None:
    text = (FIXTURES / "several_claims.835").read_text().replace("CAS*CO*45*450", "CAS*CO*B7*450")
    claim = read_remittance(text).claims[2]
    assert (
        "see https://x12.org/codes/claim-adjustment-reason-codes"
        in claim.lines[0].adjustments[0].meaning
    )


# Malformed files: each is one InvalidRemittance naming the file and the segment.


def good_text() -> str:
    return (FIXTURES / "several_claims.835").read_text()


def test_truncated_file_is_one_error_naming_the_file_and_segment() -> None:
    lines = good_text().splitlines(keepends=True)
    with pytest.raises(InvalidRemittance) as error:
        read_remittance("".join(lines[:20]), name="era.835")
    assert error.value.segment == 20
    assert str(error.value).startswith("Remittance file era.835, segment 20:")
    assert "truncated" in str(error.value)

    with pytest.raises(InvalidRemittance, match="ends inside segment 30") as cut:
        read_remittance(good_text()[:900], name="era.835")
    assert cut.value.segment == 30

    with pytest.raises(InvalidRemittance, match="inside the ISA header"):
        read_remittance("ISA*00*", name="era.835")


def test_wrong_separators_are_one_error() -> None:
    first, *rest = good_text().splitlines(keepends=True)
    piped = first + "".join(line.replace("*", "|") for line in rest)
    with pytest.raises(InvalidRemittance, match="element separator the ISA header sets") as error:
        read_remittance(piped, name="era.835")
    assert error.value.segment == 2

    broken_header = good_text().replace("*P*:~", "*P:~", 1)
    with pytest.raises(InvalidRemittance, match="ISA header is not 16 elements") as header:
        read_remittance(broken_header, name="era.835")
    assert header.value.segment == 1


def test_a_claim_with_a_non_numeric_amount_is_one_error() -> None:
    bad = good_text().replace("CLP*IOP-2002*1*1200*750", "CLP*IOP-2002*1*1200*7x0")
    with pytest.raises(InvalidRemittance) as error:
        read_remittance(bad, name="era.835")
    assert error.value.segment == 32
    assert "CLP element 04 '7x0' is not an amount" in str(error.value)
    assert isinstance(error.value, ScaRatesError)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("CLP*IOP-2002*1*", "CLP*IOP-2002*9*"), "not a claim status"),
        (("CAS*CO*45*700", "CAS*XX*45*700"), "not an adjustment group code"),
        (("20260107~", "20261307~"), "not a date"),
        (("BPR*I*4880*", "BPR*I*4800*"), "claims are missing or an amount was changed"),
        (("SE*37*", "SE*36*"), "SE counts '36' segments but the file has 37"),
        (("IEA*1*000000101", "IEA*1*000000999"), "control number"),
        (("ST*835*", "ST*837*"), "not an 835"),
        (("LX*1~\n", "LX*1~\nZZ*1~\n"), "SE counts"),
    ],
)
def test_each_malformed_file_is_one_clear_error(change: tuple[str, str], message: str) -> None:
    with pytest.raises(InvalidRemittance, match=message):
        read_remittance(good_text().replace(*change, 1), name="era.835")


def test_a_segment_the_835_does_not_have_is_named() -> None:
    text = good_text().replace("LX*1~\n", "LX*1~\nZZ*1~\n").replace("SE*37*", "SE*38*")
    with pytest.raises(InvalidRemittance, match="ZZ is not a segment of the 835") as error:
        read_remittance(text, name="era.835")
    assert error.value.segment == 14


def test_files_that_are_not_835s_are_one_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidRemittance, match="cannot be opened"):
        read_remittance(tmp_path / "missing.835")
    not_x12 = tmp_path / "era.pdf"
    not_x12.write_bytes(b"%PDF-1.7\n\xff\xfe")
    with pytest.raises(InvalidRemittance, match="not text"):
        read_remittance(not_x12)
    csv = tmp_path / "era.csv"
    csv.write_text("claim,paid\nPHP-1001,3250\n")
    with pytest.raises(InvalidRemittance, match="not an X12 file"):
        read_remittance(csv)
