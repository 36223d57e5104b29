"""The Monte Carlo simulation agrees with the exact programme within its interval (for every
structure the model has), and would notice a wrong model; the Wilson interval; reproducibility."""
from __future__ import annotations

from dataclasses import replace
from statistics import NormalDist

import pytest
from hypothesis import given, settings, strategies as st
from risk_fixtures import cold, domained, iid

from pqzk.errors import InvalidParameter
from pqzk.risk import Committee, Domain, Party, Recovery, analyze, simulate, wilson

CONFIDENCE = 0.999          # seeds are fixed: a failure here is a disagreement, not bad luck


def heavier(c, k: float):
    """Every probability multiplied by k (capped at 0.9), so that rare events show up in a sample."""
    up = lambda x: min(0.9, x * k)        # noqa: E731
    return replace(c, parties=tuple(replace(p, compromise=up(p.compromise), loss=up(p.loss)) for p in c.parties),
                   domains=tuple(replace(d, compromise=up(d.compromise), loss=up(d.loss)) for d in c.domains))


def committees():
    d = domained()
    return {
        "independent": iid(6, 3, p=0.3, loss=0.25),
        "domains": d,
        "domains, refresh, repair": replace(heavier(d, 4), refresh_days=30, repair=True, threshold=3),
        "multisig": replace(d, mode="multisig", threshold=2, refresh_days=90),
        "cold refreshed, repair": heavier(cold(True, refresh_days=60, repair=True), 4),
        "cold static": cold(False, refresh_days=45),
        "cold static, repair": cold(False, refresh_days=45, repair=True),
    }


@pytest.mark.parametrize("name", list(committees()))
def test_exact_lies_within_the_monte_carlo_interval(name):
    c = committees()[name]
    exact = analyze(c)
    mc = simulate(c, 300_000, seed=11, confidence=CONFIDENCE)
    assert mc.theft.hits > 50 and mc.loss.hits > 50, "the case must exercise both events"
    assert mc.theft.contains(exact.theft), (name, exact.theft, mc.theft)
    assert mc.loss.contains(exact.loss), (name, exact.loss, mc.loss)


def test_monte_carlo_notices_a_wrong_model():
    """The exact value of a committee without refresh is outside the interval of the committee
    with refresh (and the other way round): agreement is evidence, not a formality."""
    c = replace(domained(), refresh_days=30, threshold=2)
    mc = simulate(c, 300_000, seed=5, confidence=CONFIDENCE)
    assert mc.theft.contains(analyze(c).theft)
    assert not mc.theft.contains(analyze(replace(c, refresh_days=0)).theft)
    assert not mc.loss.contains(analyze(replace(c, repair=True)).loss)


def test_seeded_and_reproducible():
    c = domained()
    a, b = simulate(c, 50_000, seed=3), simulate(c, 50_000, seed=3)
    assert a == b
    assert simulate(c, 50_000, seed=4).theft.hits != a.theft.hits
    assert simulate(c, 1, seed=0).theft.samples == 1


@pytest.mark.parametrize("bad", [0, -1, 10**9, 2.5, True, "100"])
def test_sample_count_is_checked(bad):
    with pytest.raises(InvalidParameter, match="samples"):
        simulate(domained(), bad)


def test_simulation_work_is_bounded():
    """The event sampler's work grows with the failures it draws, not with the epochs: a daily
    refresh over two centuries is fine (and agrees with the exact value), while the per-party
    reference refuses it; a committee that fails all the time, or a refresh every few
    microseconds, is refused with the way out."""
    c = replace(iid(5, 2, p=0.99, loss=0.5), horizon_days=73_050, refresh_days=1)
    exact = analyze(c)
    mc = simulate(c, 100_000, seed=2, confidence=CONFIDENCE)
    assert mc.theft.hits > 50 and mc.theft.contains(exact.theft) and mc.loss.contains(exact.loss)
    with pytest.raises(InvalidParameter, match="exact analysis alone"):
        simulate(c, 100_000, method="reference")
    busy = replace(iid(1000, 500, p=0.999, loss=0.999), refresh_days=1)
    with pytest.raises(InvalidParameter, match="exact analysis alone"):
        simulate(busy, 100_000)
    assert simulate(busy, 10, seed=1).theft.samples == 10
    with pytest.raises(InvalidParameter, match="epochs.*exact analysis alone"):
        simulate(replace(c, refresh_days=1e-6), 10)


def test_method_is_checked():
    for bad in ("fast", "", None, 1):
        with pytest.raises(InvalidParameter, match="method"):
            simulate(domained(), 10, method=bad)


# ------------------------------------------------------------------ the event sampler against the reference
probability = st.one_of(st.floats(0.02, 0.6), st.floats(0.02, 0.6), st.floats(0.02, 0.6), st.sampled_from([0.0, 1.0]))


