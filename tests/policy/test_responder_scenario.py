"""Detect → respond → recover, end to end in process: a signer corrupts its FROST share, the
signing aborts naming it, the responder quarantines it and proposes a reshare, a quorum approves,
the committee reshares without it, and signing continues with the new shares. The audit log holds
the event and the responses, and replaying it rebuilds the responder."""
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pqzk.errors import PolicyViolation, ProtocolAbort
from pqzk.math.rand import DeterministicRNG
from pqzk.policy import AuthorizationRequest, Policy
from pqzk.policy.audit import AuditLog, records, verify_log
from pqzk.policy.authorization import verify_authorization
from pqzk.policy.custody import Custody
from pqzk.policy.events import events_from_audit_log, events_from_outcome
from pqzk.policy import recover
from pqzk.policy.responder import Responder, replay_log
from pqzk.runtime import dkg_with_honest_quorum
from pqzk.runtime.adversary import Deviant, Deviation

SUITE = "FROST-ED25519-SHA512-v1"
NOW = 1_700_000_000
DOC = {
    "version": 1, "name": "self-correcting treasury",
    "signers": {str(i): {} for i in range(1, 6)},
    "quorum": {"min_signers": 3},
    "responses": {"max_quarantined": 2, "rules": [
        {"on": "protocol_abort", "do": [{"action": "quarantine", "duration_seconds": 7 * 86_400},
                                        {"action": "propose_reshare"}]}]},
}


def request(tag: str, amount: int = 1_000, t: int = NOW, version: int = 1) -> AuthorizationRequest:
    h = hashlib.sha256(tag.encode()).digest()
    return AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), t, version, amount, "alice")


@pytest.fixture(scope="module")
def keys():
    kps, pkp, _, _ = dkg_with_honest_quorum(SUITE, [1, 2, 3, 4, 5], 3, rng=DeterministicRNG(b"respond"))
    return kps, pkp


def test_named_signer_is_quarantined_reshared_out_and_signing_continues(keys, tmp_path):
    kps, pkp = keys
    policy = Policy.from_dict(DOC)
    audit_key = Ed25519PrivateKey.generate()
    db = tmp_path / "audit.db"
    with AuditLog(db, audit_key) as log:
        responder = Responder(policy, key_threshold=pkp.min_signers, now=NOW)
        custody = Custody(policy, kps, pkp, audit=log)

        def journal():
            for body in responder.take_records():
                log.append("note", body)

        # detect: signer 3 flips a bit of its signature share (its 2nd message), re-signed by itself
        cheat = Deviant(custody.signers[3], [Deviation(1, "flip", pos=-3, bit=0)])
        r1 = request("first")
        out = custody.authorize(r1, NOW, candidates=[1, 2, 3], signers={3: cheat})
        assert isinstance(out.error, ProtocolAbort) and out.error.culprits == [3]
        [event] = events_from_outcome(out, requester="payroll", time=NOW, source="coordinator")
        assert event.authenticated and event.parties == (3,)

        # respond: quarantine (3 leaves every signer set) and a reshare proposal
        actions = responder.handle(event, NOW)
        journal()
        assert [a.op for a in actions] == ["quarantine", "propose"]
        effective = responder.effective_policy(NOW)
        assert effective.signers == (1, 2, 4, 5)
        guarded = Custody(effective, kps, pkp, audit=log)
        r2 = request("while quarantined", t=NOW + 10)
        refused = guarded.authorize(r2, NOW + 10, candidates=[1, 2, 3])   # 3 cannot be in a signer set
        assert refused.authorization is None and refused.rule == "quorum" and "[1, 2, 3]" in str(refused.error)
        auth = guarded.authorize(r2, NOW + 10).unwrap()               # the others still sign
        assert 3 not in auth.signers
        verify_authorization(auth, r2, effective, pkp)

        # recover: a quorum without 3 approves the reshare; the committee reshares without it
        proposal = actions[1].response
        with pytest.raises(PolicyViolation):
            responder.approve(proposal, [3, 4, 5], NOW + 20)
        [reshare] = responder.approve(proposal, [1, 2, 4], NOW + 20)
        journal()
        assert reshare.op == "reshare" and reshare.members == (1, 2, 4, 5) and reshare.value == 3
        new_kps, new_pkp = recover.reshare(reshare, kps, pkp, quarantined=responder.quarantined(NOW + 20),
                                           rng=DeterministicRNG(b"reshare"))
        assert sorted(new_kps) == [1, 2, 4, 5] and 3 not in new_pkp.verifying_shares
        assert new_pkp.verifying_key == pkp.verifying_key and new_pkp.key_version() != pkp.key_version()

        # signing continues with the new shares, under the effective policy
        after = Custody(responder.effective_policy(NOW + 30), new_kps, new_pkp, audit=log)
        r3 = request("after the reshare", t=NOW + 30)
        auth = after.authorize(r3, NOW + 30).unwrap()
        verify_authorization(auth, r3, responder.effective_policy(NOW + 30), new_pkp)
        Ed25519PublicKey.from_public_bytes(auth.group_key).verify(auth.signature, auth.digest())
        assert auth.group_key == pkp.verifying_key.to_bytes()

        # the policy then drops signer 3 for good (a time-locked change); the quarantine ends with it
        v2 = {**DOC, "version": 2, "signers": {str(i): {} for i in (1, 2, 4, 5)}}
        v2["responses"] = {**DOC["responses"], "max_quarantined": 1}
        after.change_policy(Policy.from_dict(v2), [1, 2, 4], NOW + 40)
        lifted = responder.rebase(Policy.from_dict(v2), NOW + 40)
        journal()
        assert [(a.op, a.party) for a in lifted] == [("lift", 3)]
        assert responder.effective_policy(NOW + 40) == Policy.from_dict(v2)
        head = log.head()

    verify_log(db, audit_key.public_key().public_bytes_raw(), expect_head=head)
    notes = [r.body for r in records(db) if r.kind == "note" and r.body.get("event") == "responder"]
    caused = next(b for b in notes if b["op"] == "event")
    assert caused["input"]["event"]["parties"] == [3] and caused["input"]["event"]["authenticated"]
    assert caused["actions"][0] == {"op": "quarantine", "response": 1, "party": 3, "until": NOW + 7 * 86_400}
    assert caused["effective"] == effective.digest().hex()
    assert {"authorization", "request", "policy_change"} <= {r.kind for r in records(db)}
    again = replay_log(db, audit_key.public_key().public_bytes_raw())
    assert (again.active, again.proposals, again.seq) == (responder.active, responder.proposals, responder.seq)
    assert again.base == responder.base


