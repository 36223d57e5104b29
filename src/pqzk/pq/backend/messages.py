"""FIPS 204 message formatting every ML-DSA backend builds on: M' (Algorithms 2 and 4, with the
HashML-DSA pre-hash OIDs of §5.4) and μ = H(H(pk) || M') (Algorithm 7, lines 6–7)."""
from __future__ import annotations

import hashlib

from ...errors import InvalidParameter

# FIPS 204 §5.4: pre-hash functions allowed in HashML-DSA, with their DER-encoded OIDs.
_NIST_HASH_ARC = bytes.fromhex("0609608648016503040201")[:-1]   # 06 09 60 86 48 01 65 03 04 02 ..
PREHASH = {
    "SHA2-256": (1, lambda m: hashlib.sha256(m).digest()),
    "SHA2-384": (2, lambda m: hashlib.sha384(m).digest()),
    "SHA2-512": (3, lambda m: hashlib.sha512(m).digest()),
    "SHA2-224": (4, lambda m: hashlib.sha224(m).digest()),
    "SHA3-256": (8, lambda m: hashlib.sha3_256(m).digest()),
    "SHA3-384": (9, lambda m: hashlib.sha3_384(m).digest()),
    "SHA3-512": (10, lambda m: hashlib.sha3_512(m).digest()),
    "SHAKE128": (11, lambda m: hashlib.shake_128(m).digest(32)),
    "SHAKE256": (12, lambda m: hashlib.shake_256(m).digest(64)),
    "SHA2-512/224": (5, lambda m: hashlib.new("sha512_224", m).digest()),
    "SHA2-512/256": (6, lambda m: hashlib.new("sha512_256", m).digest()),
    "SHA3-224": (7, lambda m: hashlib.sha3_224(m).digest()),
}


def prehash_oid_and_digest(prehash: str, message: bytes) -> tuple[bytes, bytes]:
    """The DER OID of a HashML-DSA pre-hash function and PH(M) (FIPS 204 Algorithm 4, lines 10–22)."""
    try:
        last, fn = PREHASH[prehash]
    except KeyError:
        raise InvalidParameter(f"unknown HashML-DSA pre-hash {prehash!r}; expected one of {sorted(PREHASH)}") from None
    return _NIST_HASH_ARC + bytes([last]), fn(message)


def message_prime(message: bytes, ctx: bytes, prehash: str | None) -> bytes:
    """FIPS 204 Algorithms 2/4: M' = 0 || |ctx| || ctx || M, or 1 || |ctx| || ctx || OID || PH(M)."""
    if prehash is None:
        return b"\x00" + bytes([len(ctx)]) + ctx + message
    oid, digest = prehash_oid_and_digest(prehash, message)
    return b"\x01" + bytes([len(ctx)]) + ctx + oid + digest


def mu(public_key: bytes, message_prime: bytes) -> bytes:
    """μ = H(H(pk, 64) || M', 64) (FIPS 204 Algorithm 7, lines 6–7), computed in `fips204.mu_of`."""
    from ..fips204 import mu_of
    return mu_of(public_key, message_prime)


def external_mu(public_key: bytes, message: bytes, ctx: bytes, prehash: str | None) -> bytes:
    """μ of a message signed with ML-DSA.Sign or HashML-DSA.Sign (its M' from `message_prime`)."""
    return mu(public_key, message_prime(message, ctx, prehash))
