"""Refresh, reshare and repair of FROST keys (pqzk.sharing underneath), signing after each step."""
from __future__ import annotations

import pytest
from frost_helpers import suite_for

from pqzk.errors import InvalidParameter, ProtocolAbort, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import dkg_with_honest_quorum
from pqzk.threshold import frost
from pqzk.threshold.frost import lifecycle

SUITES = ["ed25519", "ristretto255", "p256", "secp256k1", "secp256k1-tr"]


def _sign_ok(suite, kps, ids, Y, rng, msg=b"lifecycle"):
    sig = frost.sign(suite, [kps[i] for i in ids], msg, rng)
    frost.verify(suite, Y, msg, sig)


@pytest.mark.parametrize("name", SUITES)
def test_refresh_then_sign(name):
    suite = suite_for(name)
    rng = DeterministicRNG(b"refresh" + name.encode())
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    new, npkp = lifecycle.refresh(kps, pkp, rng=rng)
    assert npkp.verifying_key == pkp.verifying_key and npkp.min_signers == 2
    assert all(new[i].signing_share != kps[i].signing_share for i in kps)
    _sign_ok(suite, new, [1, 3], pkp.verifying_key, rng)
    _sign_ok(suite, new, [2, 3], npkp, rng)
    # an old share and a new share do not combine
    with pytest.raises(ProtocolAbort):
        frost.sign(suite, [kps[1], new[2]], b"mixed", rng)
    with pytest.raises(InvalidParameter):
        lifecycle.refresh(kps, pkp, min_signers=3, rng=rng)


@pytest.mark.parametrize("name", SUITES)
def test_reshare_to_new_committee_and_threshold(name):
    suite = suite_for(name)
    rng = DeterministicRNG(b"reshare" + name.encode())
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    new, npkp = lifecycle.reshare([kps[1], kps[3]], pkp, 3, 5, rng=rng)
    assert npkp.verifying_key == pkp.verifying_key and npkp.min_signers == 3 and sorted(new) == [1, 2, 3, 4, 5]
    _sign_ok(suite, new, [2, 4, 5], pkp.verifying_key, rng)
    with pytest.raises(InvalidParameter):        # the new threshold is 3
        frost.sign(suite, [new[1], new[2]], b"two", rng)
    with pytest.raises(InvalidParameter):        # resharing needs the old threshold of holders
        lifecycle.reshare([kps[1]], pkp, 2, 3, rng=rng)
    # and back down to 2-of-4 with other identifiers
    back, bpkp = lifecycle.reshare([new[1], new[3], new[5]], npkp, 2, 4, new_identifiers=[10, 20, 30, 40], rng=rng)
    _sign_ok(suite, back, [20, 40], pkp.verifying_key, rng)


@pytest.mark.parametrize("name", SUITES)
def test_repair_then_sign(name):
    suite = suite_for(name)
    rng = DeterministicRNG(b"repair" + name.encode())
    kps, pkp = frost.trusted_dealer_keygen(suite, 3, 5, rng=rng)
    repaired = lifecycle.repair([kps[1], kps[4], kps[5]], pkp, 2, rng=rng)
    assert repaired == kps[2]
    _sign_ok(suite, {**kps, 2: repaired}, [2, 3, 5], pkp.verifying_key, rng)
    with pytest.raises(InvalidParameter):
        lifecycle.repair([kps[1], kps[4]], pkp, 2, rng=rng)      # below threshold
    # a helper with a wrong share is caught by the commitment check
    bad = frost.KeyPackage(suite, 4, (kps[4].signing_share + 1) % suite.group.order, kps[4].verifying_share,
                           kps[4].verifying_key, 3)
    with pytest.raises(VerificationError):
        lifecycle.repair([kps[1], bad, kps[5]], pkp, 2, rng=rng)


def test_inconsistent_public_key_package_is_refused():
    suite = suite_for("ed25519")
    rng = DeterministicRNG(21)
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 4, rng=rng)
    shares = dict(pkp.verifying_shares)
    shares[4] = shares[3]
    with pytest.raises(VerificationError):
        lifecycle.feldman_commitment(frost.PublicKeyPackage(suite, shares, pkp.verifying_key, 2))


@pytest.mark.parametrize("name", ["ed25519", "secp256k1-tr"])
def test_dkg_then_every_lifecycle_step(name):
    suite = suite_for(name)
    rng = DeterministicRNG(b"cycle" + name.encode())
    kps, pkp, _, _ = dkg_with_honest_quorum(suite, [1, 2, 3, 4], 3, rng=rng)
    Y = pkp.verifying_key
    _sign_ok(suite, kps, [1, 2, 3], Y, rng)
    kps, pkp = lifecycle.refresh(kps, pkp, rng=rng)
    _sign_ok(suite, kps, [2, 3, 4], Y, rng)
    kps, pkp = lifecycle.reshare([kps[1], kps[2], kps[4]], pkp, 2, 3, rng=rng)
    _sign_ok(suite, kps, [1, 3], Y, rng)
    lost = kps.pop(3)
    kps[3] = lifecycle.repair([kps[1], kps[2]], pkp, 3, rng=rng)
    assert kps[3] == lost
    _sign_ok(suite, kps, [2, 3], Y, rng)
