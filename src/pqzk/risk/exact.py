"""Exact P(theft) and P(permanent loss) of a committee (docs/risk.md, "Exact computation").

Given the failure-domain events, parties fail independently, so the number of failed shares on
an access path is a Poisson-binomial variable: a dynamic programme over the parties gives its
distribution. Domains that share no party are independent too; domains that do share parties
(one party in a cloud *and* at an HSM vendor) are conditioned on: the joint events of a vertex
cover of their links (the 3 vendors, say, rather than the 10 clouds) are enumerated, each forcing
its members' shares to fail, and every other domain is then a two-way mixture of its own. The DP runs on a tensor with one
axis per access path (counts saturated at the cap that matters) and a leading batch axis, so one
pass evaluates many probability settings at once (the sensitivity analysis uses this).

Theft: at least t shares of a path compromised within one refresh epoch (the mobile adversary);
epochs are independent, so over the horizon P = 1 − Π (1 − θ_epoch). Loss: every path left with
fewer than t shares — at the end of the horizon (losses accumulate), or with repair at refresh,
within one epoch.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidParameter
from .model import Committee

MAX_COMPONENT_DOMAINS = 12       # at most 2^12 joint events of linked domains enumerated together


@dataclass(frozen=True)
class Layout:
    """A committee's parties in DP order: the primary signers (0..n_p−1), then the recovery-only
    parties; every domain; each party's domain indices."""
    names: tuple[str, ...]
    n_primary: int
    recovery: tuple[int, ...]
    recovery_threshold: int
    recovery_static: bool
    domains: tuple[str, ...]
    membership: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, c: Committee) -> "Layout":
        """The layout of a committee: signers then recovery-only parties, its domains and who is in each."""
        signers = [p.name for p in c.signers]
        rec = list(c.recovery_names)
        names = tuple(signers + [r for r in rec if r not in signers])
        dom_index = {d.name: i for i, d in enumerate(c.domains)}
        membership = tuple(tuple(dom_index[d] for d in c.party(n).domains) for n in names)
        return cls(names, len(signers), tuple(names.index(r) for r in rec),
                   c.recovery.threshold if c.recovery else 0,
                   bool(c.recovery and not c.recovery.refreshed), tuple(d.name for d in c.domains), membership)

    def probabilities(self, c: Committee, what: str) -> tuple[np.ndarray, np.ndarray]:
        """Horizon probabilities of `what` ('compromise' or 'loss'): (parties,), (domains,)."""
        return (np.array([getattr(c.party(n), what) for n in self.names], dtype=float),
                np.array([getattr(c.domain(d), what) for d in self.domains], dtype=float))


def scale_array(p: np.ndarray, from_days: float, to_days: float) -> np.ndarray:
    """`model.scale` on arrays: 1 − (1 − p)^(to/from), exact for small p, 1 where p = 1."""
    with np.errstate(divide="ignore"):
        return -np.expm1((to_days / from_days) * np.log1p(-np.minimum(p, 1.0)))


def _components(members: list[int], membership) -> tuple[list[int], list[tuple[list[int], list[int]]]]:
    """Split the parties into those without a domain and components (domains, parties) of domains
    linked by shared parties."""
    parent: dict[int, int] = {}

    def find(d: int) -> int:
        while parent.setdefault(d, d) != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d
    free = []
    for i in members:
        doms = membership[i]
        if not doms:
            free.append(i)
            continue
        for d in doms[1:]:
            parent[find(d)] = find(doms[0])
        find(doms[0])
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for d in sorted(parent):
        groups.setdefault(find(d), ([], []))[0].append(d)
    for i in members:
        if membership[i]:
            groups[find(membership[i][0])][1].append(i)
    return free, list(groups.values())


def _shift(T: np.ndarray, axis: int, cap: int) -> np.ndarray:
    """Counts on `axis` one higher, saturating at `cap` (the last index means "cap or more")."""
    out = np.zeros_like(T)
    dst = [slice(None)] * T.ndim
    src = [slice(None)] * T.ndim
    dst[axis], src[axis] = slice(1, cap + 1), slice(0, cap)
    out[tuple(dst)] = T[tuple(src)]
    last = [slice(None)] * T.ndim
    last[axis] = cap
    out[tuple(last)] += T[tuple(last)]
    return out


def _step(T: np.ndarray, p: np.ndarray, axes: list[int], caps: list[int], lead: int) -> np.ndarray:
    """One party with failure probability `p` (shape of T's `lead` leading axes) joins the count."""
    moved = T
    for a in axes:
        moved = _shift(moved, lead + a, caps[a])
    p = p.reshape(p.shape + (1,) * (T.ndim - lead))
    return T + p * (moved - T)


def _cover(doms: list[int], members: list[int], membership) -> list[int]:
    """Domains to enumerate so that the others share no party (a vertex cover of the graph linking
    domains with a common member; greedy, highest degree first): given the covered domains'
    events, each remaining domain is an independent two-way mixture over its own members."""
    edges = {(a, b) for i in members for a, b in itertools.combinations(sorted(membership[i]), 2)}
    cover: list[int] = []
    while edges:
        degree: dict[int, int] = {}
        for a, b in edges:
            degree[a] = degree.get(a, 0) + 1
            degree[b] = degree.get(b, 0) + 1
        d = max(sorted(degree), key=lambda x: degree[x])
        cover.append(d)
        edges = {e for e in edges if d not in e}
    return sorted(cover)


