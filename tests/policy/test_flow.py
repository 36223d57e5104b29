"""The authorization flow: policy-checking FROST signers, the coordinator, the Authorization."""
import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flow_fixtures import DOC, NOW, POLICY, custody, doc_v2, group, req

from pqzk.errors import InvalidEncoding, InvalidParameter, PolicyViolation, ProtocolAbort, VerificationError
from pqzk.policy import Policy
from pqzk.policy.authorization import Authorization, verify_authorization
from pqzk.policy.coordinator import AuthorizationCoordinator
from pqzk.policy.messages import AuthSign
from pqzk.policy.signer import PolicySigner
from pqzk.runtime import Drop, Silent, SimulatorRunner
from pqzk.runtime.adversary import WrongShareSigner


def pkp():
    return group()[1]


def roster():
    return group()[3]


# ---- allowed requests ----

def test_allowed_request_gives_an_authorization_verified_by_openssl():
    c = custody()
    r = req(amount=500, dest="bob")
    out = c.authorize(r, NOW)
    auth = out.unwrap()
    assert out.rule == "allowed" and out.refusals == {} and out.missing == []
    assert len(auth.signers) == 3 and not auth.pq
    verify_authorization(auth, r, POLICY, pkp())
    # the FROST signature is an ordinary Ed25519 signature over the authorization digest
    Ed25519PublicKey.from_public_bytes(auth.group_key).verify(auth.signature, auth.digest())
    assert auth.group_key == pkp().verifying_key.to_bytes()
    # the digest binds request, policy version and digest, and the signer set
    assert auth.request_digest == r.digest() and auth.policy_digest == POLICY.digest()
    assert Authorization.from_bytes(auth.to_bytes()) == auth


def test_authorization_does_not_verify_for_anything_else():
    c = custody()
    r = req()
    auth = c.authorize(r, NOW).unwrap()
    other_req = req()
    with pytest.raises(VerificationError, match="another request"):
        verify_authorization(auth, other_req, POLICY, pkp())
    other_policy = Policy.from_dict({**DOC, "name": "other"})
    with pytest.raises(VerificationError, match="another policy"):
        verify_authorization(auth, r, other_policy, pkp())
    with pytest.raises(VerificationError, match="policy version"):
        verify_authorization(auth, r, Policy.from_dict(doc_v2()), pkp())
    bad_sig = bytearray(auth.signature)
    bad_sig[40] ^= 1
    with pytest.raises(VerificationError):
        verify_authorization(dataclasses.replace(auth, signature=bytes(bad_sig)), r, POLICY, pkp())
    # another signer set: the digest changes, the signature no longer matches
    with pytest.raises(VerificationError):
        verify_authorization(dataclasses.replace(auth, signers=(1, 2, 4)), r, POLICY, pkp())
    # a signer set too small for the policy is refused before any signature check
    with pytest.raises(VerificationError, match="signer set"):
        verify_authorization(dataclasses.replace(auth, signers=(1, 2)), r, POLICY, pkp())
    from pqzk.threshold import frost
    _, other_pkp = frost.trusted_dealer_keygen("FROST-ED25519-SHA512-v1", 3, 5)
    with pytest.raises(VerificationError, match="group key"):
        verify_authorization(auth, r, POLICY, other_pkp)
    with pytest.raises(VerificationError):
        verify_authorization(b"not an authorization", r, POLICY, pkp())


