"""Answering offers during a call, worked by hand, and the rules as invariants."""

import math
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sca_rates.compare import offer_for
from sca_rates.models.negotiate import NegotiationState, Response
from sca_rates.negotiate import respond
from sca_rates.recommend import recommend
from tests.recommend_helpers import facts_with
from tests.test_recommend import scenarios

# The cost-bound case of tests/test_recommend.py: floor $500, target $575, opening $663.
FACTS = facts_with(cost=500, marginal=30, oon=311)
REC = recommend(FACTS)


def _call(*offers: str) -> list[Response]:
    state, answers = NegotiationState(), []
    for text in offers:
        answer = respond(FACTS, REC, state, offer_for(FACTS, text))
        answers.append(answer)
        state = answer.state
    return answers


def test_a_call_worked_by_hand() -> None:
    answers = _call("$450/day", "$520/day", "$530/day", "$530/day", "$550/day", "$560/day")
    verdicts = [a.verdict for a in answers]
    counters = [a.counter_per_unit_usd for a in answers]
    # $450 < floor $500: decline, we stand at the $663 opening
    # $520: first concession 40% x (663 - 500) = $65.20 -> $597.80, whole dollars up: $598
    # $530: half the last concession ($65) = $32.50 -> $565.50, held at the target: $575
    # $530 again: at the target and the payer has not moved: hold $575
    # $550: the payer moved $20; concede min(half of $23 = $11.50, half of $20 = $10): $565
    # $560: concede min(half of $10, half of $10) = $5 -> $560, which the offer meets: accept
    assert verdicts == ["decline", "counter", "counter", "counter", "counter", "accept"]
    assert counters == [None, 598, 575, 575, 565, None]
    assert [a.concession_usd for a in answers[1:5]] == [65, 23, 0, 10]


def test_an_offer_at_or_above_target_is_accepted_with_terms_to_ask_for() -> None:
    (answer,) = _call("$575/day")
    assert answer.verdict == "accept"
    assert answer.counter_per_unit_usd is None
    assert any("in-network cost-sharing" in trade for trade in answer.trades)
    assert answer.line.startswith("We can accept $575.00 per day")


def test_a_decline_shows_the_numbers_and_what_would_change_it() -> None:
    (answer,) = _call("50% of billed charges")  # 50% x $950 = $475 < floor $500
    assert answer.verdict == "decline"
    assert answer.offer.per_unit_usd == 475
    assert any("floor $500.00" in reason for reason in answer.reasons)
    assert any("case rate" in trade for trade in answer.trades)
    assert "$475.00 per day" in answer.line


def test_a_counter_names_the_saving_and_trades_terms() -> None:
    first, second = _call("$520/day", "$530/day")
    assert first.counter_per_unit_usd == 663  # our first answer is the opening
    # The ceiling: the fixture's residential stay, $1,050 x 25 days = $26,250; the second counter
    # $598 x 18 days = $10,764 saves the payer $15,486
    assert second.line == (
        "We can do $598.00 per day for the 18 days; that still saves you "
        "$15,486.00 against residential for this patient."
    )
    assert any("reauthorization" in trade for trade in second.trades)


def test_the_history_replays_to_the_same_answers() -> None:
    answers = _call("$520/day", "$540/day")
    replayed = respond(FACTS, REC, answers[0].state, offer_for(FACTS, "$540/day"))
    assert replayed.counter_per_unit_usd == answers[1].counter_per_unit_usd
    sides = [turn.side for turn in answers[1].state.exchanges]
    assert sides == ["payer", "us", "payer", "us"]


offers = st.lists(st.floats(min_value=100, max_value=1500), min_size=1, max_size=12)


@given(scenarios(), offers)
def test_negotiation_invariants(scenario: dict[str, Any], offered: list[float]) -> None:
    facts = facts_with(**scenario)
    rec = recommend(facts)
    # the first ask is the opening in whole dollars (up: never under the target)
    asks: list[float] = [math.ceil(rec.opening.per_unit_usd)]
    state, concessions = NegotiationState(), []
    for amount in offered:
        answer = respond(facts, rec, state, offer_for(facts, f"${amount:.2f}/day"))
        state = answer.state
        price = answer.offer.per_unit_usd
        if price >= rec.target.per_unit_usd:
            assert answer.verdict == "accept"
        if price < rec.floor.per_unit_usd:
            assert answer.verdict == "decline"
        if answer.verdict == "accept":
            break
        counter = answer.counter_per_unit_usd
        if counter is not None:
            assert counter >= rec.floor.per_unit_usd  # never below the floor
            assert counter <= asks[-1]  # never back up
            if counter < asks[-1]:
                concessions.append(asks[-1] - counter)
            asks.append(counter)
    assert all(later < earlier for earlier, later in pairwise(concessions))


def test_no_concession_while_the_payer_stands_still_below_target() -> None:
    answers = _call("$520/day", "$520/day", "$520/day", "$520/day", "$520/day", "$520/day")
    counters = [a.counter_per_unit_usd for a in answers]
    # opening, then concessions down to the $575 target, then a hold while the payer stays at $520
    assert counters[:3] == [663, 598, 575]
    assert counters[3:] == [575, 575, 575]
    assert pytest.approx(575) == REC.target.per_unit_usd


def test_counters_are_whole_dollars_when_the_opening_is_the_target() -> None:
    # Ceiling-bound (tests/test_recommend.py): target = opening = the $450 ceiling exactly; with
    # a cost of $400.30 the floor is fractional too. Every ask is whole dollars.
    facts = facts_with(cost=400.3, marginal=20, ceiling=450.5)
    rec = recommend(facts)
    assert rec.opening.per_unit_usd == rec.target.per_unit_usd == 450.5
    state, counters = NegotiationState(), []
    for amount in (420, 425, 430):
        answer = respond(facts, rec, state, offer_for(facts, f"${amount}/day"))
        state = answer.state
        counters.append(answer.counter_per_unit_usd)
    assert None not in counters  # each offer below the floor's neighbourhood is countered
    assert all(c == int(c or 0) for c in counters)
