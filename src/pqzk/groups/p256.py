"""NIST P-256 (FIPS 186-5, SEC 2 secp256r1); SEC1 compressed encoding (33 bytes), big-endian
scalars. Pure Python Jacobian arithmetic from `pqzk.math.ec` (the native core may replace it)."""
from __future__ import annotations

from ..errors import InvalidEncoding
from ..math.ec import P256_CURVE as CURVE
from ..math.field import sqrt_mod
from ._pycurve import PyCurveGroup
from .base import Element

P = CURVE.p
N = CURVE.n


class P256Group(PyCurveGroup):
    """NIST P-256 with SEC1 compressed 33-byte encoding (pure Python, or the native core when built)."""
    # deliberate look-alike of Ed448Group (duplicates): each PyCurveGroup states its own constants
    # (declarative); the behaviour is PyCurveGroup's, shared
    name = "p256"
    msm_vartime_min_terms = 6       # the constant-time per-term path beats the Pippenger below
    curve = CURVE
    order = N
    cofactor = 1
    element_size = 33
    scalar_size = 32
    scalar_byteorder = "big"
    hash_expander = "xmd:sha256"
    field_prime = P
    h2c_suite = "P256_XMD:SHA-256_SSWU_RO_"
    native_curve = "p256"

    def _raw_encode(self, a) -> bytes:
        xy = CURVE.to_affine(a)
        if xy is None:
            raise InvalidEncoding("p256: the identity has no compressed SEC1 encoding")
        x, y = xy
        return bytes([2 | (y & 1)]) + x.to_bytes(32, "big")

    def _raw_decode(self, data: bytes):
        # SEC1 section 2.3.4 (compressed form only)
        if data[0] not in (2, 3):
            raise InvalidEncoding("p256 point must start with 0x02 or 0x03 (compressed SEC1)")
        x = int.from_bytes(data[1:], "big")
        if x >= P:
            raise InvalidEncoding("p256 x-coordinate is not reduced modulo p")
        y = sqrt_mod(CURVE.y_squared(x), P)
        if y is None:
            raise InvalidEncoding("p256 x-coordinate is not on the curve")
        if y & 1 != data[0] & 1:
            y = P - y
        return (x, y, 1)

    def point_from_xy(self, x: int, y: int) -> Element:
        """Affine coordinates -> element (validated on-curve)."""
        if not CURVE.is_on_curve(x, y):
            raise InvalidEncoding("p256 point is not on the curve")
        return self._wrap((x, y, 1))

    def point_to_xy(self, p: Element) -> tuple[int, int]:
        """The affine coordinates of an element; `InvalidEncoding` for the identity."""
        xy = CURVE.to_affine(self._unwrap(p))
        if xy is None:
            raise InvalidEncoding("p256: the identity has no affine coordinates")
        return xy

    def hash_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 P256_XMD:SHA-256_SSWU_RO_."""
        from ._h2c import hash_to_curve_element
        return hash_to_curve_element(self, self.h2c_suite, msg, dst)


P256 = P256Group()
