"""Every offer form, read and converted by hand."""

import pytest

from sca_rates.exceptions import MissingReference, UnparseableOffer
from sca_rates.models.market import MedicareRate, Provenance
from sca_rates.models.offers import NormalizedOffer, ServicePattern
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
    assert any("24 units a day" in note for note in result.assumptions)
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


def _read(text: str, pattern: ServicePattern = PHP) -> NormalizedOffer:
    return normalize(parse_offer(text), pattern=pattern, billed_charge_per_unit=None, medicare=None)


def test_a_case_rate_is_read_over_the_days_the_payer_states() -> None:
    # $11,000 for 25 days = $440 a day (not $11,000 / our 18 days = $611.11); the 18-day episode
    # pays the whole $11,000, and our stay ends before its 25 days: nothing to ask
    read = _read("case rate $11,000 for 25 days")
    assert (read.per_unit_usd, read.per_episode_usd) == (440, 11_000)
    assert read.offer.covers_units == 25
    assert read.asks == ()
    # $6,500 for 10 days = $650 a day; our 18 days run 8 past it, paid nothing unless agreed:
    # the caller is told to ask for a rate after day 10 (and an acceptance waits for it)
    short = _read("case rate $6,500 for 10 days")
    assert (short.per_unit_usd, short.per_episode_usd) == (650, 6500)
    assert any("runs 8 past it" in note for note in short.assumptions)
    assert short.asks == (
        "our expected stay runs 8 days past the 10 it covers, and nothing is said about them: "
        "ask for a rate after them, in writing",
    )


def test_a_case_rate_with_a_rate_beyond_its_days() -> None:
    # $9,000 for 15 days; 18 - 15 = 3 days at $550 after: 9,000 + 1,650 = $10,650 for our
    # expected stay, so $10,650 / 18 = $591.67 a day (not the $600 of its own 15 days)
    read = _read("$9,000 for 15 days, $550 a day after")
    assert (read.kind, read.per_episode_usd) == ("case_rate", 10_650)
    assert read.per_unit_usd == pytest.approx(591.67, abs=0.005)
    assert read.asks == ()
    # A low rate after cannot hide behind a high one for the days covered: $7,000 / 10 = $700,
    # but the stay pays $7,000 + 8 x $100 = $7,800, $433.33 a day over 18
    low_after = _read("$7,000 for 10 days, $100 a day after")
    assert low_after.per_episode_usd == 7_800
    assert low_after.per_unit_usd == pytest.approx(433.33, abs=0.005)
    nothing = _read("case rate $9,000 for 15 days, nothing after")
    assert (nothing.offer.beyond_per_unit_usd, nothing.per_episode_usd) == (0, 9000)
    assert "unpaid: ask for a rate after them" in nothing.asks[0]  # days 16-18


def test_a_case_rate_without_its_days_is_spread_over_ours_and_asked() -> None:
    # $6,500 / 18 expected days = $361.11 a day, with the question to ask
    read = _read("$6500 for the stay")
    assert read.per_unit_usd == pytest.approx(361.11, abs=0.005)
    assert any("ask how many days it covers" in ask for ask in read.asks)


def test_a_weekly_amount_is_spread_over_the_units_of_a_week() -> None:
    # PHP: $1,200 a week / 5 days attended = $240 a day; IOP: / 3 sessions = $400 a session
    assert _read("$1,200 per week").per_unit_usd == 240
    assert _read("$1,200/week", IOP).per_unit_usd == 400


@pytest.mark.parametrize(
    ("text", "kind", "amount", "code"),
    [
        ("S0201 at $400", "per_unit", 400, "S0201"),
        ("H0015 $150 per session", "per_session", 150, "H0015"),
        ("rev code 0913 $300", "per_unit", 300, "RC 0913"),
        ("350/d", "per_day", 350, None),
    ],
)
def test_a_code_with_its_price_and_short_forms(
    text: str, kind: str, amount: float, code: str | None
) -> None:
    offer = parse_offer(text)
    assert (offer.kind, offer.amount, offer.code) == (kind, amount, code)


def test_time_offers_use_the_cases_billable_units_else_say_what_they_assumed() -> None:
    # The case allows 16 units a day: $42 x 16 = $672 a day; $60 an hour x 16/4 hours = $240
    allowed = PHP.model_copy(update={"billable_units_per_day": 16})
    assert (
        _read("$42 per 15 min", allowed).per_unit_usd,
        _read("$42 per 15 min", allowed).asks,
    ) == (
        672,
        (),
    )
    assert _read("$60/hour", allowed).per_unit_usd == 240
    # Not said: 6 program hours x 4 = 24 units, $1,008 a day, and the answer says to ask
    assumed = _read("$42 per 15 min")
    assert assumed.per_unit_usd == 1008
    assert assumed.asks == (
        "assumes 24 billable 15-minute units a day (6 program hours): ask how many they allow",
    )


