"""Monte Carlo estimate of P(theft) and P(loss): a direct simulation of the model, independent of
the exact programme (no Poisson-binomial, no domain enumeration, no epoch algebra), to cross-check
it (docs/risk.md, "Monte Carlo").

Each sample draws, for every refresh epoch, every party's and every domain's compromise and loss
with the per-epoch probabilities; a domain event marks all its members. Theft: some epoch in which
a refreshed path has at least t compromised shares (a static path: compromises accumulated so far).
Loss: without repair, every path short of its threshold at the end (losses accumulated); with
repair, some epoch in which every refreshed path is short within the epoch while every static path
is short by then. Vectorized with numpy in chunks; seeded `numpy.random.Generator`; a Wilson
score interval for each proportion.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ..errors import InvalidParameter
from .exact import Layout, scale_array
from .model import Committee

MAX_SAMPLES = 10**8
MAX_CELLS = 5 * 10**9            # samples × epochs × (parties + domains): about a minute
_CHUNK_CELLS = 1 << 21           # uniforms per chunk (16 MiB of float64)


def wilson(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion hits/n."""
    if n <= 0 or not 0 <= hits <= n:
        raise InvalidParameter(f"need 0 <= hits <= n and n > 0, got {hits} of {n}")
    if not 0 < confidence < 1:
        raise InvalidParameter(f"confidence must be in (0, 1), got {confidence!r:.40}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    lo = 0.0 if hits == 0 else max(0.0, centre - half)
    hi = 1.0 if hits == n else min(1.0, centre + half)
    return lo, hi


@dataclass(frozen=True)
class Estimate:
    """A proportion from `samples` draws with its `confidence` interval [low, high]."""
    hits: int
    samples: int
    low: float
    high: float
    confidence: float

    @property
    def value(self) -> float:
        """The point estimate, hits / samples."""
        return self.hits / self.samples

    def contains(self, p: float) -> bool:
        """Whether `p` lies in the confidence interval (how the tests cross-check the exact results)."""
        return self.low <= p <= self.high

    def to_dict(self) -> dict:
        """The estimate and its interval as a JSON-ready dict."""
        return {"estimate": self.value, "low": self.low, "high": self.high, "hits": self.hits,
                "samples": self.samples, "confidence": self.confidence}


@dataclass(frozen=True)
class MonteCarloResult:
    theft: Estimate
    loss: Estimate
    seed: int
    horizon_days: float

    def to_dict(self) -> dict:
        """The result as a JSON-ready dict."""
        return {"theft": self.theft.to_dict(), "loss": self.loss.to_dict(), "seed": self.seed,
                "horizon_days": self.horizon_days}


def _epoch_lengths(c: Committee, h: float) -> np.ndarray:
    return np.array([days for days, count in c.epochs(h) for _ in range(count)])


def simulate(c: Committee, samples: int, *, seed: int = 0, confidence: float = 0.95,
             horizon_days: float | None = None) -> MonteCarloResult:
    """P(theft) and P(loss) of `c` at its threshold from `samples` simulated horizons."""
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise InvalidParameter(f"samples must be an integer in 1..{MAX_SAMPLES}, got {samples!r:.40}")
    h = c.horizon_days if horizon_days is None else float(horizon_days)
    L = Layout.of(c)
    lengths = _epoch_lengths(c, h)
    E, n, D = len(lengths), len(L.names), len(L.domains)
    fc, gc = L.probabilities(c, "compromise")
    fl, gl = L.probabilities(c, "loss")
    ratio = lengths[:, None]
    qc = scale_array(fc[None, :], c.horizon_days, ratio)     # (E, n) per-epoch probabilities
    ql = scale_array(fl[None, :], c.horizon_days, ratio)
    dc = scale_array(gc[None, :], c.horizon_days, ratio)     # (E, D)
    dl = scale_array(gl[None, :], c.horizon_days, ratio)
    member = np.zeros((D, n), dtype=np.float32)
    for i, doms in enumerate(L.membership):
        member[list(doms), i] = 1.0
    primary = np.zeros(n, dtype=bool)
    primary[:L.n_primary] = True
    rec = np.zeros(n, dtype=bool)
    rec[list(L.recovery)] = True
    has_rec = L.recovery_threshold > 0
    static = L.recovery_static and E > 1
    n_rec = int(rec.sum())
    t, t_r = c.threshold, L.recovery_threshold
    rng = np.random.default_rng(seed)
    per_sample = E * (n + D)
    if per_sample > _CHUNK_CELLS or samples * per_sample > MAX_CELLS:
        raise InvalidParameter(f"Monte Carlo would draw {samples} × {E} epochs × {n + D} parties and domains "
                               f"(at most {MAX_CELLS:.0e} in all, {_CHUNK_CELLS} per sample): use fewer samples, "
                               "or the exact analysis alone")
    chunk = max(1, _CHUNK_CELLS // per_sample)
    theft_hits = loss_hits = 0
    done = 0
    while done < samples:
        b = min(chunk, samples - done)
        done += b
        # one uniform per (sample, epoch, party): compromise when below q_c, loss when at or above
        # 1 − q_l — exact marginals, which is all P(theft) and P(loss) depend on
        u = rng.random((b, E, n))
        comp, lost = u < qc, u >= 1.0 - ql
        if D:
            v = rng.random((b, E, D))
            comp |= ((v < dc).astype(np.float32) @ member) > 0
            lost |= ((v >= 1.0 - dl).astype(np.float32) @ member) > 0
        # theft
        stolen = (comp[:, :, primary].sum(axis=2) >= t).any(axis=1)
        if has_rec:
            if static:
                stolen |= np.logical_or.accumulate(comp[:, :, rec], axis=1)[:, -1].sum(axis=1) >= t_r
            else:
                stolen |= (comp[:, :, rec].sum(axis=2) >= t_r).any(axis=1)
        theft_hits += int(stolen.sum())
        # loss
        n_p = L.n_primary
        if not (c.repair and E > 1):
            gone = np.logical_or.accumulate(lost, axis=1)[:, -1]
            broken = gone[:, primary].sum(axis=1) >= n_p - t + 1
            if has_rec:
                broken &= gone[:, rec].sum(axis=1) >= n_rec - t_r + 1
        else:
            per_epoch = lost[:, :, primary].sum(axis=2) >= n_p - t + 1
            if has_rec:
                rl = np.logical_or.accumulate(lost[:, :, rec], axis=1) if static else lost[:, :, rec]
                per_epoch &= rl.sum(axis=2) >= n_rec - t_r + 1
            broken = per_epoch.any(axis=1)
        loss_hits += int(broken.sum())

    def est(hits: int) -> Estimate:
        lo, hi = wilson(hits, samples, confidence)
        return Estimate(hits, samples, lo, hi, confidence)
    return MonteCarloResult(est(theft_hits), est(loss_hits), seed, h)


__all__ = ["wilson", "Estimate", "MonteCarloResult", "simulate", "MAX_SAMPLES"]
