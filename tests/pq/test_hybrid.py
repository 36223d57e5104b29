"""Hybrid threshold authorization (quorum certificate and composite modes) over FROST and
threshold BLS: valid authorizations verify; every bad input raises naming the fault."""
from __future__ import annotations

import dataclasses

import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter, ProtocolAbort, VerificationError
from pqzk.pq import hybrid as H
from pqzk.pq import mldsa

from pqzk.threshold import frost  # noqa: E402 - exists: a skip would hide a broken import
T, N, P = 3, 5, "ML-DSA-44"
MSG = b"transfer 10 BTC to cold storage"


@pytest.fixture(scope="module")
def frost_setup():
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, pub = frost.trusted_dealer_keygen(suite, T, N)
    return H.FrostScheme(suite, pub), kps


@pytest.fixture(scope="module")
def pq_keys():
    return {i: mldsa.keygen(P, seed=bytes([i]) * 32) for i in range(1, N + 1)}


@pytest.fixture(scope="module")
def roster(pq_keys):
    return H.Roster(P, {i: k.public_key for i, k in pq_keys.items()}, T)


@pytest.fixture(scope="module")
def qc(frost_setup, roster, pq_keys):
    scheme, kps = frost_setup
    return H.authorize_quorum(scheme, [kps[1], kps[3], kps[4]], roster, {i: pq_keys[i] for i in (1, 3, 4)}, MSG)


def test_adapters_fit_the_protocol(frost_setup):
    assert isinstance(frost_setup[0], H.ClassicalThresholdScheme)


def test_quorum_certificate_verifies_and_round_trips(frost_setup, roster, qc):
    scheme, _ = frost_setup
    H.verify_quorum(scheme, roster, MSG, qc)
    again = H.QuorumCertificate.from_bytes(qc.to_bytes())
    assert again == qc
    H.verify_quorum(scheme, roster, MSG, again)
    with pytest.raises(InvalidEncoding, match="trailing"):
        H.QuorumCertificate.from_bytes(qc.to_bytes() + b"\x00")
    with pytest.raises(InvalidEncoding, match="truncated"):
        H.QuorumCertificate.from_bytes(qc.to_bytes()[:-1])


def test_quorum_wrong_message_or_group(frost_setup, roster, qc):
    scheme, _ = frost_setup
    with pytest.raises(VerificationError, match="post-quantum signature of signer 1 does not verify"):
        H.verify_quorum(scheme, roster, MSG + b"!", qc)
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    _, other_pub = frost.trusted_dealer_keygen(suite, T, N)
    with pytest.raises(VerificationError, match="does not verify"):
        H.verify_quorum(H.FrostScheme(suite, other_pub), roster, MSG, qc)


def test_quorum_missing_parts(frost_setup, roster, qc):
    scheme, _ = frost_setup
    with pytest.raises(VerificationError, match="missing part: no classical"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, classical_signature=b""))
    with pytest.raises(VerificationError, match="missing part: no post-quantum signatures"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, pq_signatures=()))
    with pytest.raises(VerificationError, match=r"missing part: no post-quantum signature from signer\(s\) \[4\]"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, pq_signatures=qc.pq_signatures[:2]))


def test_quorum_signer_not_on_roster(frost_setup, roster, qc):
    scheme, _ = frost_setup
    outsider = mldsa.keygen(P)
    rep = H.quorum_representative(scheme, roster, (1, 3, 4, 9), MSG)
    forged = (9, mldsa.sign(P, outsider, rep, H.QC_CTX))
    bad = dataclasses.replace(qc, signers=(1, 3, 4, 9), pq_signatures=qc.pq_signatures + (forged,))
    with pytest.raises(VerificationError, match="signer 9 is not on the roster"):
        H.verify_quorum(scheme, roster, MSG, bad)
    with pytest.raises(InvalidParameter, match="signer 9 is not on the roster"):
        H.quorum_sign_share(scheme, roster, (1, 3, 9), 9, outsider, MSG)


def test_quorum_duplicate_signer(frost_setup, roster, qc):
    scheme, _ = frost_setup
    dup = dataclasses.replace(qc, pq_signatures=qc.pq_signatures + (qc.pq_signatures[0],))
    with pytest.raises(VerificationError, match="duplicate signer 1"):
        H.verify_quorum(scheme, roster, MSG, dup)
    with pytest.raises(VerificationError, match="duplicate signer 3"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, signers=(1, 3, 3, 4)))
    with pytest.raises(InvalidParameter, match="duplicate signer 1"):
        H.quorum_sign_share(scheme, roster, (1, 1, 3), 1, mldsa.keygen(P, seed=bytes([1]) * 32), MSG)


def test_quorum_below_threshold(frost_setup, roster, qc, pq_keys):
    scheme, _ = frost_setup
    two = dataclasses.replace(qc, signers=(1, 3), pq_signatures=qc.pq_signatures[:2])
    with pytest.raises(VerificationError, match="only 2 distinct post-quantum signers, below the threshold 3"):
        H.verify_quorum(scheme, roster, MSG, two)
    with pytest.raises(InvalidParameter, match="roster has 2 keys, below the threshold 3"):
        H.Roster(P, {1: pq_keys[1].public_key, 2: pq_keys[2].public_key}, 3)
    with pytest.raises(InvalidParameter, match="same ML-DSA key"):
        H.Roster(P, {1: pq_keys[1].public_key, 2: pq_keys[1].public_key}, 1)
    with pytest.raises(InvalidParameter, match="signer set has 2 signers, below the threshold 3"):
        H.quorum_sign_share(scheme, roster, (1, 3), 1, pq_keys[1], MSG)


