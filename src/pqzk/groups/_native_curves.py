"""Native P-256, edwards25519, edwards448 and secp256k1 point arithmetic (native/curves.c) on
affine ints, and RFC 8032 encoded edwards25519 MSM.

Points are `(x, y)` int pairs, and None for the Weierstrass point at infinity (the Edwards
identity is (0, 1)). Scalar multiplication and `msm` are constant time in the scalars in C (fixed
4-bit window, complete or identity-safe formulas; edwards448 runs on its own p448 field with a
signed 5-bit window, native/ed448.c); `add` and `in_subgroup` are for public points;
`msm_vartime` and `edwards25519_msm_vartime` (Pippenger) are variable time, for public scalars and
points only. The pure-Python groups (p256, ed448) route their hot hooks here; secp256k1,
ed25519 and ristretto255 use only the variable-time MSMs (the rest stays on libsecp256k1 and
libsodium).
"""
from __future__ import annotations

from collections.abc import Sequence

from .. import _native
from ..errors import InvalidEncoding, InvalidParameter

Point = tuple[int, int] | None

_ERRORS = {-1: "bad curve id or scalar out of range", -2: "point is not canonical or not on the curve",
           -4: "point is not in the prime-order subgroup"}


def _check_rc(name: str, rc: int) -> None:
    if rc == -1:
        raise InvalidParameter(f"{name}: {_ERRORS[-1]}")
    if rc == -3:
        raise MemoryError(f"{name}: native msm out of memory")
    if rc != 0:
        raise InvalidEncoding(f"{name}: {_ERRORS.get(rc, 'invalid point')}")


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
        _check_rc(self.name, rc)

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
        """Σ k_i·P_i, one constant-time scalar multiplication per term."""
        return self._msm(self._lib.pqzk_curve_msm, scalars, [self._to(p) for p in points])

    def msm_vartime(self, scalars: Sequence[int], points: Sequence[Point]) -> Point:
        """Σ k_i·P_i by Pippenger in variable time: public scalars and points only."""
        return self._msm(self._lib.pqzk_curve_msm_vartime, scalars, [self._to(p) for p in points])

    def msm_vartime_raw(self, scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
        """`msm_vartime` on points already in the ABI layout (flag byte, x, y big-endian)."""
        return bytes(self._ffi.buffer(self._msm_out(self._lib.pqzk_curve_msm_vartime, scalars, points)))

    def _msm_out(self, fn, scalars: Sequence[int], points: Sequence[bytes]):
        if len(scalars) != len(points):
            raise InvalidParameter(f"{self.name} msm: {len(scalars)} scalars for {len(points)} points")
        out = self._ffi.new("uint8_t[]", self._plen)
        ks = b"".join(self._scalar(k) for k in scalars)
        self._check(fn(self.cid, out, b"".join(points), ks, len(points)))
        return out

    def _msm(self, fn, scalars: Sequence[int], points: Sequence[bytes]) -> Point:
        return self._from(self._msm_out(fn, scalars, points))

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
SECP256K1 = NativeCurve(3, "secp256k1", 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141)
# ristretto255 elements are represented by prime-order edwards25519 points: same arithmetic
CURVES: dict[str, NativeCurve] = {"p256": P256, "edwards25519": EDWARDS25519, "ristretto255": EDWARDS25519,
                                  "ed25519": EDWARDS25519, "ed448": EDWARDS448, "edwards448": EDWARDS448,
                                  "secp256k1": SECP256K1}


def edwards25519_decode(data: bytes) -> tuple[int, int]:
    """RFC 8032 section 5.1.3 decoding in C (strict: canonical y, on the curve, no x = 0 with the
    sign bit set; no subgroup check) to affine (x, y)."""
    if len(data) != 32:
        raise InvalidEncoding(f"edwards25519 point must be 32 bytes, got {len(data)}")
    out = EDWARDS25519._ffi.new("uint8_t[]", EDWARDS25519._plen)
    _check_rc("edwards25519", EDWARDS25519._lib.pqzk_ed25519_decode(out, bytes(data)))
    return EDWARDS25519._from(out)  # type: ignore[return-value]


def edwards25519_encode(p: tuple[int, int]) -> bytes:
    """RFC 8032 encoding in C of an affine edwards25519 point (checked on the curve)."""
    out = EDWARDS25519._ffi.new("uint8_t[]", 32)
    _check_rc("edwards25519", EDWARDS25519._lib.pqzk_ed25519_encode(out, EDWARDS25519._to(p)))
    return bytes(EDWARDS25519._ffi.buffer(out))


def _edwards25519_msm(fn: str, scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
    if len(scalars) != len(points):
        raise InvalidParameter(f"edwards25519 msm: {len(scalars)} scalars for {len(points)} points")
    if any(len(p) != 32 for p in points):
        raise InvalidEncoding("edwards25519 points must be 32 bytes each")
    lib, ffi = EDWARDS25519._lib, EDWARDS25519._ffi
    out = ffi.new("uint8_t[]", 32)
    ks = b"".join((k % EDWARDS25519.order).to_bytes(32, "little") for k in scalars)
    _check_rc("edwards25519", getattr(lib, fn)(out, b"".join(points), ks, len(points)))
    return bytes(ffi.buffer(out))


def edwards25519_msm(scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
    """Σ k_i·P_i on RFC 8032 encodings (bytes in, bytes out), constant time in the scalars (Straus
    with fixed windows and full table scans): for secret scalars and public points. Any curve
    point is accepted (torsion too); scalars are reduced mod ℓ."""
    return _edwards25519_msm("pqzk_ed25519_msm", scalars, points)


def edwards25519_msm_vartime(scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
    """As edwards25519_msm, by Pippenger in variable time: public scalars and points only."""
    return _edwards25519_msm("pqzk_ed25519_msm_vartime", scalars, points)


def ristretto255_decode(data: bytes) -> bytes:
    """RFC 9496 section 4.3.1 DECODE in C, returning the RFC 8032 encoding of the element's
    prime-order edwards25519 representative (the raw form of pqzk's ristretto255 elements)."""
    if len(data) != 32:
        raise InvalidEncoding(f"ristretto255 element must be 32 bytes, got {len(data)}")
    out = EDWARDS25519._ffi.new("uint8_t[]", 32)
    if EDWARDS25519._lib.pqzk_ristretto255_decode(out, bytes(data)) != 0:
        raise InvalidEncoding("ristretto255 encoding is not a valid element")
    return bytes(EDWARDS25519._ffi.buffer(out))


__all__ = ["CURVES", "EDWARDS25519", "EDWARDS448", "NativeCurve", "P256", "Point", "SECP256K1",
           "edwards25519_decode", "edwards25519_encode", "edwards25519_msm_vartime", "ristretto255_decode"]
