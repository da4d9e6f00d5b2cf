"""Talking points carry the right figures, with units and sources."""

import re
import shutil
from pathlib import Path

import pytest

from sca_rates.compare import case_facts
from sca_rates.files import load_case
from sca_rates.market import find_access_standard, load_market
from sca_rates.models.case import Case, StepDown
from sca_rates.models.compare import CaseFacts
from sca_rates.models.talking_points import TalkingPoint
from sca_rates.money import SPOKEN_WORDS, spoken_usd
from sca_rates.recommend import recommend
from sca_rates.talking_points import opener, talking_points
from tests.conftest import PROJECT
from tests.recommend_helpers import facts_with

MARKET = load_market(PROJECT / "market_data")
CASES = sorted((PROJECT / "cases").glob("*.yaml"))


def _any_program(case: Case) -> Case:
    """The case with its distances typed to the nearest program of its level of any specialty:
    what an access standard counts (Harborview's are to a PHP with DBT)."""
    gap = case.triggers.network_inadequacy
    assert gap is not None
    plain = gap.model_copy(update={"specialty": None})
    return case.model_copy(
        update={"triggers": case.triggers.model_copy(update={"network_inadequacy": plain})}
    )


def _points(case: str) -> dict[str, TalkingPoint]:
    facts_case, model = load_case(PROJECT / "cases" / case)
    facts = case_facts(facts_case, model=model, market=load_market(PROJECT / "market_data"))
    points = talking_points(facts, recommend(facts))
    return {p.heading: p for p in points}


def _figure(point: TalkingPoint, label: str) -> float:
    return next(f.value for f in point.figures if f.label == label)


def test_network_gap_fires_beyond_the_standard_and_cites_only_the_case_facts() -> None:
    # Harborview: 42 miles / 55 minutes, beyond the 30 / 30 urban default. The default is a rule
    # of thumb (illustrative): the point is made on the case's distances alone, no standard cited,
    # and its heading claims no gap ("within reach" is the standard's to say)
    point = _points("harborview-aetna-php.yaml")["The nearest in-network program"]
    # the program the case measured to, with its specialty: a plain PHP could be nearer
    assert point.spoken.startswith("The nearest in-network program for adult PHP with DBT is 42")
    assert _figure(point, "nearest in-network program, miles") == 42
    assert _figure(point, "nearest in-network program, minutes") == 55
    assert "42 miles / 55 minutes from the patient" in point.text
    assert "standard" not in point.text
    assert "adequate" not in point.text  # that judgment rests on the rule: not said
    assert not point.illustrative  # fit for the payer's documents
    assert "beyond the urban standard of 30 miles / 30 minutes" in point.why


def test_the_network_lacks_the_modality_only_beyond_a_published_standard() -> None:
    # Harborview's DBT at 42 miles / 55 minutes: beyond the 30 / 30 rule of thumb, which is
    # illustrative, so the payer is not told its network lacks DBT within reach
    rule_of_thumb = _points("harborview-aetna-php.yaml")["Specialized treatment"]
    assert "lacks" not in rule_of_thumb.text + rule_of_thumb.spoken
    assert rule_of_thumb.spoken.endswith(", which our program gives.")
    # A Medicare Advantage member of a Metro county: 42 CFR 422.116's 25 miles / 40 minutes,
    # published, and 42 > 25, 55 > 40 to the nearest PHP program: the gap holds, and the point
    # may say so
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    gap = case.triggers.network_inadequacy
    assert gap is not None
    triggers = case.triggers.model_copy(
        update={"network_inadequacy": gap.model_copy(update={"area": "metro"})}
    )
    moved = case.model_copy(update={"plan_type": "medicare_advantage", "triggers": triggers})
    facts = case_facts(_any_program(moved), model=model, market=MARKET)
    topics = {p.topic: p for p in talking_points(facts, recommend(facts))}
    assert topics["specialized_need"].spoken.endswith(", which your network lacks within reach.")
    # The same miles typed to the nearest PHP *with DBT*: the rule counts any outpatient
    # behavioral health facility, and a nearer one may be in network, so nothing is said to
    # lack within reach
    facts = case_facts(moved, model=model, market=MARKET)
    topics = {p.topic: p for p in talking_points(facts, recommend(facts))}
    assert topics["specialized_need"].spoken.endswith(", which our program gives.")


