"""What the comparator returns: where a rate sits against the market, Medicare, the center's own
cost, the payer's alternatives and billing out of network. US dollars per unit of service unless a
name says ``episode``."""

from __future__ import annotations

from typing import Literal

from sca_rates.models.base import Frozen
from sca_rates.models.case import Case
from sca_rates.models.cost_model import DayIncludes
from sca_rates.models.costs import LevelCost
from sca_rates.models.market import (
    AccessStandardRow,
    BilledShareRow,
    Distribution,
    MedicareRate,
    Position,
    Provenance,
)
from sca_rates.models.offers import NormalizedOffer, ServicePattern


class MarketComparison(Frozen):
    distribution: Distribution | None  # None: no market figure applies
    position: Position | None
    medicare: MedicareRate | None
    medicare_per_unit_usd: float | None  # Medicare's rate in the case's unit of service
    medicare_multiple: float | None  # rate / Medicare


class CostCoverage(Frozen):
    fully_loaded_per_unit_usd: float
    marginal_per_unit_usd: float
    fully_loaded_ratio: float  # rate / fully loaded cost
    marginal_ratio: float | None  # rate / marginal cost (None when the marginal cost is 0)
    margin_per_unit_usd: float  # rate - fully loaded cost
    margin_per_episode_usd: float


class AlternativeStay(Frozen):
    """A stay in the payer's alternative setting and what it costs the payer."""

    setting: str
    per_diem_usd: float
    los_days: float
    los_from: Literal["case", "market data"]
    episode_usd: float  # per diem x length of stay
    provenance: Provenance


class AlternativeComparison(AlternativeStay):
    savings_usd: float  # alternative episode - our episode
    savings_pct: float  # savings / alternative episode


class OonExpectation(Frozen):
    """What billing the episode out of network would net the center."""

    allowed_per_unit_usd: float
    allowed_episode_usd: float
    patient_owes_usd: float  # deductible, then coinsurance, capped at the out-of-pocket maximum
    payer_pays_usd: float
    collected_from_patient_usd: float
    net_episode_usd: float
    per_unit_usd: float
    assumptions: tuple[str, ...]


class CaseFacts(Frozen):
    """Everything about a case that does not depend on the rate, worked out once per case so that
    each offer on a live call costs only its own comparison."""

    case: Case
    facility: str  # the cost model's center, fiscal year and mark, for citing its figures
    fiscal_year: int
    cost_illustrative: bool
    day_includes: DayIncludes | None  # what one unit of the level gives the patient
    pattern: ServicePattern
    cost: LevelCost
    distribution: Distribution | None
    medicare: MedicareRate | None
    medicare_per_unit_usd: float | None  # Medicare's rate in the case's unit of service
    alternatives: tuple[AlternativeStay, ...]  # cheapest first
    ceiling: AlternativeStay | None  # the alternative the payer's ceiling is taken from
    payer_ceiling_per_unit_usd: float | None
    oon: OonExpectation | None
    billed_shares: tuple[BilledShareRow, ...]  # published shares of billed charges, nearest first
    access_standard: AccessStandardRow | None  # the network gap is judged against it
    notes: tuple[str, ...]

    @property
    def market_p50(self) -> float | None:
        """The market median for the case, when there is a market distribution."""
        return self.distribution.p50 if self.distribution else None


class Comparison(Frozen):
    rate: NormalizedOffer
    rate_basis: str  # what the rate is: the offer typed, or the cost-plus-margin default
    unit: Literal["day", "session"]
    expected_units: float
    our_episode_usd: float
    market: MarketComparison
    cost_coverage: CostCoverage
    alternatives: tuple[AlternativeComparison, ...]  # cheapest first
    ceiling_alternative: str | None  # the setting the payer's ceiling is taken from
    payer_ceiling_per_unit_usd: float | None
    oon: OonExpectation | None
    notes: tuple[str, ...]  # what was missing or stood in for
