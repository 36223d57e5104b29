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
