"""Every offer form, read and converted by hand."""

import pytest

from sca_rates.exceptions import MissingReference, UnparseableOffer
from sca_rates.models.market import MedicareRate, Provenance
from sca_rates.models.offers import ServicePattern
from sca_rates.offers import normalize, parse_offer

# PHP: paid per day, 5 program days and 10 sessions (two a day) a week, 6 billable hours a day,
# an 18-day episode. IOP: paid per session, 3 days and 3 sessions a week, 3 hours, 24 sessions.
PHP = ServicePattern(
    level_of_care="PHP",
    unit="day",
    days_per_week=5,
    sessions_per_week=10,
    hours_per_day=6,
    expected_units=18,
)
IOP = ServicePattern(
    level_of_care="IOP",
    unit="session",
    days_per_week=3,
    sessions_per_week=3,
    hours_per_day=3,
    expected_units=24,
)
MEDICARE_IOP = MedicareRate(
    code_type="APC",
    code="5852",
    amount_usd=199.87,
    unit="day",
    region="MA",
    fallback=[],
    provenance=Provenance(source="test", source_ref="test", year=2026, illustrative=False),
)


def _php(text: str, billed: float | None = None) -> tuple[float, float]:
    result = normalize(parse_offer(text), pattern=PHP, billed_charge_per_unit=billed, medicare=None)
    return result.per_unit_usd, result.per_episode_usd


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("$400", "per_unit", 400),
        ("400", "per_unit", 400),
        ("$350/day", "per_day", 350),
        ("350 per diem", "per_day", 350),
        ("$175 per session", "per_session", 175),
        ("$42 per 15 min", "per_15min", 42),
        ("$60/hour", "per_hour", 60),
        ("60% of billed charges", "pct_billed", 0.6),
        ("120% of Medicare", "pct_medicare", 1.2),
        ("case rate $6,500", "case_rate", 6500),
        ("6500 for the episode", "case_rate", 6500),
        ("  $1,234.50 PER DAY ", "per_day", 1234.5),
    ],
)
def test_every_form_is_read(text: str, kind: str, amount: float) -> None:
    offer = parse_offer(text)
    assert offer.kind == kind
    assert offer.amount == pytest.approx(amount)


def test_a_bare_amount_is_per_unit_of_the_level() -> None:
    # $400 per PHP day x 18 days = $7,200
    assert _php("$400") == pytest.approx((400, 7200))


def test_per_day_and_per_diem_are_the_same() -> None:
    assert _php("$350/day") == _php("350 per diem") == pytest.approx((350, 6300))


def test_per_session_uses_sessions_per_week_over_days_per_week() -> None:
    # $175 per session x 10 sessions a week / 5 program days = $350 a day; x 18 = $6,300
    assert _php("$175 per session") == pytest.approx((350, 6300))


def test_per_15_minutes_uses_four_units_an_hour_and_the_billable_hours() -> None:
    # $42 x 4 units an hour x 6 billable hours = $1,008 a day; x 18 = $18,144
    assert _php("$42 per 15 min") == pytest.approx((1008, 18_144))


def test_per_hour_uses_the_billable_hours() -> None:
    # $60 x 6 hours = $360 a day
    assert _php("$60/hour") == pytest.approx((360, 6480))


def test_percentage_of_billed_charges_uses_the_case_charge() -> None:
    # 60% x $950 = $570 a day; x 18 = $10,260
    assert _php("60% of billed charges", billed=950) == pytest.approx((570, 10_260))


def test_percentage_of_medicare_uses_the_medicare_rate_and_says_which() -> None:
    # 120% x $199.87 = $239.844 a day; an IOP session is a program day here; x 24 = $5,756.26
    result = normalize(
        parse_offer("120% of Medicare"),
        pattern=IOP,
        billed_charge_per_unit=None,
        medicare=MEDICARE_IOP,
    )
    assert result.per_unit_usd == pytest.approx(239.844)
    assert result.per_episode_usd == pytest.approx(239.844 * 24)
    assert any("APC 5852 $199.87" in note and "2026" in note for note in result.assumptions)


def test_case_rate_is_spread_over_the_expected_units() -> None:
    # $6,500 / 18 days = $361.11 a day; the episode stays $6,500
    assert _php("case rate $6,500") == pytest.approx((6500 / 18, 6500))


def test_a_day_rate_for_a_program_with_two_sessions_a_day_halves_per_session() -> None:
    # An IOP paid per session, 5 days and 10 sessions a week: $350 a day x 5 / 10 = $175 a session
    two_a_day = IOP.model_copy(update={"days_per_week": 5, "sessions_per_week": 10})
    result = normalize(
        parse_offer("$350/day"), pattern=two_a_day, billed_charge_per_unit=None, medicare=None
    )
    assert result.per_unit_usd == pytest.approx(175)


def test_every_conversion_states_its_assumptions() -> None:
    result = normalize(
        parse_offer("$42 per 15 min"), pattern=PHP, billed_charge_per_unit=None, medicare=None
    )
    assert any("6 billable hours" in note for note in result.assumptions)
    assert any("18 days" in note for note in result.assumptions)


@pytest.mark.parametrize("text", ["a fair amount", "", "60%", "$0", "per day"])
def test_unreadable_offers_list_forms_that_parse(text: str) -> None:
    with pytest.raises(UnparseableOffer, match="Fix"):
        parse_offer(text)


def test_share_of_billed_without_a_charge_names_the_field_to_add() -> None:
    with pytest.raises(MissingReference, match="billed_charge_per_unit"):
        _php("60% of billed charges")


def test_share_of_medicare_without_a_rate_says_how_to_import_one() -> None:
    with pytest.raises(MissingReference, match="import-opps"):
        _php("120% of Medicare")


def test_a_patient_attending_fewer_days_than_the_program_still_gets_a_day_per_session() -> None:
    # A 4-day IOP, 3 hours a day, the patient comes 2 days a week: each session is one 3-hour
    # day, so $42 per 15 min x 4 x 3 = $504 a session (not doubled by 4 days / 2 sessions)
    two_of_four = IOP.model_copy(update={"days_per_week": 4, "sessions_per_week": 2})
    result = normalize(
        parse_offer("$42 per 15 min"),
        pattern=two_of_four,
        billed_charge_per_unit=None,
        medicare=None,
    )
    assert result.per_unit_usd == pytest.approx(504)


def test_a_share_of_medicare_follows_the_unit_medicare_pays_in() -> None:
    # Medicare paying $40 per 15 minutes: 100% of it is $40 x 4 x 3 hours = $480 a session
    per_15 = MEDICARE_IOP.model_copy(update={"amount_usd": 40.0, "unit": "15min"})
    result = normalize(
        parse_offer("100% of Medicare"), pattern=IOP, billed_charge_per_unit=None, medicare=per_15
    )
    assert result.per_unit_usd == pytest.approx(480)


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("$400 a day for the whole stay", "per_day", 400),
        ("18 days at $350/day", "per_day", 350),
        ("15 min at $42", "per_15min", 42),
    ],
)
def test_the_dollar_figure_and_its_unit_win_over_other_numbers(
    text: str, kind: str, amount: float
) -> None:
    offer = parse_offer(text)
    assert (offer.kind, offer.amount) == (kind, amount)


def test_a_zero_share_is_unreadable_not_a_crash() -> None:
    with pytest.raises(UnparseableOffer):
        parse_offer("0% of billed charges")
