"""Errors that sca-rates raises on purpose.

Every message says what was wrong, where (file and field), and what to do about it, so the CLI can
print it as it is and the app can show it in ``st.error`` without a traceback.

    ScaRatesError
     +-- InvalidInputFile        a file a person wrote (YAML or CSV) could not be used
     |    +-- InvalidCostModel   a facility cost model
     |    +-- InvalidMarketData  a market-data CSV (rates, alternatives, billed shares)
     |    +-- InvalidCase        a negotiation case
     |    +-- InvalidTerms       an agreement's terms
     |    +-- InvalidHistory     a call's saved history
     |    +-- InvalidSimulationSettings  the simulator's inputs
     |    +-- InvalidLogFile     a log spreadsheet to import
     +-- UnreadableFile          a published file (price transparency, CMS) truncated or not the
     |                           format it claims
     +-- UnparseableOffer        an offer whose wording sca-rates cannot read
     +-- MissingReference        a figure a calculation needs is not in the data (and how to add it)
     +-- InvalidScenario         a what-if the model cannot be (a census above capacity)
     +-- PatientKeyError         no key, a malformed key, or another key than the log's
     +-- InvalidRemittance       an 835 remittance truncated, mis-delimited or malformed
     +-- InvalidAppealWindow     an appeal window below 0 days
     +-- DownloadFailed          a payer's file at a web address could not be read whole
     +-- ClusterUnavailable      the Dask scheduler given cannot be reached, is not one, or has no
     |                           worker
     +-- ClusterTaskFailed       a file's task failed on the cluster for a reason of the cluster's
     +-- LogError                the negotiation log cannot do what was asked
          +-- UnknownRequest     no logged request has that number
          +-- LogUnavailable     SCA_DATABASE_URL is mistyped, its server unreachable, or it
                                 names a database that is not a sca-rates log
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class ScaRatesError(Exception):
    """Base of every error sca-rates raises for a person to read."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, how to fix it."""

    where: str  # a field path such as "staff[2].annual_salary", or "line 4, column 7"
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}. Fix: {self.fix}"


class InvalidInputFile(ScaRatesError):
    """A file could not be used; ``problems`` lists each thing wrong with it."""

    kind = "input file"

    def __init__(self, source: str | Path, problems: Sequence[Problem]) -> None:
        self.source = str(source)
        self.problems = tuple(problems)
        # A file is named with its kind ("Case file cases/x.yaml"); other inputs by what they
        # are ("The case in the sidebar")
        subject = (
            f"{self.kind} {self.source}"
            if Path(self.source).suffix
            else self.source[:1].upper() + self.source[1:]
        )
        lines = [f"{subject} cannot be used:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class InvalidCostModel(InvalidInputFile):
    kind = "Cost model"


class InvalidMarketData(InvalidInputFile):
    kind = "Market data file"


class InvalidCase(InvalidInputFile):
    kind = "Case file"


class InvalidTerms(InvalidInputFile):
    kind = "Agreement file"


class InvalidHistory(InvalidInputFile):
    kind = "Call history file"


class InvalidSimulationSettings(InvalidInputFile):
    kind = "Simulation settings file"


class InvalidLogFile(InvalidInputFile):
    kind = "Log spreadsheet"


class UnreadableFile(ScaRatesError):
    """A price-transparency file that is truncated or not the format it claims."""


class UnparseableOffer(ScaRatesError):
    """An offer's text matched none of the forms sca-rates reads; the message lists examples."""


class MissingReference(ScaRatesError):
    """A conversion or comparison needs a figure that neither the case nor the data has."""


class InvalidScenario(ScaRatesError):
    """A what-if (such as a census override) that the model does not allow."""


class PatientKeyError(ScaRatesError):
    """No key, a malformed key, or the wrong key for the stored identifiers."""


class LogError(ScaRatesError):
    """The negotiation log cannot do what was asked: its database, or a request in it."""


class UnknownRequest(LogError):
    """No logged request has the number given."""


class LogUnavailable(LogError):
    """The log's database cannot be opened: a mistyped SCA_DATABASE_URL, a server that does not
    answer, or a database (or file) that is not a sca-rates log. Pricing goes on without it."""


class InvalidRemittance(ScaRatesError):
    """An 835 remittance file that cannot be read: truncated, with separators other than its ISA
    header sets, or with a segment that is not what the 835 guide allows. The message names the
    file, the segment (counting the ISA as 1) and what is wrong."""

    def __init__(
        self, source: str | Path, what: str, *, segment: int | None = None, fix: str = ""
    ) -> None:
        self.source = str(source)
        self.segment = segment
        self.what = what
        where = f", segment {segment}" if segment is not None else ""
        advice = f" Fix: {fix}" if fix else ""
        super().__init__(f"Remittance file {self.source}{where}: {what}.{advice}")


class InvalidAppealWindow(ScaRatesError, ValueError):
    """An appeal window below 0 days (a ``ValueError`` too, as ``match_remittance`` raised one
    before)."""


class DownloadFailed(ScaRatesError):
    """A file at a web address that could not be read whole: not found, a host that cannot be
    reached or whose certificate cannot be verified, a file that changed on its server while
    it was read, or a connection that kept dropping. The message names the address and the
    fix."""


class ClusterUnavailable(ScaRatesError):
    """The Dask scheduler given (``--scheduler``) cannot be used: its address is malformed, nothing
    answers there, what answers is not a Dask scheduler, or it has no worker. The message names
    the address and how to start a cluster."""


class ClusterTaskFailed(ScaRatesError):
    """A file's task failed on the cluster with an error that is not one of sca-rates' (a worker
    without sca-rates, an output it may not write, a worker that died). An importer's own error
    (``UnreadableFile``, ``DownloadFailed`` ...) is raised as it is instead."""
