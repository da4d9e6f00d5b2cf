"""Before the call: which request fits the case and by when.

- **Bill out of network** when the patient has an out-of-network benefit, would come anyway, and
  what billing out of network nets a unit reaches our target: an SCA would add nothing.
- **Gap exception** when the plan has no in-network program within the access standard and its
  out-of-network allowed amount reaches our target: the payer lets the patient pay in-network
  cost-sharing and pays its allowed amount; there is nothing to negotiate. Under our target, a
  negotiated rate (an SCA) is worth the call.
- **Single case agreement** when a reason an SCA rests on holds (the network gap, continuity of
  care, a specialized need, a step-down) and a rate must be negotiated.
- **None** when no such reason holds: a request would rest on nothing the payer must accept.

The request is due 48-72 hours before admission: by 72 hours when there is time, today when not.
"""

from __future__ import annotations

import datetime as dt

from sca_rates.compare import network_gap, standard_measures_gap
from sca_rates.models.compare import CaseFacts
from sca_rates.models.recommend import Recommendation
from sca_rates.models.screen import Factor, Screen, Tool
from sca_rates.money import usd

REQUEST_DAYS = 3  # 72 hours before admission
LATEST_DAYS = 2  # 48 hours: later than this, the request asks for an expedited review
TRIGGERS = ("network gap", "continuity of care", "specialized need", "step-down")
DOCUMENTS = (
    ("assessment", "an assessment showing medical necessity"),
    ("treatment_plan", "a treatment plan with goals"),
    ("network_statement", "why the in-network options are inadequate"),
)


def screen(facts: CaseFacts, rec: Recommendation, *, today: dt.date) -> Screen:
    factors = _factors(facts, rec)
    tool, reason = _tool(facts, rec, factors)
    request_by, timing = _timing(facts.case.admission_date, today)
    documents = facts.case.documents
    return Screen(
        tool=tool,
        reason=reason,
        factors=factors,
        request_by=request_by,
        timing=timing,
        documents=tuple((words, getattr(documents, name) == "ready") for name, words in DOCUMENTS),
        warnings=tuple(_warnings(facts, today)),
    )


def _factors(facts: CaseFacts, rec: Recommendation) -> tuple[Factor, ...]:
    case, triggers, unit = facts.case, facts.case.triggers, facts.pattern.unit
    gap = network_gap(facts)
    oon, ceiling = facts.oon, facts.ceiling
    typed = triggers.network_inadequacy
    program = (
        f"program for {typed.specialty}"
        if typed and typed.specialty and not standard_measures_gap(facts)
        else "program"
    )
    return (
        Factor(
            name="network gap",
            holds=gap is not None,
            detail=(
                f"nearest in-network {program} "
                + " / ".join(measure.said() for measure in gap)
                + ", beyond the access standard"
                if gap
                else "no in-network program is known to be beyond the access standard"
            ),
        ),
        Factor(
            name="continuity of care",
            holds=triggers.continuity_of_care,
            detail="the patient is in treatment here" if triggers.continuity_of_care else "new",
        ),
        Factor(
            name="specialized need",
            holds=triggers.specialized_need is not None,
            detail=", ".join(triggers.specialized_need.modalities)
            if triggers.specialized_need
            else "none named",
        ),
        Factor(
            name="step-down",
            holds=triggers.step_down is not None,
            detail=f"from {triggers.step_down.from_level}" if triggers.step_down else "none",
        ),
        Factor(
            name="out-of-network benefit",
            holds=oon is not None and case.would_attend_oon,
            detail=(
                f"nets {usd(oon.per_unit_usd)} per {unit}; the patient would owe "
                f"{usd(oon.patient_owes_usd)} for the stay"
                + ("" if case.would_attend_oon else ", more than the patient would pay")
                if oon
                else "none verified"
            ),
        ),
        Factor(
            name="the alternative's cost",
            holds=ceiling is not None and ceiling.episode_usd > rec.target.per_episode_usd,
            detail=(
                f"{ceiling.setting.replace('_', ' ')} for {ceiling.los_days:g} days would cost "
                f"the plan {usd(ceiling.episode_usd)}, against our target of "
                f"{usd(rec.target.per_episode_usd)} for the stay"
                if ceiling
                else "no alternative the plan would pay for"
            ),
        ),
    )


