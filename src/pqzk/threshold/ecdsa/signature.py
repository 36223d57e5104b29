"""Standard ECDSA signatures (SEC 1 v2 §4.1) on secp256k1 and P-256: low-s normalized, with the
recovery id, in compact (r || s), recoverable (r || s || v) and DER encodings.

`verify` checks a signature on a 32-byte message digest (the caller hashes: SHA-256 for Bitcoin,
Keccak-256 for Ethereum); `recover` returns the public key from a recoverable signature.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import InvalidEncoding, InvalidParameter, VerificationError
from ...groups import Element, Group, get_group

CURVES = ("secp256k1", "p256")


def curve_group(curve: str) -> Group:
    """The group of a threshold ECDSA curve; `InvalidParameter` for a curve the kit does not run ECDSA on."""
    if curve not in CURVES:
        raise InvalidParameter(f"threshold ECDSA runs on {', '.join(CURVES)}, not {curve!r}")
    return get_group(curve)


def digest_scalar(group: Group, digest: bytes) -> int:
    """bits2int of a 32-byte digest, reduced modulo the order (both curves have 256-bit orders)."""
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
        raise InvalidParameter("ECDSA signs a 32-byte message digest")
    return int.from_bytes(digest, "big") % group.order


@dataclass(frozen=True)
class EcdsaSignature:
    """(r, s) with s <= n/2, and the recovery id v (bit 0: y of R odd; bit 1: x of R >= n)."""
    curve: str
    r: int
    s: int
    recovery_id: int

    def __post_init__(self) -> None:
        n = curve_group(self.curve).order
        if not (0 < self.r < n and 0 < self.s <= n // 2 and 0 <= self.recovery_id <= 3):
            raise InvalidParameter("ECDSA signature out of range (or not low-s)")

    def to_bytes(self) -> bytes:
        """Compact r || s (64 bytes)."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big")

    def to_recoverable(self) -> bytes:
        """r || s || v (65 bytes), the form libsecp256k1's recovery takes."""
        return self.to_bytes() + bytes([self.recovery_id])

    def to_der(self) -> bytes:
        """The signature as DER (SEQUENCE of two INTEGERs), as X.509 and OpenSSL expect."""
        def integer(x: int) -> bytes:
            raw = x.to_bytes((x.bit_length() + 8) // 8, "big")
            return b"\x02" + bytes([len(raw)]) + raw
        body = integer(self.r) + integer(self.s)
        return b"\x30" + bytes([len(body)]) + body

    @classmethod
    def from_bytes(cls, curve: str, data: bytes) -> "EcdsaSignature":
        """Compact (64 bytes; recovery id unknown: 0) or recoverable (65 bytes), strictly."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidParameter(f"ECDSA signature must be bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) not in (64, 65):
            raise InvalidEncoding("ECDSA signature must be 64 or 65 bytes")
        n = curve_group(curve).order
        r, s = int.from_bytes(data[:32], "big"), int.from_bytes(data[32:64], "big")
        v = data[64] if len(data) == 65 else 0
        if not 0 < r < n or not 0 < s <= n // 2 or v > 3:
            raise InvalidEncoding("ECDSA signature: r, s out of range, s not low, or bad recovery id")
        return cls(curve, r, s, v)


def from_nonce_point(curve: str, R: Element, s: int) -> EcdsaSignature:
    """The signature (x(R) mod n, s) normalized to low s, with its recovery id."""
    g = curve_group(curve)
    n = g.order
    x, y = g.point_to_xy(R)
    r = x % n
    if r == 0 or s % n == 0:
        raise VerificationError("degenerate ECDSA signature (r or s is zero)")
    v = (y & 1) | (2 if x >= n else 0)
    if s > n // 2:
        s, v = n - s, v ^ 1
    return EcdsaSignature(curve, r, s, v)


def verify(curve: str, public_key: Element, digest: bytes, sig: EcdsaSignature) -> None:
    """SEC 1 verification; VerificationError if it fails. High s is refused (low-s only)."""
    g = curve_group(curve)
    if sig.curve != curve or public_key.group is not g or public_key.is_identity():
        raise VerificationError("signature, key and curve do not match")
    n = g.order
    z = digest_scalar(g, digest)
    w = pow(sig.s, -1, n)
    R = g.msm_vartime([z * w % n, sig.r * w % n], [g.generator(), public_key])   # public values
    if R.is_identity() or g.point_to_xy(R)[0] % n != sig.r:
        raise VerificationError("ECDSA signature does not verify")


def recover(curve: str, digest: bytes, sig: EcdsaSignature) -> Element:
    """The public key a recoverable signature was made with (SEC 1 §4.1.6)."""
    g = curve_group(curve)
    n, p = g.order, g.field_prime
    x = sig.r + (n if sig.recovery_id & 2 else 0)
    if x >= p:
        raise VerificationError("recovery id names an x beyond the field")
    R = g.decode(bytes([2 | (sig.recovery_id & 1)]) + x.to_bytes(32, "big"))
    z = digest_scalar(g, digest)
    rinv = pow(sig.r, -1, n)
    Q = g.msm_vartime([sig.s * rinv % n, (-z * rinv) % n], [R, g.generator()])
    verify(curve, Q, digest, sig)
    return Q


__all__ = ["CURVES", "EcdsaSignature", "curve_group", "digest_scalar", "from_nonce_point", "verify", "recover"]
