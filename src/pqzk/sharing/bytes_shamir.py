"""Shamir secret sharing of byte strings over GF(2^8), one independent polynomial per byte.

Party x gets f_j(x) for every byte position j, where f_j(0) is byte j of the secret. Vectorised
with numpy: a megabyte secret costs a few table passes per share. Identifiers are 1..255.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..math.rand import RandomSource, random_bytes
from . import gf256
from .shamir import share_list


# deliberate look-alike of tokens/recipient.py:RecipientPrivateKey (duplicates): field declarations and a redacted
# repr, no shared logic
@dataclass(frozen=True)
class BytesShare:
    """Party `identifier`'s share of a byte string: as long as the secret. Secret: redacted repr."""

    identifier: int
    value: bytes

    def __repr__(self) -> str:
        return f"BytesShare(identifier={self.identifier}, value=<{len(self.value)} bytes redacted>)"

    __str__ = __repr__

    def to_bytes(self) -> bytes:
        """identifier (one byte) || value."""
        if not 0 < self.identifier < 256:
            raise InvalidParameter("byte-share identifier must be in 1..255")
        return bytes([self.identifier]) + bytes(self.value)

    @classmethod
    def from_bytes(cls, data: bytes) -> "BytesShare":
        """A byte share from its encoding (a nonzero x byte, then the shared bytes)."""
        data = as_bytes(data, "byte share")
        if len(data) < 2:
            raise InvalidEncoding(f"byte share must be at least 2 bytes, got {len(data)}")
        if data[0] == 0:
            raise InvalidEncoding("byte-share identifier is zero")
        return cls(data[0], data[1:])


def _random_stream(n: int, rng: RandomSource | None) -> bytes:
    """n random bytes. With the OS CSPRNG, megabytes come from AES-256-CTR keyed by 32 fresh
    OS-random bytes (a standard CTR-DRBG construction; os.urandom itself is several times slower
    for megabyte requests). An explicit rng is used as is, for reproducibility."""
    if rng is not None or n <= 4096:
        return random_bytes(n, rng)
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key = random_bytes(32)
    enc = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
    return enc.update(bytes(n)) + enc.finalize()


def _check_ids(ids: Sequence[int]) -> list[int]:
    ids = list(ids)
    for x in ids:
        if not isinstance(x, int) or isinstance(x, bool) or not 0 < x < 256:
            raise InvalidParameter(f"byte-share identifier {x!r} must be in 1..255")
    if len(set(ids)) != len(ids):
        raise InvalidParameter("duplicate identifiers")
    return ids


def split_bytes(secret: bytes, threshold: int, num_shares: int, *,
                rng: RandomSource | None = None,
                identifiers: Sequence[int] | None = None) -> list[BytesShare]:
    """`num_shares` shares of `secret`, any `threshold` of which reconstruct it."""
    if not isinstance(secret, (bytes, bytearray, memoryview)) or len(secret) == 0:
        raise InvalidParameter("secret must be non-empty bytes")
    if not isinstance(threshold, int) or not isinstance(num_shares, int) or not 1 <= num_shares <= 255:
        raise InvalidParameter("number of shares must be in 1..255")
    if not 1 <= threshold <= num_shares:
        raise InvalidParameter(f"threshold must be in 1..{num_shares}, got {threshold}")
    ids = _check_ids(range(1, num_shares + 1) if identifiers is None else identifiers)
    if len(ids) != num_shares:
        raise InvalidParameter(f"{len(ids)} identifiers given for {num_shares} shares")
    n = len(secret)
    pad = _random_stream(n * (threshold - 1), rng)
    # f(x) = secret ^ Σ_k x^k · a_k; the products x^k · a_k for all x come from few table passes
    powers = {x: [1] * threshold for x in ids}
    for x in ids:
        for k in range(1, threshold):
            powers[x][k] = gf256.mul(powers[x][k - 1], x)
    acc = {x: np.frombuffer(bytearray(secret), dtype=np.uint8) for x in ids}  # writable buffers
    for k in range(1, threshold):
        prods = gf256.multiples(pad[(k - 1) * n:k * n], [powers[x][k] for x in ids])
        for x in ids:
            gf256.xor_into(acc[x], prods[powers[x][k]])
    return [BytesShare(x, acc[x].tobytes()) for x in ids]


def reconstruct_bytes(shares: Sequence[BytesShare]) -> bytes:
    """The secret from at least `threshold` shares (fewer give unrelated bytes, undetected)."""
    shares = share_list(shares, BytesShare)
    for s in shares:
        if not isinstance(s.value, (bytes, bytearray, memoryview)):
            raise InvalidParameter(f"byte share {s.identifier}: value must be bytes")
    ids = _check_ids([s.identifier for s in shares])
    if len({len(s.value) for s in shares}) != 1:
        raise InvalidParameter("byte shares have different lengths")
    return gf256.interpolate(ids, [bytes(s.value) for s in shares], 0).tobytes()


__all__ = ["BytesShare", "split_bytes", "reconstruct_bytes"]