def _gap_facts(miles: float, minutes: float, area: str = "urban") -> CaseFacts:
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    gap = case.triggers.network_inadequacy
    assert gap is not None
    changed = gap.model_copy(
        update={"miles_to_nearest": miles, "minutes_to_nearest": minutes, "area": area}
    )
    triggers = case.triggers.model_copy(update={"network_inadequacy": changed})
    return case_facts(case.model_copy(update={"triggers": triggers}), model=model, market=MARKET)


def test_no_network_gap_claim_within_the_access_standard() -> None:
    # 12 miles / 20 minutes is within 30 / 30: no gap, and DBT is not said to be missing
    facts = _gap_facts(12, 20)
    topics = {p.topic: p for p in talking_points(facts, recommend(facts))}
    assert "network_inadequacy" not in topics
    assert "lacks" not in topics["specialized_need"].text
    # 40 miles but 25 minutes: within the standard on time, so no gap either
    facts = _gap_facts(40, 25)
    assert "network_inadequacy" not in {p.topic for p in talking_points(facts, recommend(facts))}
    # 45 miles / 50 minutes from a rural home is within the 60 / 60 rural standard
    facts = _gap_facts(45, 50, "rural")
    assert "network_inadequacy" not in {p.topic for p in talking_points(facts, recommend(facts))}


def test_a_state_rule_that_is_published_is_cited(tmp_path: Path) -> None:
    # A state's own standard (a row the center adds, not illustrative) is named in the point
    market = tmp_path / "market"
    shutil.copytree(PROJECT / "market_data", market)
    (market / "access_standards.local.csv").write_text(
        "jurisdiction,area,plan_type,miles,minutes,year,source,source_ref,illustrative\n"
        "MA,urban,commercial,25,40,2026,State rule X,section 1,false\n"
    )
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    facts = case_facts(_any_program(case), model=model, market=load_market(market))
    point = next(
        p for p in talking_points(facts, recommend(facts)) if p.topic == "network_inadequacy"
    )
    assert (
        "beyond the state's commercial urban access standard of 25 miles / 40 minutes" in point.text
    )
    assert "no adequate in-network option for this patient" in point.text
    assert any(f.source == "State rule X" and f.year == 2026 for f in point.figures)


def _maryland(miles: float, minutes: float, area: str) -> TalkingPoint | None:
    """Harborview's PHP case moved to a Maryland commercial member at these typed distances to
    the nearest PHP program."""
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    gap = case.triggers.network_inadequacy
    assert gap is not None
    typed = {"miles_to_nearest": miles, "minutes_to_nearest": minutes, "area": area}
    triggers = case.triggers.model_copy(update={"network_inadequacy": gap.model_copy(update=typed)})
    moved = {"state": "MD", "plan_type": "commercial", "triggers": triggers}
    facts = case_facts(_any_program(case.model_copy(update=moved)), model=model, market=MARKET)
    points = talking_points(facts, recommend(facts))
    return next((p for p in points if p.topic == "network_inadequacy"), None)


def test_marylands_rule_is_bundled_and_cited_in_road_miles_only() -> None:
    # COMAR 31.10.44.05: no PHP/IOP row; held to the larger of the clinic rows (15 / 30 / 60)
    # and the limit for facilities not listed (15 / 40 / 90): suburban 40 miles, no minutes
    assert _maryland(35, 90, "suburban") is None  # 35 <= 40, whatever the minutes
    point = _maryland(45, 20, "suburban")  # 45 > 40; 20 minutes is not measured by the rule
    assert point is not None
    assert (
        "The nearest in-network PHP program is 45 miles from the patient, "
        "beyond the state's commercial suburban access standard of 40 miles, a trip" in point.text
    )
    assert "minutes" not in point.text
    figures = {(f.label, f.value, f.source, f.year) for f in point.figures}
    assert (
        "access standard (commercial suburban), miles",
        40,
        "COMAR 31.10.44.05, Maryland travel distance standards",
        2023,
    ) in figures
    # urban 15 (both readings agree); rural 90
    assert _maryland(16, 0, "urban") is not None
    assert _maryland(89, 0, "rural") is None


