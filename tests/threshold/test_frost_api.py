"""FROST convenience API, serialization, negative paths and properties, for every ciphersuite."""
from __future__ import annotations

import itertools

import pytest
from frost_helpers import ZF_SUITES, suite_for
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, ProtocolAbort, VerificationError
from pqzk.math.poly import lagrange_coefficient
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost
from pqzk.threshold.frost import core
from pqzk.threshold.frost.types import (KeyPackage, PublicKeyPackage, Signature, SignatureShare,
                                        SigningCommitments, SigningNonces)

SUITES = list(ZF_SUITES.values())


def test_ciphersuite_lookup():
    assert set(frost.ciphersuite_names()) == set(SUITES)
    assert frost.get_ciphersuite("ed25519") is frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    assert frost.get_ciphersuite("frost-ristretto255-sha512-v1").group_name == "ristretto255"
    assert frost.get_ciphersuite("secp256k1-tr").is_bip340
    with pytest.raises(InvalidParameter):
        frost.get_ciphersuite("FROST-ED25519-SHA256-v1")
    # ciphersuites are records: equal data, equal suite; a new suite is a new record
    s = frost.get_ciphersuite("p256")
    assert s.H1.kind == "h2f" and s.H1.prefix == b"FROST-P256-SHA256-v1rho"


@pytest.mark.parametrize("name", SUITES)
def test_keygen_sign_verify_every_quorum(name):
    suite = suite_for(name)
    rng = DeterministicRNG(name)
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    assert sorted(kps) == [1, 2, 3] and pkp.identifiers == [1, 2, 3]
    for quorum in itertools.combinations(sorted(kps), 2):
        sig = frost.sign(suite, [kps[i] for i in quorum], b"hello", rng)
        frost.verify(suite, pkp.verifying_key, b"hello", sig)
        frost.verify(suite, pkp, b"hello", sig)
        frost.verify(suite, pkp.verifying_key.to_bytes(), b"hello", sig)
    sig = frost.sign(suite, kps, b"all three", rng)
    frost.verify(suite, pkp.verifying_key, b"all three", sig)
    with pytest.raises(VerificationError):
        frost.verify(suite, pkp.verifying_key, b"hellO", sig)
    other_kps, other = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    with pytest.raises(VerificationError):
        frost.verify(suite, other.verifying_key, b"all three", sig)
    tampered = bytearray(sig)
    tampered[-1] ^= 1   # may break canonical encoding or just the equation
    with pytest.raises((VerificationError, InvalidEncoding)):
        frost.verify(suite, pkp.verifying_key, b"all three", bytes(tampered))
    with pytest.raises(InvalidEncoding):
        frost.verify(suite, pkp.verifying_key, b"all three", sig[:-1])


@pytest.mark.parametrize("name", SUITES)
def test_known_secret_and_below_threshold(name):
    suite = suite_for(name)
    rng = DeterministicRNG(b"t" + name.encode())
    secret = suite.group.random_scalar(rng)
    kps, pkp = frost.trusted_dealer_keygen(suite, 3, 5, secret=secret, rng=rng)
    assert pkp.verifying_key == suite.group.base_mult(secret)
    with pytest.raises(InvalidParameter):
        frost.sign(suite, [kps[1], kps[2]], b"m", rng)
    for bad in ((1, 1), (4, 3), (0, 3)):
        with pytest.raises(InvalidParameter):
            frost.trusted_dealer_keygen(suite, *bad, rng=rng)


def test_signature_from_other_ciphersuite_is_refused():
    ed = suite_for("FROST-ED25519-SHA512-v1")
    ris = suite_for("FROST-RISTRETTO255-SHA512-v1")
    rng = DeterministicRNG(5)
    kps, pkp = frost.trusted_dealer_keygen(ed, 2, 3, rng=rng)
    sig = frost.sign(ed, [kps[1], kps[2]], b"m", rng)
    # same group bytes sizes, different context: decoding or verification must fail
    with pytest.raises((VerificationError, InvalidEncoding)):
        frost.verify(ris, pkp.verifying_key.to_bytes(), b"m", sig)
    k1, p1 = frost.trusted_dealer_keygen("secp256k1", 2, 3, rng=rng)
    sig1 = frost.sign("secp256k1", [k1[1], k1[3]], b"m", rng)
    with pytest.raises((VerificationError, InvalidEncoding)):
        frost.verify("secp256k1-tr", p1.verifying_key, b"m", sig1[1:])