def test_authorization_decoding_is_strict():
    auth = custody().authorize(req(), NOW).unwrap()
    data = auth.to_bytes()
    for bad in (b"", data[:-1], data + b"\x00", b"XXXX" + data[4:], data[:4] + b"\x02" + data[5:]):
        with pytest.raises(InvalidEncoding):
            Authorization.from_bytes(bad)
    unsorted = dataclasses.replace(auth, signers=tuple(reversed(auth.signers)))
    with pytest.raises(InvalidEncoding, match="strictly increasing"):
        Authorization.from_bytes(unsorted.to_bytes())
    with pytest.raises(InvalidEncoding):
        Authorization.from_bytes(dataclasses.replace(auth, signers=()).to_bytes())
    with pytest.raises(InvalidEncoding):
        Authorization.from_bytes(dataclasses.replace(auth, pq_signatures=((3, b"a"), (2, b"b"))).to_bytes())
    with pytest.raises(InvalidEncoding):
        Authorization.from_bytes(dataclasses.replace(auth, pq_signatures=((2, b"a"), (2, b"b"))).to_bytes())
    with pytest.raises(InvalidEncoding, match="ASCII"):
        Authorization.from_bytes(dataclasses.replace(auth, suite="FROST-\u00e9").to_bytes())
    with pytest.raises(InvalidEncoding):
        Authorization.from_bytes(dataclasses.replace(auth, signers=(0, 1, 2)).to_bytes())
    huge = bytearray(data)
    at = 5 + 4 + len(auth.suite) + 4 + len(auth.group_key) + 32 + 4 + 32
    huge[at:at + 4] = (2**32 - 1).to_bytes(4, "big")          # signer count far beyond the data
    with pytest.raises(InvalidEncoding, match="truncated"):
        Authorization.from_bytes(bytes(huge))
    with pytest.raises(InvalidParameter, match="must be bytes"):
        Authorization.from_bytes("text")


# ---- every rule, refused by the signers themselves ----

def _spend(c, amount):
    """Authorize `amount` (split in allowed pieces) so that windows fill up."""
    while amount > 0:
        piece = min(amount, 9_000)
        c.authorize(req(amount=piece), NOW - 10).unwrap()
        amount -= piece


@pytest.mark.parametrize("make,rule", [
    (lambda c: req(dest="mallory"), "blacklist"),
    (lambda c: req(dest="eve"), "whitelist"),
    (lambda c: req(amount=50_001), "per_transaction_limit"),
    (lambda c: (_spend(c, 55_000), req(amount=9_000))[1], "window_limit[3600s]"),
    (lambda c: req(t=NOW - 601), "expiry"),
    (lambda c: req(t=NOW + 3_600), "expiry"),
    (lambda c: req(version=2), "policy_version"),
])
def test_each_rule_is_enforced_by_the_signers(make, rule):
    c = custody()
    r = make(c)
    out = c.authorize(r, NOW, precheck=False)      # a coordinator that asks anyway
    assert out.authorization is None
    assert isinstance(out.error, PolicyViolation) and out.error.rule == rule
    assert out.refusals and {v[0] for v in out.refusals.values()} == {rule}
    for i in out.refusals:
        assert c.signers[i].refusals[-1][1].rule == rule
    # with the honest coordinator, the same request is refused before any signer is asked
    honest = c.authorize(r, NOW)
    assert honest.error.rule == rule and honest.report.steps == 0


def test_not_before_time_lock():
    c = custody()
    out = c.authorize(req(t=900), 900, precheck=False)
    assert out.error.rule == "not_before" and len(out.refusals) == 5


def test_signer_with_stricter_view_refuses():
    """Signer 5 holds a policy without 'bob' on the whitelist: it refuses, the others still make a quorum."""
    from pqzk.policy.state import PolicyState
    kps, pk, keys, ros = group()
    strict = Policy.from_dict({**DOC, "destinations": {"whitelist": ["alice"]}})
    c = custody()
    s5 = PolicySigner(kps[5], PolicyState(strict), c.keyrings[5], clock=lambda: NOW, public_key_package=c.pkp)
    out = c.authorize(req(dest="bob"), NOW, candidates=[5, 1, 2, 3], signers={5: s5})
    assert out.allowed and 5 not in out.authorization.signers
    assert out.refusals == {5: ("whitelist", "destination is not on the whitelist")}


# ---- quorums, tiers and roles ----