def test_the_access_standard_is_the_one_for_the_patients_plan_type(tmp_path: Path) -> None:
    # A state's Medicaid rule applies to a Medicaid member only; a commercial member of the same
    # state is held to the state's general rule, and without one to the national default
    market = tmp_path / "market"
    shutil.copytree(PROJECT / "market_data", market)
    (market / "access_standards.local.csv").write_text(
        "jurisdiction,area,plan_type,miles,minutes,year,source,source_ref,illustrative\n"
        "MA,urban,medicaid,15,30,2026,Medicaid contract Y,section 2,false\n"
        "MA,urban,medicaid,20,40,2024,Medicaid contract Y (old),section 2,false\n"
    )
    data = load_market(market)
    chosen = {
        plan: find_access_standard(data, state="MA", area="urban", plan_type=plan)
        for plan in ("medicaid", "commercial")
    }
    assert chosen["medicaid"] is not None
    assert chosen["medicaid"].miles == 15
    assert chosen["commercial"] is not None
    assert (chosen["commercial"].jurisdiction, chosen["commercial"].plan_type) == ("US", "any")
    # The Harborview PHP patient (42 miles / 55 minutes to the nearest PHP program) on
    # Medicaid: the point cites the Medicaid rule
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    medicaid = _any_program(case.model_copy(update={"plan_type": "medicaid"}))
    facts = case_facts(medicaid, model=model, market=data)
    point = next(
        p for p in talking_points(facts, recommend(facts)) if p.topic == "network_inadequacy"
    )
    assert (
        "beyond the state's Medicaid urban access standard of 15 miles / 30 minutes" in point.text
    )
    assert any(f.source == "Medicaid contract Y" for f in point.figures)


def test_a_medicare_advantage_member_is_held_to_its_county_types_rule() -> None:
    # The Harborview PHP patient, 42 miles / 55 minutes from the nearest in-network PHP program.
    # 42 CFR 422.116(d)(2), Outpatient Behavioral Health: Large Metro 10 miles / 20 minutes ->
    # beyond it on both, the rule is cited; Micro 40 / 55 -> 55 minutes is not beyond 55: no gap
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    market = load_market(PROJECT / "market_data")

    def gap_point(area: str) -> TalkingPoint | None:
        gap = case.triggers.network_inadequacy
        assert gap is not None
        moved = case.model_copy(
            update={
                "plan_type": "medicare_advantage",
                "triggers": case.triggers.model_copy(
                    update={"network_inadequacy": gap.model_copy(update={"area": area})}
                ),
            }
        )
        facts = case_facts(_any_program(moved), model=model, market=market)
        points = talking_points(facts, recommend(facts))
        return next((p for p in points if p.topic == "network_inadequacy"), None)

    point = gap_point("large_metro")
    assert point is not None
    assert (
        "beyond the Medicare Advantage Large Metro access standard of 10 miles / 20 minutes"
        in point.text
    )
    cited = {f.source for f in point.figures}
    assert "42 CFR 422.116(d)(2), Outpatient Behavioral Health" in cited
    assert gap_point("micro") is None
    # "urban" is no county type of the rule: the rule of thumb (30 / 30), never cited
    point = gap_point("urban")
    assert point is not None
    assert "access standard" not in point.text


def test_a_distance_to_a_specialty_program_is_not_held_to_a_published_standard() -> None:
    # Harborview's 42 miles / 55 minutes are to the nearest PHP with DBT. 42 CFR 422.116 (Large
    # Metro 10 miles / 20 minutes) counts any outpatient behavioral health facility: a plain PHP
    # nearer than 10 miles would meet it, so neither the rule nor "no adequate option" is said;
    # the distance to the program with DBT is, as measured
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    gap = case.triggers.network_inadequacy
    assert gap is not None
    assert gap.specialty == "adult PHP with DBT"
    triggers = case.triggers.model_copy(
        update={"network_inadequacy": gap.model_copy(update={"area": "large_metro"})}
    )
    moved = case.model_copy(update={"plan_type": "medicare_advantage", "triggers": triggers})
    facts = case_facts(moved, model=model, market=MARKET)
    assert facts.access_standard is not None
    assert not facts.access_standard.illustrative
    points = {p.topic: p for p in talking_points(facts, recommend(facts))}
    point = points["network_inadequacy"]
    assert point.heading == "The nearest in-network program"
    assert point.text.startswith("The nearest in-network program for adult PHP with DBT is 42")
    for said in (point.text, point.spoken):
        assert "standard" not in said
        assert "adequate" not in said
        assert "within reach" not in said
    assert not any("access standard" in f.label for f in point.figures)
    assert point.why.endswith(
        "to a program for adult PHP with DBT; the Medicare Advantage Large Metro standard "
        "measures to the nearest program of any specialty (42 CFR 422.116(d)(2), Outpatient "
        "Behavioral Health)"
    )
    assert "lacks" not in points["specialized_need"].text + points["specialized_need"].spoken