def test_a_per_session_offer_on_a_day_rate_case_says_how_it_was_read() -> None:
    # PHP with two sessions a day: $175 x 2 = $350 a day, and the caller is told so
    read = _read("$175 per session")
    assert read.per_unit_usd == 350
    assert any("read as 2 sessions a day = $350.00 a day" in ask for ask in read.asks)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("$300-$350/day", "is a range ($300.00 to $350.00)"),
        ("between $300 and $350 a day", "is a range"),
        ("300 to 350 a day", "is a range"),
        ("$350/day and $400/day", "more than one amount ($350.00, $400.00)"),
        ("$35O/day", "'35o' has letters inside the number"),
        ("¥350/day", "not in US dollars"),
        ("350 EUR a day", "not in US dollars"),
        ("$1,0,0,0", "'1,0,0,0' groups its thousands wrongly"),
        ("$0/day", "is zero"),
        ("-$350/day", "is negative"),
        ("$0.001/day", "less than a dollar"),
        ("$0.50 per session", "less than a dollar"),
    ],
)
def test_what_cannot_be_read_exactly_is_refused_saying_what_was_understood(
    text: str, says: str
) -> None:
    with pytest.raises(UnparseableOffer) as refused:
        parse_offer(text)
    message = str(refused.value)
    assert says in message
    assert "Fix: type one figure in dollars" in message


@pytest.mark.parametrize(
    ("text", "covers"),
    [
        ("case rate $11,800 for up to 25 days", 25),
        ("$11,800 case rate, 25 days", 25),
        ("case rate $11,800 (25 days)", 25),
        ("case rate $11,800 covering 25 days", 25),
    ],
)
def test_a_case_rates_days_are_read_however_they_are_said(text: str, covers: float) -> None:
    assert parse_offer(text).covers_units == covers


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("$650 per day, reviewed weekly", "per_day", 650),  # a per diem, reviewed each week
        ("$650/day, 5 days a week", "per_day", 650),
        ("$650/day, flat rate", "per_day", 650),
        ("$1,200 weekly", "per_week", 1200),
        ("US$350/day", "per_day", 350),
        # a visit or a unit said beside a named unit: that unit is the rate's
        ("$700 per diem, each visit reviewed", "per_day", 700),
        ("$25 per unit of 15 minutes", "per_15min", 25),
    ],
)
def test_a_unit_word_elsewhere_does_not_change_the_offers_unit(
    text: str, kind: str, amount: float
) -> None:
    offer = parse_offer(text)
    assert (offer.kind, offer.amount) == (kind, amount)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("$1,320 for 2 weeks", "a case rate over weeks"),
        ("$3,300 biweekly", "a period other than a day, session or week"),
        ("$4,000 a month", "a period other than a day, session or week"),
        ("70% off billed charges", "a discount"),
        ("billed less 40%", "a discount"),
        ("Medicare plus 10%", "a share above Medicare"),
        ("10% over Medicare", "a share above Medicare"),
        ("60% of usual and customary charges", "usual and customary"),
        # a visit may be a day or a session, a unit a day, a session or 15 minutes: the caller
        # asks which (counts of visits are read: "10 visits authorized")
        ("$600 per visit", "ask whether a visit is a day or a session"),
        # a count of days names no rate per day: a visit may still be a session
        ("$600 per visit, 10 day authorization", "ask whether a visit is a day or a session"),
        ("$600 an encounter", "ask whether a visit is a day or a session"),
        ("$42 per unit", "a rate per unit, which may be a day, a session or 15 minutes"),
        # a rate for the first day only was read for every day of the stay
        ("$700/day, first day only", "a rate for the first day or session only"),
        ("$700 for the first day", "a rate for the first day or session only"),
        ("$.50 per 15 min", "less than a dollar"),
        ("C$350/day", "not in US dollars"),
        ("$11,000 for 0 days", "covers no days"),
        ("case rate $9,000 for 15 days, $0.50 a day after", "the rate after is less than a dollar"),
        ("case rate $9,000 for 15 days, $100 per hour after", "the rate after is not per day"),
    ],
)
def test_forms_a_simpler_reading_would_get_wrong_are_refused(text: str, says: str) -> None:
    with pytest.raises(UnparseableOffer, match="Fix:") as refused:
        parse_offer(text)
    assert says in str(refused.value)