def _tool(facts: CaseFacts, rec: Recommendation, factors: tuple[Factor, ...]) -> tuple[Tool, str]:
    holds = {factor.name: factor.holds for factor in factors}
    oon, unit = facts.oon, facts.pattern.unit
    target = rec.target.per_unit_usd
    if oon is not None and holds["out-of-network benefit"] and oon.per_unit_usd >= target:
        return "bill_out_of_network", (
            f"billing out of network nets {usd(oon.per_unit_usd)} per {unit}, at least our target "
            f"of {usd(target)}: an SCA would add nothing"
        )
    # A gap exception says the plan has no program within the standard at all: a distance
    # typed to a program of one specialty does not show that
    gap_shown = holds["network gap"] and standard_measures_gap(facts)
    if gap_shown and oon is not None and oon.allowed_per_unit_usd >= target:
        return "gap_exception", (
            f"the plan has no in-network program within the access standard, and its "
            f"out-of-network allowed amount, {usd(oon.allowed_per_unit_usd)} per {unit}, reaches "
            f"our target of {usd(target)}: ask that the patient pay in-network cost-sharing; "
            "there is no rate to negotiate"
        )
    reasons = [name for name in TRIGGERS if holds[name]]
    if reasons:
        allowed = (
            f"; the out-of-network allowed amount, {usd(oon.allowed_per_unit_usd)} per {unit}, "
            f"is under our target of {usd(target)}"
            if oon is not None
            else "; there is no out-of-network benefit to fall back on"
        )
        return "single_case_agreement", (
            f"the request rests on {_listed(reasons)}, and a rate must be negotiated{allowed}"
        )
    return "none", (
        "no reason an SCA rests on holds (no network gap beyond the standard, no continuity of "
        "care, no specialized need, no step-down): look for an in-network program first"
    )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _timing(admission: dt.date | None, today: dt.date) -> tuple[dt.date | None, str | None]:
    if admission is None:
        return None, "no admission date: the request is due 72 hours before it"
    due = admission - dt.timedelta(days=REQUEST_DAYS)
    if today <= due:
        return due, f"send the request by {due.isoformat()}, 72 hours before admission"
    if today <= admission - dt.timedelta(days=LATEST_DAYS):
        return due, "send the request today: admission is less than 72 hours away"
    return due, (
        "send the request today and ask for an expedited review: admission is less than "
        "48 hours away"
    )


# Payers publish their in-network files monthly: one older than two months may list programs
# that have since joined the network
STALE_FILE_DAYS = 62


def _warnings(facts: CaseFacts, today: dt.date) -> list[str]:
    gap = facts.case.triggers.network_inadequacy
    if gap is None:
        return []
    warnings = []
    standard = facts.access_standard
    if gap.evidence and standard and not gap.evidence.covers(standard.miles):
        warnings.append(
            f"the payer's files were searched to {gap.evidence.covered_miles:g} miles, short of "
            f"the {standard.miles:g}-mile standard the case is now held to: search again "
            "(sca-rates network CASE --save) before the network gap is argued"
        )
    searched = gap.evidence.latest_file_date if gap.evidence else None
    if searched is not None and (today - searched).days > STALE_FILE_DAYS:
        warnings.append(
            f"the payer's in-network file searched is of {searched.isoformat()}: payers publish "
            "theirs monthly; search the latest before the network gap is argued "
            "(sca-rates network CASE --save)"
        )
    if gap.evidence is None and gap.miles_to_nearest is None and gap.minutes_to_nearest is None:
        warnings.append(
            "the network gap has no distance yet: give miles_to_nearest or minutes_to_nearest, "
            "or search the payer's files (sca-rates network CASE --tic ... --providers ... "
            "--save); until then it is not argued"
        )
    if gap.check is None:
        warnings.append(
            "record the network-gap check (the date, the payer's representative, the reference "
            "number, the in-network programs called and their waitlists): the request cites it"
        )
    return warnings
