"""The custody signer's two sides, authorizations and policy changes, composed into the one party a
node runs: routing by kind, one key and nonce store, one view of the policy, one list of refusals."""
import pytest
from flow_fixtures import NOW, POLICY, custody, doc_v2, group, req

from pqzk.errors import ProtocolAbort
from pqzk.policy import Policy
from pqzk.policy.change_signer import ChangeSigner
from pqzk.policy.messages import AuthRefuse, AuthRequest, ChangeAccept, ChangeRefuse, ChangeRequest
from pqzk.policy.signer import AuthorizationSigner, PolicySigner
from pqzk.runtime.messages import Kind, Message

V2 = Policy.from_dict(doc_v2(limits={"per_transaction": 1_000}))


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
    (accept,) = s.receive(signed(c, Kind.AUTH_REQUEST, AuthRequest(req()).to_payload(), session=b"a"))
    assert accept.kind == Kind.AUTH_ACCEPT and b"a" in s.authorization.sessions
    (change,) = s.receive(signed(c, Kind.CHANGE_REQUEST, ChangeRequest(V2.to_dict()).to_payload(), session=b"c"))
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
    (r1,) = s.receive(signed(c, Kind.AUTH_REQUEST, AuthRequest(req(dest="mallory")).to_payload(), to=2))
    (r2,) = s.receive(signed(c, Kind.CHANGE_REQUEST, ChangeRequest(doc_v2(version=3)).to_payload(), to=2,
                             session=b"c"))
    assert AuthRefuse.from_payload(r1.payload).rule == "blacklist" and r1.kind == Kind.AUTH_REFUSE
    assert ChangeRefuse.from_payload(r2.payload).rule == "policy_version" and r2.kind == Kind.CHANGE_REFUSE
    assert [v.rule for _, v in s.refusals] == ["blacklist", "policy_version"]
    assert [sess for sess, _ in s.refusals] == [b"s-1", b"c"]


def test_an_invalid_proposed_policy_is_refused_not_blamed():
    c = custody_at_now()
    invalid = ChangeRequest({**doc_v2(), "quorum": {}})
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
        s.authorization.receive(signed(c, Kind.CHANGE_REQUEST, ChangeRequest(V2.to_dict()).to_payload(), to=3))
    assert exc.value.culprits == ["coordinator"]
    with pytest.raises(ProtocolAbort, match="unexpected auth_request"):
        s.change.receive(signed(c, Kind.AUTH_REQUEST, AuthRequest(req()).to_payload(), to=3))


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
        PolicySigner(kps[1], POLICY, c.keyrings[1], clock=lambda: NOW)
    assert repr(c.signers[1]) == "PolicySigner(1)" and "redacted" in repr(c.signers[1].core)
