"""BIP-340 Schnorr signatures over secp256k1: tagged hashes, x-only keys, sign and verify.

The primitives the secp256k1-tr ciphersuite's hooks (`ciphersuite.Bip340Hooks`) and the Taproot
tweak (`taproot`) build on. They know nothing of FROST packages, so the ciphersuite module can
import them without a cycle.
"""
from __future__ import annotations

import hashlib

from ...errors import InvalidEncoding, InvalidParameter, VerificationError
from ...groups import Element, get_group
from ...math.rand import RandomSource, random_bytes

P_FIELD = 2**256 - 2**32 - 977


def tagged_hash(tag: str, data: bytes) -> bytes:
    """BIP-340's tagged hash: SHA-256(SHA-256(tag) ‖ SHA-256(tag) ‖ data)."""
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def lift_x(x: bytes) -> Element:
    """The even-y point with x-coordinate x (BIP-340 lift_x), or InvalidEncoding."""
    if len(x) != 32:
        raise InvalidEncoding(f"x-only key must be 32 bytes, got {len(x)}")
    return get_group("secp256k1").decode(b"\x02" + x)


def bip340_verify(pubkey: bytes, msg: bytes, sig: bytes) -> None:
    """BIP-340 Verify(pk, m, sig); raises VerificationError (or InvalidEncoding for bad sizes)."""
    g = get_group("secp256k1")
    for value, what in ((pubkey, "public key"), (msg, "message"), (sig, "signature")):
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise InvalidEncoding(f"BIP-340 {what} must be bytes, got {type(value).__name__}")
    pubkey, msg, sig = bytes(pubkey), bytes(msg), bytes(sig)
    if len(sig) != 64:
        raise InvalidEncoding(f"BIP-340 signature must be 64 bytes, got {len(sig)}")
    try:
        P = lift_x(bytes(pubkey))
    except InvalidEncoding:
        raise VerificationError("public key is not a valid x-only key") from None
    r = int.from_bytes(sig[:32], "big")
    s = int.from_bytes(sig[32:], "big")
    if r >= P_FIELD or s >= g.order:
        raise VerificationError("signature component out of range")
    e = int.from_bytes(tagged_hash("BIP0340/challenge", sig[:32] + bytes(pubkey) + msg), "big") % g.order
    R = g.base_mult(s) - e * P
    if R.is_identity() or R.to_bytes() != b"\x02" + sig[:32]:
        raise VerificationError("signature does not verify")


def bip340_sign(seckey: int, msg: bytes, aux_rand: bytes | None = None, rng: RandomSource | None = None) -> bytes:
    """BIP-340 Sign (single key); used to run the BIP-340 vectors."""
    g = get_group("secp256k1")
    n = g.order
    if not 0 < seckey < n:
        raise InvalidParameter("secret key out of range")
    a = aux_rand if aux_rand is not None else random_bytes(32, rng)
    P = g.base_mult(seckey)
    d = seckey if P.to_bytes()[0] == 2 else n - seckey
    t = (d ^ int.from_bytes(tagged_hash("BIP0340/aux", a), "big")).to_bytes(32, "big")
    px = P.to_bytes()[1:]
    k0 = int.from_bytes(tagged_hash("BIP0340/nonce", t + px + msg), "big") % n
    if k0 == 0:
        raise InvalidParameter("nonce is zero")
    R = g.base_mult(k0)
    k = k0 if R.to_bytes()[0] == 2 else n - k0
    rx = R.to_bytes()[1:]
    e = int.from_bytes(tagged_hash("BIP0340/challenge", rx + px + msg), "big") % n
    sig = rx + ((k + e * d) % n).to_bytes(32, "big")
    bip340_verify(px, msg, sig)
    return sig


def has_even_y(P: Element) -> bool:
    """secp256k1 elements: SEC1 prefix 0x02 means even y."""
    return P.to_bytes()[0] == 2


def x_only(P: Element) -> bytes:
    """The 32-byte x coordinate of a secp256k1 element (BIP-340 public key / R encoding)."""
    return P.to_bytes()[1:]


__all__ = ["P_FIELD", "tagged_hash", "lift_x", "bip340_verify", "bip340_sign", "has_even_y", "x_only"]