@pytest.mark.parametrize("name", SUITES)
def test_serialization_round_trips_and_strictness(name):
    suite = suite_for(name)
    g = suite.group
    rng = DeterministicRNG(b"ser" + name.encode())
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    kp = kps[2]
    nonces, comm = core.commit(suite, 2, kp.signing_share, rng)
    _, comm3 = core.commit(suite, 3, kps[3].signing_share, rng)
    share = core.sign(suite, 2, kp.signing_share, pkp.verifying_key, nonces, b"m", [comm, comm3])
    sig = Signature.from_bytes(suite, frost.sign(suite, kps, b"m", rng))
    objects = [(KeyPackage, kp), (PublicKeyPackage, pkp), (SigningNonces, nonces),
               (SigningCommitments, comm), (SignatureShare, share), (Signature, sig)]
    big = b"\xff" * g.scalar_size
    for cls, obj in objects:
        data = obj.to_bytes()
        assert cls.from_bytes(suite, data) == obj
        assert cls.from_bytes(suite, data).to_bytes() == data
        for bad in (data[:-1], data + b"\x00", b""):
            with pytest.raises(InvalidEncoding):
                cls.from_bytes(suite, bad)
        with pytest.raises(InvalidParameter, match="must be bytes"):
            cls.from_bytes(suite, "not bytes")
    # zero identifier and non-canonical identifier
    for cls, obj in ((SigningCommitments, comm), (SignatureShare, share), (KeyPackage, kp)):
        data = obj.to_bytes()
        for ident in (bytes(g.scalar_size), big):
            with pytest.raises(InvalidEncoding):
                cls.from_bytes(suite, ident + data[g.scalar_size:])
    # out-of-range scalar in a signature share and in a signature
    with pytest.raises(InvalidEncoding):
        SignatureShare.from_bytes(suite, share.to_bytes()[:g.scalar_size] + big)
    with pytest.raises(InvalidEncoding):
        Signature.from_bytes(suite, sig.to_bytes()[:-g.scalar_size] + big)
    # an element that is not a valid encoding (all 0xff) inside commitments
    ident = comm.to_bytes()[:g.scalar_size]
    with pytest.raises(InvalidEncoding):
        SigningCommitments.from_bytes(suite, ident + b"\xff" * (2 * g.element_size))
    # a key package whose verifying share does not match its signing share
    forged = KeyPackage(suite, 2, kp.signing_share, kps[3].verifying_share, kp.verifying_key, 2)
    with pytest.raises(InvalidEncoding):
        KeyPackage.from_bytes(suite, forged.to_bytes())


def test_secret_types_have_redacted_repr():
    suite = suite_for("secp256k1")
    rng = DeterministicRNG(9)
    kps, _ = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    nonces, _ = core.commit(suite, 1, kps[1].signing_share, rng)
    for obj, secrets_ in ((kps[1], [kps[1].signing_share]), (nonces, [nonces.hiding, nonces.binding])):
        text = repr(obj) + str(obj)
        for s in secrets_:
            assert format(s, "x") not in text and str(s) not in text
        assert "redacted" in text


def test_aggregate_names_the_cheater():
    suite = suite_for("ed25519")
    rng = DeterministicRNG(11)
    kps, pkp = frost.trusted_dealer_keygen(suite, 3, 4, rng=rng)
    signers = [1, 2, 4]
    r1 = {i: core.commit(suite, i, kps[i].signing_share, rng) for i in signers}
    cl = [c for _, c in r1.values()]
    shares = [core.sign(suite, i, kps[i].signing_share, pkp.verifying_key, r1[i][0], b"m", cl) for i in signers]
    shares[1] = SignatureShare(suite, 2, (shares[1].share + 1) % suite.group.order)
    for each in (False, True):
        with pytest.raises(ProtocolAbort) as exc:
            core.aggregate_verified(suite, cl, b"m", pkp.verifying_key, shares, pkp.verifying_shares,
                                    verify_each_share=each)
        assert exc.value.culprits == [2]
    with pytest.raises(ProtocolAbort) as exc:   # a missing share is named too
        core.aggregate_verified(suite, cl, b"m", pkp.verifying_key, shares[:2], pkp.verifying_shares)
    assert exc.value.culprits == [4]
    with pytest.raises(InvalidParameter):   # duplicate commitments are refused
        core.compute_binding_factors(suite, pkp.verifying_key, cl + cl[:1], b"m")


