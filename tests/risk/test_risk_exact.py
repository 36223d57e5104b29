"""The exact programme: closed forms (independent parties: binomial tails; epochs; one domain),
brute-force enumeration of every outcome for committees with overlapping domains and cold storage,
and its limits."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st
from risk_fixtures import binomial_tail, brute_single_epoch, cold, domained, iid

from pqzk.errors import InvalidParameter
from pqzk.risk import Committee, Domain, Party, analyze, curves, scale
from pqzk.risk.exact import Layout, distribution


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_independent_identical_parties_are_binomial_tails(n):
    c = iid(n, 1, p=0.13, loss=0.07)
    theft, loss = curves(c)
    for t in range(1, n + 1):
        assert theft[t - 1] == pytest.approx(binomial_tail(n, 0.13, t), rel=1e-12)
        assert loss[t - 1] == pytest.approx(binomial_tail(n, 0.07, n - t + 1), rel=1e-12)
        r = analyze(c.with_threshold(t))
        assert (r.theft, r.loss) == (theft[t - 1], loss[t - 1])


def test_tiny_probabilities_keep_their_precision():
    c = iid(20, 15, p=1e-4, loss=1e-5)
    r = analyze(c)
    assert r.theft == pytest.approx(binomial_tail(20, 1e-4, 15), rel=1e-9)       # about 1.6e-56
    assert 0 < r.theft < 1e-50
    assert r.loss == pytest.approx(binomial_tail(20, 1e-5, 6), rel=1e-9)


def test_refresh_epochs_compose_with_a_constant_hazard():
    """Theft needs t compromised within one epoch; epochs are independent, the last one partial."""
    c = iid(5, 3, p=0.2, loss=0.1, refresh_days=30)
    assert c.epochs() == ((30, 12), (5, 1))
    q30, q5 = scale(0.2, 365, 30), scale(0.2, 365, 5)
    assert 1 - (1 - q30) ** (365 / 30) == pytest.approx(0.2)     # the hazard reproduces the horizon
    expected = 1 - (1 - binomial_tail(5, q30, 3)) ** 12 * (1 - binomial_tail(5, q5, 3))
    r = analyze(c)
    assert r.theft == pytest.approx(expected, rel=1e-12)
    assert r.theft < analyze(iid(5, 3, p=0.2, loss=0.1)).theft      # refresh helps against a mobile adversary
    # loss without repair accumulates over the horizon: refresh alone changes nothing
    assert r.loss == pytest.approx(binomial_tail(5, 0.1, 3), rel=1e-12)
    rr = analyze(iid(5, 3, p=0.2, loss=0.1, refresh_days=30, repair=True))
    l30, l5 = scale(0.1, 365, 30), scale(0.1, 365, 5)
    assert rr.loss == pytest.approx(1 - (1 - binomial_tail(5, l30, 3)) ** 12 * (1 - binomial_tail(5, l5, 3)), rel=1e-12)


def test_a_domain_holding_everyone_is_a_mixture():
    d = Domain("cloud", 0.01, 0.002)
    c = Committee(tuple(Party(f"p{i}", 0.1, 0.05, ("cloud",)) for i in range(4)), 3, 365, domains=(d,))
    r = analyze(c)
    assert r.theft == pytest.approx(0.01 + 0.99 * binomial_tail(4, 0.1, 3), rel=1e-12)
    assert r.loss == pytest.approx(0.002 + 0.998 * binomial_tail(4, 0.05, 2), rel=1e-12)


def test_overlapping_domains_match_brute_force():
    c = domained()
    for t in range(1, 6):
        ct = c.with_threshold(t)
        r = analyze(ct)
        assert r.theft == pytest.approx(brute_single_epoch(ct, "compromise"), rel=1e-12, abs=1e-15)
        assert r.loss == pytest.approx(brute_single_epoch(ct, "loss"), rel=1e-12, abs=1e-15)


def test_refreshed_domains_match_brute_force_per_epoch():
    c = Committee(domained().parties, 3, 365, domains=domained().domains, refresh_days=73, repair=True)
    assert c.epochs() == ((73, 5),)
    per = brute_single_epoch(c, "compromise", 73)
    assert analyze(c).theft == pytest.approx(1 - (1 - per) ** 5, rel=1e-12)
    per = brute_single_epoch(c, "loss", 73)
    assert analyze(c).loss == pytest.approx(1 - (1 - per) ** 5, rel=1e-12)


@pytest.mark.parametrize("refreshed", [True, False])
def test_cold_storage_single_epoch_matches_brute_force(refreshed):
    """Theft through either path; loss only when both are broken."""
    c = cold(refreshed)
    r = analyze(c)
    assert r.theft == pytest.approx(brute_single_epoch(c, "compromise"), rel=1e-12)
    assert r.loss == pytest.approx(brute_single_epoch(c, "loss"), rel=1e-12)
    primary_only = Committee(tuple(p for p in c.parties if p.name.startswith("h")), 2, 365, domains=c.domains)
    assert r.theft > analyze(primary_only).theft        # a second way in
    assert r.loss < analyze(primary_only).loss          # a second way back


def test_cold_static_recovery_is_independent_of_the_refreshed_primary():
    c = cold(False, refresh_days=30)
    primary = Committee(tuple(p for p in c.parties if p.name.startswith("h")), 2, 365, domains=c.domains,
                        refresh_days=30)
    recovery = Committee(tuple(p for p in c.parties if p.name.startswith("r")), 2, 365, domains=c.domains)
    a, b = analyze(primary), analyze(recovery)
    r = analyze(c)
    assert r.theft == pytest.approx(1 - (1 - a.theft) * (1 - b.theft), rel=1e-12)
    assert r.loss == pytest.approx(a.loss * b.loss, rel=1e-12)      # no repair: both broken at the end


def test_cold_static_recovery_with_repair_sums_over_the_last_primary_break():
    """With repair the primary is restored from the recovery path at a refresh; loss needs the
    last epoch in which the primary breaks to come after the recovery broke."""
    c = cold(False, refresh_days=73, repair=True)
    primary = Committee(tuple(p for p in c.parties if p.name.startswith("h")), 2, 365, domains=c.domains)
    recovery = Committee(tuple(p for p in c.parties if p.name.startswith("r")), 2, 365, domains=c.domains)
    a = analyze(primary, 73).loss                      # primary broken within one epoch
    F = [analyze(recovery, 73 * s).loss for s in range(1, 6)]
    expected = sum(F[s] * a * (1 - a) ** (4 - s) for s in range(5))
    assert analyze(c).loss == pytest.approx(expected, rel=1e-12)


def test_cold_static_recovery_with_daily_repair():
    """365 epochs: the same sum, one term per day."""
    c = cold(False, refresh_days=1, repair=True)
    primary = Committee(tuple(p for p in c.parties if p.name.startswith("h")), 2, 365, domains=c.domains)
    recovery = Committee(tuple(p for p in c.parties if p.name.startswith("r")), 2, 365, domains=c.domains)
    a = analyze(primary, 1).loss
    F = [analyze(recovery, s).loss for s in range(1, 366)]
    expected = sum(F[s] * a * (1 - a) ** (364 - s) for s in range(365))
    assert analyze(c).loss == pytest.approx(expected, rel=1e-9)


def test_certain_primary_breaks_with_a_static_recovery():
    """A primary that breaks every epoch: the key is lost exactly when the recovery path is."""
    c = cold(False, refresh_days=73, repair=True)
    dead = c
    for n in ("h1", "h2", "h3"):
        dead = dead.with_party(n, loss=1.0)
    recovery = Committee(tuple(p for p in c.parties if p.name.startswith("r")), 2, 365, domains=c.domains)
    r = analyze(dead)
    assert not math.isnan(r.loss) and r.loss == pytest.approx(analyze(recovery).loss, rel=1e-12)


def test_distribution_is_a_probability_distribution():
    c = domained()
    L = Layout.of(c)
    f, g = L.probabilities(c, "compromise")
    rng = np.random.default_rng(3)
    batch_f = np.vstack([f, rng.random(f.shape), np.zeros_like(f), np.ones_like(f)])
    batch_g = np.vstack([g, rng.random(g.shape), np.zeros_like(g), np.ones_like(g)])
    T = distribution([tuple(range(5))], [5], L.membership, batch_f, batch_g)
    assert T.shape == (4, 6)
    assert np.all(T >= 0) and np.allclose(T.sum(axis=1), 1.0)
    assert T[2, 0] == 1.0 and T[3, 5] == 1.0          # nobody fails / everybody fails
    capped = distribution([tuple(range(5))], [2], L.membership, batch_f, batch_g)
    assert np.allclose(capped[:, 2], T[:, 2:].sum(axis=1)) and np.allclose(capped[:, :2], T[:, :2])


def test_certain_and_impossible_events():
    assert analyze(iid(3, 2, p=1.0, loss=0.0)).theft == 1.0
    r = analyze(iid(3, 2, p=0.0, loss=1.0, refresh_days=10, repair=True))
    assert (r.theft, r.loss) == (0.0, 1.0)


def test_a_hundred_parties_in_ten_domains():
    doms = tuple(Domain(f"d{j}", 0.001, 0.0005) for j in range(10))
    parties = tuple(Party(f"p{i}", 0.01 + 0.0001 * i, 0.02, (f"d{i % 10}",)) for i in range(100))
    c = Committee(parties, 67, 365, domains=doms, refresh_days=30, repair=True)
    theft, loss = curves(c)
    assert len(theft) == 100 and np.all(np.diff(theft) <= 1e-18) and np.all(np.diff(loss) >= -1e-18)
    assert 0 <= theft[66] < 1e-12 and 0 <= loss[66] < 1e-6


def test_clouds_crossed_with_vendors_enumerate_only_the_vendors():
    """Every party in one of 4 clouds and one of 2 vendors: all six domains are linked, the two
    vendors cover the links, and the result is still the enumeration's."""
    from pqzk.risk.exact import Layout, _cover
    clouds = tuple(Domain(f"c{j}", 0.03 * (j + 1), 0.02, "cloud") for j in range(4))
    vendors = tuple(Domain(f"v{j}", 0.05, 0.01 * (j + 1), "vendor") for j in range(2))
    parties = tuple(Party(f"p{i}", 0.05 + 0.01 * i, 0.04, (f"c{i % 4}", f"v{i % 2}")) for i in range(8))
    c = Committee(parties, 4, 365, domains=clouds + vendors)
    L = Layout.of(c)
    assert [L.domains[d] for d in _cover(list(range(6)), list(range(8)), L.membership)] == ["v0", "v1"]
    r = analyze(c)
    assert r.theft == pytest.approx(brute_single_epoch(c, "compromise"), rel=1e-12)
    assert r.loss == pytest.approx(brute_single_epoch(c, "loss"), rel=1e-12)


