"""A negotiation case: one patient, one payer, one level of care, as written in ``cases/*.yaml``.

Money is US dollars; ``billed_charge_per_unit`` is per unit of service of the level (a PHP day,
an IOP session); shares (``allowed_pct``, ``coinsurance``, ``margin_required``) are fractions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal, Self

from pydantic import Field, model_validator

from sca_rates.models.base import FieldProblem, Frozen
from sca_rates.models.market import Area, CodeType, PlanType, region_kind
from sca_rates.models.network import NetworkEvidence

_CODE_FORMS: tuple[tuple[str, CodeType], ...] = (
    (r"^\d{4}[0-9A-Z]$", "CPT"),  # 90837, 0001T
    (r"^[A-Z]\d{4}$", "HCPCS"),  # S0201, H0015
    (r"^0\d{3}$", "RC"),  # 0912: a UB-04 revenue code
)


# More units than this in one episode (three years of daily PHP) is a typing slip, not a stay
MAX_EPISODE_UNITS = 1_000

Diagnosis = Literal["mental_health", "substance_use", "eating_disorder", "co_occurring"]


def infer_code_type(code: str) -> CodeType | None:
    for pattern, code_type in _CODE_FORMS:
        if re.match(pattern, code):
            return code_type
    return None


class ProgramCalled(Frozen):
    """An in-network program the payer named, called to see whether it could take the patient."""

    name: str = Field(min_length=1)
    waitlist_days: float | None = Field(default=None, ge=0)  # None: it cannot take the patient
    note: str | None = None  # "no adolescent track", "no DBT" ...


class NetworkCheck(Frozen):
    """The record of asking the payer for in-network programs: what the request and the talking
    points cite as the evidence of the gap."""

    date: dt.date
    representative: str = Field(min_length=1)  # who at the payer answered
    reference: str | None = None  # the call's reference number
    programs: tuple[ProgramCalled, ...] = ()


class NetworkInadequacy(Frozen):
    """No in-network program of this level and specialty within reach."""

    check: NetworkCheck | None = None

    # Typed distances, or the search of the payer's files (whose miles stand in for typed ones);
    # with neither, the gap is not argued until one is given (the screen says so)
    miles_to_nearest: float | None = Field(default=None, ge=0)
    minutes_to_nearest: float | None = Field(default=None, ge=0)
    evidence: NetworkEvidence | None = None
    specialty: str | None = None  # "adolescent dual diagnosis"
    # Where the patient lives: the access standard differs (market_data/access_standards.csv)
    area: Area = "urban"


class ClinicalDocuments(Frozen):
    """What a request for an SCA needs on file, each ready or still missing."""

    assessment: Literal["ready", "missing"] = "missing"  # shows medical necessity
    treatment_plan: Literal["ready", "missing"] = "missing"  # with goals
    network_statement: Literal["ready", "missing"] = "missing"  # why in-network options fail


class SpecializedNeed(Frozen):
    modalities: tuple[str, ...] = Field(min_length=1)  # EMDR, DBT, ...
    note: str | None = None


class StepDown(Frozen):
    from_level: str = Field(min_length=1)  # residential, inpatient_psych, PHP ...


class Triggers(Frozen):
    """Why the payer should agree: the clinical and network reasons for this SCA."""

    network_inadequacy: NetworkInadequacy | None = None
    continuity_of_care: bool = False
    specialized_need: SpecializedNeed | None = None
    step_down: StepDown | None = None


class OonBenefit(Frozen):
    """The patient's out-of-network benefit, as verified."""

    allowed_basis: Literal["billed_charges", "medicare"]
    allowed_pct: float = Field(gt=0, le=5)  # of billed charges, or of Medicare's rate
    coinsurance: float = Field(ge=0, le=1)  # the patient's share after the deductible
    deductible_remaining_usd: float = Field(ge=0)
    oop_max_remaining_usd: float = Field(ge=0)
    collection_rate: float = Field(default=0.5, ge=0, le=1)  # share of the patient's part collected


class PayerAlternative(Frozen):
    """Where the payer would otherwise send the patient."""

    setting: str = Field(pattern=r"^[a-z][a-z_]*$")  # a setting of alternatives.csv
    los_days: float | None = Field(default=None, gt=0)  # overrides the market file's typical stay


