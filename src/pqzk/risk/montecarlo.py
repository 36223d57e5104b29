"""Monte Carlo estimate of P(theft) and P(loss): a direct simulation of the model, independent of
the exact programme (no Poisson-binomial, no domain enumeration, no epoch algebra), to cross-check
it (docs/risk.md, "Monte Carlo").

Every party and every domain compromises (and, separately, loses) its share at a constant hazard;
an event in an epoch makes the source fail in that epoch, and a domain's event marks all its
members. Theft: some epoch in which a refreshed path has at least t compromised shares (a static
path: compromises accumulated so far). Loss: without repair, every path short of its threshold at
the end (losses accumulated); with repair, some epoch in which every refreshed path is short within
the epoch while every static path is short by then.

Two samplers of that same law. `events` (the default) draws only the events that happen: a source
with per-epoch probability q fails in an epoch when a Poisson(−ln(1 − q)) count of events is
positive, so over a chunk of b samples a source's events are one Poisson count (its hazard × b ×
the horizon), each placed on a uniform sample at a uniform time (which gives its epoch) — exactly
the per-epoch Bernoulli trials, at a cost proportional to the events rather than to samples ×
epochs × parties (10^6 samples of 100 parties over 13 epochs: under a second).
Sources certain to fail (probability 1) fail in every epoch without being drawn. `reference` draws
one uniform per (sample, epoch, party or domain) — the definition spelt out, kept to check the
other against. Both are numpy, in chunks of bounded memory, from a seeded `numpy.random.Generator`,
with a Wilson score interval for each proportion.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ..errors import InvalidParameter
from .exact import Layout, scale_array
from .model import Committee

MAX_SAMPLES = 10**8
METHODS = ("events", "reference")
MAX_EVENTS = 2 * 10**8           # events: expected share marks over all samples (under a minute)
MAX_CELLS = 5 * 10**9            # reference: samples × epochs × (parties + domains): about a minute
MAX_EPOCHS = 1 << 32             # events: (sample, epoch, party) must fit one int64 key
_CHUNK_MARKS = 1 << 21           # events: expected share marks per chunk
_CHUNK_CELLS = 1 << 21           # reference: uniforms per chunk (16 MiB of float64)


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


@dataclass(frozen=True)
class _Rules:
    """What a sample is judged by: the committee's paths, thresholds and epochs."""
    layout: Layout
    epochs: tuple[tuple[float, int], ...]     # (days, count) as `Committee.epochs` gives them
    E: int
    t: int
    t_r: int
    has_rec: bool
    static: bool                              # a static recovery path over several epochs
    repaired: bool                            # repair with several epochs: loss judged per epoch

    @classmethod
    def of(cls, c: Committee, h: float) -> "_Rules":
        L = Layout.of(c)
        epochs = c.epochs(h)
        E = sum(count for _, count in epochs)
        return cls(L, epochs, E, c.threshold, L.recovery_threshold, L.recovery_threshold > 0,
                   L.recovery_static and E > 1, c.repair and E > 1)

    @property
    def n(self) -> int:
        return len(self.layout.names)

    @property
    def n_rec(self) -> int:
        return len(self.layout.recovery)

    def lengths(self) -> np.ndarray:
        return np.array([days for days, count in self.epochs for _ in range(count)])


def simulate(c: Committee, samples: int, *, seed: int = 0, confidence: float = 0.95,
             horizon_days: float | None = None, method: str = "events") -> MonteCarloResult:
    """P(theft) and P(loss) of `c` at its threshold from `samples` simulated horizons, drawn by
    `method` ('events', or 'reference': the slow per-party draws, same law)."""
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise InvalidParameter(f"samples must be an integer in 1..{MAX_SAMPLES}, got {samples!r:.40}")
    if method not in METHODS:
        raise InvalidParameter(f"method must be one of {', '.join(METHODS)}, got {method!r:.40}")
    h = c.horizon_days if horizon_days is None else float(horizon_days)
    rules = _Rules.of(c, h)
    rng = np.random.default_rng(seed)
    draw = _by_events if method == "events" else _by_reference
    theft_hits, loss_hits = draw(c, rules, samples, rng)

    def est(hits: int) -> Estimate:
        lo, hi = wilson(hits, samples, confidence)
        return Estimate(hits, samples, lo, hi, confidence)
    return MonteCarloResult(est(theft_hits), est(loss_hits), seed, h)


