"""Edge cases a byte fuzzer does not reach: identity keys, empty and repeated signer sets,
identifiers outside the scalar field, wrong argument types, counts that do not fit the format."""
from __future__ import annotations

import pytest
from frost_helpers import ZF_SUITES, suite_for

from pqzk.errors import InvalidEncoding, InvalidParameter, ProtocolAbort, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost
from pqzk.threshold.frost import core
from pqzk.threshold.frost.types import KeyPackage, PublicKeyPackage, Signature

NAMES = sorted(ZF_SUITES.values())


def _keys(name, seed=b"review"):
    suite = suite_for(name)
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(seed))
    return suite, kps, pkp


@pytest.mark.parametrize("name", NAMES)
def test_identity_group_key_is_refused_not_forgeable(name):
    # with PK = identity, (R = z·G, z) would satisfy z·G == R + c·PK for every message
    suite = suite_for(name)
    g = suite.group
    R = g.base_mult(7)
    if suite.is_bip340 and R.to_bytes()[0] != 2:
        R = -R
        forged = Signature(suite, R, g.order - 7)
    else:
        forged = Signature(suite, R, 7)
    with pytest.raises(VerificationError, match="identity"):
        core.verify_signature(suite, b"any message", forged, g.identity())
    with pytest.raises(VerificationError, match="identity"):
        frost.verify(suite, g.identity(), b"any message", forged)


@pytest.mark.parametrize("name", ["FROST-ED25519-SHA512-v1", "FROST-secp256k1-SHA256-v1"])
def test_identity_verifying_share_is_refused(name):
    suite, kps, pkp = _keys(name)
    signers = [kps[1], kps[2]]
    round1 = [core.commit(suite, kp.identifier, kp.signing_share, DeterministicRNG(b"n")) for kp in signers]
    cl = [c for _, c in round1]
    share = core.sign(suite, 1, kps[1].signing_share, pkp.verifying_key, round1[0][0], b"m", cl)
    with pytest.raises(VerificationError, match="identity"):
        core.verify_signature_share(suite, 1, suite.group.identity(), cl[0], share, cl,
                                    pkp.verifying_key, b"m")


@pytest.mark.parametrize("name", ["FROST-ED25519-SHA512-v1", "FROST-secp256k1-SHA256-TR-v1"])
def test_empty_signer_set_is_an_invalid_parameter(name):
    suite, _, pkp = _keys(name)
    with pytest.raises(InvalidParameter, match="no signers"):
        core.aggregate(suite, [], b"m", pkp.verifying_key, [])
    with pytest.raises(InvalidParameter, match="no signers"):
        core.aggregate_verified(suite, [], b"m", pkp.verifying_key, [], pkp.verifying_shares)
    with pytest.raises(InvalidParameter, match="no signers"):
        frost.sign(suite, [], b"m")


def test_repeated_signature_share_names_the_repeater():
    suite, kps, pkp = _keys("FROST-ED25519-SHA512-v1")
    rng = DeterministicRNG(b"r")
    round1 = {i: core.commit(suite, i, kps[i].signing_share, rng) for i in (1, 2)}
    cl = [c for _, c in round1.values()]
    shares = [core.sign(suite, i, kps[i].signing_share, pkp.verifying_key, round1[i][0], b"m", cl)
              for i in (1, 2)]
    with pytest.raises(ProtocolAbort) as exc:
        core.aggregate_verified(suite, cl, b"m", pkp.verifying_key, shares + [shares[0]],
                                pkp.verifying_shares)
    assert exc.value.culprits == [1]


def test_duplicate_key_packages_are_named_as_duplicates():
    suite, kps, _ = _keys("FROST-ED25519-SHA512-v1")
    with pytest.raises(InvalidParameter, match="duplicate signer identifiers: \\[1\\]"):
        frost.sign(suite, [kps[1], kps[1]], b"m")


@pytest.mark.parametrize("bad", [0, -1, "order", "order+1"])
def test_interpolating_value_refuses_identifiers_outside_the_field(bad):
    suite = suite_for("FROST-ED25519-SHA512-v1")
    q = suite.group.order
    x = {"order": q, "order+1": q + 1}.get(bad, bad)
    with pytest.raises(InvalidParameter, match="not a non-zero scalar"):
        core.derive_interpolating_value(suite, [x, 2, 3], 2)


