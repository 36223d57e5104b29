"""Which parties and failure domains dominate a committee's risk: P(theft) and P(loss) when each
one is made perfect (its own probability 0) and when it certainly fails (probability 1). The drop
when made perfect is what hardening it would buy; the rise when it fails is what losing it (or
suspecting it, for a quarantine) costs. All settings run as one batched exact programme.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exact import Engine
from .model import Committee


@dataclass(frozen=True)
class Influence:
    """One party's or domain's effect on P(theft) and P(loss) at the committee's threshold."""
    kind: str                 # "party" | "domain"
    name: str
    theft_if_perfect: float
    theft_if_failed: float
    loss_if_perfect: float
    loss_if_failed: float
    theft: float              # the committee's own values, for the differences
    loss: float

    @property
    def theft_drop(self) -> float:
        """How much P(theft) falls when this one is never compromised."""
        return self.theft - self.theft_if_perfect

    @property
    def loss_drop(self) -> float:
        """How much P(loss) falls when this one never fails."""
        return self.loss - self.loss_if_perfect

    def to_dict(self) -> dict:
        """The influence as a JSON-ready dict, with both drops."""
        return {"kind": self.kind, "name": self.name, "theft_if_perfect": self.theft_if_perfect,
                "theft_if_failed": self.theft_if_failed, "theft_drop": self.theft_drop,
                "loss_if_perfect": self.loss_if_perfect, "loss_if_failed": self.loss_if_failed,
                "loss_drop": self.loss_drop}


def _batch(f: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows: the committee; each party at 0, then at 1; each domain at 0, then at 1."""
    n, d = f.shape[1], g.shape[1]
    F = np.repeat(f, 1 + 2 * n + 2 * d, axis=0)
    G = np.repeat(g, 1 + 2 * n + 2 * d, axis=0)
    for i in range(n):
        F[1 + 2 * i, i], F[2 + 2 * i, i] = 0.0, 1.0
    for j in range(d):
        G[1 + 2 * n + 2 * j, j], G[2 + 2 * n + 2 * j, j] = 0.0, 1.0
    return F, G


def sensitivity(c: Committee, horizon_days: float | None = None) -> list[Influence]:
    """Every signing (and recovery) party and every domain, most theft-dominant first."""
    e = Engine(c, horizon_days)
    t = c.threshold - 1
    theft = e.theft(*_batch(*e.probabilities("compromise")))[:, t]
    loss = e.loss(*_batch(*e.probabilities("loss")))[:, t]
    names = [("party", n) for n in e.layout.names] + [("domain", d) for d in e.layout.domains]
    out = [Influence(kind, name, float(theft[1 + 2 * k]), float(theft[2 + 2 * k]), float(loss[1 + 2 * k]),
                     float(loss[2 + 2 * k]), float(theft[0]), float(loss[0]))
           for k, (kind, name) in enumerate(names)]
    return sorted(out, key=lambda x: (-x.theft_drop, -x.loss_drop, x.kind, x.name))


__all__ = ["Influence", "sensitivity"]
