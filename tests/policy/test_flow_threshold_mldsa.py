"""The third post-quantum evidence mode of the authorization flow: above the configured amount,
one FIPS 204 signature by the custody's T-of-N threshold ML-DSA committee, made by T of the
FROST signers through the runtime parties, and checked by verify_authorization — on the
interactive path and on the one-round path over preprocessed commitments."""
from __future__ import annotations

import dataclasses
import functools

import pytest
from cryptography.hazmat.primitives.serialization import load_der_public_key
from flow_fixtures import NOW, POLICY, group, req

from pqzk.errors import InvalidEncoding, InvalidParameter, PolicyViolation, ProtocolAbort, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.policy.authorization import PQ_THRESHOLD, Authorization, verify_authorization
from pqzk.policy.coordinator import AuthorizationCoordinator
from pqzk.policy.custody import Custody
from pqzk.policy.messages import THRESHOLD_KINDS, threshold_session
from pqzk.pq import hybrid
from pqzk.runtime import Drop, Kind, Message, Simulator, SimulatorRunner
from pqzk.runtime.adversary import BadResponseTMLDSASigner
from pqzk.runtime.frost_parties import CommitmentPool, FrostPreprocessor
from pqzk.threshold import mldsa as tm


@functools.lru_cache(maxsize=None)
def committee(T=4):
    return tm.trusted_dealer_keygen("ML-DSA-44", T, 5, rng=DeterministicRNG(b"custody-committee-%d" % T))


def custody(T=4, **kw) -> Custody:
    kps, pkp, _, _ = group()
    pub, shares = committee(T)
    kw.setdefault("committee_shares", shares)
    return Custody(POLICY, kps, pkp, committee=pub, rng=DeterministicRNG(b"c"), **kw)


def test_above_the_amount_one_threshold_mldsa_signature_is_attached_and_verified():
    c = custody()
    kps, pkp, _, roster = group()
    pub, _ = committee()
    r = req(amount=25_000)
    out = c.authorize(r, NOW)
    auth = out.unwrap()
    assert auth.pq_mode == PQ_THRESHOLD and not auth.pq_signatures and len(auth.pq_threshold_signature) == 2420
    verify_authorization(auth, r, POLICY, pkp, committee=pub)
    assert Authorization.from_bytes(auth.to_bytes()) == auth
    # the committee's signature is a plain FIPS 204 signature: OpenSSL checks it from the SPKI
    rep = hybrid.threshold_mldsa_representative(hybrid.FrostScheme(pkp.suite, pkp), pub, auth.digest())
    load_der_public_key(pub.mldsa_public_key().to_spki()).verify(auth.pq_threshold_signature, rep,
                                                                 hybrid.THRESHOLD_MLDSA_CTX)
    # the threshold rounds ran in the session derived from the authorization's, after the shares
    kinds = [e.msg.kind for e in out.report.log if e.what == "deliver"]
    first = kinds.index(Kind.TMLDSA_REQUEST)
    assert Kind.AUTH_SHARE in kinds[:first] and Kind.AUTH_SHARE not in kinds[first:]
    delivered = [e.msg for e in out.report.log if e.what == "deliver"]
    auth_session = next(m.session for m in delivered if m.kind == Kind.AUTH_REQUEST)
    assert {m.session for m in delivered if m.kind in THRESHOLD_KINDS} == {threshold_session(auth_session)}
    # every signer verified the announced authorization and counted it
    assert all(s.history.seen(r.request_id) for s in c.signers.values())
    # below the amount: no post-quantum evidence
    assert not c.authorize(req(amount=500), NOW).unwrap().pq


def test_the_verifier_needs_the_committee_and_rejects_tampering():
    c = custody()
    _, pkp, _, roster = group()
    pub, _ = committee()
    r = req(amount=25_000)
    auth = c.authorize(r, NOW).unwrap()
    with pytest.raises(VerificationError, match="committee"):
        verify_authorization(auth, r, POLICY, pkp)
    with pytest.raises(VerificationError, match="requires post-quantum"):
        verify_authorization(dataclasses.replace(auth, pq_threshold_signature=b""), r, POLICY, pkp, committee=pub)
    sig = auth.pq_threshold_signature
    bad = dataclasses.replace(auth, pq_threshold_signature=sig[:-1] + bytes([sig[-1] ^ 1]))
    with pytest.raises(VerificationError, match="committee does not verify"):
        verify_authorization(bad, r, POLICY, pkp, committee=pub)
    other, _ = committee(5)
    with pytest.raises(VerificationError):
        verify_authorization(auth, r, POLICY, pkp, committee=other)
    small, _ = committee(3)                     # T = 3 < the 4 signers this amount requires
    with pytest.raises(VerificationError, match="fewer than"):
        verify_authorization(auth, r, POLICY, pkp, committee=small)
    # the mode is bound into the digest: relabelling as a quorum certificate fails
    qc = dataclasses.replace(auth, pq_threshold_signature=b"", pq_signatures=((1, sig),))
    with pytest.raises(VerificationError):
        verify_authorization(qc, r, POLICY, pkp, roster=roster)