def test_tiered_quorum_needs_more_signers_and_a_role():
    c = custody()
    big = req(amount=15_000)
    out = c.authorize(big, NOW)
    auth = out.unwrap()
    assert len(auth.signers) == 4 and {3, 4} & set(auth.signers)
    verify_authorization(auth, big, POLICY, pkp())
    # only 'ops' signers available: the count is there, the role is not
    out = c.authorize(req(amount=15_000), NOW, candidates=[1, 2, 5])
    assert out.error.rule == "quorum" and out.authorization is None and out.refusals == {}
    # the order of answers does not matter: the quorum waits for a security signer
    out = c.authorize(req(amount=15_000), NOW, candidates=[1, 2, 3, 5])
    assert out.unwrap().signers == (1, 2, 3, 5)


class SmallSetCoordinator(AuthorizationCoordinator):
    """Dishonest: proceeds with the FROST threshold only, ignoring the policy's tier and roles."""

    def _quorum_met(self, ids):
        return len(ids) >= self.pkp.min_signers


def test_signers_refuse_a_signer_set_below_the_quorum():
    c = custody()
    out = c.authorize(req(amount=15_000), NOW, coordinator_cls=SmallSetCoordinator)
    assert out.authorization is None and out.error.rule == "quorum"
    assert out.signers == [1, 2, 3] and list(out.refusals) == [1]     # the first refusal ends the session
    assert all(c.signers[i].refusals[-1][1].rule == "quorum" for i in out.signers)


class OtherMessageCoordinator(AuthorizationCoordinator):
    """Dishonest: asks the signers to sign a different message than the authorization digest."""

    def _maybe_sign(self):
        out = super()._maybe_sign()
        if self.stage == "signing":
            self.message = b"\x00" * 32
            body = AuthSign(tuple(self.signers), self.message, tuple(self.accepts[i] for i in self.signers))
            out = [self._send(m.recipient, m.kind, body.to_payload()) for m in out]
        return out


def test_signers_refuse_to_sign_anything_but_the_authorization_digest():
    c = custody()
    out = c.authorize(req(), NOW, coordinator_cls=OtherMessageCoordinator)
    assert out.authorization is None
    assert isinstance(out.error, PolicyViolation) and out.error.rule == "signing_request"
    assert out.signers and all(c.signers[i].refusals[-1][1].rule == "signing_request" for i in out.signers)


# ---- post-quantum evidence ----

def test_pq_evidence_required_above_the_amount_and_checked():
    c = custody()
    r = req(amount=25_000)
    auth = c.authorize(r, NOW).unwrap()
    assert auth.pq and [i for i, _ in auth.pq_signatures] == list(auth.signers)
    verify_authorization(auth, r, POLICY, pkp(), roster=roster())
    with pytest.raises(VerificationError, match="roster"):
        verify_authorization(auth, r, POLICY, pkp())
    with pytest.raises(VerificationError, match="requires post-quantum"):
        verify_authorization(dataclasses.replace(auth, pq_signatures=()), r, POLICY, pkp(), roster=roster())
    i, s = auth.pq_signatures[0]
    bad = ((i, s[:-1] + bytes([s[-1] ^ 1])),) + auth.pq_signatures[1:]
    with pytest.raises(VerificationError, match=f"signer {i}"):
        verify_authorization(dataclasses.replace(auth, pq_signatures=bad), r, POLICY, pkp(), roster=roster())
    with pytest.raises(VerificationError, match="missing part"):
        verify_authorization(dataclasses.replace(auth, pq_signatures=auth.pq_signatures[:-1]), r, POLICY, pkp(),
                             roster=roster())
    # below the amount no evidence is attached
    assert not c.authorize(req(amount=19_000), NOW).unwrap().pq


def test_signers_without_ml_dsa_keys_refuse_pq_requests():
    c = custody(pq=False)
    out = c.authorize(req(amount=25_000), NOW)
    assert out.error.rule == "post_quantum" and len(out.refusals) == 5


# ---- replay, old versions, expiry ----

def test_replay_is_refused_by_coordinator_and_signers():
    c = custody()
    r = req()
    c.authorize(r, NOW).unwrap()
    assert c.authorize(r, NOW + 1).error.rule == "replay"
    out = c.authorize(r, NOW + 1, precheck=False)
    assert out.error.rule == "replay" and len(out.refusals) == 5   # even signers that did not sign it


