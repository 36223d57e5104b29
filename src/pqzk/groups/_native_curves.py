"""Native P-256, edwards25519 and edwards448 point arithmetic (native/curves.c) on affine ints.

Points are `(x, y)` int pairs, and None for the P-256 point at infinity (the Edwards identity is
(0, 1)). Scalar multiplication is constant time in C (fixed 4-bit window, complete or
identity-safe formulas); `add`, `msm` and `in_subgroup` are for public points. The pure-Python
groups (p256, ed448) route their hot hooks here.
"""
from __future__ import annotations

from collections.abc import Sequence

from .. import _native
from ..errors import InvalidEncoding, InvalidParameter

Point = tuple[int, int] | None

_ERRORS = {-1: "bad curve id or scalar out of range", -2: "point is not canonical or not on the curve",
           -4: "point is not in the prime-order subgroup"}


class NativeCurve:
    """One of the native core's curves (ids of native/pqzk_curves.h)."""

    def __init__(self, cid: int, name: str, order: int) -> None:
        self._lib, self._ffi = _native.require(), _native.ffi
        fb, sb = self._ffi.new("int *"), self._ffi.new("int *")
        self.kind = self._lib.pqzk_curve_info(cid, fb, sb)
        if self.kind < 0:
            raise InvalidParameter(f"unknown native curve {cid}")
        self.cid, self.name, self.order = cid, name, order
        self.fbytes, self.sbytes = fb[0], sb[0]
        self._plen = 1 + 2 * self.fbytes
        out = self._ffi.new("uint8_t[]", self._plen)
        self._lib.pqzk_curve_generator(cid, out)
        self.generator: Point = self._from(out)

    def __repr__(self) -> str:
        return f"<NativeCurve {self.name}>"

    def _to(self, p: Point) -> bytes:
        if p is None:
            return b"\x01" + bytes(2 * self.fbytes)
        x, y = p
        try:
            return b"\x00" + x.to_bytes(self.fbytes, "big") + y.to_bytes(self.fbytes, "big")
        except (OverflowError, AttributeError):
            raise InvalidEncoding(f"{self.name}: coordinates out of range") from None

    def _from(self, buf) -> Point:
        raw = bytes(self._ffi.buffer(buf))
        if raw[0] == 1:
            return None
        fb = self.fbytes
        return int.from_bytes(raw[1:1 + fb], "big"), int.from_bytes(raw[1 + fb:], "big")

    def _check(self, rc: int) -> None:
        if rc == -1:
            raise InvalidParameter(f"{self.name}: {_ERRORS[-1]}")
        if rc != 0:
            raise InvalidEncoding(f"{self.name}: {_ERRORS.get(rc, 'invalid point')}")

    def _scalar(self, k: int) -> bytes:
        return (k % self.order).to_bytes(self.sbytes, "big")

    def mul(self, k: int, p: Point) -> Point:
        """k·P (constant time in C for the scalar)."""
        out = self._ffi.new("uint8_t[]", self._plen)
        self._check(self._lib.pqzk_curve_mul(self.cid, out, self._to(p), self._scalar(k)))
        return self._from(out)

    def base_mul(self, k: int) -> Point:
        return self.mul(k, self.generator)

    def add(self, p: Point, q: Point) -> Point:
        out = self._ffi.new("uint8_t[]", self._plen)
        self._check(self._lib.pqzk_curve_add(self.cid, out, self._to(p), self._to(q)))
        return self._from(out)

    def msm(self, scalars: Sequence[int], points: Sequence[Point]) -> Point:
        if len(scalars) != len(points):
            raise InvalidParameter(f"{self.name} msm: {len(scalars)} scalars for {len(points)} points")
        out = self._ffi.new("uint8_t[]", self._plen)
        pts = b"".join(self._to(p) for p in points)
        ks = b"".join(self._scalar(k) for k in scalars)
        self._check(self._lib.pqzk_curve_msm(self.cid, out, pts, ks, len(points)))
        return self._from(out)

    def in_subgroup(self, p: Point) -> bool:
        """On the curve and of order dividing the group order (raises nothing)."""
        try:
            return self._lib.pqzk_curve_check(self.cid, self._to(p)) == 0
        except InvalidEncoding:
            return False


P256 = NativeCurve(0, "p256", 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551)
EDWARDS25519 = NativeCurve(1, "edwards25519", 2**252 + 27742317777372353535851937790883648493)
EDWARDS448 = NativeCurve(2, "edwards448",
                         2**446 - 13818066809895115352007386748515426880336692474882178609894547503885)
# ristretto255 elements are represented by prime-order edwards25519 points: same arithmetic
CURVES: dict[str, NativeCurve] = {"p256": P256, "edwards25519": EDWARDS25519, "ristretto255": EDWARDS25519,
                                  "ed25519": EDWARDS25519, "ed448": EDWARDS448, "edwards448": EDWARDS448}

__all__ = ["CURVES", "EDWARDS25519", "EDWARDS448", "NativeCurve", "P256", "Point"]