def distribution(paths: list[tuple[int, ...]], caps: list[int], membership, fail: np.ndarray,
                 dom_fail: np.ndarray) -> np.ndarray:
    """P(truncated failure counts): `fail` (B, parties) and `dom_fail` (B, domains) are failure
    probabilities; the result (B, caps[0]+1, ...) gives, for each path, the number of its members
    that failed (index caps[j] meaning caps[j] or more)."""
    B = fail.shape[0]
    axes_of: dict[int, list[int]] = {}
    for j, members in enumerate(paths):
        for i in members:
            axes_of.setdefault(i, []).append(j)
    T = np.zeros((B,) + tuple(c + 1 for c in caps))
    T[(slice(None),) + (0,) * len(caps)] = 1.0
    free, components = _components(sorted(axes_of), membership)
    for i in free:
        T = _step(T, fail[:, i], axes_of[i], caps, 1)
    for doms, members in components:
        cover = _cover(doms, members, membership)
        k = len(cover)
        if k > MAX_COMPONENT_DOMAINS:
            raise InvalidParameter(
                f"exact analysis enumerates the joint events of failure domains that share parties: "
                f"{k} of them would have to be enumerated together (at most {MAX_COMPONENT_DOMAINS}); "
                "use the Monte Carlo estimate")
        bits = np.array(list(itertools.product((False, True), repeat=k)), dtype=bool).reshape(2**k, k)   # (C, k)
        g = dom_fail[:, cover]                                                                        # (B, k)
        weights = np.prod(np.where(bits[None, :, :], g[:, None, :], 1.0 - g[:, None, :]), axis=2)    # (B, C)
        pos = {d: j for j, d in enumerate(cover)}
        Tb = np.broadcast_to(T[:, None], (B, len(bits)) + T.shape[1:]).copy()
        rest: dict[int, list[tuple[int, np.ndarray]]] = {}
        for i in members:
            covered = [pos[d] for d in membership[i] if d in pos]
            hit = bits[:, covered].any(axis=1)                                                       # (C,)
            p = np.where(hit[None, :], 1.0, fail[:, i][:, None])                                      # (B, C)
            others = [d for d in membership[i] if d not in pos]          # at most one: the cover covers the links
            if others:
                rest.setdefault(others[0], []).append((i, p))
            else:
                Tb = _step(Tb, p, axes_of[i], caps, 2)
        for d, group in rest.items():       # a domain of its own: fails (all members) or not (each on its own)
            ok, down = Tb, Tb
            for i, p in group:
                ok = _step(ok, p, axes_of[i], caps, 2)
                for a in axes_of[i]:
                    down = _shift(down, 2 + a, caps[a])
            gd = dom_fail[:, d].reshape((B, 1) + (1,) * (Tb.ndim - 2))
            Tb = ok + gd * (down - ok)
        T = np.einsum("bc,bc...->b...", weights, Tb)
    return T


def _tail(x: np.ndarray) -> np.ndarray:
    """Σ_{j ≥ k} x[..., j] for every k (last axis)."""
    return np.flip(np.cumsum(np.flip(x, -1), -1), -1)