class Case(Frozen):
    cost_model: str = Field(min_length=1)  # path to the facility cost model, from the case file
    payer: str = Field(min_length=1)
    plan_type: PlanType = "commercial"  # chooses the access standard the network gap is held to
    region: str = Field(pattern=r"^(US|[A-Z]{2}|\d{5})$")  # US, a state, or a CBSA code
    state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")  # needed with a CBSA region
    # Where the patient lives: the ZIP in-network programs are measured from (`sca-rates network`)
    patient_zip: str | None = Field(default=None, pattern=r"^\d{5}$")
    level_of_care: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{0,15}$")
    # What the patient is treated for: the payer's alternative must be a setting that treats it
    diagnosis: Diagnosis = "mental_health"
    code: str = Field(pattern=r"^[0-9A-Z]{4,5}$")  # the code the SCA will pay: S0201, H0015 ...
    code_type: CodeType | None = None  # read from the code's form when left out
    # length of stay in units of service; more than MAX_EPISODE_UNITS is a slip (an extra digit)
    expected_units: float = Field(gt=0, le=MAX_EPISODE_UNITS)
    sessions_per_week: float | None = Field(default=None, gt=0, le=21)  # default: program days
    # Billable 15-minute units a day the payer allows, for offers per 15 minutes or per hour;
    # default: the program's hours x 4, which the answer then says it assumed
    billable_units_per_day: float | None = Field(default=None, gt=0, le=96)
    billed_charge_per_unit: float | None = Field(default=None, gt=0)
    medicare_provider_type: Literal["hospital", "cmhc"] = "cmhc"
    medicare_code: str | None = None  # an APC; default from level and provider type
    # The area Medicare's rate is wage-adjusted for: a CBSA or metropolitan division code of
    # CMS's wage index (market_data/wage_index.csv); default: the region when it is a CBSA
    wage_area: str | None = Field(default=None, pattern=r"^\d{5}$")
    # Or the wage index itself, when the file has no row for the area
    wage_index: float | None = Field(default=None, gt=0, lt=5)
    triggers: Triggers = Triggers()
    oon_benefit: OonBenefit | None = None
    margin_required: float = Field(default=0.15, ge=0, le=2)
    slot_otherwise_empty: bool = False
    # False when the patient would not come without the SCA (OON cost-sharing out of reach): then
    # billing out of network is no alternative for the center
    would_attend_oon: bool = True
    alternative: PayerAlternative | None = None
    admission_date: dt.date | None = None  # the request is due 48-72 hours before it
    documents: ClinicalDocuments = ClinicalDocuments()

    @model_validator(mode="before")
    @classmethod
    def _code_type_from_code(cls, data: object) -> object:
        if (
            isinstance(data, dict)
            and data.get("code_type") is None
            and isinstance(data.get("code"), str)
        ):
            return {**data, "code_type": infer_code_type(data["code"])}
        return data

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if region_kind(self.region) == "cbsa" and self.state is None:
            raise FieldProblem(
                ("state",),
                f"region {self.region} is a CBSA",
                "add state (two letters) so lookups can fall back to it",
            )
        if self.code_type is None:
            raise FieldProblem(
                ("code_type",),
                f"cannot tell what kind of code {self.code} is",
                "add code_type: HCPCS, CPT or RC",
            )
        self._evidence_is_this_cases()
        return self

    def _evidence_is_this_cases(self) -> None:
        """Programs found for another ZIP or code say nothing of this patient's reach."""
        gap = self.triggers.network_inadequacy
        found = gap.evidence if gap else None
        if found is None:
            return
        if found.patient_zip != self.patient_zip or self.code not in found.codes:
            raise FieldProblem(
                ("triggers", "network_inadequacy", "evidence"),
                f"the network evidence was found for ZIP {found.patient_zip} and code "
                f"{', '.join(found.codes)}; this case is ZIP {self.patient_zip}, code "
                f"{self.code}",
                "search again with `sca-rates network CASE --tic ... --providers ... --save`, "
                "or remove the evidence",
            )
        if not found.names_payer(self.payer):
            raise FieldProblem(
                ("triggers", "network_inadequacy", "evidence"),
                f"the network evidence comes from {found.payer_files_said}, not {self.payer}'s "
                "own files: it says nothing of this plan's network",
                "search with the in-network file of the patient's plan, or correct the payer",
            )
