"""The custody signer's two sides, authorizations and policy changes, composed into the one party a
node runs: routing by kind, one key and nonce store, one view of the policy, one list of refusals."""
import pytest
from flow_fixtures import NOW, POLICY, custody, doc_v2, group, req

from pqzk.errors import InvalidParameter, ProtocolAbort
from pqzk.math.rand import DeterministicRNG
from pqzk.policy import Policy
from pqzk.policy.change_signer import ChangeSigner
from pqzk.policy.messages import AuthRefuse, AuthRequest, ChangeAccept, ChangeRefuse, ChangeRequest
from pqzk.policy.signer import AuthorizationSigner, PolicySigner
from pqzk.runtime.messages import Kind, Message

V2 = Policy.from_dict(doc_v2(limits={"per_transaction": 1_000}))


def key():
    """The version of the group's key the signers hold."""
    return group()[1].key_version()


def custody_at_now():
    c = custody()
    c.now = NOW                     # the signers' clock
    return c


def signed(c, kind, payload, to=1, session=b"s-1"):
    """A message from the coordinator, signed by it."""
    return c.keyrings["coordinator"].sign(Message("coordinator", to, kind, payload, session))


def test_one_party_serves_both_protocols_on_one_core():
    c = custody_at_now()
    s = c.signers[1]
    assert isinstance(s.authorization, AuthorizationSigner) and isinstance(s.change, ChangeSigner)
    assert s.authorization.core is s.change.core and s.id == 1
    # an authorization request goes to the authorization side, a change request to the change side
    (accept,) = s.receive(signed(c, Kind.AUTH_REQUEST, AuthRequest(req(), key()).to_payload(), session=b"a"))
    assert accept.kind == Kind.AUTH_ACCEPT and b"a" in s.authorization.sessions
    (change,) = s.receive(signed(c, Kind.CHANGE_REQUEST, ChangeRequest(V2.to_dict(), key()).to_payload(), session=b"c"))
    assert change.kind == Kind.CHANGE_ACCEPT and b"c" in s.change.changes and b"c" not in s.authorization.sessions
    # both commitments come from the one FROST signer (one nonce store): they differ
    comm = ChangeAccept.from_payload(change.payload, group()[1].suite).commitment
    assert comm != s.authorization.sessions[b"a"].commitment
    assert s.core.frost.nonces is s.authorization.frost.nonces is s.change.frost.nonces


def test_an_adopted_change_is_what_the_authorization_side_evaluates():
    c = custody()
    c.change_policy(V2, [1, 2, 3, 4], NOW)
    later = NOW + POLICY.cooling_off_seconds
    for s in c.signers.values():
        assert s.state is s.authorization.state is s.change.state and s.state.pending.policy == V2
        policy, _ = s.authorization.check(req(t=later, version=2, amount=500), later)
        assert policy == V2


def test_refusals_of_both_sides_are_kept_in_order():
    c = custody_at_now()
    s = c.signers[2]
    (r1,) = s.receive(signed(c, Kind.AUTH_REQUEST, AuthRequest(req(dest="mallory"), key()).to_payload(), to=2))
    (r2,) = s.receive(signed(c, Kind.CHANGE_REQUEST, ChangeRequest(doc_v2(version=3), key()).to_payload(), to=2,
                             session=b"c"))
    assert AuthRefuse.from_payload(r1.payload).rule == "blacklist" and r1.kind == Kind.AUTH_REFUSE
    assert ChangeRefuse.from_payload(r2.payload).rule == "policy_version" and r2.kind == Kind.CHANGE_REFUSE
    assert [v.rule for _, v in s.refusals] == ["blacklist", "policy_version"]
    assert [sess for sess, _ in s.refusals] == [b"s-1", b"c"]


def test_an_invalid_proposed_policy_is_refused_not_blamed():
    c = custody_at_now()
    invalid = ChangeRequest({**doc_v2(), "quorum": {}}, key())
    (out,) = c.signers[1].receive(signed(c, Kind.CHANGE_REQUEST, invalid.to_payload()))
    refusal = ChangeRefuse.from_payload(out.payload)
    assert refusal.rule == "policy_change" and "proposed policy is invalid" in refusal.detail


@pytest.mark.parametrize("kind", [Kind.CHANGE_REQUEST, Kind.AUTH_SIGN, Kind.AUTH_RESULT, Kind.CHANGE_RESULT])
def test_a_malformed_signed_request_names_the_coordinator(kind):
    c = custody()
    with pytest.raises(ProtocolAbort, match=f"{kind} payload: expected exactly the fields") as exc:
        c.signers[1].receive(signed(c, kind, b'{"not":"this"}'))
    assert exc.value.culprits == ["coordinator"]


