"""Everything `pqzk risk analyze` reports, and the bound check a responder uses.

`assess` is the cheap exact answer for one committee; `Bounds.check` says whether a committee (a
proposed quarantine, a reshare without a culprit, a raised threshold) keeps theft and loss risk
within a policy's limits; `full_report` adds the Monte Carlo cross-check, the sensitivity, the
frontier and the quantum terms.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InvalidParameter
from .committee_file import CommitteeDocument
from .exact import ExactResult, analyze
from .frontier import Frontier, frontier
from .model import Committee, check_probability
from .montecarlo import MonteCarloResult, simulate
from .quantum import Exposure, SchemeRisk, exposure, scheme_risk
from .sensitivity import Influence, sensitivity


def assess(c: Committee, horizon_days: float | None = None) -> ExactResult:
    """Exact P(theft) and P(loss) of a committee (over its horizon unless given)."""
    return analyze(c, horizon_days)


# deliberate look-alike of threshold/bls.py:ThresholdKey (duplicates): frozen-dataclass field declarations, no
# shared logic
@dataclass(frozen=True)
class BoundsCheck:
    ok: bool
    theft: float
    loss: float
    violations: tuple[str, ...]

    def to_dict(self) -> dict:
        """The check as a JSON-ready dict."""
        return {"ok": self.ok, "theft": self.theft, "loss": self.loss, "violations": list(self.violations)}


@dataclass(frozen=True)
class Bounds:
    """Upper limits on P(theft) and P(loss) over a horizon (default: the committee's)."""
    max_theft: float = 1.0
    max_loss: float = 1.0
    horizon_days: float | None = None

    def __post_init__(self) -> None:
        check_probability(self.max_theft, "max_theft")
        check_probability(self.max_loss, "max_loss")
        if self.horizon_days is not None and not self.horizon_days > 0:
            raise InvalidParameter(f"horizon_days must be positive, got {self.horizon_days!r:.40}")

    def check(self, c: Committee) -> BoundsCheck:
        """Whether `c` stays within the bounds (each exceeded bound is named)."""
        r = analyze(c, self.horizon_days)
        bad = []
        if r.theft > self.max_theft:
            bad.append(f"P(theft) {r.theft:.3g} exceeds {self.max_theft:.3g}")
        if r.loss > self.max_loss:
            bad.append(f"P(loss) {r.loss:.3g} exceeds {self.max_loss:.3g}")
        return BoundsCheck(not bad, r.theft, r.loss, tuple(bad))


@dataclass(frozen=True)
class Report:
    committee: Committee
    exact: ExactResult
    monte_carlo: MonteCarloResult | None
    influences: tuple[Influence, ...]
    frontier: Frontier
    exposure: Exposure | None = None
    scheme: SchemeRisk | None = None
    quantum: dict = field(default_factory=dict)

    @property
    def agrees(self) -> bool | None:
        """Whether the exact values lie in the Monte Carlo intervals (None without Monte Carlo)."""
        if self.monte_carlo is None:
            return None
        return self.monte_carlo.theft.contains(self.exact.theft) and self.monte_carlo.loss.contains(self.exact.loss)

    def to_dict(self) -> dict:
        """The whole report as a JSON-ready dict (what `pqzk risk analyze --json` prints)."""
        out = {"committee": self.committee.summary(), "exact": self.exact.to_dict(),
               "monte_carlo": None if self.monte_carlo is None else {**self.monte_carlo.to_dict(),
                                                                       "agrees": self.agrees},
               "sensitivity": [i.to_dict() for i in self.influences], "frontier": self.frontier.to_dict()}
        if self.exposure is not None:
            out["quantum"] = {**self.quantum, "exposure": self.exposure.to_dict(), "scheme": self.scheme.to_dict()}
        return out


def full_report(doc: CommitteeDocument, *, samples: int | None = 200_000, seed: int = 0,
                horizon_days: float | None = None, confidence: float = 0.95) -> Report:
    """Exact values, the Monte Carlo cross-check (skipped when `samples` is None), sensitivity,
    frontier and, when the document has a [quantum] table, the quantum terms."""
    c = doc.committee
    exact = analyze(c, horizon_days)
    mc = None if samples is None else simulate(c, samples, seed=seed, confidence=confidence,
                                               horizon_days=horizon_days)
    infl = tuple(sensitivity(c, horizon_days))
    front = frontier(c, doc.frontier, horizon_days)
    if doc.quantum is None:
        return Report(c, exact, mc, infl, front)
    return Report(c, exact, mc, infl, front, exposure(doc.quantum), scheme_risk(c, doc.quantum),
                  doc.quantum.to_dict())


__all__ = ["assess", "Bounds", "BoundsCheck", "Report", "full_report"]