def _horizon(per_epoch: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """1 − Π (1 − θ)^count over the epochs, without cancellation."""
    with np.errstate(divide="ignore"):
        total = sum(count * np.log1p(-np.minimum(theta, 1.0)) for theta, count in per_epoch)
    return -np.expm1(total)


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(A ∪ B) of independent events."""
    return a + b - a * b


class Engine:
    """Theft and loss curves (one value per threshold t = 1..n_primary of the primary path) for
    a batch of probability settings of one committee layout."""

    def __init__(self, c: Committee, horizon_days: float | None = None) -> None:
        self.c = c
        self.layout = Layout.of(c)
        self.h0 = c.horizon_days
        self.h = c.horizon_days if horizon_days is None else float(horizon_days)
        if not self.h > 0:
            raise InvalidParameter(f"the analysis horizon must be positive, got {horizon_days!r:.40}")
        self.epochs = c.epochs(self.h)
        self.multi_epoch = self.epochs != ((self.h, 1),)
        L = self.layout
        self.primary = tuple(range(L.n_primary))
        self.static = L.recovery_static and self.multi_epoch

    def probabilities(self, what: str) -> tuple[np.ndarray, np.ndarray]:
        """The horizon probabilities of `what` for parties and domains, as one-row arrays (a batch of one)."""
        f, g = self.layout.probabilities(self.c, what)
        return f[None, :], g[None, :]

    def _dist(self, paths, caps, f, g, days):
        return distribution(paths, caps, self.layout.membership, scale_array(f, self.h0, days),
                            scale_array(g, self.h0, days))

    # ---------------------------------------------------------------- theft
    def _theft_epoch(self, f, g, days, with_recovery: bool) -> np.ndarray:
        L, n = self.layout, self.layout.n_primary
        if with_recovery:
            T = self._dist([self.primary, L.recovery], [n, L.recovery_threshold], f, g, days)
            head = np.concatenate([np.zeros(T.shape[:1] + (1,)), np.cumsum(T[:, :, -1], axis=1)], axis=1)
            return _tail(T.sum(axis=2))[:, 1:] + head[:, 1:n + 1]
        T = self._dist([self.primary], [n], f, g, days)
        return _tail(T)[:, 1:]

    def theft(self, f: np.ndarray, g: np.ndarray) -> np.ndarray:
        """(B, n_primary): P(theft within the horizon) at each threshold."""
        joint = self.layout.recovery_threshold > 0 and not self.static
        out = _horizon([(self._theft_epoch(f, g, days, joint), count) for days, count in self.epochs])
        if self.static:
            L = self.layout
            T = self._dist([L.recovery], [L.recovery_threshold], f, g, self.h)
            out = _union(out, T[:, -1:])
        return np.clip(out, 0.0, 1.0)          # sums of probabilities may round a hair above 1

    # ---------------------------------------------------------------- loss
    def _broken(self, f, g, days, with_recovery: bool) -> np.ndarray:
        """(B, n_primary): P(every path has fewer than its threshold of shares) over `days`."""
        L, n = self.layout, self.layout.n_primary
        if with_recovery:
            cap = len(L.recovery) - L.recovery_threshold + 1
            T = self._dist([self.primary, L.recovery], [n, cap], f, g, days)[:, :, -1]
        else:
            T = self._dist([self.primary], [n], f, g, days)
        # primary broken at threshold t: at least n − t + 1 of its n shares lost
        return _tail(T)[:, n:0:-1]

    def loss(self, f: np.ndarray, g: np.ndarray) -> np.ndarray:
        """(B, n_primary): P(permanent loss within the horizon) at each threshold."""
        return np.clip(self._loss(f, g), 0.0, 1.0)

    def _loss(self, f: np.ndarray, g: np.ndarray) -> np.ndarray:
        has_rec = self.layout.recovery_threshold > 0
        if not (self.c.repair and self.multi_epoch):
            return self._broken(f, g, self.h, has_rec)
        if not self.static:
            return _horizon([(self._broken(f, g, days, has_rec), count) for days, count in self.epochs])
        # static recovery, repaired primary: the last epoch in which the primary breaks must come
        # after the recovery path broke (independent: no shared party or domain)
        lengths = np.array([days for days, count in self.epochs for _ in range(count)])
        m = len(lengths)
        L = self.layout
        cap = len(L.recovery) - L.recovery_threshold + 1
        B = f.shape[0]
        ends = np.cumsum(lengths)
        # F[b, s]: the recovery path broken by the end of epoch s (one batched programme, rows b × s)
        fs = np.stack([scale_array(f, self.h0, float(t)) for t in ends], axis=1).reshape(B * m, -1)
        gs = np.stack([scale_array(g, self.h0, float(t)) for t in ends], axis=1).reshape(B * m, -1)
        F = distribution([L.recovery], [cap], L.membership, fs, gs)[:, -1].reshape(B, m)
        a = {days: self._broken(f, g, days, False) for days, _ in self.epochs}                       # (B, n)
        A = np.stack([a[d] for d in lengths], axis=1)                                               # (B, m, n)
        with np.errstate(divide="ignore"):
            logs = np.log1p(-np.minimum(A, 1.0))
        later = np.flip(np.cumsum(np.flip(logs, 1), 1), 1)
        after = np.concatenate([later[:, 1:], np.zeros_like(later[:, :1])], axis=1)   # Σ over later epochs
        return np.sum(F[:, :, None] * A * np.exp(after), axis=1)


@dataclass(frozen=True)
class ExactResult:
    """P(theft) and P(loss) of a committee over `horizon_days`, at its threshold."""
    theft: float
    loss: float
    horizon_days: float
    epochs: tuple[tuple[float, int], ...]

    def to_dict(self) -> dict:
        """The result as a JSON-ready dict."""
        return {"theft": self.theft, "loss": self.loss, "horizon_days": self.horizon_days,
                "epochs": [{"days": d, "count": n} for d, n in self.epochs]}


def curves(c: Committee, horizon_days: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(theft, loss) for every threshold t = 1..n of the committee's signers (index t − 1)."""
    e = Engine(c, horizon_days)
    return e.theft(*e.probabilities("compromise"))[0], e.loss(*e.probabilities("loss"))[0]


def analyze(c: Committee, horizon_days: float | None = None) -> ExactResult:
    """The committee's exact P(theft) and P(loss) over `horizon_days` (default: its own)."""
    e = Engine(c, horizon_days)
    t = c.threshold - 1
    return ExactResult(float(e.theft(*e.probabilities("compromise"))[0, t]),
                       float(e.loss(*e.probabilities("loss"))[0, t]), e.h, e.epochs)


__all__ = ["Layout", "Engine", "ExactResult", "distribution", "curves", "analyze", "scale_array"]