def test_each_side_alone_serves_only_its_protocol():
    c = custody_at_now()
    s = c.signers[3]
    with pytest.raises(ProtocolAbort, match="unexpected change_request") as exc:
        s.authorization.receive(signed(c, Kind.CHANGE_REQUEST, ChangeRequest(V2.to_dict(), key()).to_payload(), to=3))
    assert exc.value.culprits == ["coordinator"]
    with pytest.raises(ProtocolAbort, match="unexpected auth_request"):
        s.change.receive(signed(c, Kind.AUTH_REQUEST, AuthRequest(req(), key()).to_payload(), to=3))


def test_a_kind_neither_side_serves_blames_only_a_signed_sender():
    c = custody()
    s = c.signers[1]
    with pytest.raises(ProtocolAbort, match="unexpected commitment") as exc:
        s.receive(signed(c, Kind.COMMITMENT, b""))
    assert exc.value.culprits == ["coordinator"]
    # unsigned, or signed by another party: dropped unread, blaming nobody
    assert s.receive(Message("coordinator", 1, Kind.COMMITMENT, b"", b"s")) == []
    assert s.receive(c.keyrings[2].sign(Message(2, 1, Kind.CHANGE_REQUEST, b"{}", b"s"))) == []
    assert [why for _, why in s.rejected] == ["signature does not verify", "from a party outside this session"]


def test_a_signer_needs_a_policy_state():
    kps = group()[0]
    c = custody()
    with pytest.raises(Exception, match="PolicyState"):
        PolicySigner(kps[1], POLICY, c.keyrings[1], clock=lambda: NOW, public_key_package=group()[1])
    assert repr(c.signers[1]) == "PolicySigner(1)" and "redacted" in repr(c.signers[1].core)


# ---- key versions: a signer holding another version of the key refuses, and is blamed for nothing ----
def refreshed():
    from pqzk.threshold.frost.lifecycle import refresh
    kps, pkp = group()[:2]
    return refresh(kps, pkp, rng=DeterministicRNG(b"refreshed"))


def test_a_signer_refuses_requests_for_another_version_of_the_key():
    """After a refresh the group key is the same but the shares are not: a signer one refresh
    ahead of (or behind) the coordinator would produce a share that fails the coordinator's check
    — and the coordinator would blame an honest node. So every request names the key version."""
    c = custody_at_now()
    s = c.signers[1]
    new_kps, new_pkp = refreshed()
    assert new_pkp.verifying_key == group()[1].verifying_key and new_pkp.key_version() != key()
    for kind, body, refusal in [
            (Kind.AUTH_REQUEST, AuthRequest(req(), new_pkp.key_version()), AuthRefuse),
            (Kind.CHANGE_REQUEST, ChangeRequest(V2.to_dict(), new_pkp.key_version()), ChangeRefuse)]:
        (out,) = s.receive(signed(c, kind, body.to_payload(), session=kind.value.encode()))
        assert refusal.from_payload(out.payload).rule == "key_version"
    assert [v.rule for _, v in s.refusals] == ["key_version", "key_version"]
    with pytest.raises(InvalidParameter, match="not the one of this signer's key package"):
        PolicySigner(new_kps[1], c.state, c.keyrings[1], clock=lambda: NOW, public_key_package=group()[1])


def test_a_signer_with_a_refreshed_share_is_refused_not_blamed():
    """The coordinator still holds the old public key package; signer 1 alone holds a refreshed
    share (its refresh finished, the coordinator's view did not follow). It refuses naming the
    rule, and the other signers make the quorum: nobody is blamed."""
    from pqzk.policy.state import PolicyState
    c = custody_at_now()
    new_kps, new_pkp = refreshed()
    ahead = PolicySigner(new_kps[1], PolicyState(POLICY), c.keyrings[1], clock=lambda: NOW, public_key_package=new_pkp)
    out = c.authorize(req(), NOW, signers={1: ahead})
    assert out.allowed and 1 not in out.authorization.signers
    assert out.refusals[1][0] == "key_version"
    # one round, over commitments preprocessed before: it refuses instead of signing a bad share
    from pqzk.policy.coordinator import AuthorizationCoordinator
    from pqzk.runtime import Simulator
    from pqzk.runtime.frost_parties import FrostPreprocessor
    pre = FrostPreprocessor(group()[1].suite, [1, 2, 3], 1, c.keyrings["coordinator"], session=b"pre")
    Simulator([pre, ahead, c.signers[2], c.signers[3]]).run(pre.start())
    coord = AuthorizationCoordinator(c.state, c.pkp, req(), [1, 2, 3, 4, 5], c.keyrings["coordinator"], now=NOW,
                                     session=b"direct", commitments={i: b[0] for i, b in pre.result.items()})
    Simulator([coord, ahead, c.signers[2], c.signers[3]]).run(coord.start())
    assert coord.result is None and coord.error.rule == "key_version" and coord.refusals[1][0] == "key_version"
