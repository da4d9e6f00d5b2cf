"""Case facts with chosen numbers, for the recommendation and negotiation tests: the fixture PHP
case (18 days, margin 15%, billed $950 a day unless said) with its cost, market, ceiling and OON
figures replaced."""

from sca_rates.compare import case_facts
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.case import SpecializedNeed, Triggers
from sca_rates.models.compare import CaseFacts
from tests.conftest import FIXTURES

_case, _model = load_case(FIXTURES / "cases" / "php-case.yaml")
BASE = case_facts(_case, model=_model, market=load_market(FIXTURES / "market"))
MARKET = {"p25": 380.0, "p50": 420.0, "p75": 480.0, "p90": 560.0}


def facts_with(
    *,
    cost: float,
    marginal: float,
    points: dict[str, float] | None = MARKET,
    ceiling: float | None = 1000.0,
    oon: float | None = None,
    specialized: bool = False,
    billed: float | None = 950.0,
    slot_empty: bool = False,
    would_attend_oon: bool = True,
    margin: float = 0.15,
    medicare: float | None = None,
    published_share: float | None = None,
) -> CaseFacts:
    """The fixture's facts with these figures; Medicare's rate and the payer's published share
    of billed charges are left out unless given, so that each test names its anchors."""
    assert BASE.distribution is not None
    assert BASE.oon is not None
    triggers = (
        Triggers(specialized_need=SpecializedNeed(modalities=("DBT",)))
        if specialized
        else Triggers()
    )
    case = BASE.case.model_copy(
        update={
            "triggers": triggers,
            "billed_charge_per_unit": billed,
            "slot_otherwise_empty": slot_empty,
            "would_attend_oon": would_attend_oon,
            "margin_required": margin,
        }
    )
    return BASE.model_copy(
        update={
            "case": case,
            "cost": BASE.cost.model_copy(
                update={"fully_loaded_per_unit": cost, "marginal_per_unit": marginal}
            ),
            "distribution": None
            if points is None
            else BASE.distribution.model_copy(update={"points": points}),
            "payer_ceiling_per_unit_usd": ceiling,
            "ceiling": None if ceiling is None else BASE.ceiling,
            "oon": None if oon is None else BASE.oon.model_copy(update={"per_unit_usd": oon}),
            "medicare_per_unit_usd": medicare,
            "billed_shares": tuple(
                row.model_copy(update={"share_of_billed": published_share})
                for row in BASE.billed_shares[:1]
                if published_share is not None
            ),
        }
    )
