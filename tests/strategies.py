"""Hypothesis strategies for valid cost models of one to three levels of care."""

from typing import Any

from hypothesis import strategies as st

from sca_rates.models import CostModel

CODES = ("PHP", "IOP", "OP")
money = st.floats(min_value=0, max_value=500_000, allow_nan=False)
positive_money = st.floats(min_value=1_000, max_value=400_000, allow_nan=False)


@st.composite
def levels(draw: st.DrawFn, code: str) -> dict[str, Any]:
    capacity = draw(st.integers(min_value=1, max_value=60))
    return {
        "code": code,
        "unit": draw(st.sampled_from(["day", "session"])),
        "days_per_week": draw(st.floats(min_value=1, max_value=7)),
        "hours_per_day": draw(st.floats(min_value=1, max_value=8)),
        "weeks_per_year": draw(st.floats(min_value=1, max_value=52)),
        "capacity": capacity,
        "average_census": draw(st.floats(min_value=1, max_value=capacity)),
        "attendance_rate": draw(st.floats(min_value=0.3, max_value=1)),
        "max_group_size": draw(st.integers(min_value=1, max_value=15)),
    }


@st.composite
def allocations(draw: st.DrawFn, codes: list[str]) -> Any:
    if len(codes) == 1:
        return None
    kind = draw(st.sampled_from(["hours", "patient_units", "fractions"]))
    if kind != "fractions":
        return kind
    weights = draw(
        st.lists(
            st.integers(min_value=0, max_value=10), min_size=len(codes), max_size=len(codes)
        ).filter(lambda w: sum(w) > 0)
    )
    return {code: w / sum(weights) for code, w in zip(codes, weights, strict=True)}


@st.composite
def staff_roles(draw: st.DrawFn, codes: list[str], *, fixed_only: bool = False) -> dict[str, Any]:
    role: dict[str, Any] = {
        "role": "Role",
        "category": draw(st.sampled_from(["clinical_direct", "clinical_support", "admin"])),
        "benefits_load": draw(st.floats(min_value=0, max_value=0.5)),
        "allocation": draw(allocations(codes)),
    }
    if draw(st.booleans()):
        role["annual_salary"] = draw(positive_money)
    else:
        role |= {
            "hourly_rate": draw(st.floats(min_value=10, max_value=300)),
            "annual_hours": draw(st.floats(min_value=100, max_value=2080)),
        }
    if fixed_only or draw(st.booleans()):
        role["fte"] = draw(st.floats(min_value=0, max_value=5))
    else:
        role |= {
            "patients_per_fte": draw(st.floats(min_value=1, max_value=20)),
            "min_fte": draw(st.floats(min_value=0, max_value=3)),
        }
    return role


@st.composite
def cost_models(draw: st.DrawFn, *, fixed_staff: bool = False) -> CostModel:
    codes = list(CODES[: draw(st.integers(min_value=1, max_value=3))])
    data = {
        "facility": {"name": "Generated", "state": "MA", "fiscal_year": 2026},
        "levels_of_care": [draw(levels(code)) for code in codes],
        "staff": draw(st.lists(staff_roles(codes, fixed_only=fixed_staff), min_size=1, max_size=5)),
        "overhead": [
            {
                "name": "Overhead",
                "category": "facility",
                "annual_cost": draw(money),
                "allocation": draw(allocations(codes)),
            }
            for _ in range(draw(st.integers(min_value=0, max_value=3)))
        ],
        "variable_costs": [
            {"name": "Variable", "cost_per_unit": draw(st.floats(min_value=0, max_value=50))}
            for _ in range(draw(st.integers(min_value=0, max_value=2)))
        ],
    }
    return CostModel.model_validate(data)
