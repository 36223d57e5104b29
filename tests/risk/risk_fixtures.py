"""Small committees for the risk tests, and an independent brute-force evaluation of the model
(every joint outcome of every party and domain enumerated, in exact rational arithmetic) to check
the dynamic programme against."""
from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

from pqzk.risk import Committee, Domain, Party, Recovery


def iid(n: int, t: int, p: float = 0.1, loss: float = 0.05, **kw) -> Committee:
    """n identical independent parties."""
    return Committee(tuple(Party(f"p{i}", p, loss) for i in range(n)), t, kw.pop("horizon_days", 365), **kw)


def binomial_tail(n: int, p: float, k: int) -> float:
    """P(Binomial(n, p) >= k), summed exactly in rationals."""
    q = Fraction(p)
    return float(sum(comb(n, j) * q**j * (1 - q)**(n - j) for j in range(max(k, 0), n + 1)))


def domained() -> Committee:
    """Five signers, overlapping domains of two kinds, one free party."""
    doms = (Domain("aws", 0.05, 0.02, "cloud"), Domain("gcp", 0.03, 0.01, "cloud"), Domain("yubi", 0.04, 0.0, "vendor"))
    parties = (Party("a", 0.1, 0.05, ("aws", "yubi")), Party("b", 0.08, 0.1, ("aws",)),
               Party("c", 0.12, 0.02, ("gcp", "yubi")), Party("d", 0.05, 0.2), Party("e", 0.1, 0.1, ("gcp",)))
    return Committee(parties, 3, 365, domains=doms)


def cold(refreshed: bool, **kw) -> Committee:
    doms = (Domain("dc", 0.02, 0.01, "site"), Domain("bank", 0.01, 0.03, "site"))
    parties = (Party("h1", 0.05, 0.05, ("dc",)), Party("h2", 0.05, 0.05, ("dc",)), Party("h3", 0.08, 0.02),
               Party("r1", 0.02, 0.1, ("bank",)), Party("r2", 0.03, 0.1, ("bank",)), Party("r3", 0.01, 0.2))
    return Committee(parties, 2, 365, mode="cold", domains=doms,
                     recovery=Recovery(2, ("r1", "r2", "r3"), refreshed), **kw)


def brute_single_epoch(c: Committee, what: str, days: float | None = None) -> float:
    """P(theft) (what='compromise') or P(loss) (what='loss') within one epoch of `days` (default: the
    horizon) by enumerating every outcome: theft = some path with >= t failed, loss = every path
    with more than n - t failed."""
    from pqzk.risk.model import scale
    h = c.horizon_days if days is None else days
    names = [p.name for p in c.signers] + list(c.recovery_names)
    parties = [c.party(n) for n in names]
    pr = lambda x: Fraction(scale(getattr(x, what), c.horizon_days, h))  # noqa: E731
    paths = [([p.name for p in c.signers], c.threshold)]
    if c.recovery is not None:
        paths.append((list(c.recovery.parties), c.recovery.threshold))
    total = Fraction(0)
    for dbits in itertools.product((0, 1), repeat=len(c.domains)):
        w = Fraction(1)
        hit = set()
        for d, b in zip(c.domains, dbits):
            w *= pr(d) if b else 1 - pr(d)
            if b:
                hit.add(d.name)
        for pbits in itertools.product((0, 1), repeat=len(parties)):
            ww = w
            failed = set()
            for p, b in zip(parties, pbits):
                ww *= pr(p) if b else 1 - pr(p)
                if b or hit & set(p.domains):
                    failed.add(p.name)
            counts = [(sum(n in failed for n in members), len(members), t) for members, t in paths]
            if what == "compromise":
                event = any(k >= t for k, n, t in counts)
            else:
                event = all(k >= n - t + 1 for k, n, t in counts)
            if event:
                total += ww
    return float(total)