def test_encoding_is_strict():
    auth = custody().authorize(req(amount=25_000), NOW).unwrap()
    data = auth.to_bytes()
    assert data[4] == 2
    with pytest.raises(InvalidEncoding):
        Authorization.from_bytes(data[:4] + b"\x01" + data[5:])          # version 1 with trailing evidence
    with pytest.raises(InvalidEncoding):
        Authorization.from_bytes(data[:-2420 - 4] + (0).to_bytes(4, "big"))   # version 2 with an empty signature
    with pytest.raises(InvalidParameter):
        dataclasses.replace(auth, pq_signatures=((1, b"x"),)).to_bytes()


def test_a_committee_below_the_quorum_is_refused_before_signing():
    out = custody(T=3).authorize(req(amount=25_000), NOW)
    assert out.error.rule == "post_quantum" and "fewer than" in out.error.detail
    kinds = {e.msg.kind for e in out.report.log if e.what == "deliver"}
    assert not kinds, "nobody is asked"


def test_a_signer_without_a_committee_share_refuses():
    _, shares = committee()
    c = custody(committee_shares={i: s for i, s in shares.items() if i != 3})
    out = c.authorize(req(amount=25_000), NOW, candidates=[1, 2, 3, 4])
    assert out.error.rule == "post_quantum"
    assert c.signers[3].refusals[-1][1].rule == "post_quantum"
    assert "no share of the threshold ML-DSA key" in c.signers[3].refusals[-1][1].detail


def test_a_bad_threshold_response_is_attributed():
    c = custody()
    signer = c.signers[1].authorization
    signer.tmldsa = BadResponseTMLDSASigner(signer.tmldsa.share, signer.tmldsa.keyring,
                                            approve=signer._approve_threshold)
    out = c.authorize(req(amount=25_000), NOW)
    assert out.error is not None and out.error.culprits == [1]


def test_a_lost_threshold_message_makes_its_sender_unresponsive():
    c = custody()
    lossy = SimulatorRunner([Drop(sender=2, kind=Kind.TMLDSA_REVEAL)], rng=DeterministicRNG(b"r"))
    out = c.authorize(req(amount=25_000), NOW, runner=lossy)
    assert out.error is not None and out.error.culprits == [] and out.error.unresponsive == [2]


def test_signers_threshold_sign_only_what_they_approved():
    c = custody()
    signer = c.signers[1].authorization
    with pytest.raises(PolicyViolation):
        signer._approve_threshold(b"anything", hybrid.THRESHOLD_MLDSA_CTX, b"some session/threshold-mldsa")
    kps, _, _, _ = group()
    with pytest.raises(InvalidParameter):
        Custody(POLICY, kps, group()[1], committee=None, committee_shares=committee()[1])


def test_threshold_messages_reach_only_a_committee_share():
    """A signer without a committee share treats a signed tmldsa_* message from its coordinator
    as an unexpected kind (blaming the coordinator), and drops one its coordinator did not sign."""
    kps, pkp, _, _ = group()
    c = Custody(POLICY, kps, pkp)
    coord = c.keyrings["coordinator"]
    msg = coord.sign(Message("coordinator", 1, Kind.TMLDSA_REQUEST, b"\x01\x00\x00", b"s/threshold-mldsa"))
    with pytest.raises(ProtocolAbort) as exc:
        c.signers[1].receive(msg)
    assert exc.value.culprits == ["coordinator"]
    assert c.signers[1].receive(dataclasses.replace(msg, signature=b"")) == []


# ---- the one-round path (auth_direct): FROST in one round, then the committee's rounds ----

def _preprocessed(c: Custody, ids):
    pre = FrostPreprocessor(c.pkp.suite, sorted(c.signers), 2, c.keyrings["coordinator"], session=b"pre")
    Simulator([pre, *c.signers.values()]).run(pre.start())
    pool = CommitmentPool()
    pool.add(pre.result)
    return pool.take(ids)


def _direct(c: Custody, r, ids, session: bytes):
    c.now = NOW                                             # the signers' clock
    coord = AuthorizationCoordinator(c.state, c.pkp, r, sorted(c.signers), c.keyrings["coordinator"], now=NOW,
                                     committee=c.committee, session=session, commitments=_preprocessed(c, ids))
    sim = Simulator([coord, *c.signers.values()])
    sim.run(coord.start())
    return coord, sim


def test_one_round_authorization_with_a_committee():
    c = custody()
    pub, _ = committee()
    r = req(amount=25_000)
    coord, sim = _direct(c, r, [1, 2, 3, 4], b"direct-1")
    auth = coord.result
    assert auth is not None and auth.pq_mode == PQ_THRESHOLD
    verify_authorization(auth, r, POLICY, c.pkp, committee=pub)
    kinds = [e.msg.kind for e in sim.log if e.what == "deliver"]
    assert kinds[:4] == [Kind.AUTH_DIRECT] * 4 and kinds[4:8] == [Kind.AUTH_SHARE] * 4
    assert kinds[8] == Kind.TMLDSA_REQUEST and Kind.AUTH_REQUEST not in kinds and Kind.AUTH_SIGN not in kinds
    assert all(c.signers[i].history.seen(r.request_id) for i in (1, 2, 3, 4))     # the signers asked


def test_one_round_with_a_committee_below_the_quorum_is_refused_before_signing():
    c = custody(T=3)
    coord, sim = _direct(c, req(amount=25_000), [1, 2, 3, 4], b"direct-2")
    assert coord.result is None and coord.error.rule == "post_quantum" and "fewer than" in coord.error.detail
    assert not [e for e in sim.log if e.what == "deliver"]
