"""Demo chapter: a 3-of-5 threshold BLS signature, checked with the aggregate-signature API."""
from __future__ import annotations

from ..threshold import bls
from .narrate import Narrator


def chapter(n: Narrator) -> None:
    n.chapter("Threshold BLS (BLS12-381, Ethereum's POP ciphersuite)")
    n.step("Dealer", "creates a BLS key and Feldman-shares it: any 3 of 5 signers can sign")
    shares, key = bls.threshold_keygen(3, 5)
    for i in shares:
        n.secret(f"key share {i}", f"signer {i}")
    n.public("group public key (G1, 48 bytes)", key.group_public_key)
    msg = b"rotate custody key 2026-11"
    n.public("message", msg.decode())
    n.step("Signers 1, 2, 4", "each sign H(m) with their share: σ_i = sk_i·H(m) in G2")
    partials = [bls.partial_sign(shares[i], msg) for i in (1, 2, 4)]
    n.step("Combiner", "checks each partial against the signer's verification key, then interpolates")
    sig = bls.combine(key, msg, partials)
    n.public("threshold signature (G2, 96 bytes)", sig)
    n.step("Verifier", "aggregates it with an ordinary BLS signature from another key and checks both at once")
    other_sk = bls.keygen()
    other_msg = b"co-signed by the auditor"
    agg = bls.aggregate([sig, bls.sign(other_sk, other_msg)])
    n.secret("auditor key", "the auditor")
    bls.aggregate_verify([key.group_public_key, bls.sk_to_pk(other_sk)], [msg, other_msg], agg)
    n.public("aggregate signature (96 bytes)", agg)
    n.ok("aggregate_verify accepts: the threshold signature is an ordinary BLS signature")
