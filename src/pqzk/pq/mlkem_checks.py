"""The ML-KEM input checks of FIPS 203, done here once for every backend.

§7.2 (encapsulation): the key is 384·k + 32 bytes and every 12-bit coefficient of t̂ is below
q = 3329 (the modulus check: ByteEncode12(ByteDecode12(t̂)) = t̂).
§7.3 (decapsulation): the ciphertext is 32·(du·k + dv) bytes, the key 768·k + 96 bytes, and the
key's stored h equals H(ek) = SHA3-256 of the encapsulation key it embeds (the hash check).
pqzk also applies the §7.2 modulus check to that embedded key, which the re-encryption inside
Decaps would otherwise reject deep inside a backend (kyber-py: a bare ValueError).

Backends differ in which of these they perform and how they fail (ValueError, RuntimeError, a
silently wrong key); with these checks first, a malformed key is an `InvalidEncoding` naming
what is wrong, whichever backend would have run.
"""
from __future__ import annotations

import hashlib

import numpy as np

from ..encoding import as_bytes
from ..errors import InvalidEncoding
from .params import MLKEMParams

Q = 3329


def _k(p: MLKEMParams) -> int:
    return (p.encaps_key_size - 32) // 384


def check_modulus(p: MLKEMParams, t_hat: bytes, what: str) -> None:
    """Every coefficient of ByteDecode12(t_hat) is < q; InvalidEncoding names the first that is not."""
    b = np.frombuffer(t_hat, dtype=np.uint8).astype(np.uint16).reshape(-1, 3)
    coeffs = np.stack([b[:, 0] | ((b[:, 1] & 0x0F) << 8), (b[:, 1] >> 4) | (b[:, 2] << 4)], axis=1).reshape(-1)
    bad = np.flatnonzero(coeffs >= Q)
    if bad.size:
        i = int(bad[0])
        raise InvalidEncoding(f"{p.name} {what} fails the FIPS 203 modulus check: coefficient {i % 256} of "
                              f"t_hat[{i // 256}] is {int(coeffs[i])}, not below q = {Q} "
                              f"({bad.size} such coefficient{'s' if bad.size > 1 else ''})")


def check_encapsulation_key(p: MLKEMParams, ek: object, what: str = "encapsulation key") -> bytes:
    """FIPS 203 §7.2 type and modulus checks; the key as bytes."""
    ek = as_bytes(ek, f"{p.name} {what}")
    if len(ek) != p.encaps_key_size:
        raise InvalidEncoding(f"{p.name} {what} must be {p.encaps_key_size} bytes, got {len(ek)}")
    check_modulus(p, ek[:384 * _k(p)], what)
    return ek


def check_decapsulation_key(p: MLKEMParams, dk: object) -> bytes:
    """FIPS 203 §7.3 type and hash checks, plus the §7.2 checks on the embedded encapsulation key."""
    dk = as_bytes(dk, f"{p.name} decapsulation key")
    if len(dk) != p.decaps_key_size:
        raise InvalidEncoding(f"{p.name} decapsulation key must be {p.decaps_key_size} bytes, got {len(dk)}")
    k = _k(p)
    ek, h = dk[384 * k:768 * k + 32], dk[768 * k + 32:768 * k + 64]
    if hashlib.sha3_256(ek).digest() != h:
        raise InvalidEncoding(f"{p.name} decapsulation key fails the FIPS 203 hash check: "
                              "its stored H(ek) does not match the encapsulation key it embeds")
    check_encapsulation_key(p, ek, "encapsulation key embedded in the decapsulation key")
    return dk


def embedded_encapsulation_key(p: MLKEMParams, dk: bytes) -> bytes:
    """The ek inside a (checked) expanded decapsulation key."""
    k = _k(p)
    return dk[384 * k:768 * k + 32]


def check_ciphertext(p: MLKEMParams, ciphertext: object) -> bytes:
    """FIPS 203 §7.3 ciphertext type check; the ciphertext as bytes."""
    c = as_bytes(ciphertext, f"{p.name} ciphertext")
    if len(c) != p.ciphertext_size:
        raise InvalidEncoding(f"{p.name} ciphertext must be {p.ciphertext_size} bytes, got {len(c)}")
    return c
