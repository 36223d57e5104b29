"""secp256k1 (SEC 2) on libsecp256k1 through coincurve; SEC1 compressed encoding (33 bytes).

Raw points are `coincurve.PublicKey` objects, and None for the identity (libsecp256k1 has no
representation for the point at infinity).
"""
from __future__ import annotations

from collections.abc import Sequence

import coincurve

from .. import _native
from ..errors import InvalidEncoding
from .base import Group

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_G = coincurve.PublicKey.from_secret((1).to_bytes(32, "big"))


class Secp256k1(Group):
    """secp256k1 with SEC1 compressed 33-byte encoding, on libsecp256k1 (coincurve) and the native core."""
    name = "secp256k1"
    order = N
    cofactor = 1
    element_size = 33
    scalar_size = 32
    scalar_byteorder = "big"
    msm_vartime_min_terms = 24       # libsecp256k1 per term beats the native Pippenger below
    hash_expander = "xmd:sha256"
    field_prime = P
    h2c_suite = "secp256k1_XMD:SHA-256_SSWU_RO_"

    def _raw_identity(self):
        return None

    def _raw_generator(self):
        return _G

    def _raw_add(self, a, b):
        if a is None:
            return b
        if b is None:
            return a
        try:
            return coincurve.PublicKey.combine_keys([a, b])
        except ValueError:  # a == -b: the sum is the point at infinity
            return None

    def _raw_neg(self, a):
        if a is None:
            return None
        enc = a.format(compressed=True)
        return coincurve.PublicKey(bytes([enc[0] ^ 1]) + enc[1:])

    def _raw_mul(self, k, a):
        if a is None or k == 0:
            return None
        return a.multiply(k.to_bytes(32, "big"))

    def _raw_base_mul(self, k):
        if k == 0:
            return None
        return coincurve.PublicKey.from_valid_secret(k.to_bytes(32, "big"))

    def _raw_eq(self, a, b):
        if a is None or b is None:
            return a is b
        return a.format() == b.format()

    def _raw_is_identity(self, a):
        return a is None

    def _raw_encode(self, a):
        if a is None:
            raise InvalidEncoding("secp256k1: the identity has no compressed SEC1 encoding")
        return a.format(compressed=True)

    def _raw_decode(self, data):
        if data[0] not in (2, 3):
            raise InvalidEncoding("secp256k1 point must start with 0x02 or 0x03 (compressed SEC1)")
        if int.from_bytes(data[1:], "big") >= P:
            raise InvalidEncoding("secp256k1 x-coordinate is not reduced modulo p")
        try:
            return coincurve.PublicKey(data)
        except ValueError:
            raise InvalidEncoding("secp256k1 x-coordinate is not on the curve") from None

    def _raw_msm(self, scalars: Sequence[int], points: Sequence) -> object:
        terms = [p.multiply(k.to_bytes(32, "big")) for k, p in zip(scalars, points) if k and p is not None]
        acc = None
        for t in terms:
            acc = self._raw_add(acc, t)
        return acc

    def _raw_msm_vartime(self, scalars: Sequence[int], points: Sequence) -> object:
        """Pippenger in native/curves.c (variable time: public inputs only); points cross as
        uncompressed SEC1 (0x04 || x || y), whose x || y is the native ABI's affine layout."""
        if not _native.available():
            return self._raw_msm(scalars, points)
        from ._native_curves import SECP256K1 as NATIVE
        terms = [(k, p) for k, p in zip(scalars, points) if k and p is not None]
        if not terms:
            return None
        out = NATIVE.msm_vartime_raw([k for k, _ in terms],
                                     [b"\x00" + p.format(compressed=False)[1:] for _, p in terms])
        return None if out[0] == 1 else coincurve.PublicKey(b"\x04" + out[1:])

    def point_from_xy(self, x: int, y: int):
        """Affine coordinates -> element (validated on-curve)."""
        if not (0 <= x < P and 0 <= y < P) or (y * y - x**3 - 7) % P:
            raise InvalidEncoding("secp256k1 point is not on the curve")
        return self._wrap(coincurve.PublicKey.from_point(x, y))

    def point_to_xy(self, p) -> tuple[int, int]:
        """The affine coordinates of an element; `InvalidEncoding` for the identity."""
        raw = self._unwrap(p)
        if raw is None:
            raise InvalidEncoding("secp256k1: the identity has no affine coordinates")
        return raw.point()

    def hash_to_element(self, msg: bytes, dst: bytes):
        """RFC 9380 secp256k1_XMD:SHA-256_SSWU_RO_."""
        from ._h2c import hash_to_curve_element
        return hash_to_curve_element(self, self.h2c_suite, msg, dst)


SECP256K1 = Secp256k1()
