"""edwards448 prime-order subgroup (RFC 8032 section 5.2): 57-byte point encodings, 57-byte
little-endian scalars (as RFC 9591 FROST(Ed448, SHAKE256) encodes them). Pure Python extended
coordinates from `pqzk.math.ec` (the native core may replace it)."""
from __future__ import annotations

from ..errors import InvalidEncoding
from ..math.ec import EDWARDS448_CURVE as CURVE
from ._pycurve import PyCurveGroup
from .base import Element

P = CURVE.p
L = CURVE.n


# deliberate look-alike of ed25519.py (duplicates): each module's public codec, one line over its CURVE
def encode_xy(x: int, y: int) -> bytes:
    """RFC 8032 point encoding of affine (x, y)."""
    return CURVE.encode_xy(x, y)


def decode_xy(data: bytes) -> tuple[int, int]:
    """RFC 8032 point decoding to affine (x, y): canonical, on the curve; no subgroup check."""
    return CURVE.decode_xy(data, "ed448 point")


class Ed448Group(PyCurveGroup):
    """The edwards448 group of RFC 8032 (cofactor 4), 57-byte encoding (pure Python, or the native core)."""
    # deliberate look-alike of P256Group (duplicates): each PyCurveGroup states its own constants
    name = "ed448"
    msm_vartime_min_terms = 8       # the constant-time per-term path beats the Pippenger below
    curve = CURVE
    order = L
    cofactor = 4
    element_size = 57
    scalar_size = 57
    scalar_byteorder = "little"
    hash_expander = "xof:shake256"
    field_prime = P
    h2c_suite = "edwards448_XOF:SHAKE256_ELL2_RO_"
    native_curve = "ed448"

    def _raw_encode(self, a) -> bytes:
        return encode_xy(*CURVE.to_affine(a))

    def _raw_decode(self, data: bytes):
        x, y = decode_xy(data)
        pt = CURVE.from_affine(x, y)
        if not self.in_prime_subgroup(pt):
            raise InvalidEncoding("ed448 point is not in the prime-order subgroup")
        return pt

    def point_from_xy(self, x: int, y: int) -> Element:
        """Affine (x, y) -> element; checks on-curve and prime-order subgroup."""
        if not CURVE.is_on_curve(x, y):
            raise InvalidEncoding("ed448 point is not on the curve")
        pt = CURVE.from_affine(x, y)
        if not self.in_prime_subgroup(pt):
            raise InvalidEncoding("ed448 point is not in the prime-order subgroup")
        return self._wrap(pt)

    def point_to_xy(self, p: Element) -> tuple[int, int]:
        """The affine coordinates of an element."""
        return CURVE.to_affine(self._unwrap(p))

    def hash_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 edwards448_XOF:SHAKE256_ELL2_RO_."""
        from ._h2c import hash_to_curve_element
        return hash_to_curve_element(self, self.h2c_suite, msg, dst, self._from_cleared_xy)

    def _from_cleared_xy(self, x: int, y: int) -> Element:
        # hash_to_curve output is h_eff·P, in the prime-order subgroup by construction
        if not CURVE.is_on_curve(x, y):
            raise InvalidEncoding("ed448 point is not on the curve")
        return self._wrap(CURVE.from_affine(x, y))


ED448 = Ed448Group()