def test_node_audit_log_verdicts_are_authenticated_events(tmp_path):
    key = Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes_raw()
    db = tmp_path / "node.db"
    with AuditLog(db, key) as log:
        log.append("note", {"event": "session aborted", "session": "ab", "reason": "bad share",
                            "culprits": ["4"], "unresponsive": ["2"]})
        log.append("note", {"event": "session aborted", "session": "cd", "reason": "timeout",
                            "culprits": [], "unresponsive": ["5"]})
    [event] = events_from_audit_log(db, pub, time=NOW)
    assert event.parties == (4,) and event.authenticated and event.evidence.startswith("record 1 ")
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    [failure] = events_from_audit_log(db, other, time=NOW, party=4)
    assert failure.kind.value == "audit_failure" and failure.parties == (4,) and failure.authenticated
    r = Responder(Policy.from_dict(DOC), key_threshold=3, now=NOW)
    assert r.handle(event, NOW)[0].party == 4
    assert json.loads(json.dumps(event.to_dict())) == event.to_dict()


def test_refresh_and_reshare_helpers(keys):
    from pqzk.errors import InvalidParameter
    from pqzk.policy.responder import Action
    from pqzk.runtime.sessions import run_signing
    from pqzk.threshold.frost import verify
    kps, pkp = keys
    new_kps, new_pkp = recover.refresh(kps, pkp, rng=DeterministicRNG(b"refresh"))
    assert new_pkp.verifying_key == pkp.verifying_key and new_pkp.key_version() != pkp.key_version()
    assert all(new_kps[i].signing_share != kps[i].signing_share for i in kps)
    sig, _ = run_signing(new_kps, new_pkp, b"after a refresh", [2, 4, 5])
    verify(new_pkp.suite, new_pkp, b"after a refresh", sig)
    with pytest.raises(InvalidParameter, match="'reshare' action"):
        recover.reshare(Action("refresh"), kps, pkp)
    with pytest.raises(InvalidParameter, match="2 holders can deal"):
        recover.reshare(Action("reshare", 1, parties=(3,), members=(1, 2, 4, 5), value=3), kps, pkp,
                        quarantined=[4, 5])
    v2 = recover.policy_without(Policy.from_dict(DOC), [3])
    assert v2.version == 2 and v2.signers == (1, 2, 4, 5) and v2.responses.max_quarantined == 1


def test_culprits_of_any_ceremony_feed_the_responder():
    """A DKG participant with a bad proof of knowledge: the ceremony's abort names it, and the
    responder acts on that verdict as on a signing's."""
    from pqzk.policy.events import Event
    from pqzk.runtime.adversary import BadProofParticipant
    from pqzk.runtime.sessions import dkg_outcome, run_dkg
    parties, _ = run_dkg(SUITE, [1, 2, 3, 4, 5], 3, adversaries={4: BadProofParticipant},
                         rng=DeterministicRNG(b"dkg"))
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, [1, 2, 3, 5])
    assert exc.value.culprits == [4]
    r = Responder(Policy.from_dict(DOC), key_threshold=3, now=NOW)
    event = Event.from_abort(exc.value, time=NOW, source="ceremony coordinator", ceremony="dkg")
    assert event.subject == "dkg" and event.parties == (4,)
    assert [a.op for a in r.handle(event, NOW)] == ["quarantine", "propose"] and r.quarantined() == [4]