def test_too_many_linked_domains_is_refused_with_the_way_out():
    doms = tuple(Domain(f"d{j}", 0.01, 0.0, f"k{j}") for j in range(14))     # a clique: 13 to enumerate
    party = Party("chain", 0.1, 0.1, tuple(d.name for d in doms))
    c = Committee((party, Party("x", 0.1, 0.1)), 1, 365, domains=doms)
    with pytest.raises(InvalidParameter, match="Monte Carlo"):
        analyze(c)


def test_analysis_horizon_other_than_the_stated_one():
    c = iid(3, 2, p=0.1, loss=0.1)
    two_years = analyze(c, 730)
    assert two_years.theft == pytest.approx(binomial_tail(3, 1 - 0.9**2, 2), rel=1e-12)
    with pytest.raises(InvalidParameter):
        analyze(c, 0)
    assert math.isclose(scale(0.1, 365, 730), 0.19)


@given(st.data())
def test_random_committees_match_brute_force(data):
    """Any small committee (threshold or cold, domains shared or not), at every threshold."""
    from pqzk.risk import Recovery
    p = st.floats(0, 0.7, allow_nan=False)
    nd = data.draw(st.integers(0, 3))
    doms = tuple(Domain(f"d{j}", data.draw(p) / 2, data.draw(p) / 2, f"k{j}") for j in range(nd))
    n = data.draw(st.integers(1, 4))
    nr = data.draw(st.integers(0, 2))
    parties = tuple(Party(f"p{i}", data.draw(p), data.draw(p), tuple(d.name for d in doms if data.draw(st.booleans())))
                    for i in range(n + nr))
    rec = Recovery(data.draw(st.integers(1, nr)), tuple(f"p{i}" for i in range(n, n + nr))) if nr else None
    c = Committee(parties, 1, 365, mode="cold" if rec else "threshold", domains=doms, recovery=rec)
    theft, loss = curves(c)
    for t in range(1, n + 1):
        ct = c.with_threshold(t)
        assert theft[t - 1] == pytest.approx(brute_single_epoch(ct, "compromise"), rel=1e-9, abs=1e-14)
        assert loss[t - 1] == pytest.approx(brute_single_epoch(ct, "loss"), rel=1e-9, abs=1e-14)
