"""The written-terms checker and the reauthorization schedule."""

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.files import load_terms
from sca_rates.models.terms import AgreementTerms, RateTerm
from sca_rates.terms import business_days_before, check_terms, reauthorization_schedule
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
