"""Every runtime protocol over the network seam: the same parties, each driven by its own
`Driver` over a sealed channel, on the in-process hub with per-link latency — as over NATS."""
from __future__ import annotations

import asyncio

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_der_public_key

from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import (COORDINATOR, BlsCombiner, BlsSigner, FrostCoordinator, FrostSigner, TMLDSACoordinator,
                          TMLDSASigner, generate_keyrings)
from pqzk.runtime.bls_parties import COMBINER
from pqzk.runtime.dkg_parties import DkgParticipant, RefreshParticipant, ReshareParticipant
from pqzk.runtime.repair_parties import RepairParticipant
from pqzk.runtime.sessions import ceremony_outcome
from pqzk.runtime.transports.inprocess import drive
from pqzk.threshold import bls, frost
from pqzk.threshold import mldsa as tm
from pqzk.threshold.frost.ciphersuite import ciphersuite_names

LATENCY = lambda a, b: 0.002        # noqa: E731 - a uniform 2 ms link


def _run(parties, initial=(), start=False):
    return asyncio.run(drive(parties, initial, latency=LATENCY, start=start, timeout=1.0))   # the quiet period: above one Ed448 step on a loaded machine


@pytest.mark.parametrize("suite", ciphersuite_names())
def test_dkg_then_frost_signing_for_every_suite(suite):
    ids = [1, 2, 3]
    rings = generate_keyrings([COORDINATOR, *ids], rng=DeterministicRNG(suite.encode()))
    parties = [DkgParticipant(suite, i, ids, 2, rings[i], session=b"dkg") for i in ids]
    report = _run(parties, start=True)
    res = ceremony_outcome({p.id: p for p in parties}, ids)
    kps, pkp = {i: r[0] for i, r in res.items()}, res[1][1]
    coord = FrostCoordinator(pkp, b"over drivers", [1, 3], rings[COORDINATOR], session=b"sign")
    signers = [FrostSigner(kps[i], rings[i]) for i in (1, 3)]
    _run([coord, *signers], coord.start())
    frost.verify(suite, pkp.verifying_key, b"over drivers", coord.result)
    assert report.refusals == [] and report.frames > 0


def test_refresh_reshare_repair_over_drivers():
    suite = "FROST-ED25519-SHA512-v1"
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"lifecycle"))
    rings = generate_keyrings([1, 2, 3, 4], rng=DeterministicRNG(b"lc"))
    parties = [RefreshParticipant(kps[i], pkp, [1, 2, 3], rings[i], session=b"refresh") for i in (1, 2, 3)]
    _run(parties, start=True)
    res = ceremony_outcome({p.id: p for p in parties}, [1, 2, 3])
    kps, pkp = {i: r[0] for i, r in res.items()}, res[1][1]
    lost = kps.pop(3)
    parties = [RepairParticipant(i, pkp, [1, 2], 3, rings[i], key_package=kps.get(i), session=b"repair")
               for i in (1, 2, 3)]
    _run(parties, start=True)
    assert parties[2].result == lost
    kps[3] = lost
    parties = [ReshareParticipant(i, pkp, 3, {1: 1, 2: 2}, {1: 1, 2: 2, 3: 3, 4: 4}, rings[i],
                                  key_package=kps.get(i), session=b"reshare") for i in (1, 2, 3, 4)]
    _run(parties, start=True)
    res = ceremony_outcome({p.id: p for p in parties}, [1, 2, 3, 4])
    new = {i: r[0] for i, r in res.items()}
    sig = frost.sign(suite, [new[i] for i in (1, 3, 4)], b"m")
    frost.verify(suite, pkp.verifying_key, b"m", sig)


def test_threshold_bls_over_drivers():
    shares, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"bls-drivers"))
    rings = generate_keyrings([COMBINER, 1, 2, 3], rng=DeterministicRNG(b"bls-ids"))
    combiner = BlsCombiner(key, b"m", [1, 2, 3], rings[COMBINER], session=b"bls")
    _run([combiner, *(BlsSigner(shares[i], key, rings[i]) for i in (1, 2, 3))], combiner.start())
    bls.verify(key.group_public_key, b"m", combiner.result)


def test_threshold_ecdsa_over_drivers():
    from pqzk.runtime.ecdsa_parties import EcdsaKeygenParticipant, EcdsaSigner
    from pqzk.threshold.ecdsa import signature as ecdsa_sig
    ids = [1, 2, 3]
    rings = generate_keyrings(ids, rng=DeterministicRNG(b"ecdsa-drivers"))
    parties = [EcdsaKeygenParticipant("secp256k1", i, ids, 2, rings[i], session=b"keygen") for i in ids]
    _run(parties, start=True)
    res = ceremony_outcome({p.id: p for p in parties}, ids)
    shares, public = {i: r[0] for i, r in res.items()}, res[1][1]
    digest = bytes(range(32))
    signers = [EcdsaSigner(shares[i], [1, 3], digest, rings[i], session=b"sign") for i in (1, 3)]
    _run(signers, start=True)
    assert signers[0].result == signers[1].result
    ecdsa_sig.verify("secp256k1", public.key, digest, signers[0].result)      # raises if it does not verify


def test_threshold_mldsa_over_drivers():
    """Threshold ML-DSA (issue: new protocols plug into the same driver): the coordinator and each
    signer driven by its own driver over a sealed channel; the FIPS 204 signature verifies with
    OpenSSL (pyca/cryptography, from the key's SPKI), and not for another message or context."""
    pub, shares = tm.trusted_dealer_keygen("ML-DSA-44", 2, 3, seed=b"tmldsa-over-drivers".ljust(32, b"\0"))
    quorum = [1, 3]
    rings = generate_keyrings([COORDINATOR, *quorum], rng=DeterministicRNG(b"tmldsa-ids"))
    coord = TMLDSACoordinator(pub, b"over drivers", quorum, rings[COORDINATOR], ctx=b"ctx", session=b"tmldsa")
    signers = [TMLDSASigner(shares[i], rings[i], rng=DeterministicRNG(b"mask %d" % i)) for i in quorum]
    report = _run([coord, *signers], coord.start())
    assert coord.error is None and coord.result is not None and coord.rounds >= 1
    assert report.refusals == [] and report.frames >= 6 * coord.rounds
    key = load_der_public_key(pub.mldsa_public_key().to_spki())
    key.verify(coord.result, b"over drivers", b"ctx")                   # raises InvalidSignature otherwise
    for msg, ctx in ((b"over drivers!", b"ctx"), (b"over drivers", b"")):
        with pytest.raises(InvalidSignature):
            key.verify(coord.result, msg, ctx)