def test_old_policy_version_refused_after_a_change():
    c = custody()
    new = Policy.from_dict(doc_v2(limits={"per_transaction": 1_000}))
    with pytest.raises(PolicyViolation, match="quorum"):
        c.change_policy(new, [1, 2, 3, 5], NOW)        # change quorum needs two 'security' signers
    c.change_policy(new, [1, 2, 3, 4], NOW)
    # before the cooling-off the old version is still the active one
    assert c.authorize(req(amount=5_000), NOW + 10).allowed
    later = NOW + 86_400
    r1 = req(t=later)
    assert c.authorize(r1, later, precheck=False).error.rule == "policy_version"
    r2 = req(t=later, version=2, amount=5_000)
    assert c.authorize(r2, later).error.rule == "per_transaction_limit"
    assert c.authorize(req(t=later, version=2, amount=500), later).allowed


# ---- faults from the runtime ----

def test_a_silent_signer_does_not_block_an_honest_quorum():
    c = custody()
    out = c.authorize(req(amount=15_000), NOW, runner=SimulatorRunner([Silent(sender=3)]))
    auth = out.unwrap()
    assert 3 not in auth.signers and out.missing == [3]
    assert auth.signers == (1, 2, 4, 5)


def test_a_share_dropped_in_round_two_makes_the_signer_unresponsive_and_a_retry_completes():
    """A lost share is not evidence against its signer: unresponsive, not a culprit."""
    c = custody()
    out = c.authorize(req(), NOW, runner=SimulatorRunner([Drop(sender=2, kind="auth_share")]))
    assert isinstance(out.error, ProtocolAbort) and out.error.culprits == [] and out.error.unresponsive == [2]
    retry = c.authorize(req(), NOW, candidates=[1, 3, 4, 5])
    assert 2 not in retry.unwrap().signers


def test_a_wrong_share_is_attributed():
    kps = group()[0]
    c = custody()
    bad = PolicySigner(kps[2], c.state, c.keyrings[2], clock=lambda: NOW, public_key_package=c.pkp,
                       frost_signer=WrongShareSigner(kps[2], c.keyrings[2]))
    out = c.authorize(req(), NOW, signers={2: bad})
    assert isinstance(out.error, ProtocolAbort) and out.error.culprits == [2]


def test_no_quorum_when_too_many_are_silent():
    c = custody()
    silent = SimulatorRunner([Silent(sender=1), Silent(sender=2), Silent(sender=3)])
    out = c.authorize(req(), NOW, runner=silent)
    assert isinstance(out.error, ProtocolAbort) and out.error.culprits == [] and out.error.unresponsive == [1, 2, 3]


def test_signers_count_authorizations_they_did_not_sign():
    """Every signer learns (and verifies) each authorization, so window limits agree."""
    c = custody()
    auth = c.authorize(req(amount=9_000), NOW).unwrap()
    outsider = next(i for i in c.signers if i not in auth.signers)
    assert c.signers[outsider].history.spent_since(0) == 9_000


def test_same_transaction_under_a_new_request_id_is_refused_by_signers():
    c = custody()
    r = req()
    c.authorize(r, NOW).unwrap()
    again = dataclasses.replace(r, request_id=b"\xee" * 16)
    out = c.authorize(again, NOW, precheck=False)
    assert out.error.rule == "replay" and len(out.refusals) == 5
    assert all("transaction" in detail for _, detail in out.refusals.values())


def test_a_refusing_signer_still_counts_what_was_authorized():
    """Signer 5 refused (its clock is later: the request looks expired to it), but once the others
    authorize it, signer 5 verifies the announced authorization and counts it in its window."""
    kps = group()[0]
    c = custody()
    late = PolicySigner(kps[5], c.state, c.keyrings[5], clock=lambda: NOW + 700, public_key_package=c.pkp)
    out = c.authorize(req(amount=9_000), NOW, signers={5: late})
    assert out.allowed and out.refusals == {5: ("expiry", out.refusals[5][1])}
    assert late.history.spent_since(0) == 9_000