@st.composite
def small_committees(draw):
    """Up to 6 parties and 3 domains (each of its own kind); threshold or cold storage (refreshed or
    static recovery); refresh periods with and without a partial last epoch; repair; probabilities
    of 0 and 1 included (certain failures are not drawn by the event sampler)."""
    nd = draw(st.integers(0, 3))
    domains = tuple(Domain(f"d{j}", draw(probability) / 2, draw(probability) / 2, f"k{j}") for j in range(nd))
    n = draw(st.integers(1, 6))
    cold_storage = n >= 2 and draw(st.booleans())
    n_rec = draw(st.integers(1, n - 1)) if cold_storage else 0
    refresh = draw(st.sampled_from([0.0, 50.0, 73.0]))
    static = cold_storage and draw(st.booleans())
    # a static recovery path shares no domain with the signers: it gets the last domain only
    primary_doms, rec_doms = (domains[:-1], domains[-1:]) if static and refresh else (domains, domains)
    parties = []
    for i in range(n):
        pool = rec_doms if i >= n - n_rec else primary_doms
        parties.append(Party(f"p{i}", draw(probability), draw(probability),
                             tuple(d.name for d in pool if draw(st.booleans()))))
    signers = n - n_rec
    recovery = Recovery(draw(st.integers(1, n_rec)), tuple(f"p{i}" for i in range(signers, n)), not static) \
        if cold_storage else None
    return Committee(tuple(parties), draw(st.integers(1, signers)), 365, mode="cold" if cold_storage else "threshold",
                     domains=domains, refresh_days=refresh, repair=refresh > 0 and draw(st.booleans()),
                     recovery=recovery)


def overlap(a, b) -> bool:
    return a.low <= b.high and b.low <= a.high


@settings(max_examples=40, derandomize=True)       # fixed examples and seeds: a failure is a disagreement
@given(small_committees(), st.integers(0, 2**32 - 1))
def test_the_event_sampler_agrees_with_the_per_party_reference(c, seed):
    fast = simulate(c, 30_000, seed=seed, confidence=CONFIDENCE)
    slow = simulate(c, 30_000, seed=seed + 1, confidence=CONFIDENCE, method="reference")
    assert overlap(fast.theft, slow.theft), (c, fast.theft, slow.theft)
    assert overlap(fast.loss, slow.loss), (c, fast.loss, slow.loss)


@pytest.mark.parametrize("name", ["domains, refresh, repair", "cold refreshed, repair", "cold static, repair"])
def test_the_agreement_with_the_reference_could_fail(name):
    """The reference on the committee agrees with the event sampler; on the committee without its
    refresh (or repair) it does not: overlapping intervals are evidence of the same law."""
    c = committees()[name]
    fast = simulate(c, 100_000, seed=3, confidence=CONFIDENCE)
    slow = simulate(c, 100_000, seed=4, confidence=CONFIDENCE, method="reference")
    assert overlap(fast.theft, slow.theft) and overlap(fast.loss, slow.loss)
    other = simulate(replace(c, refresh_days=0, repair=False), 100_000, seed=4, confidence=CONFIDENCE,
                     method="reference")
    assert not overlap(fast.theft, other.theft) or not overlap(fast.loss, other.loss)


def test_an_analysis_horizon_of_its_own():
    """Over a horizon other than the committee's: the probabilities follow the constant hazard."""
    c = committees()["cold refreshed, repair"]
    exact = analyze(c, 200)
    mc = simulate(c, 200_000, seed=8, confidence=CONFIDENCE, horizon_days=200)
    assert mc.horizon_days == 200 and mc.theft.contains(exact.theft) and mc.loss.contains(exact.loss)
    assert not mc.theft.contains(analyze(c).theft)


def test_wilson_interval():
    lo, hi = wilson(50, 100, 0.95)
    z = NormalDist().inv_cdf(0.975)
    centre = (0.5 + z * z / 200) / (1 + z * z / 100)
    assert (lo + hi) / 2 == pytest.approx(centre) and hi - lo == pytest.approx(2 * (hi - centre))
    assert lo == pytest.approx(0.4038, abs=1e-4) and hi == pytest.approx(0.5962, abs=1e-4)
    lo, hi = wilson(0, 1000, 0.95)
    assert lo == 0.0 and hi == pytest.approx(z * z / (1000 + z * z), rel=1e-9)
    assert wilson(1000, 1000)[1] == 1.0
    assert wilson(10, 100, 0.99)[1] > wilson(10, 100, 0.9)[1]
    for bad in [(1, 0), (-1, 10), (11, 10)]:
        with pytest.raises(InvalidParameter):
            wilson(*bad)
    with pytest.raises(InvalidParameter):
        wilson(1, 10, 1.0)
