"""Custody runs its sessions through the SessionRunner it is given: the in-process simulator by
default, or — here — one `runtime.driver.Driver` per party over sealed channels and the in-process
hub transport, the way a network runner drives parties over NATS."""

import pytest
from flow_fixtures import NOW, POLICY, custody, doc_v2, group, req

from pqzk.errors import PolicyViolation, ProtocolAbort
from pqzk.policy import Policy
from pqzk.policy.authorization import verify_authorization
from pqzk.runtime import Silent, SimulatorRunner, Simulator
from pqzk.runtime.channel import HYBRID
from pqzk.runtime.transports.inprocess import HubRunner


def test_custody_runs_every_session_through_its_runner():
    runner = HubRunner(mode=HYBRID)                 # private messages sealed with X-Wing
    c = custody()
    c.runner = runner
    r = req(amount=15_000)
    out = c.authorize(r, NOW)
    auth = out.unwrap()
    verify_authorization(auth, r, POLICY, group()[1])
    assert not isinstance(out.report, Simulator) and out.report.frames > 0 and out.report.refusals == []
    assert len(auth.signers) == 4 and runner.sessions == 1
    # every signer (served by its own driver) verified the announced authorization and counted it
    assert all(s.history.spent_since(0) == 15_000 for s in c.signers.values())
    # a policy change too: approved over the drivers, adopted by every signer
    c.change_policy(Policy.from_dict(doc_v2()), [1, 2, 3, 4], NOW)
    assert runner.sessions == 2 and all(s.state.pending is not None for s in c.signers.values())
    # and a refusal: the signers' refusals travel back through the channel
    out = c.authorize(req(dest="mallory"), NOW, precheck=False)
    assert out.error.rule == "blacklist" and len(out.refusals) == 5 and runner.sessions == 3


def test_the_runner_is_given_at_construction_or_per_call():
    kps, pkp, keys, roster = group()
    from pqzk.policy.custody import Custody
    runner = HubRunner()
    c = Custody(POLICY, kps, pkp, pq_keys=keys, roster=roster, runner=runner)
    assert c.authorize(req(), NOW).allowed and runner.sessions == 1
    # per call: the in-process runner with a fault, for this session only
    out = c.authorize(req(amount=15_000), NOW, runner=SimulatorRunner([Silent(sender=3)]))
    assert isinstance(out.report, Simulator) and out.missing == [3] and runner.sessions == 1
    assert c.authorize(req(), NOW).report.frames > 0 and runner.sessions == 2


def test_silence_over_drivers_is_unresponsive_not_blame():
    """A signer that never answers: the coordinator's driver times out and calls on_idle."""
    c = custody()
    c.runner = HubRunner(timeout=0.02)
    silent = {i: _Mute(c.signers[i]) for i in (1, 2, 3)}
    out = c.authorize(req(), NOW, signers=silent)
    assert isinstance(out.error, ProtocolAbort) and out.error.culprits == [] and out.error.unresponsive == [1, 2, 3]


class _Mute:
    """A signer that reads everything and answers nothing (a crashed process that still acks)."""

    def __init__(self, inner):
        self.inner, self.id = inner, inner.id

    def receive(self, msg):
        self.inner.receive(msg)
        return []


def test_the_default_runner_is_the_simulator_with_the_groups_rng():
    from pqzk.math.rand import DeterministicRNG
    from pqzk.policy.custody import Custody
    kps, pkp, _, _ = group()
    rng = DeterministicRNG(b"custody")
    c = Custody(POLICY, kps, pkp, rng=rng)
    assert isinstance(c.runner, SimulatorRunner) and c.runner.rng is rng and c.runner.faults == []
    out = c.authorize(req(), NOW)
    assert isinstance(out.report, Simulator) and out.report.steps > 0
    with pytest.raises(PolicyViolation, match="quorum"):
        c.change_policy(Policy.from_dict(doc_v2()), [1, 2, 5], NOW)