def test_cost_offset_uses_the_target_and_the_named_alternative() -> None:
    # Harborview PHP target $599.41 (fully loaded $521.22 x 1.15 = $599.40, up to the cent) x 18
    # days = $10,789.38 against the case's 7 further inpatient days at $1,800 = $12,600: saving
    # $1,810.62, 14.4%
    point = _points("harborview-aetna-php.yaml")["Cost against the plan's alternative"]
    assert _figure(point, "inpatient psych episode") == 12_600
    assert _figure(point, "saving to the plan") == pytest.approx(12_600 - 18 * 599.41, abs=0.005)
    assert "(14.4%)" in point.text
    los = next(f for f in point.figures if f.label == "inpatient psych length of stay")
    assert (los.value, los.source) == (7, "case file")


def test_what_a_day_includes_comes_from_the_cost_model() -> None:
    point = _points("harborview-aetna-php.yaml")["What one day includes"]
    assert _figure(point, "group therapy") == 4.5
    assert _figure(point, "psychiatric care") == 0.2
    assert all(f.unit == "hours per day" for f in point.figures)
    assert all(f.source == "our program schedule" for f in point.figures)


def test_a_share_of_medicare_offer_is_answered_with_the_real_figure() -> None:
    # Harborview IOP, CMHC: Medicare APC 5851, $127.74 national (CMS OPPS, CY2026), in the
    # Boston area at MA's rural floor 1.2884: 127.74 x (0.60 x 1.2884 + 0.40) = $149.84
    point = _points("harborview-tufts-iop.yaml")['"We pay a percentage of Medicare"']
    medicare = point.figures[0]
    assert medicare.value == pytest.approx(149.84, abs=0.005)
    assert (medicare.year, medicare.illustrative) == (2026, False)
    assert medicare.source == "CMS OPPS Pricer rate file, CY2026"
    assert "wage-adjusted for this area" in point.text
    assert "professional services" in point.text  # what its day leaves out
    # MA's published contracts pay 50% to 76% of charges: on the $450 charge, $225 to $342,
    # 1.5 to 2.3 times Medicare's $149.84
    assert "1.5 to 2.3 times Medicare" in point.text


def test_the_medicare_answer_says_only_what_holds_for_the_plan_and_the_market() -> None:
    # Harborview IOP: the contracts published in one hospital's file pay 50% to 76% of charges,
    # on our $450 charge 1.5 to 2.3 times Medicare's $149.84; the plan is commercial: said, as
    # that file's contracts (not a state's, nor "commercial plans": the file holds a Medicaid
    # plan's too), with their multiples on our charge
    tufts = _points("harborview-tufts-iop.yaml")['"We pay a percentage of Medicare"']
    assert tufts.spoken.endswith("; published contracts pay 1.5 to 2.3 times it on our charge.")
    assert (
        "Published contracts pay 50.0% to 76.0% of charges (McLean Hospital standard charges "
        "file, 2026-03-27): 1.5 to 2.3 times Medicare on our charge." in tufts.text
    )
    assert "set for its own members, not a commercial network" in tufts.text
    assert "a session here" in tufts.spoken  # the case's unit, not "a day"
    # The same patient in a Medicare Advantage plan: Medicare's members are the plan's own
    case, model = load_case(PROJECT / "cases" / "harborview-tufts-iop.yaml")
    moved = case.model_copy(update={"plan_type": "medicare_advantage"})
    facts = case_facts(moved, model=model, market=MARKET)
    answer = next(p for p in talking_points(facts, recommend(facts)) if "Medicare" in p.heading)
    assert "contracts pay" not in answer.spoken
    assert "its own members" not in answer.text
    # Cedar Path, Ohio: no published contract near it, so no claim of what plans pay
    cedar = _points("cedar-path-bcbs-iop.yaml")['"We pay a percentage of Medicare"']
    assert "contracts pay" not in cedar.spoken


