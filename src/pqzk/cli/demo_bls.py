"""Demo chapter: a 3-of-5 threshold BLS signature, checked with the aggregate-signature API."""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..math.rand import random_bytes
from ..threshold import bls
from ..tokens import open_store
from ..tokens.bls import bls_partial_sign, put_bls_share
from .narrate import Narrator


def chapter(n: Narrator) -> None:
    """Demo chapter: threshold BLS key generation by a dealer, partial signatures, combination and
    verification."""
    n.chapter("Threshold BLS (BLS12-381, Ethereum's POP ciphersuite)")
    n.step("Dealer", "creates a BLS key and Feldman-shares it: any 3 of 5 signers can sign")
    shares, key = bls.threshold_keygen(3, 5, rng=n.rng)
    for i in shares:
        n.secret(f"key share {i}", f"signer {i}")
    n.public("group public key (G1, 48 bytes)", key.group_public_key)
    msg = b"rotate custody key 2026-11"
    n.public("message", msg.decode())
    n.step("Signers 1, 2, 4", "each keep their share in a sealed store and unseal it only to sign "
           "H(m): σ_i = sk_i·H(m) in G2")
    with tempfile.TemporaryDirectory() as tmp:
        partials = []
        for i in (1, 2, 4):
            with open_store(f"file:{Path(tmp) / f'signer{i}'}", random_bytes(16, n.rng).hex(), create=True) as store:
                put_bls_share(store, f"bls-{i}", shares[i], key)
                partials.append(bls_partial_sign(store, f"bls-{i}", msg, key))
    n.public("share stores", "one sealed file per signer (Argon2id/scrypt → AES-256-GCM)")
    n.step("Combiner", "interpolates the partials in the exponent and checks the result against the group key "
           "(only if it failed would it check each partial against its signer's verification key, to name the bad one)")
    sig = bls.combine(key, msg, partials)
    n.public("threshold signature (G2, 96 bytes)", sig)
    n.step("Verifier", "aggregates it with an ordinary BLS signature from another key and checks both at once")
    other_sk = bls.keygen(rng=n.rng)
    other_msg = b"co-signed by the auditor"
    agg = bls.aggregate([sig, bls.sign(other_sk, other_msg)])
    n.secret("auditor key", "the auditor")
    bls.aggregate_verify([key.group_public_key, bls.sk_to_pk(other_sk)], [msg, other_msg], agg)
    n.public("aggregate signature (96 bytes)", agg)
    n.ok("aggregate_verify accepts: the threshold signature is an ordinary BLS signature")