def test_sign_refuses_a_commitment_list_without_its_own_commitment():
    suite = suite_for("secp256k1")
    rng = DeterministicRNG(12)
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    n1, c1 = core.commit(suite, 1, kps[1].signing_share, rng)
    _, c1b = core.commit(suite, 1, kps[1].signing_share, rng)
    _, c2 = core.commit(suite, 2, kps[2].signing_share, rng)
    with pytest.raises(InvalidParameter):
        core.sign(suite, 1, kps[1].signing_share, pkp.verifying_key, n1, b"m", [c1b, c2])
    with pytest.raises(InvalidParameter):
        core.sign(suite, 2, kps[2].signing_share, pkp.verifying_key, n1, b"m", [c1, c2])


@settings(max_examples=20)
@given(ids=st.lists(st.integers(1, 2**64), min_size=2, max_size=6, unique=True), data=st.data())
def test_derive_interpolating_value_matches_lagrange(ids, data):
    suite = frost.get_ciphersuite("secp256k1")
    x = data.draw(st.sampled_from(ids))
    assert core.derive_interpolating_value(suite, ids, x) == lagrange_coefficient(x, ids, suite.group.order)
    with pytest.raises(InvalidParameter):
        core.derive_interpolating_value(suite, ids, max(ids) + 1)


@settings(max_examples=15)
@given(msg=st.binary(max_size=64), seed=st.integers(0, 2**32), name=st.sampled_from(["secp256k1", "secp256k1-tr", "ed25519"]))
def test_any_quorum_any_message_verifies(msg, seed, name):
    suite = suite_for(name)
    rng = DeterministicRNG(seed)
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 4, rng=rng)
    quorum = sorted(set([1 + seed % 4, 1 + (seed // 4) % 4, 4 - seed % 2]))
    if len(quorum) < 2:
        quorum = [1, 2]
    sig = frost.sign(suite, [kps[i] for i in quorum], msg, rng)
    frost.verify(suite, pkp.verifying_key, msg, sig)
    with pytest.raises(VerificationError):
        frost.verify(suite, pkp.verifying_key, msg + b"\x00", sig)


@settings(max_examples=40)
@given(data=st.binary(max_size=200), name=st.sampled_from(["ed25519", "secp256k1-tr", "p256"]))
def test_decoders_fail_only_with_invalid_encoding(data, name):
    """Arbitrary bytes never crash a decoder with anything but InvalidEncoding."""
    from pqzk.runtime.frost_parties import decode_sign_request
    suite = suite_for(name)
    for decode in (lambda d: KeyPackage.from_bytes(suite, d), lambda d: PublicKeyPackage.from_bytes(suite, d),
                   lambda d: SigningNonces.from_bytes(suite, d), lambda d: SigningCommitments.from_bytes(suite, d),
                   lambda d: SignatureShare.from_bytes(suite, d), lambda d: Signature.from_bytes(suite, d),
                   lambda d: decode_sign_request(suite, d)):
        try:
            decode(data)
        except InvalidEncoding:
            pass
    try:
        frost.verify(suite, data[:33] or b"\x00", b"m", data)
    except (InvalidEncoding, VerificationError):
        pass


@pytest.mark.parametrize("name", ["ed25519", "secp256k1-tr"])
def test_custom_large_identifiers(name):
    suite = suite_for(name)
    rng = DeterministicRNG(b"ids")
    ids = [7, 2**64 + 1, suite.group.order - 1]
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng, identifiers=ids)
    assert sorted(kps) == sorted(ids) and pkp.identifiers == sorted(ids)
    sig = frost.sign(suite, [kps[ids[1]], kps[ids[2]]], b"big ids", rng)
    frost.verify(suite, pkp, b"big ids", sig)
    assert PublicKeyPackage.from_bytes(suite, pkp.to_bytes()) == pkp
    with pytest.raises(InvalidParameter):
        frost.trusted_dealer_keygen(suite, 2, 3, rng=rng, identifiers=[1, 1, 2])