@pytest.mark.parametrize("msg", ["text", None, 5])
def test_verify_refuses_a_non_bytes_message(msg):
    suite, kps, pkp = _keys("FROST-ED25519-SHA512-v1")
    sig = frost.sign(suite, kps, b"m", rng=DeterministicRNG(b"s"))
    with pytest.raises(InvalidParameter, match="message must be bytes"):
        frost.verify(suite, pkp, msg, sig)


def test_verify_accepts_memoryview_key_and_message():
    suite, kps, pkp = _keys("FROST-ED25519-SHA512-v1")
    sig = frost.sign(suite, kps, b"m", rng=DeterministicRNG(b"s"))
    frost.verify(suite, memoryview(pkp.verifying_key.to_bytes()), memoryview(b"m"), sig)
    with pytest.raises(VerificationError):
        frost.verify(suite, memoryview(pkp.verifying_key.to_bytes()), memoryview(b"M"), sig)


def test_counts_that_do_not_fit_the_format_are_refused_at_encoding():
    suite, kps, pkp = _keys("FROST-ED25519-SHA512-v1")
    kp = kps[1]
    big = KeyPackage(suite, kp.identifier, kp.signing_share, kp.verifying_share, kp.verifying_key, 2**16)
    with pytest.raises(InvalidParameter, match="min_signers"):
        big.to_bytes()
    with pytest.raises(InvalidParameter, match="min_signers"):
        PublicKeyPackage(suite, pkp.verifying_shares, pkp.verifying_key, -1).to_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_tampered_public_key_package_is_refused_at_decoding(name):
    suite = suite_for(name)
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 4, rng=DeterministicRNG(b"pkp"))
    g = suite.group
    assert PublicKeyPackage.from_bytes(suite, pkp.to_bytes()) == pkp
    other = g.base_mult(12345)
    for i in pkp.identifiers:   # any one share replaced by another valid element
        shares = {**pkp.verifying_shares, i: other}
        forged = PublicKeyPackage(suite, shares, pkp.verifying_key, 2).to_bytes()
        with pytest.raises(InvalidEncoding, match="not consistent"):
            PublicKeyPackage.from_bytes(suite, forged)
    forged = PublicKeyPackage(suite, pkp.verifying_shares, other, 2).to_bytes()
    with pytest.raises(InvalidEncoding, match="not consistent"):
        PublicKeyPackage.from_bytes(suite, forged)
    # a lower min_signers than the polynomial's degree needs does not decode either
    forged = PublicKeyPackage(suite, pkp.verifying_shares, pkp.verifying_key, 1).to_bytes()
    with pytest.raises(InvalidEncoding):
        PublicKeyPackage.from_bytes(suite, forged)


@pytest.mark.parametrize("name", ["FROST-ED25519-SHA512-v1", "FROST-P256-SHA256-v1"])
def test_non_canonical_scalars_in_objects_do_not_verify(name):
    """z + q is the same residue: a Signature / signature share object carrying it was accepted
    (only the byte decoders checked the range)."""
    suite, kps, pkp = _keys(name)
    q = suite.group.order
    sig = Signature.from_bytes(suite, frost.sign(suite, kps, b"m", rng=DeterministicRNG(b"z")))
    core.verify_signature(suite, b"m", sig, pkp.verifying_key)
    with pytest.raises(VerificationError, match="canonical"):
        core.verify_signature(suite, b"m", Signature(suite, sig.R, sig.z + q), pkp.verifying_key)
    rng = DeterministicRNG(b"zz")
    round1 = {i: core.commit(suite, i, kps[i].signing_share, rng) for i in (1, 2)}
    cl = [c for _, c in round1.values()]
    share = core.sign(suite, 1, kps[1].signing_share, pkp.verifying_key, round1[1][0], b"m", cl)
    core.verify_signature_share(suite, 1, kps[1].verifying_share, cl[0], share, cl, pkp.verifying_key, b"m")
    with pytest.raises(VerificationError, match="canonical"):
        core.verify_signature_share(suite, 1, kps[1].verifying_share, cl[0], share.share + q, cl,
                                    pkp.verifying_key, b"m")
