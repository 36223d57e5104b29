"""Policy changes as a session: the change quorum approves, the group signs, every signer adopts."""
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flow_fixtures import NOW, POLICY, custody, doc_v2, group, req

from pqzk.errors import PolicyViolation, ProtocolAbort
from pqzk.policy import Policy
from pqzk.policy.change import PolicyChangeCoordinator, policy_change_digest
from pqzk.runtime import Message, Silent, Simulator

V2 = Policy.from_dict(doc_v2(limits={"per_transaction": 1_000}))


def test_change_is_signed_and_adopted_by_every_signer_after_the_time_lock():
    c = custody()
    sig = c.change_policy(V2, [1, 2, 3, 4, 5], NOW)
    eff = NOW + POLICY.cooling_off_seconds
    digest = policy_change_digest(POLICY, V2, eff)
    Ed25519PublicKey.from_public_bytes(group()[1].verifying_key.to_bytes()).verify(sig, digest)
    for s in c.signers.values():          # including those who did not sign
        assert s.state.pending.policy == V2 and s.state.pending.effective_at == eff
        assert s.state.policy_at(eff - 1) == POLICY and s.state.policy_at(eff) == V2
    with pytest.raises(PolicyViolation, match="already pending"):
        c.change_policy(Policy.from_dict(doc_v2(name="again")), [1, 2, 3, 4], NOW + 1)


def test_change_needs_the_change_quorum():
    c = custody()
    with pytest.raises(PolicyViolation) as e:
        c.change_policy(V2, [1, 2, 3, 5], NOW)           # only one security officer
    assert e.value.rule == "quorum"
    with pytest.raises(PolicyViolation) as e:
        c.change_policy(Policy.from_dict(doc_v2(version=3)), [1, 2, 3, 4], NOW)
    assert e.value.rule == "policy_version"
    assert all(s.state.pending is None for s in c.signers.values())


def test_a_silent_security_officer_blocks_the_change_and_is_named_unresponsive():
    c = custody()
    kps, pkp, _, _ = group()
    coord = PolicyChangeCoordinator(c.state, pkp, V2, [1, 2, 3, 4], c.keyrings["coordinator"], now=NOW,
                                    announce_to=c.signers)
    c.now = NOW
    sim = Simulator([coord, *c.signers.values()], [Silent(sender=4)])
    sim.run(coord.start())
    assert isinstance(coord.error, ProtocolAbort) and coord.error.culprits == [] and coord.error.unresponsive == [4]


class EarlyChange(PolicyChangeCoordinator):
    """Dishonest: makes the change effective at once, skipping the cooling-off."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.effective_at = self.now
        self.digest = policy_change_digest(self.current, self.new, self.effective_at)


def test_signers_refuse_a_change_without_the_time_lock():
    c = custody()
    c.now = NOW
    coord = EarlyChange(c.state, group()[1], V2, [1, 2, 3, 4], c.keyrings["coordinator"], now=NOW,
                        announce_to=c.signers)
    Simulator([coord, *c.signers.values()]).run(coord.start())
    assert coord.result is None and coord.error.rule == "policy_change"
    assert all(s.state.pending is None for s in c.signers.values())


def test_a_forged_change_announcement_is_not_adopted():
    c = custody()
    c.now = NOW
    s = c.signers[1]
    body = {"policy": V2.to_dict(), "signers": [1, 2, 3, 4], "effective_at": NOW + 86_400,
            "approved_at": NOW, "signature": (b"\x01" * 64).hex()}
    coordinator = c.keyrings["coordinator"]

    def announce(body):
        return coordinator.sign(Message("coordinator", 1, "change_result", json.dumps(body).encode(), b"x"))

    with pytest.raises(ProtocolAbort, match="not adopted") as exc:
        s.receive(announce(body))
    assert exc.value.culprits == ["coordinator"]      # the coordinator signed the bogus announcement
    body["signers"] = [1, 2]
    with pytest.raises(ProtocolAbort, match="not adopted"):
        s.receive(announce(body))
    # unsigned, or signed by anyone else: dropped without an answer, blaming nobody
    assert s.receive(Message("coordinator", 1, "change_result", json.dumps(body).encode(), b"x")) == []
    assert s.receive(c.keyrings[2].sign(Message(2, 1, "change_result", json.dumps(body).encode(), b"x"))) == []
    assert s.state.pending is None


def test_requests_follow_the_new_version_once_effective():
    c = custody()
    c.change_policy(V2, [1, 2, 3, 4], NOW)
    later = NOW + 86_400
    assert c.authorize(req(t=later, version=2, amount=5_000), later, precheck=False).error.rule \
        == "per_transaction_limit"
    auth = c.authorize(req(t=later, version=2, amount=500), later).unwrap()
    assert auth.policy_version == 2 and auth.policy_digest == V2.digest()
