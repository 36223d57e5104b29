"""Randomness: the OS CSPRNG by default, an explicit `rng` for reproducible runs.

An `rng` is any callable `rng(n) -> n random bytes`. `DeterministicRNG` is a SHAKE256 stream for
tests and known-answer runs; never use it for real keys.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from ..errors import InvalidParameter

RandomSource = Callable[[int], bytes]


def random_bytes(n: int, rng: RandomSource | None = None) -> bytes:
    """n bytes from `rng`, or from the OS CSPRNG when rng is None."""
    out = (rng or secrets.token_bytes)(n)
    if len(out) != n:
        raise InvalidParameter(f"rng returned {len(out)} bytes, expected {n}")
    return out


def random_scalar(order: int, rng: RandomSource | None = None, *, nonzero: bool = True) -> int:
    """Uniform scalar mod `order` by wide reduction (128 extra bits make the bias negligible)."""
    nbytes = (order.bit_length() + 7) // 8 + 16
    while True:
        k = int.from_bytes(random_bytes(nbytes, rng), "big") % order
        if k or not nonzero:
            return k


class DeterministicRNG:
    """Reproducible byte stream: SHAKE256(seed || counter). For tests and examples only."""

    def __init__(self, seed: bytes | str | int) -> None:
        if isinstance(seed, int):
            if seed < 0:
                raise InvalidParameter("DeterministicRNG seed must be a non-negative integer")
            seed = seed.to_bytes(max(16, (seed.bit_length() + 7) // 8), "big")
        elif isinstance(seed, str):
            seed = seed.encode()
        self._seed = bytes(seed)
        self._counter = 0

    def __call__(self, n: int) -> bytes:
        self._counter += 1
        return hashlib.shake_256(self._seed + self._counter.to_bytes(8, "big")).digest(n)

    def __repr__(self) -> str:
        return "DeterministicRNG(<seed redacted>)"
