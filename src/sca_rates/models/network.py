"""The payer's in-network programs near a patient, as found in its own published files: what
`sca-rates network` shows and what a case keeps as the evidence of a network gap.

Distances are great-circle miles between the two ZIPs' ZCTA points, not road miles: a trip by
road is longer, so a program farther than the standard in a straight line is farther by road
too. Rates are US dollars per unit of the code, as the payer's file writes them (a percentage is
kept as written, 55.3 for 55.3%). Dates are ISO dates: a rates file's is the date its payer says
it was updated; a providers file's is the day it was written.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field

from sca_rates.models.base import Frozen

# Words many payers' names share: no evidence that two names are one payer
_GENERIC = frozenset(
    [
        "health",
        "healthcare",
        "plan",
        "plans",
        "insurance",
        "company",
        "co",
        "corp",
        "corporation",
        "inc",
        "llc",
        "of",
        "the",
        "and",
        "care",
        "medical",
        "group",
        "services",
        "life",
    ]
)
DISTANCE_BASIS = "great-circle miles between ZIP centroids (ZCTA points), not road miles"


# Computed: one price a payer's file gives a program for one of the codes
class RateEvidence(Frozen):
    payer: str
    plan: str | None = None
    code: str
    rate_usd: float | None = None  # a dollar amount, when the price is one
    percentage: float | None = None  # a share as written (55.3 for 55.3%), when it is one
    negotiated_type: str | None = None
    file_date: str | None = None  # ISO date the payer's file says it was updated
    source_file: str | None = None  # the payer's file the row was imported from


# Computed: an in-network program and how far it is from the patient
class NearbyProgram(Frozen):
    npi: int
    name: str
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip5: str
    miles: float = Field(ge=0)  # great-circle, see DISTANCE_BASIS
    rates: tuple[RateEvidence, ...]


# Computed: a file the answer was read from, and its dates
class NetworkSource(Frozen):
    kind: Literal["rates", "providers"]
    path: str
    dates: tuple[str, ...]  # rates: the payers' file dates; providers: the day it was written
    payers: tuple[str, ...] = ()  # rates only


class NetworkEvidence(Frozen):
    """What a case keeps of a search of the payer's files (`sca-rates network CASE --save`):
    the in-network programs nearest the patient, nearest first. It stands in for a typed
    distance: the gap holds only when the nearest lies beyond the access standard. None found
    means the files list no program for the codes in the providers file's states."""

    searched: dt.date
    patient_zip: str = Field(pattern=r"^\d{5}$")
    codes: tuple[str, ...] = Field(min_length=1)
    distance_basis: str = DISTANCE_BASIS
    nearest: tuple[NearbyProgram, ...] = ()
    sources: tuple[NetworkSource, ...] = Field(min_length=1)
    # How far from the patient the providers file held every state: a claim of no program
    # reaches no farther (None: the file did not say its states)
    covered_miles: float | None = Field(default=None, gt=0)

    def covers(self, miles: float) -> bool:
        """Whether the search can show that no program lies within ``miles``."""
        return self.covered_miles is None or miles <= self.covered_miles

    @property
    def nearest_miles(self) -> float | None:
        return min((p.miles for p in self.nearest), default=None)

    @property
    def payer_files(self) -> tuple[NetworkSource, ...]:
        return tuple(s for s in self.sources if s.kind == "rates")

    @property
    def payer_files_said(self) -> str:
        """The payers' files as a reader can find them: whose, and the date each gives."""
        return "; ".join(
            f"{', '.join(source.payers) or 'payer'} in-network file of {', '.join(source.dates)}"
            for source in self.payer_files
        )

    def names_payer(self, payer: str) -> bool:
        """Whether a payer's file here is ``payer``'s (``same_payer``)."""
        return any(same_payer(payer, name) for s in self.payer_files for name in s.payers)

    @property
    def latest_file_date(self) -> dt.date | None:
        """The newest date the payers' files give (None: none gives one)."""
        dates = []
        for source in self.payer_files:
            for text in source.dates:
                try:
                    dates.append(dt.date.fromisoformat(text))
                except ValueError:  # "undated", or a date the payer wrote another way
                    continue
        return max(dates, default=None)

    @property
    def year(self) -> int | None:
        """The year of the latest payer's file: the figure's year when it is cited."""
        latest = self.latest_file_date
        return None if latest is None else latest.year


def same_payer(ours: str, theirs: str) -> bool:
    """Whether two names are one payer's: they share a word that is not a generic one ("Aetna"
    and "Aetna Life Insurance Company"). It catches another payer's file (Evry Health's for an
    Aetna patient), not every near name."""
    return bool(_name_words(ours) & _name_words(theirs))


def _name_words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", name.lower())) - _GENERIC
