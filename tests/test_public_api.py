import sca_rates


def test_public_api_is_listed_and_importable() -> None:
    assert sorted(sca_rates.__all__) == sca_rates.__all__
    for name in sca_rates.__all__:
        assert getattr(sca_rates, name) is not None
    assert {"load_cost_model", "cost_facility", "cost_level", "ScaRatesError"} <= set(
        sca_rates.__all__
    )
