"""Shared fixtures for the threshold ECDSA tests: keys made once per curve."""
import functools

from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import ecdsa


@functools.lru_cache(maxsize=None)
def shares(curve: str = "secp256k1", t: int = 2, n: int = 3):
    return ecdsa.keygen_local(curve, t, list(range(1, n + 1)), rng=DeterministicRNG(f"ecdsa-{curve}-{t}-{n}"))
