"""Sensitivity (each party and domain made perfect or failed) and the theft-vs-loss frontier."""
from __future__ import annotations

from dataclasses import replace

import pytest
from risk_fixtures import cold, domained

from pqzk.errors import InvalidParameter
from pqzk.risk import Committee, Domain, FrontierSettings, Party, analyze, frontier, sensitivity
from pqzk.risk.frontier import assign


def test_sensitivity_is_the_analysis_of_the_changed_committee():
    c = replace(domained(), refresh_days=30, repair=True)
    rows = {(i.kind, i.name): i for i in sensitivity(c)}
    assert len(rows) == len(c.parties) + len(c.domains)
    for p in c.parties:
        i = rows[("party", p.name)]
        assert i.theft_if_perfect == pytest.approx(analyze(c.with_party(p.name, compromise=0.0)).theft, rel=1e-12)
        assert i.theft_if_failed == pytest.approx(analyze(c.with_party(p.name, compromise=1.0)).theft, rel=1e-12)
        assert i.loss_if_perfect == pytest.approx(analyze(c.with_party(p.name, loss=0.0)).loss, rel=1e-12)
        assert i.loss_if_failed == pytest.approx(analyze(c.with_party(p.name, loss=1.0)).loss, rel=1e-12)
    for d in c.domains:
        i = rows[("domain", d.name)]
        assert i.theft_if_perfect == pytest.approx(analyze(c.with_domain(d.name, compromise=0.0)).theft, rel=1e-12)
        assert i.loss_if_failed == pytest.approx(analyze(c.with_domain(d.name, loss=1.0)).loss, rel=1e-12)


def test_sensitivity_names_the_dominant_domain_first():
    """Three of five signers share a cloud: its one event is a theft."""
    doms = (Domain("shared", 0.01, 0.0), Domain("other", 0.01, 0.0))
    parties = tuple(Party(f"s{i}", 0.01, 0.01, ("shared",)) for i in range(3)) + \
        tuple(Party(f"o{i}", 0.01, 0.01, ("other",)) for i in range(2))
    c = Committee(parties, 3, 365, domains=doms)
    top = sensitivity(c)[0]
    assert (top.kind, top.name) == ("domain", "shared")
    assert top.theft_if_failed == pytest.approx(1.0) and top.theft_drop > 0.5 * analyze(c).theft
    other = next(i for i in sensitivity(c) if i.name == "other")
    assert other.theft_drop < top.theft_drop / 10


def test_sensitivity_covers_the_recovery_path():
    c = cold(True)
    names = {i.name for i in sensitivity(c)}
    assert {"r1", "r2", "r3", "h1", "bank"} <= names


def test_frontier_marks_the_current_configuration_and_only_undominated_points():
    c = Committee(domained().parties + (Party("s1", 0.02, 0.02, ("gcp",), standby=True),), 3, 365,
                  domains=domained().domains)
    f = frontier(c, FrontierSettings(assignments=("declared", "balanced", "concentrated")))
    assert len(f.points) == 3 * sum(range(1, 7))
    cur = f.current
    assert (cur.threshold, cur.parties, cur.assignment) == (3, 5, "declared")
    r = analyze(c)
    assert (cur.theft, cur.loss) == (r.theft, r.loss)
    assert f.members == ("a", "b", "c", "d", "e", "s1")
    front = f.pareto
    assert front
    for p in front:           # nothing strictly better in both
        assert not any(q.theft < p.theft and q.loss < p.loss for q in f.points)
    for q in f.points:        # everything else is matched or beaten by a frontier point
        if not q.pareto:
            assert any(p.theft <= q.theft * (1 + 1e-9) and p.loss <= q.loss * (1 + 1e-9) for p in front)
    # a 6-party candidate uses the standby party
    six = next(p for p in f.points if p.parties == 6 and p.threshold == 3 and p.assignment == "declared")
    assert six.theft == pytest.approx(analyze(replace(c, parties=tuple(replace(p, standby=False)
                                                                      for p in c.parties))).theft, rel=1e-12)


def test_balanced_and_concentrated_assignments():
    c = domained()
    balanced = assign(list(c.parties), c, "balanced")
    clouds = [next(d for d in p.domains if d in ("aws", "gcp")) for p in balanced if set(p.domains) & {"aws", "gcp"}]
    assert clouds == ["aws", "gcp", "aws", "gcp"]                  # round-robin over the kind
    vendors = [d for p in balanced for d in p.domains if d == "yubi"]
    assert len(vendors) == 2                                        # one domain of that kind: unchanged
    conc = assign(list(c.parties), c, "concentrated")
    assert all("gcp" not in p.domains for p in conc)
    assert assign(list(c.parties), c, "declared") == list(c.parties)
    with pytest.raises(InvalidParameter):
        assign(list(c.parties), c, "random")


def test_cold_frontier_keeps_the_recovery_path():
    c = cold(True)
    f = frontier(c)
    assert f.members == ("h1", "h2", "h3")
    one = next(p for p in f.points if p.parties == 1 and p.threshold == 1 and p.assignment == "declared")
    only = Committee(tuple(p for p in c.parties if p.name != "h2" and p.name != "h3"), 1, 365, mode="cold",
                     domains=c.domains, recovery=c.recovery)
    assert one.theft == pytest.approx(analyze(only).theft, rel=1e-12)


@pytest.mark.parametrize("settings", [dict(assignments=("declared", "nope")), dict(assignments=()),
                                      dict(max_parties=0), dict(assignments=("declared", "declared"))])
def test_frontier_settings_are_checked(settings):
    with pytest.raises(InvalidParameter):
        FrontierSettings(**settings)


def test_frontier_size_is_bounded():
    parties = tuple(Party(f"p{i}", 0.01, 0.01) for i in range(700))
    c = Committee(parties, 2, 365)
    with pytest.raises(InvalidParameter, match="max_parties"):
        frontier(c, FrontierSettings(max_parties=400))
    f = frontier(c, FrontierSettings(max_parties=3, assignments=("declared",)))
    assert sorted({p.parties for p in f.points}) == [1, 2, 3, 700]      # the current size is always there
    assert len(f.points) == 1 + 2 + 3 + 700 and f.current.parties == 700
    assert max(p.parties for p in frontier(Committee(parties[:40], 2, 365)).points) == 40
    assert sorted({p.parties for p in frontier(Committee(parties[:40], 2, 365, mode="multisig")).points}) == \
        list(range(1, 31)) + [40]