def test_quorum_signature_over_another_signer_set(frost_setup, roster, pq_keys, qc):
    """Signer 1's signature made for signer set {1,2,3} does not count in a {1,3,4} certificate."""
    scheme, _ = frost_setup
    _, sig_other_set = H.quorum_sign_share(scheme, roster, (1, 2, 3), 1, pq_keys[1], MSG)
    swapped = ((1, sig_other_set),) + qc.pq_signatures[1:]
    with pytest.raises(VerificationError, match="signer 1 does not verify over this group key, roster, signer set"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, pq_signatures=swapped))
    # and declaring a different signer set than the one signed fails too
    with pytest.raises(VerificationError):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, signers=(1, 3, 4, 5)))


def test_quorum_roster_is_bound(frost_setup, roster, pq_keys, qc):
    scheme, _ = frost_setup
    other = H.Roster(P, dict(roster.keys), 2)          # same keys, lower threshold
    with pytest.raises(VerificationError, match="does not verify"):
        H.verify_quorum(scheme, other, MSG, qc)


def test_quorum_classical_part_required(frost_setup, roster, qc):
    scheme, _ = frost_setup
    bad = bytearray(qc.classical_signature)
    bad[-1] ^= 1
    with pytest.raises(VerificationError, match="classical threshold signature"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, classical_signature=bytes(bad)))
    # a classical signature over the bare message (not the representative) is rejected
    _, kps = frost_setup
    bare = scheme.sign([kps[1], kps[2], kps[3]], MSG)
    with pytest.raises(VerificationError, match="classical threshold signature"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, classical_signature=bare))


@pytest.fixture(scope="module")
def composite(frost_setup):
    scheme, kps = frost_setup
    pk, shares = H.deal_pq_seed(P, T, N)
    auth = H.authorize_composite(scheme, [kps[2], kps[4], kps[5]], pk, [shares[1], shares[3], shares[4]], MSG, T)
    return pk, shares, auth


def test_composite_mode_verifies_and_round_trips(frost_setup, composite):
    scheme, _ = frost_setup
    pk, _, auth = composite
    H.verify_composite(scheme, pk, MSG, auth)
    H.verify_composite(scheme, pk, MSG, H.CompositeAuthorization.from_bytes(auth.to_bytes()))
    assert "redacted" in repr(composite[1][0])


def test_composite_mode_bad_inputs(frost_setup, composite):
    scheme, kps = frost_setup
    pk, shares, auth = composite
    with pytest.raises(VerificationError, match="missing part: no classical"):
        H.verify_composite(scheme, pk, MSG, dataclasses.replace(auth, classical_signature=b""))
    with pytest.raises(VerificationError, match="missing part: no post-quantum"):
        H.verify_composite(scheme, pk, MSG, dataclasses.replace(auth, pq_signature=b""))
    with pytest.raises(VerificationError, match="ML-DSA"):
        H.verify_composite(scheme, pk, MSG + b"!", auth)
    other_pk, _ = H.deal_pq_seed(P, T, N)
    with pytest.raises(VerificationError, match="ML-DSA"):
        H.verify_composite(scheme, other_pk, MSG, auth)
    with pytest.raises(InvalidParameter, match="duplicate signer"):
        H.composite_pq_sign(scheme, pk, [shares[0], shares[0], shares[1]], MSG, T)
    with pytest.raises(InvalidParameter, match="2 seed shares, below the threshold 3"):
        H.composite_pq_sign(scheme, pk, shares[:2], MSG, T)
    wrong = dataclasses.replace(shares[0], value=bytes(32))
    with pytest.raises(ProtocolAbort, match="other than the registered"):
        H.composite_pq_sign(scheme, pk, [wrong, shares[1], shares[2]], MSG, T)
    bad = bytearray(auth.classical_signature)
    bad[0] ^= 1
    with pytest.raises(VerificationError, match="classical threshold signature"):
        H.verify_composite(scheme, pk, MSG, dataclasses.replace(auth, classical_signature=bytes(bad)))


def test_with_threshold_bls(pq_keys, roster):
    from pqzk.threshold import bls
    shares, key = bls.threshold_keygen(T, N)
    scheme = H.ThresholdBlsScheme(key)
    assert isinstance(scheme, H.ClassicalThresholdScheme)
    qc = H.authorize_quorum(scheme, [shares[2], shares[3], shares[5]], roster,
                            {i: pq_keys[i] for i in (2, 3, 5)}, MSG)
    H.verify_quorum(scheme, roster, MSG, qc)
    with pytest.raises(VerificationError, match="classical threshold signature"):
        H.verify_quorum(scheme, roster, MSG, dataclasses.replace(qc, classical_signature=qc.classical_signature[::-1]))
    pk, seed_shares = H.deal_pq_seed(P, T, N)
    auth = H.authorize_composite(scheme, [shares[1], shares[2], shares[4]], pk, seed_shares[:3], MSG, T)
    H.verify_composite(scheme, pk, MSG, auth)
