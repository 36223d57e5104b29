"""Monotonicity of the model, as properties over random committees (hypothesis): what should never
make things worse never does."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import assume, given, strategies as st

from pqzk.risk import Committee, Domain, Party, analyze, curves, sensitivity

prob = st.floats(0.0, 0.6, allow_nan=False)


@st.composite
def committees(draw, min_parties: int = 1):
    """Up to 7 parties and 3 domains (each of its own kind, so any membership is allowed)."""
    nd = draw(st.integers(0, 3))
    domains = tuple(Domain(f"d{j}", draw(prob) / 3, draw(prob) / 3, f"k{j}") for j in range(nd))
    n = draw(st.integers(min_parties, 7))
    parties = tuple(Party(f"p{i}", draw(prob), draw(prob),
                          tuple(d.name for d in domains if draw(st.booleans()))) for i in range(n))
    refresh = draw(st.sampled_from([0.0, 36.5, 73.0]))
    repair = refresh > 0 and draw(st.booleans())
    return Committee(parties, draw(st.integers(1, n)), 365, domains=domains, refresh_days=refresh, repair=repair)


def le(a: float, b: float) -> bool:
    """a <= b up to rounding."""
    return a <= b * (1 + 1e-9) + 1e-15


@given(committees())
def test_a_higher_threshold_never_raises_theft_and_never_lowers_loss(c):
    theft, loss = curves(c)
    assert np.all((theft >= 0) & (theft <= 1)) and np.all((loss >= 0) & (loss <= 1))
    for t in range(len(theft) - 1):
        assert le(theft[t + 1], theft[t]) and le(loss[t], loss[t + 1])


@given(committees(), st.data())
def test_more_parties_in_one_domain_never_lower_theft_or_loss(c, data):
    assume(c.domains)
    d = data.draw(st.sampled_from(c.domains)).name
    outside = [p.name for p in c.parties if d not in p.domains]
    assume(outside)
    name = data.draw(st.sampled_from(outside))
    joined = c.with_party(name, domains=c.party(name).domains + (d,))
    a, b = analyze(c), analyze(joined)
    assert le(a.theft, b.theft) and le(a.loss, b.loss)


@given(committees(), st.data(), st.floats(0, 1))
def test_a_riskier_party_never_lowers_theft_and_leaves_loss_alone(c, data, extra):
    name = data.draw(st.sampled_from([p.name for p in c.parties]))
    p = c.party(name)
    worse = c.with_party(name, compromise=p.compromise + (1 - p.compromise) * extra)
    a, b = analyze(c), analyze(worse)
    assert le(a.theft, b.theft) and a.loss == b.loss


@given(committees())
def test_refreshing_twice_as_often_never_raises_theft(c):
    assume(c.refresh_days > 0)
    a, b = analyze(c), analyze(replace(c, refresh_days=c.refresh_days / 2))
    assert le(b.theft, a.theft)
    if c.repair:
        assert le(b.loss, a.loss)


@given(committees())
def test_repair_never_raises_loss(c):
    assume(c.refresh_days > 0)
    assert le(analyze(replace(c, repair=True)).loss, analyze(replace(c, repair=False)).loss)
    assert analyze(replace(c, repair=True)).theft == analyze(replace(c, repair=False)).theft


@given(committees(), prob, prob)
def test_one_more_party_at_the_same_threshold_never_raises_theft_nor_lowers_safety(c, pc, pl):
    bigger = replace(c, parties=c.parties + (Party("extra", pc, pl),))
    a, b = analyze(c), analyze(bigger)
    # theft can only rise (another share to steal), loss can only fall (another share to keep)
    assert le(a.theft, b.theft) and le(b.loss, a.loss)
    removed = c.without([c.parties[-1].name]) if len(c.parties) > c.threshold else None
    if removed is not None:
        r = analyze(removed)
        assert le(r.theft, a.theft) and le(a.loss, r.loss)


@given(committees(), st.data())
def test_quarantine_never_lowers_risk(c, data):
    name = data.draw(st.sampled_from([p.name for p in c.parties]))
    a = analyze(c)
    q = analyze(c.quarantined([name]))
    assert le(a.theft, q.theft) and le(a.loss, q.loss)
    mild = analyze(c.quarantined([name], assume_compromised=False))
    assert mild.theft == a.theft and le(a.loss, mild.loss)


@given(committees())
def test_sensitivity_brackets_the_committee(c):
    r = analyze(c)
    for i in sensitivity(c):
        assert le(i.theft_if_perfect, r.theft) and le(r.theft, i.theft_if_failed)
        assert le(i.loss_if_perfect, r.loss) and le(r.loss, i.loss_if_failed)
