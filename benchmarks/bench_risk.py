"""Custody risk (issue 20): exact analysis of committees up to n = 100 and 10^6 Monte Carlo samples.

Exact: `pqzk.risk.analyze` (P(theft) and P(loss) at the committee's threshold) for n = 10, 50, 100
parties in n/10 failure domains of one kind plus 3 vendors of another (so components of linked
domains are enumerated), with a 30-day refresh and repair over a year (12 + 1 epochs); the
sensitivity of the n = 100 committee (every party and domain made perfect and failed: one batched
programme of 227 settings); the frontier of the example committee (84 candidates).
Monte Carlo: `pqzk.risk.simulate` with 10^6 samples for the example committee (5 signers, 5
domains, 13 epochs), for n = 20 in 5 domains and for the n = 100 committee above (13 linked
domains, 13 epochs), by the event sampler and (but for n = 100) by the per-party reference.
Targets: exact n <= 100 under a second; 10^6 samples under 5 s. Medians.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pqzk.risk import Committee, Domain, Party, analyze, frontier, load_committee, sensitivity, simulate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "risk" / "committee.toml"


def big(n: int) -> Committee:
    clouds = tuple(Domain(f"cloud{j}", 0.002, 0.001, "cloud") for j in range(max(1, n // 10)))
    vendors = tuple(Domain(f"vendor{j}", 0.003, 0.0005, "vendor") for j in range(3))
    parties = tuple(Party(f"p{i}", 0.01 + 0.0002 * (i % 17), 0.02, (clouds[i % len(clouds)].name,
                                                                      vendors[i % 3].name)) for i in range(n))
    return Committee(parties, (2 * n) // 3 + 1, 365, domains=clouds + vendors, refresh_days=30, repair=True)


def big_independent_kinds(n: int) -> Committee:
    """Same, but each party in one cloud only (domains do not link): a plain mixture per domain."""
    c = big(n)
    return Committee(tuple(Party(p.name, p.compromise, p.loss, p.domains[:1]) for p in c.parties), c.threshold, 365,
                     domains=c.domains, refresh_days=30, repair=True)


@pytest.mark.parametrize("n", [10, 50, 100])
@pytest.mark.parametrize("domains", ["linked", "one per party"])
def test_exact(benchmark, n, domains):
    benchmark.group = f"risk exact: analyze (theft + loss), domains {domains}"
    c = big(n) if domains == "linked" else big_independent_kinds(n)
    benchmark.extra_info.update(parties=n, domains=len(c.domains), threshold=c.threshold, epochs=13)
    r = benchmark.pedantic(analyze, (c,), rounds=5, iterations=1)
    assert 0 <= r.theft <= 1 and 0 <= r.loss <= 1


def test_sensitivity_100(benchmark):
    benchmark.group = "risk exact: sensitivity"
    c = big_independent_kinds(100)
    rows = benchmark.pedantic(sensitivity, (c,), rounds=3, iterations=1)
    benchmark.extra_info["settings"] = 1 + 2 * len(rows)
    assert len(rows) == 100 + len(c.domains)


def test_frontier_example(benchmark):
    benchmark.group = "risk exact: frontier"
    doc = load_committee(EXAMPLE)
    f = benchmark.pedantic(frontier, (doc.committee, doc.frontier), rounds=3, iterations=1)
    benchmark.extra_info["candidates"] = len(f.points)


def monte_carlo_committee(case: str) -> Committee:
    if case == "example":
        return load_committee(EXAMPLE).committee
    if case == "n20":
        return Committee(tuple(Party(f"p{i}", 0.05, 0.05, (f"d{i % 5}",)) for i in range(20)), 11, 365,
                         domains=tuple(Domain(f"d{j}", 0.01, 0.005) for j in range(5)), refresh_days=30, repair=True)
    return big(100)


# not the reference for n = 100: it draws 1.5 × 10^9 uniforms there (about 10 s a round)
@pytest.mark.parametrize("case,method", [("example", "events"), ("n20", "events"), ("n100", "events"),
                                         ("example", "reference"), ("n20", "reference")])
def test_monte_carlo_1e6(benchmark, case, method):
    benchmark.group = f"risk Monte Carlo: 10^6 samples, method {method}"
    c = monte_carlo_committee(case)
    benchmark.extra_info.update(parties=len(c.signers), domains=len(c.domains), samples=10**6,
                                epochs=sum(count for _, count in c.epochs()), method=method)
    r = benchmark.pedantic(simulate, (c, 10**6), kwargs={"seed": 1, "method": method}, rounds=5, iterations=1)
    exact = analyze(c)
    assert r.theft.contains(exact.theft) and r.loss.contains(exact.loss)