# ---------------------------------------------------------------------- events (the default)
class _Source:
    """One kind of failure ('compromise' or 'loss') as a Poisson process: the hazard of every
    party and domain, which parties a source's event marks, and the parties that fail for sure."""

    def __init__(self, c: Committee, L: Layout, what: str) -> None:
        f, g = L.probabilities(c, what)
        n = len(f)
        dom_certain = g >= 1.0
        self.always = f >= 1.0
        for i, doms in enumerate(L.membership):
            self.always[i] |= any(dom_certain[d] for d in doms)
        p = np.concatenate([np.where(self.always, 0.0, f), np.where(dom_certain, 0.0, g)])
        self.hazard = -np.log1p(-p) / c.horizon_days                          # per day, per source
        members = [[i] for i in range(n)] + [[] for _ in g]
        for i, doms in enumerate(L.membership):
            if not self.always[i]:
                for d in doms:
                    members[n + d].append(i)
        self.size = np.array([len(m) for m in members], dtype=np.int64)
        self.hazard[self.size == 0] = 0.0                                     # marks nobody
        self.offset = np.concatenate([[0], np.cumsum(self.size)[:-1]]).astype(np.int64)
        self.flat = np.array([i for m in members for i in m], dtype=np.int64)
        self.marks_per_day = float(self.hazard @ self.size)

    def draw(self, rng: np.random.Generator, b: int, rules: "_Rules", span: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (sample, epoch, party) marks of `b` samples over `span` days: a Poisson count of
        events per source (its hazard × b × span), each on a uniform sample and at a uniform time
        (hence its epoch); a domain's event marks each member."""
        src = np.repeat(np.arange(len(self.hazard)), rng.poisson(self.hazard * (b * span)))
        k = len(src)
        sample = rng.integers(0, b, k, dtype=np.int64)
        epoch = _epoch_of(rng.random(k) * span, rules)
        size = self.size[src]
        if np.all(size == 1):
            return sample, epoch, self.flat[self.offset[src]]
        ends = np.cumsum(size)
        start = np.repeat(self.offset[src] - (ends - size), size)
        party = self.flat[start + np.arange(int(ends[-1]))]
        return np.repeat(sample, size), np.repeat(epoch, size), party


def _epoch_of(when: np.ndarray, rules: _Rules) -> np.ndarray:
    """The epoch holding each time (days from the start): whole refresh periods, then the rest."""
    period = rules.epochs[0][0]
    return np.minimum((when // period).astype(np.int64), rules.E - 1)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort and a mask: np.unique's hash table is slower here)."""
    keys = np.sort(keys)
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    return keys[keep]


def _run_ends(sorted_keys: np.ndarray) -> np.ndarray:
    """Mask of the last element of each run of equal values in a sorted array."""
    out = np.ones(len(sorted_keys), dtype=bool)
    out[:-1] = sorted_keys[1:] != sorted_keys[:-1]
    return out


class _Counts:
    """Distinct failed parties from one chunk's marks, per (sample, epoch, path) and per (sample,
    path); the certain parties added to every count."""

    def __init__(self, rules: _Rules, src: _Source, b: int, marks) -> None:
        sample, epoch, party = marks
        L, n, E = rules.layout, rules.n, rules.E
        self.rules, self.b = rules, b
        is_rec = np.zeros(n, dtype=np.int64)
        is_rec[L.n_primary:] = 1                      # the DP order: primary signers, then recovery-only
        self.is_rec = is_rec
        self.const = (int(src.always[:L.n_primary].sum()), int(src.always[L.n_primary:].sum()))
        key = _distinct((sample * E + epoch) * n + party)              # distinct (sample, epoch, party)
        self.sep = key // n                                            # sample * E + epoch
        self.party = key % n

    def per_epoch(self, path: int, need: int) -> np.ndarray | None:
        """Sorted distinct sample * E + epoch where the path had at least `need` failures (None:
        every epoch of every sample, thanks to the certain parties)."""
        if self.const[path] >= need:
            return None
        on = self.is_rec[self.party] == path
        se = self.sep[on]
        if len(se) == 0:
            return se
        ends = _run_ends(se)
        counts = np.diff(np.concatenate([[-1], np.flatnonzero(ends)]))
        return se[ends][counts + self.const[path] >= need]

    def first_epochs(self, path: int) -> tuple[np.ndarray, np.ndarray]:
        """(sample, first epoch) of each distinct (sample, party) on the path, sorted by both."""
        E, n = self.rules.E, self.rules.n
        on = self.is_rec[self.party] == path
        sample, epoch, party = self.sep[on] // E, self.sep[on] % E, self.party[on]
        key = _distinct((sample * n + party) * E + epoch)              # per (sample, party): epochs ascending
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] // E != key[:-1] // E
        sp_e = np.sort((key[first] // E // n) * E + key[first] % E)
        return sp_e // E, sp_e % E

    def accumulated(self, path: int, need: int) -> np.ndarray:
        """(b,) bool: at least `need` of the path's parties failed at some time in the horizon."""
        if self.const[path] >= need:
            return np.ones(self.b, dtype=bool)
        sample, _ = self.first_epochs(path)
        return np.bincount(sample, minlength=self.b) + self.const[path] >= need

    def epoch_reached(self, path: int, need: int) -> np.ndarray:
        """(b,): the first epoch by whose end `need` of the path's parties have failed (E: never)."""
        E = self.rules.E
        need -= self.const[path]
        if need <= 0:
            return np.zeros(self.b, dtype=np.int64)
        out = np.full(self.b, E, dtype=np.int64)
        sample, epoch = self.first_epochs(path)
        if len(sample):
            start = np.concatenate([[0], np.flatnonzero(sample[1:] != sample[:-1]) + 1])
            rank = np.arange(len(sample)) - np.repeat(start, np.diff(np.concatenate([start, [len(sample)]])))
            hit = rank == need - 1
            out[sample[hit]] = epoch[hit]
        return out


def _samples_of(sep: np.ndarray | None, b: int, E: int) -> np.ndarray:
    """(b,) bool: the samples with some (sample, epoch) in `sep` (None: every sample)."""
    out = np.ones(b, dtype=bool) if sep is None else np.zeros(b, dtype=bool)
    if sep is not None:
        out[sep // E] = True
    return out


def _stolen(rules: _Rules, k: _Counts) -> np.ndarray:
    stolen = _samples_of(k.per_epoch(0, rules.t), k.b, rules.E)
    if rules.has_rec:
        stolen |= k.accumulated(1, rules.t_r) if rules.static else \
            _samples_of(k.per_epoch(1, rules.t_r), k.b, rules.E)
    return stolen


def _broken(rules: _Rules, k: _Counts) -> np.ndarray:
    kp = rules.layout.n_primary - rules.t + 1          # lost primary shares that break the primary path
    kr = rules.n_rec - rules.t_r + 1
    E, b = rules.E, k.b
    if not rules.repaired:
        broken = k.accumulated(0, kp)
        return broken & k.accumulated(1, kr) if rules.has_rec else broken
    primary = k.per_epoch(0, kp)
    if not rules.has_rec:
        return _samples_of(primary, b, E)
    if rules.static:          # the last epoch the primary breaks in comes once the recovery path has broken
        last = np.full(b, E - 1 if primary is None else -1, dtype=np.int64)
        if primary is not None and len(primary):
            ends = _run_ends(primary // E)
            last[primary[ends] // E] = primary[ends] % E
        return last >= k.epoch_reached(1, kr)
    recovery = k.per_epoch(1, kr)
    if primary is None or recovery is None:
        return _samples_of(recovery if primary is None else primary, b, E)
    return _samples_of(np.intersect1d(primary, recovery, assume_unique=True), b, E)


def _by_events(c: Committee, rules: _Rules, samples: int, rng: np.random.Generator) -> tuple[int, int]:
    if rules.E > MAX_EPOCHS:
        raise InvalidParameter(f"Monte Carlo over {rules.E} refresh epochs (at most {MAX_EPOCHS}): "
                               "use the exact analysis alone")
    comp, lost = _Source(c, rules.layout, "compromise"), _Source(c, rules.layout, "loss")
    span = sum(days * count for days, count in rules.epochs)
    marks = span * (comp.marks_per_day + lost.marks_per_day)           # expected per sample
    if samples * (1 + marks) > MAX_EVENTS:
        raise InvalidParameter(f"Monte Carlo would draw about {samples * marks:.2g} failures ({samples} samples × "
                               f"{marks:.3g}; at most {MAX_EVENTS:.0e} in all): use fewer samples, "
                               "or the exact analysis alone")
    chunk = int(max(1, min(_CHUNK_MARKS / (1 + marks), (1 << 62) // (rules.E * max(rules.n, 1)))))
    theft_hits = loss_hits = done = 0
    while done < samples:
        b = min(chunk, samples - done)
        done += b
        theft_hits += int(_stolen(rules, _Counts(rules, comp, b, comp.draw(rng, b, rules, span))).sum())
        loss_hits += int(_broken(rules, _Counts(rules, lost, b, lost.draw(rng, b, rules, span))).sum())
    return theft_hits, loss_hits


# ---------------------------------------------------------------------- reference
def _by_reference(c: Committee, rules: _Rules, samples: int, rng: np.random.Generator) -> tuple[int, int]:
    """One uniform per (sample, epoch, party) and per (sample, epoch, domain): compromise when below
    q_c, loss when at or above 1 − q_l — exact marginals, which is all P(theft) and P(loss) depend on."""
    L = rules.layout
    lengths = rules.lengths() if rules.E <= _CHUNK_CELLS else None
    E, n, D = rules.E, rules.n, len(L.domains)
    per_sample = E * (n + D)
    if lengths is None or per_sample > _CHUNK_CELLS or samples * per_sample > MAX_CELLS:
        raise InvalidParameter(f"Monte Carlo would draw {samples} × {E} epochs × {n + D} parties and domains "
                               f"(at most {MAX_CELLS:.0e} in all, {_CHUNK_CELLS} per sample): use fewer samples, "
                               "or the exact analysis alone")
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
    has_rec, static, n_rec = rules.has_rec, rules.static, rules.n_rec
    t, t_r, n_p = rules.t, rules.t_r, L.n_primary
    chunk = max(1, _CHUNK_CELLS // per_sample)
    theft_hits = loss_hits = done = 0
    while done < samples:
        b = min(chunk, samples - done)
        done += b
        u = rng.random((b, E, n))
        comp, lost = u < qc, u >= 1.0 - ql
        if D:
            v = rng.random((b, E, D))
            comp |= ((v < dc).astype(np.float32) @ member) > 0
            lost |= ((v >= 1.0 - dl).astype(np.float32) @ member) > 0
        stolen = (comp[:, :, primary].sum(axis=2) >= t).any(axis=1)
        if has_rec:
            if static:
                stolen |= np.logical_or.accumulate(comp[:, :, rec], axis=1)[:, -1].sum(axis=1) >= t_r
            else:
                stolen |= (comp[:, :, rec].sum(axis=2) >= t_r).any(axis=1)
        theft_hits += int(stolen.sum())
        if not rules.repaired:
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
    return theft_hits, loss_hits


__all__ = ["wilson", "Estimate", "MonteCarloResult", "simulate", "MAX_SAMPLES", "METHODS"]
