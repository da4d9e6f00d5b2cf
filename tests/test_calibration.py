"""Fitting the acceptance curve recovers known parameters, and falls back with too little data."""

import datetime as dt

import numpy as np
import pytest

from sca_rates.calibration import MIN_ASKS, fit_from_observations, fit_payer, observations
from sca_rates.models.log import LoggedOffer, LoggedRequest


def test_the_fit_recovers_known_logistic_parameters() -> None:
    # 3,000 asks between 0.8 and 1.6 x the median, accepted with the true curve: half at 1.25,
    # steepness 9. The fit lands within a few standard errors.
    rng = np.random.default_rng(7)
    x = rng.uniform(0.8, 1.6, 3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(9 * (x - 1.25)))).astype(float)
    fit = fit_from_observations("synthetic", x, y)
    assert fit.fitted
    assert fit.midpoint_se is not None
    assert fit.steepness_se is not None
    assert fit.curve.midpoint == pytest.approx(1.25, abs=3 * fit.midpoint_se + 0.005)
    assert fit.curve.steepness == pytest.approx(9, abs=3 * fit.steepness_se + 0.2)


def test_too_little_data_keeps_the_defaults_and_says_why() -> None:
    x, y = np.full(MIN_ASKS - 1, 1.1), np.ones(MIN_ASKS - 1)
    fit = fit_from_observations("thin", x, y)
    assert not fit.fitted
    assert (fit.curve.midpoint, fit.curve.steepness) == (1.15, 12.0)
    assert "too few asks" in fit.reason


def test_observations_from_the_log() -> None:
    # Our asks $616 (countered) then $600 (agreed) against a $460 median
    request = LoggedRequest(
        payer="aetna",
        level_of_care="PHP",
        requested_on=dt.date(2026, 11, 1),
        outcome="approved",
        agreed_rate_usd=600,
        market_p50_usd=460,
        offers=(
            LoggedOffer(side="us", per_unit_usd=616),
            LoggedOffer(side="payer", per_unit_usd=540),
            LoggedOffer(side="us", per_unit_usd=600),
        ),
    )
    x, y = observations([request])
    assert x == pytest.approx([616 / 460, 600 / 460])
    assert list(y) == [0.0, 1.0]
    assert not fit_payer("aetna", [request]).fitted
