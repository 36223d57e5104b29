"""Shared helpers for the FROST tests (not a test module)."""
from __future__ import annotations

from pqzk.threshold import frost

# ZF vector folder -> context string
ZF_SUITES = {
    "ed25519": "FROST-ED25519-SHA512-v1",
    "ristretto255": "FROST-RISTRETTO255-SHA512-v1",
    "ed448": "FROST-ED448-SHAKE256-v1",
    "p256": "FROST-P256-SHA256-v1",
    "secp256k1": "FROST-secp256k1-SHA256-v1",
    "secp256k1-tr": "FROST-secp256k1-SHA256-TR-v1",
}


def suite_for(name: str) -> frost.Ciphersuite:
    """The ciphersuite (all six groups exist: a missing one fails, it is not skipped)."""
    return frost.get_ciphersuite(name)


class QueueRNG:
    """Returns the given byte strings in order (known-answer nonce randomness)."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)

    def __call__(self, n: int) -> bytes:
        out = self.chunks.pop(0)
        assert len(out) == n
        return out


def run_dkg(suite: frost.Ciphersuite, n: int, t: int, rng) -> tuple[dict, list]:
    """All three DKG parts in process for participants 1..n: (key packages by identifier, the
    public key package each participant computed, in identifier order)."""
    from pqzk.threshold.frost import dkg
    s1, p1 = {}, {}
    for i in range(1, n + 1):
        s1[i], p1[i] = dkg.part1(suite, i, n, t, rng)
    s2, to = {}, {}
    for i in s1:
        s2[i], out = dkg.part2(suite, s1[i], {j: p1[j] for j in p1 if j != i}, n, t)
        for j, pkg in out.items():
            to.setdefault(j, {})[i] = pkg
    kps, pkps = {}, []
    for i in s2:
        kps[i], pkp = dkg.part3(suite, s2[i], {j: p1[j] for j in p1 if j != i}, to[i], n, t)
        pkps.append(pkp)
    return kps, pkps
