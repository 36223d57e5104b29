"""The Monte Carlo simulation agrees with the exact programme within its interval (for every
structure the model has), and would notice a wrong model; the Wilson interval; reproducibility."""
from __future__ import annotations

from dataclasses import replace
from statistics import NormalDist

import pytest
from risk_fixtures import cold, domained, iid

from pqzk.errors import InvalidParameter
from pqzk.risk import analyze, simulate, wilson

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
    """A daily refresh over two centuries is fine for the exact analysis, not for sampling."""
    c = replace(iid(5, 3, p=0.1, loss=0.1), horizon_days=73_050, refresh_days=1)
    with pytest.raises(InvalidParameter, match="exact analysis alone"):
        simulate(c, 100_000)
    assert 0 < analyze(c).theft < 1


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
