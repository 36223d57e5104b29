"""What a responder asks (does a proposed quarantine or reshare keep the committee within its risk
bounds?) and the full report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pqzk.errors import InvalidParameter
from pqzk.risk import Bounds, analyze, assess, full_report, load_committee

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "risk" / "committee.toml"


def test_bounds_name_what_is_exceeded():
    c = load_committee(EXAMPLE).committee
    r = assess(c)
    assert r == analyze(c)
    ok = Bounds(max_theft=r.theft * 1.01, max_loss=r.loss * 1.01).check(c)
    assert ok.ok and ok.violations == () and (ok.theft, ok.loss) == (r.theft, r.loss)
    bad = Bounds(max_theft=r.theft / 2, max_loss=r.loss / 2).check(c)
    assert not bad.ok and len(bad.violations) == 2
    assert bad.violations[0].startswith("P(theft)") and bad.violations[1].startswith("P(loss)")
    only_loss = Bounds(max_loss=r.loss / 2).check(c)
    assert not only_loss.ok and only_loss.violations == (f"P(loss) {r.loss:.3g} exceeds {r.loss / 2:.3g}",)


def test_a_responder_checks_a_quarantine_then_the_reshare():
    """Quarantining a suspect counts its share as stolen and unavailable until a reshare removes
    it: one suspect fits the bounds, two do not; after the reshare without them the committee is
    back within bounds."""
    c = load_committee(EXAMPLE).committee
    bounds = Bounds(max_theft=0.05, max_loss=0.05)
    assert bounds.check(c).ok
    one = bounds.check(c.quarantined(["erin"]))
    assert one.ok and one.theft > analyze(c).theft
    two = bounds.check(c.quarantined(["erin", "dave"]))
    assert not two.ok and "P(theft)" in two.violations[0]      # one more share and the key is gone
    after = c.without(["erin", "dave"], threshold=2)
    assert [p.name for p in after.signers] == ["alice", "bob", "carol"]
    assert bounds.check(after).ok is (analyze(after).theft <= 0.05 and analyze(after).loss <= 0.05)
    assert Bounds(horizon_days=30).check(c).theft < bounds.check(c).theft


@pytest.mark.parametrize("kw", [dict(max_theft=1.5), dict(max_loss=-0.1), dict(horizon_days=0),
                                dict(max_theft="low")])
def test_bounds_are_checked(kw):
    with pytest.raises(InvalidParameter):
        Bounds(**kw)


def test_full_report_is_json_and_consistent():
    doc = load_committee(EXAMPLE)
    rep = full_report(doc, samples=100_000, seed=2)
    d = json.loads(json.dumps(rep.to_dict()))
    assert d["exact"]["theft"] == analyze(doc.committee).theft
    assert d["monte_carlo"]["agrees"] is rep.agrees is True
    assert d["frontier"]["current"]["threshold"] == 3 and d["frontier"]["current"]["current"]
    assert d["sensitivity"][0]["name"] == "aws-eu"            # three signers share that cloud
    assert d["quantum"]["scheme"]["scheme"] == "classical" and 0 < d["quantum"]["exposure"]["crqc_by_holding"] < 1
    assert full_report(doc, samples=None).monte_carlo is None and full_report(doc, samples=None).agrees is None