def test_answers_to_payer_lines() -> None:
    points = _points("harborview-aetna-php.yaml")
    share = points['"We can do 50% of billed charges"']
    assert "$475.00 per day on our $950.00 charge" in share.text  # 50% of $950
    assert _figure(share, "cigna share of billed charges") == 50
    standard = points['"We pay our standard out-of-network rate"']
    # Allowed 50% x $950 x 18 = $8,550; deductible $2,500 + 40% x $6,050 = $4,920 (under $6,000)
    assert _figure(standard, "patient's share out of network") == pytest.approx(4920)
    options = points['"We have in-network options"']
    assert "offers DBT" in options.text


def test_only_the_triggers_a_case_has_become_points() -> None:
    topics = {p.topic for p in _points("cedar-path-bcbs-iop.yaml").values()}
    assert "continuity_of_care" in topics
    assert "step_down" not in topics
    assert "specialized_need" not in topics


def test_rebuttals_only_for_offers_below_what_we_ask() -> None:
    # Arguing for $400 a day on the $950 charge: half of it, $475, is above: no "50% of billed"
    # rebuttal; Medicare's $196.34 is below it: the "% of Medicare" rebuttal stands
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    facts = case_facts(case, model=model, market=MARKET)
    topics = {p.trigger for p in talking_points(facts, recommend(facts), rate=400)}
    assert "we can do 50% of billed charges" not in topics
    assert "we pay a percentage of Medicare" in topics
    # arguing for $150, even Medicare's rate is above it
    topics = {p.trigger for p in talking_points(facts, recommend(facts), rate=150)}
    assert "we pay a percentage of Medicare" not in topics


@pytest.mark.parametrize("case_file", CASES, ids=lambda p: p.stem)
def test_spoken_lines_are_short_round_and_every_point_says_why(case_file: Path) -> None:
    case, model = load_case(case_file)
    facts = case_facts(case, model=model, market=MARKET)
    for point in talking_points(facts, recommend(facts)):
        assert len(point.spoken.split()) <= SPOKEN_WORDS, point.spoken
        assert not re.search(r"\$[\d,]+\.\d", point.spoken), point.spoken  # no cents
        assert not re.search(r"\d\.\d+ percent", point.spoken), point.spoken
        assert point.why


def test_spoken_amounts_are_rounded_for_speech() -> None:
    # whole dollars; the nearest $10 above $1,000
    assert (spoken_usd(599.41), spoken_usd(1810.78), spoken_usd(11_886)) == (
        "$599",
        "$1,810",
        "$11,890",
    )


def test_the_market_point_only_on_published_figures_within_the_range() -> None:
    published = facts_with(cost=300, marginal=20)  # the fixture's p25 $380 ... p90 $560
    assert published.distribution is not None
    assert not published.distribution.illustrative
    rec = recommend(published)
    assert "market_position" in {p.topic for p in talking_points(published, rec, rate=450)}
    # above the range, the market argues against us: no point
    assert "market_position" not in {p.topic for p in talking_points(published, rec, rate=700)}
    # below the range it says so (the percentile would only be clamped)
    cheap = next(
        p for p in talking_points(published, rec, rate=300) if p.topic == "market_position"
    )
    assert "sits below the published range" in cheap.text
    # illustrative figures: no point at all
    estimated = published.model_copy(
        update={"distribution": published.distribution.model_copy(update={"illustrative": True})}
    )
    assert "market_position" not in {p.topic for p in talking_points(estimated, rec, rate=450)}


def _facts(case_file: str, **changes: object) -> CaseFacts:
    case, model = load_case(PROJECT / "cases" / case_file)
    return case_facts(case.model_copy(update=changes), model=model, market=MARKET)


