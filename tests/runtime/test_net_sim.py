"""The network simulation the benchmarks use for large committees (benchmarks/net_sim.py) runs the
real node services and stays coherent: one round is faster than two, latency adds what the model
says, and the signature it produces is checked by the coordinator like any other."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import net_sim  # noqa: E402 - benchmarks/ is part of the repository


@pytest.fixture(scope="module")
def sims():
    out = {rtt: net_sim.SimCommittee(5, 3, lambda i, r=rtt: r) for rtt in (0.0, 0.050)}
    yield out
    for s in out.values():
        s.close()


def test_predictions_are_coherent(sims):
    loop_two, loop_one = sims[0.0].sign(one_round=False), sims[0.0].sign(one_round=True)
    far_two, far_one = sims[0.050].sign(one_round=False), sims[0.050].sign(one_round=True)
    assert (loop_two.n, loop_two.t, loop_two.rounds, loop_one.rounds) == (5, 3, 2, 1)
    assert loop_one.seconds < loop_two.seconds and far_one.seconds < far_two.seconds
    # a 50 ms round trip to the broker costs about one RTT per round on top of the work
    assert 0.045 < far_one.seconds - loop_one.seconds < 0.5
    assert 0.090 < far_two.seconds - loop_two.seconds < 1.0
    assert far_one.signers_rtt == pytest.approx(0.050) and loop_one.signers_rtt == 0.0
