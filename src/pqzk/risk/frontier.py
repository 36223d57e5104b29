"""The theft-vs-loss frontier over thresholds, committee sizes and domain assignments.

Candidates take the first n parties of the committee's pool (its signers, then its standby
parties, in file order) for n = 1..max_parties (default 30) and the current n, every threshold
t = 1..n, and each domain assignment: `declared` (as in the file), `balanced` (within each domain kind, the parties that use
that kind are dealt round-robin over its domains), `concentrated` (all of them in the kind's first
domain). A candidate is on the frontier when no other has both lower theft and lower loss risk.
Single-key and multisig committees are explored as threshold committees of the same parties; a
cold-storage committee keeps its recovery path.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import InvalidParameter
from .exact import curves
from .model import Committee, Party

ASSIGNMENTS = ("declared", "balanced", "concentrated")
DEFAULT_MAX_PARTIES = 30                 # without frontier.max_parties: sizes 1..30 (and the current one)
MAX_CANDIDATE_COMMITTEES = 600          # (n, assignment) pairs: one exact programme each


@dataclass(frozen=True)
class FrontierSettings:
    max_parties: int | None = None                   # default: the pool, up to DEFAULT_MAX_PARTIES
    assignments: tuple[str, ...] = ("declared", "balanced")

    def __post_init__(self) -> None:
        for a in self.assignments:
            if a not in ASSIGNMENTS:
                raise InvalidParameter(f"frontier.assignments: {a!r:.40} is not one of {', '.join(ASSIGNMENTS)}")
        if not self.assignments:
            raise InvalidParameter("frontier.assignments: give at least one")
        if len(set(self.assignments)) != len(self.assignments):
            raise InvalidParameter("frontier.assignments: an assignment is listed twice")
        if self.max_parties is not None and (isinstance(self.max_parties, bool) or not isinstance(self.max_parties, int)
                                             or self.max_parties < 1):
            raise InvalidParameter(f"frontier.max_parties must be an integer >= 1, got {self.max_parties!r:.40}")


# deliberate look-alike of threshold/ecdsa/keys.py:EcdsaPublicKey (duplicates): a raise followed by field
# declarations, no shared logic
@dataclass(frozen=True)
class FrontierPoint:
    threshold: int
    parties: int
    assignment: str
    theft: float
    loss: float
    current: bool = False
    pareto: bool = False

    @property
    def label(self) -> str:
        """"t-of-n", with the assignment when it is not the declared one."""
        return f"{self.threshold}-of-{self.parties}" + ("" if self.assignment == "declared" else f" {self.assignment}")

    def to_dict(self) -> dict:
        """The point as a JSON-ready dict."""
        return {"threshold": self.threshold, "parties": self.parties, "assignment": self.assignment,
                "theft": self.theft, "loss": self.loss, "current": self.current, "pareto": self.pareto}


@dataclass(frozen=True)
class Frontier:
    points: tuple[FrontierPoint, ...]
    members: tuple[str, ...]               # the pool order: candidate n takes the first n

    @property
    def pareto(self) -> tuple[FrontierPoint, ...]:
        """The Pareto-optimal points (none both safer from theft and from loss), by theft then loss."""
        return tuple(sorted((p for p in self.points if p.pareto), key=lambda p: (p.theft, p.loss)))

    @property
    def current(self) -> FrontierPoint:
        """The point of the committee as declared."""
        return next(p for p in self.points if p.current)

    def to_dict(self) -> dict:
        """The frontier as a JSON-ready dict: the pool, the current point and the Pareto points."""
        return {"pool": list(self.members), "current": self.current.to_dict(),
                "pareto": [p.to_dict() for p in self.pareto], "candidates": len(self.points)}


def assign(parties: list[Party], c: Committee, how: str) -> list[Party]:
    """The parties with their domains re-dealt per domain kind (`declared` keeps them)."""
    if how == "declared":
        return parties
    if how not in ASSIGNMENTS:
        raise InvalidParameter(f"unknown assignment {how!r:.40}")
    kind_of = {d.name: d.kind for d in c.domains}
    by_kind: dict[str, list[str]] = {}
    for d in c.domains:
        by_kind.setdefault(d.kind, []).append(d.name)
    seen: dict[str, int] = {}
    out = []
    for p in parties:
        doms = []
        for d in p.domains:
            k = kind_of[d]
            j = seen.get(k, 0)
            seen[k] = j + 1
            options = by_kind[k]
            doms.append(options[j % len(options)] if how == "balanced" else options[0])
        out.append(replace(p, domains=tuple(doms)))
    return out


def _candidate(c: Committee, n: int, how: str) -> Committee:
    pool = [replace(p, standby=False) for p in c.pool[:n]]
    rec = [p for p in c.parties if p.name in set(c.recovery_names)]
    mode = "threshold" if c.mode == "single" else c.mode
    return replace(c, parties=tuple(assign(pool, c, how) + rec), threshold=1, mode=mode)


def _mark_pareto(points: list[FrontierPoint]) -> list[FrontierPoint]:
    order = sorted(range(len(points)), key=lambda i: (points[i].theft, points[i].loss))
    best_loss = float("inf")
    on = set()
    for i in order:                      # equal up to rounding counts as equal (no twin points)
        if points[i].loss < best_loss * (1 - 1e-9):
            on.add(i)
            best_loss = points[i].loss
    return [replace(p, pareto=i in on) for i, p in enumerate(points)]


def frontier(c: Committee, settings: FrontierSettings = FrontierSettings(),
             horizon_days: float | None = None) -> Frontier:
    """Every candidate (t, n, assignment) with its exact theft and loss risk; the committee's
    own configuration is marked `current`."""
    pool = c.pool
    m = min(DEFAULT_MAX_PARTIES if settings.max_parties is None else settings.max_parties, len(pool))
    current_n = len(c.signers)
    sizes = sorted(set(range(1, m + 1)) | {current_n})      # the current committee is always a candidate
    if len(sizes) * len(settings.assignments) > MAX_CANDIDATE_COMMITTEES:
        raise InvalidParameter(f"the frontier would evaluate {len(sizes) * len(settings.assignments)} committees "
                               f"(at most {MAX_CANDIDATE_COMMITTEES}): lower frontier.max_parties")
    points: list[FrontierPoint] = []
    for how in settings.assignments:
        for n in sizes:
            theft, loss = curves(_candidate(c, n, how), horizon_days)
            for t in range(1, n + 1):
                points.append(FrontierPoint(t, n, how, float(theft[t - 1]), float(loss[t - 1])))
    if "declared" not in settings.assignments:
        theft, loss = curves(c, horizon_days)
        points.append(FrontierPoint(c.threshold, current_n, "declared", float(theft[c.threshold - 1]),
                                    float(loss[c.threshold - 1])))
    points = [replace(p, current=(p.assignment == "declared" and p.parties == current_n
                                  and p.threshold == c.threshold)) for p in points]
    return Frontier(tuple(_mark_pareto(points)), tuple(p.name for p in pool[:max(m, current_n)]))


__all__ = ["ASSIGNMENTS", "FrontierSettings", "FrontierPoint", "Frontier", "frontier", "assign"]
