"""edwards25519 prime-order subgroup (RFC 8032 encoding) on libsodium through PyNaCl.

Raw points are their canonical 32-byte RFC 8032 encodings; the identity is (0, 1), encoded
0x01 00..00. libsodium refuses the identity as an input or result of scalar multiplication, so
the identity is handled here and every operation is total. Scalars are 32 bytes little-endian.
"""
from __future__ import annotations

from collections.abc import Sequence

from nacl import bindings as _nacl

from .. import _native
from ..errors import InvalidEncoding
from ..math.ec import EDWARDS25519_CURVE as CURVE
from .base import Element, Group

P = CURVE.p
L = CURVE.n
IDENTITY = b"\x01" + bytes(31)
_G = _nacl.crypto_scalarmult_ed25519_base_noclamp((1).to_bytes(32, "little"))

_add = _nacl.crypto_core_ed25519_add
_mul = _nacl.crypto_scalarmult_ed25519_noclamp
_base_mul = _nacl.crypto_scalarmult_ed25519_base_noclamp
_is_valid = _nacl.crypto_core_ed25519_is_valid_point


# deliberate look-alike of ed448.py (duplicates): each module's public codec, one line over its CURVE
def encode_xy(x: int, y: int) -> bytes:
    """RFC 8032 point encoding of affine (x, y)."""
    return CURVE.encode_xy(x, y)


def decode_xy(data: bytes) -> tuple[int, int]:
    """RFC 8032 point decoding to affine (x, y): canonical, on the curve; no subgroup check."""
    return CURVE.decode_xy(data, "ed25519 point")


class Edwards25519Arithmetic(Group):
    """Raw arithmetic on canonical encodings of prime-order-subgroup points, via libsodium
    (shared by ed25519 and ristretto255, whose elements are represented by the unique
    prime-order member of their coset)."""

    order = L
    element_size = 32
    msm_vartime_min_terms = 16      # the constant-time Straus (msm) beats the Pippenger below

    @property
    def msm_is_sublinear(self) -> bool:  # type: ignore[override]
        """msm is the native Straus (a quarter of a multiplication per term) when built."""
        return _native.available()
    scalar_size = 32
    scalar_byteorder = "little"
    hash_expander = "xmd:sha512"
    field_prime = P

    def _raw_identity(self) -> bytes:
        return IDENTITY

    def _raw_generator(self) -> bytes:
        return _G

    def _raw_add(self, a: bytes, b: bytes) -> bytes:
        if a == IDENTITY:
            return b
        if b == IDENTITY:
            return a
        return _add(a, b)

    def _raw_neg(self, a: bytes) -> bytes:
        # -(x, y) = (-x, y): flip the sign bit (x != 0 for every subgroup point but the identity)
        if a == IDENTITY:
            return a
        return a[:31] + bytes([a[31] ^ 0x80])

    def _raw_mul(self, k: int, a: bytes) -> bytes:
        if k == 0 or a == IDENTITY:
            return IDENTITY
        return _mul(k.to_bytes(32, "little"), a)

    def _raw_base_mul(self, k: int) -> bytes:
        if k == 0:
            return IDENTITY
        return _base_mul(k.to_bytes(32, "little"))

    def _raw_eq(self, a: bytes, b: bytes) -> bool:
        return a == b

    def _raw_is_identity(self, a: bytes) -> bool:
        return a == IDENTITY

    def _raw_key(self, a: bytes) -> bytes:
        return a

    def _raw_msm(self, scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
        """Constant time in the scalars: native Straus (fixed windows, full table scans), or one
        libsodium multiplication per term without the extension."""
        if _native.available():
            from ._native_curves import edwards25519_msm
            return edwards25519_msm(scalars, points)
        acc = IDENTITY
        for k, p in zip(scalars, points):
            if k and p != IDENTITY:
                acc = self._raw_add(acc, _mul(k.to_bytes(32, "little"), p))
        return acc

    def _raw_msm_vartime(self, scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
        """Pippenger on the RFC 8032 encodings in native/curves.c (variable time: public inputs
        only); the result is the canonical encoding, as libsodium would return it."""
        if not _native.available():
            return self._raw_msm(scalars, points)
        from ._native_curves import edwards25519_msm_vartime
        return edwards25519_msm_vartime(scalars, points)


class Ed25519(Edwards25519Arithmetic):
    """The edwards25519 group of RFC 8032 (cofactor 8), with its standard 32-byte encoding."""
    name = "ed25519"
    cofactor = 8
    h2c_suite = "edwards25519_XMD:SHA-512_ELL2_RO_"

    def _raw_encode(self, a: bytes) -> bytes:
        return a

    def _raw_decode(self, data: bytes) -> bytes:
        if data == IDENTITY:
            return IDENTITY
        if _is_valid(data):  # canonical, on curve, not small order, in the prime-order subgroup
            return data
        decode_xy(data)  # raises with the precise reason when it is a format/curve problem
        raise InvalidEncoding("ed25519 point is not in the prime-order subgroup (small order or torsion component)")

    # ---- affine access (hash-to-curve, protocols that need coordinates) ----
    def point_from_xy(self, x: int, y: int) -> Element:
        """Affine (x, y) -> element; checks on-curve and prime-order subgroup."""
        if not CURVE.is_on_curve(x, y):
            raise InvalidEncoding("ed25519 point is not on the curve")
        return self.decode(encode_xy(x, y), allow_identity=True)

    def point_to_xy(self, p: Element) -> tuple[int, int]:
        """The affine coordinates of an element."""
        return decode_xy(self._unwrap(p))

    def hash_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 edwards25519_XMD:SHA-512_ELL2_RO_."""
        from ._h2c import hash_to_curve_element
        return hash_to_curve_element(self, self.h2c_suite, msg, dst)


ED25519 = Ed25519()
