"""Fitting the payer's acceptance curve from the log.

Each of our asks is an observation: x = the ask / the reference (the market median logged with
the request, else our target), accepted when the agreement was made at that ask, refused when
the payer answered with a counter. The model is the simulator's logistic,
P(accept) = 1 / (1 + exp(steepness x (x - midpoint))), fitted by maximum likelihood (scipy);
the standard errors come from the inverse Hessian. With fewer than ``MIN_ASKS`` asks, or fewer
than ``MIN_EACH`` acceptances or refusals, the documented defaults stand.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from sca_rates.models.base import Frozen
from sca_rates.models.compare import CaseFacts
from sca_rates.models.log import LoggedRequest
from sca_rates.models.recommend import Recommendation
from sca_rates.models.simulate import AcceptanceCurve, SimulationSettings
from sca_rates.recommend import oon_alternative
from sca_rates.simulate import best_opening, opening_range, reference_rate

MIN_ASKS = 20
MIN_EACH = 5


class Fit(Frozen):
    payer: str
    asks: int
    accepted: int
    curve: AcceptanceCurve  # fitted, or the defaults when there is too little data
    fitted: bool
    midpoint_se: float | None
    steepness_se: float | None
    reason: str


def observations(requests: list[LoggedRequest]) -> tuple[np.ndarray, np.ndarray]:
    """(ask / reference, accepted) for every ask of ours in the log."""
    xs, ys = [], []
    for request in requests:
        reference = request.market_p50_usd or request.target_usd
        asks = [o.per_unit_usd for o in request.offers if o.side == "us"]
        if not reference or not asks:
            continue
        for i, ask in enumerate(asks):
            last = i == len(asks) - 1
            accepted = last and request.outcome == "approved" and request.agreed_rate_usd == ask
            xs.append(ask / reference)
            ys.append(1.0 if accepted else 0.0)
    return np.asarray(xs), np.asarray(ys)


def _negative_log_likelihood(params: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    midpoint, log_steepness = params
    z = np.exp(log_steepness) * (x - midpoint)
    # log P(accept) = -log(1 + e^z); log P(refuse) = z - log(1 + e^z)
    return float(np.sum(np.logaddexp(0, z) - (1 - y) * z))


def fit_from_observations(payer: str, x: np.ndarray, y: np.ndarray) -> Fit:
    accepted = int(y.sum())
    if len(x) < MIN_ASKS or accepted < MIN_EACH or len(x) - accepted < MIN_EACH:
        return Fit(
            payer=payer,
            asks=len(x),
            accepted=accepted,
            curve=AcceptanceCurve(),
            fitted=False,
            midpoint_se=None,
            steepness_se=None,
            reason=f"too few asks to fit ({len(x)} asks, {accepted} accepted; need "
            f"{MIN_ASKS} with {MIN_EACH} of each): the defaults stand",
        )
    found = optimize.minimize(
        _negative_log_likelihood, x0=np.array([1.15, np.log(12.0)]), args=(x, y), method="BFGS"
    )
    midpoint, log_steepness = found.x
    covariance = np.asarray(found.hess_inv)
    steepness = float(np.exp(log_steepness))
    return Fit(
        payer=payer,
        asks=len(x),
        accepted=accepted,
        curve=AcceptanceCurve(midpoint=float(midpoint), steepness=steepness),
        fitted=True,
        midpoint_se=float(np.sqrt(covariance[0, 0])),
        # the delta method: se(e^u) = e^u se(u)
        steepness_se=steepness * float(np.sqrt(covariance[1, 1])),
        reason=f"fitted on {len(x)} asks, {accepted} accepted",
    )


def fit_payer(payer: str, requests: list[LoggedRequest]) -> Fit:
    x, y = observations([r for r in requests if r.payer == payer])
    return fit_from_observations(payer, x, y)


def with_fitted_curve(settings: SimulationSettings, fit: Fit) -> SimulationSettings:
    """The simulation settings with the payer's fitted acceptance curve, when there is one."""
    return settings.model_copy(update={"acceptance": fit.curve}) if fit.fitted else settings


def fitted_opening(facts: CaseFacts, rec: Recommendation, curve: AcceptanceCurve) -> float | None:
    """With the payer's fitted curve, the opening between our floor and the payer's ceiling that
    maximizes the expected contribution of one expected episode (refused: billing OON if the
    patient would come, else nothing), as the simulator searches it. None when the ceiling
    leaves no room above the floor."""
    units = facts.pattern.expected_units
    marginal = facts.cost.marginal_per_unit
    oon = oon_alternative(facts)
    refused = 0.0 if oon is None else (oon - marginal) * units
    reference = reference_rate(facts, curve) or rec.target.per_unit_usd
    low, high = opening_range(facts, rec, reference)
    if high <= low:
        return None
    best, _ = best_opening(
        paid_value=units,
        care_cost=marginal * units,
        fallback=refused,
        reference=reference,
        curve=curve,
        low=low,
        high=high,
    )
    return best