def test_the_alternative_fits_the_diagnosis_and_the_level() -> None:
    # Harborview PHP steps down from inpatient psychiatry: that is its alternative, 7 days
    harborview = _facts("harborview-aetna-php.yaml")
    assert harborview.ceiling is not None
    assert (harborview.ceiling.setting, harborview.ceiling.los_days) == ("inpatient_psych", 7)
    # the same patient treated for an eating disorder: no bundled setting treats it, so no
    # ceiling, and the notes say why (never inpatient psychiatry instead)
    eating = _facts("harborview-aetna-php.yaml", diagnosis="eating_disorder")
    assert (eating.ceiling, eating.payer_ceiling_per_unit_usd) == (None, None)
    assert any("inpatient_psych treating eating disorder" in note for note in eating.notes)
    assert "cost_offset" not in {p.topic for p in talking_points(eating, recommend(eating))}
    # an IOP in continuity of care (Tufts) names residential: not where an IOP patient would
    # otherwise go, so no ceiling of $1,225 a session
    tufts = _facts("harborview-tufts-iop.yaml")
    assert tufts.ceiling is None
    assert any("not where an IOP patient would otherwise go" in n for n in tufts.notes)


def test_an_iop_stepping_down_from_residential_is_compared_per_session_and_per_week() -> None:
    # Cedar Path's SUD IOP patient stepping down from residential care (28 days at $1,050 a
    # day, the case's stay): at the $321.11 target, 4 sessions a week cost $1,284.44 against
    # $7,350 for a week of residential
    case, model = load_case(PROJECT / "cases" / "cedar-path-bcbs-iop.yaml")
    triggers = case.triggers.model_copy(update={"step_down": StepDown(from_level="residential")})
    facts = case_facts(case.model_copy(update={"triggers": triggers}), model=model, market=MARKET)
    point = next(p for p in talking_points(facts, recommend(facts)) if p.topic == "cost_offset")
    assert "By the week: 4 sessions at $1,284.44 against $7,350.00" in point.text


_RIDERS = [
    "we pay a percentage of Medicare",
    "we can do 50% of billed charges",
    "we pay our standard OON rate",
    "we have in-network options",
]


@pytest.mark.parametrize(
    ("case_file", "fired", "estimated"),
    [
        # 35 miles (urban 30); continuity; no ceiling for an IOP; Medicare $120.56 and half the
        # $380 charge, $190, both under the $321.11 target
        ("cedar-path-bcbs-iop.yaml", ["network_inadequacy", "continuity_of_care"], []),
        # 42 miles / 55 minutes; step-down; DBT; inpatient psych 7 x $1,800 = $12,600 against
        # 18 x $599.41 = $10,789.38 (an illustrative per diem); Medicare $196.34, half of $950
        (
            "harborview-aetna-php.yaml",
            ["network_inadequacy", "step_down", "specialized_need", "cost_offset"],
            ["cost_offset"],
        ),
        # no network gap given; EMDR; continuity; no ceiling for an IOP
        ("harborview-tufts-iop.yaml", ["specialized_need", "continuity_of_care"], []),
        # 65 miles / 80 minutes; step-down from residential, 30 x $1,050 = $31,500 against
        # 20 x $897.03 = $17,940.60 (illustrative); Medicare $210.71, half of $1,400
        (
            "northstar-cigna-adolescent-php.yaml",
            ["network_inadequacy", "step_down", "specialized_need", "cost_offset"],
            ["cost_offset"],
        ),
    ],
)
def test_the_points_each_bundled_case_gets(
    case_file: str, fired: list[str], estimated: list[str]
) -> None:
    facts = _facts(case_file)
    points = talking_points(facts, recommend(facts))
    assert [p.topic for p in points if p.topic != "payer_line"] == [*fired, "day_includes"]
    assert [p.trigger for p in points if p.topic == "payer_line"] == _RIDERS
    assert [p.topic for p in points if p.illustrative] == estimated


def test_the_opener_names_our_ask_exactly() -> None:
    # Northstar's opening is $1,258 a day: said as it is, not rounded to $1,260
    facts = _facts("northstar-cigna-adolescent-php.yaml")
    rec = recommend(facts)
    said = opener(facts, talking_points(facts, rec), rec.opening.per_unit_usd)
    assert said.endswith("We are asking for a single case agreement at $1,258 per day for 20 days.")
    assert "[patient name], member ID [member ID]" in said
