"""BLS12-381 G1, G2, GT and the optimal ate pairing on the native engine (native/bls12_381.c).

Raw points are the C Jacobian structs as `bytes` (144 bytes for G1, 288 for G2, Montgomery form);
encodings are the ZCash ones (compressed by default, as py_ecc, blst and Ethereum use them).
Scalar multiplication and `msm` are constant time in C (GLV on G1, GLS on G2; `msm` shares the
doublings of a projective ladder with complete formulas); addition, `msm_vartime`, encodings and
hash-to-curve work on public data. GT values are e(P, Q)^3 for the textbook exponent
(p^12 - 1)/r: the final exponentiation of eprint 2020/875 (used by blst, gnark) computes that
cube, which is an equally valid pairing; compare GT values only with this module's own.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _native
from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..hashing.expand import hash_to_field
from .base import Element, Group, check_pair_indices

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
X = -0xD201000000010000

_lib = _native.require()
_ffi = _native.ffi
_G1_SIZE, _G2_SIZE, _GT_SIZE = (_lib.pqzk_bls_sizes(i) for i in (1, 2, 3))

_DECODE_ERRORS = {
    -1: "bad length or flag bits (compression, infinity, sign)",
    -2: "coordinate is not reduced modulo p",
    -3: "point is not on the curve",
    -4: "point is not in the prime-order subgroup",
}


def _buf(n: int) -> Any:
    return _ffi.new("uint8_t[]", n)


def _bytes(buf: Any) -> bytes:
    return bytes(_ffi.buffer(buf))


class _NativeBLSGroup(Group):
    """Common code of G1 and G2 over the C functions pqzk_<prefix>_*."""

    order = R
    scalar_size = 32
    scalar_byteorder = "big"
    hash_expander = "xmd:sha256"
    msm_is_sublinear = False         # msm (secret scalars) is a constant-time ladder, linear in the
                                     # terms; msm_vartime is the Straus/Pippenger in C
    _prefix: str
    _raw_size: int
    _m: int  # extension degree of the coordinates
    h2c_suite: str

    def __init__(self) -> None:
        f = lambda name: getattr(_lib, f"pqzk_{self._prefix}_{name}")  # noqa: E731
        self._add, self._neg, self._mul, self._eq = f("add"), f("neg"), f("mul"), f("eq")
        self._is_id, self._enc, self._dec, self._msm = f("is_identity"), f("encode"), f("decode"), f("msm")
        self._sub, self._from_affine, self._map = f("in_subgroup"), f("from_affine"), f("map_to_curve")
        self._clear, self._msm_ct, self._dec_on_curve = f("clear_cofactor"), f("msm_ct"), f("decode_on_curve")
        g, o = _buf(self._raw_size), _buf(self._raw_size)
        f("generator")(g)
        f("identity")(o)
        self._G, self._O = _bytes(g), _bytes(o)

    # ---- group hooks ----
    def _raw_identity(self) -> bytes:
        return self._O

    def _raw_generator(self) -> bytes:
        return self._G

    def _raw_add(self, a: bytes, b: bytes) -> bytes:
        out = _buf(self._raw_size)
        self._add(out, a, b)
        return _bytes(out)

    def _raw_neg(self, a: bytes) -> bytes:
        out = _buf(self._raw_size)
        self._neg(out, a)
        return _bytes(out)

    def _raw_mul(self, k: int, a: bytes) -> bytes:
        out = _buf(self._raw_size)
        if self._mul(out, a, (k % R).to_bytes(32, "big")) != 0:  # pragma: no cover - k is reduced
            raise InvalidParameter(f"{self.name}: scalar out of range")
        return _bytes(out)

    def _run_msm(self, fn: Any, scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
        out = _buf(self._raw_size)
        ks = b"".join((k % R).to_bytes(32, "big") for k in scalars)
        rc = fn(out, b"".join(points), ks, len(points))
        if rc != 0:  # pragma: no cover - out of memory
            raise InvalidParameter(f"{self.name}: msm failed ({rc})")
        return _bytes(out)

    def _raw_msm(self, scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
        return self._run_msm(self._msm_ct, scalars, points)

    def _raw_msm_vartime(self, scalars: Sequence[int], points: Sequence[bytes]) -> bytes:
        return self._run_msm(self._msm, scalars, points)

    def _raw_eq(self, a: bytes, b: bytes) -> bool:
        return bool(self._eq(a, b))

    def _raw_is_identity(self, a: bytes) -> bool:
        return bool(self._is_id(a))

    def _raw_encode(self, a: bytes) -> bytes:
        out = _buf(self.element_size)
        self._enc(out, a, 1)
        return _bytes(out)

    def _raw_key(self, a: bytes) -> bytes:
        return self._raw_encode(a)

    def _raw_decode(self, data: bytes) -> bytes:
        return self._decode_raw(data)

    def _decode_raw(self, data: bytes, *, check_subgroup: bool = True) -> bytes:
        out = _buf(self._raw_size)
        rc = (self._dec if check_subgroup else self._dec_on_curve)(out, data, len(data))
        if rc != 0:
            raise InvalidEncoding(f"{self.name}: {_DECODE_ERRORS.get(rc, 'invalid encoding')}")
        return _bytes(out)

    # ---- extras shared with the reference module ----
    def decode_on_curve(self, data: bytes) -> Element:
        """Decode (either encoding) with every check but subgroup membership: for callers that
        check one point derived from many instead (threshold BLS combine). The element may have
        a component outside the order-r subgroup; never use it as a key or signature as is."""
        return self._wrap(self._decode_raw(as_bytes(data, f"{self.name} element"), check_subgroup=False))

    def in_subgroup(self, raw: bytes) -> bool:
        """On the curve and in the order-r subgroup (Scott's endomorphism tests)."""
        return bool(self._sub(raw))

    def encode_uncompressed(self, p: Element) -> bytes:
        """ZCash uncompressed encoding x || y (infinity is 0x40 00..00)."""
        out = _buf(2 * self.element_size)
        self._enc(out, self._unwrap(p), 0)
        return _bytes(out)

    def decode_uncompressed(self, data: bytes, *, allow_identity: bool = False) -> Element:
        """Strict decoding of the uncompressed encoding (flags, x, y < p, on curve, subgroup)."""
        data = as_bytes(data, f"{self.name} uncompressed element")
        if len(data) != 2 * self.element_size:
            raise InvalidEncoding(f"{self.name} uncompressed element must be {2 * self.element_size} bytes, "
                                  f"got {len(data)}")
        raw = self._decode_raw(data)
        if not allow_identity and self._raw_is_identity(raw):
            raise InvalidEncoding(f"{self.name} element is the identity")
        return self._wrap(raw)

    def _coord_to_bytes(self, c: Any) -> bytes:
        raise NotImplementedError

    def point_from_xy(self, x: Any, y: Any) -> Element:
        """Affine coordinates -> element (validated: canonical, on curve, in the subgroup)."""
        out = _buf(self._raw_size)
        try:
            xb, yb = self._coord_to_bytes(x), self._coord_to_bytes(y)
        except (OverflowError, TypeError, ValueError):
            raise InvalidEncoding(f"{self.name}: coordinates are not canonical field elements") from None
        rc = self._from_affine(out, xb, yb)
        if rc != 0:
            raise InvalidEncoding(f"{self.name}: {_DECODE_ERRORS.get(rc, 'invalid point')}")
        raw = _bytes(out)
        if not self.in_subgroup(raw):
            raise InvalidEncoding(f"{self.name}: {_DECODE_ERRORS[-4]}")
        return self._wrap(raw)

    def point_to_xy(self, p: Element) -> Any:
        raw = self._unwrap(p)
        if self._raw_is_identity(raw):
            raise InvalidEncoding(f"{self.name}: the identity has no affine coordinates")
        u = self.encode_uncompressed(p)
        n = self.element_size
        return self._coord_from_bytes(u[:n]), self._coord_from_bytes(u[n:])

    def _coord_from_bytes(self, data: bytes) -> Any:
        raise NotImplementedError

    @staticmethod
    def _check_dst(dst: bytes) -> None:
        if isinstance(dst, (bytes, bytearray)) and not dst:
            raise InvalidParameter("hash-to-curve: the domain separation tag must not be empty (RFC 9380 section 3.1)")

    def _map_u(self, us: list[list[int]]) -> bytes:
        enc = [b"".join(c.to_bytes(48, "big") for c in u) for u in us]
        out = _buf(self._raw_size)
        rc = self._map(out, enc[0], enc[1] if len(enc) > 1 else _ffi.NULL)
        if rc != 0:  # pragma: no cover - hash_to_field output is reduced
            raise InvalidParameter(f"{self.name}: map_to_curve rejected its input")
        return _bytes(out)

    def hash_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 hash_to_curve, suite BLS12381G{1,2}_XMD:SHA-256_SSWU_RO_, with `dst`."""
        self._check_dst(dst)
        return self._wrap(self._map_u(hash_to_field(msg, dst, 2, P, self._m, 64, "xmd:sha256")))

    def encode_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 encode_to_curve (the non-uniform _NU_ suite)."""
        self._check_dst(dst)
        return self._wrap(self._map_u(hash_to_field(msg, dst, 1, P, self._m, 64, "xmd:sha256")))

    def clear_cofactor(self, raw: bytes) -> bytes:
        """RFC 9380 clear_cofactor (h_eff) of a raw curve point."""
        out = _buf(self._raw_size)
        self._clear(out, raw)
        return _bytes(out)


def _fp_bytes(c: int) -> bytes:
    if not isinstance(c, int) or not 0 <= c < P:
        raise ValueError("not a canonical Fp element")
    return c.to_bytes(48, "big")


class BLS12381G1(_NativeBLSGroup):
    # deliberate look-alike of BLS12381G2 (duplicates): G1 and G2 differ only in these constants and
    # coordinate codecs; the operations are _NativeBLSGroup's, over pqzk_g1_*/pqzk_g2_*
    name = "bls12_381_g1"
    cofactor = 0x396C8C005555E1568C00AAAB0000AAAB
    element_size = 48
    h2c_suite = "BLS12381G1_XMD:SHA-256_SSWU_RO_"
    _prefix, _raw_size, _m = "g1", _G1_SIZE, 1

    def _coord_to_bytes(self, c: int) -> bytes:
        return _fp_bytes(c)

    def _coord_from_bytes(self, data: bytes) -> int:
        return int.from_bytes(data, "big")


class BLS12381G2(_NativeBLSGroup):
    # deliberate look-alike of BLS12381G1 (duplicates): the same constants and codecs, over Fp2
    name = "bls12_381_g2"
    cofactor = 0x5D543A95414E7F1091D50792876A202CD91DE4547085ABAA68A205B2E5A7DDFA628F1CB4D9E82EF21537E293A6691AE1616EC6E786F0C70CF1C38E31C7238E5
    element_size = 96
    h2c_suite = "BLS12381G2_XMD:SHA-256_SSWU_RO_"
    _prefix, _raw_size, _m = "g2", _G2_SIZE, 2

    def _coord_to_bytes(self, c: tuple[int, int]) -> bytes:
        c0, c1 = c
        return _fp_bytes(c0) + _fp_bytes(c1)

    def _coord_from_bytes(self, data: bytes) -> tuple[int, int]:
        return int.from_bytes(data[48:], "big"), int.from_bytes(data[:48], "big")  # c1 first on the wire

    def psi(self, p: Element) -> Element:
        """The untwist-Frobenius-twist endomorphism (acts as [x] on G2)."""
        out = _buf(self._raw_size)
        _lib.pqzk_g2_psi(out, self._unwrap(p))
        return self._wrap(_bytes(out))


G1 = BLS12381G1()
G2 = BLS12381G2()


class GT:
    """An element of the target group GT (order r, inside Fp12^*). Public data."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        object.__setattr__(self, "raw", raw)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("GT is immutable")

    @classmethod
    def one(cls) -> "GT":
        """The identity of GT (the pairing's target group)."""
        out = _buf(_GT_SIZE)
        _lib.pqzk_gt_one(out)
        return cls(_bytes(out))

    def __mul__(self, other: "GT") -> "GT":
        if not isinstance(other, GT):
            return NotImplemented
        out = _buf(_GT_SIZE)
        _lib.pqzk_gt_mul(out, self.raw, other.raw)
        return GT(_bytes(out))

    def inverse(self) -> "GT":
        """The inverse of this GT element."""
        out = _buf(_GT_SIZE)
        _lib.pqzk_gt_inv(out, self.raw)
        return GT(_bytes(out))

    def __truediv__(self, other: "GT") -> "GT":
        if not isinstance(other, GT):
            return NotImplemented
        return self * other.inverse()

    def __pow__(self, k: int) -> "GT":
        if not isinstance(k, int):
            return NotImplemented
        out = _buf(_GT_SIZE)
        _lib.pqzk_gt_pow(out, self.raw, (k % R).to_bytes(32, "big"))
        return GT(_bytes(out))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GT) and bool(_lib.pqzk_gt_eq(self.raw, other.raw))

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def is_one(self) -> bool:
        """Whether this is the identity of GT (how a pairing-product check passes)."""
        return bool(_lib.pqzk_gt_is_one(self.raw))

    def to_bytes(self) -> bytes:
        """576 bytes: the 12 Fp coefficients big-endian, tower order c0.c0.c0, c0.c0.c1, c0.c1.c0, ..."""
        out = _buf(12 * 48)
        _lib.pqzk_gt_to_bytes(out, self.raw)
        return _bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> "GT":
        """Strict: canonical coefficients and an element of order r."""
        data = as_bytes(data, "GT element")
        if len(data) != 12 * 48:
            raise InvalidEncoding(f"GT element must be 576 bytes, got {len(data)}")
        out = _buf(_GT_SIZE)
        rc = _lib.pqzk_gt_from_bytes(out, data)
        if rc == -2:
            raise InvalidEncoding("GT coefficient is not reduced modulo p")
        if rc != 0:
            raise InvalidEncoding("not an element of GT (order r subgroup of Fp12)")
        return cls(_bytes(out))

    def __repr__(self) -> str:
        return f"<GT {self.to_bytes().hex()[:16]}…>"


def _pair_bytes(pairs: Sequence[tuple[Element, Element]], what: str) -> tuple[bytes, bytes]:
    """The raw G1 points and the raw G2 points of `pairs`, each concatenated."""
    if not isinstance(pairs, (list, tuple)) or \
            not all(isinstance(pq, (list, tuple)) and len(pq) == 2 for pq in pairs):
        raise InvalidParameter(f"{what} takes a list of (G1 element, G2 element) pairs")
    return b"".join(G1._unwrap(p) for p, _ in pairs), b"".join(G2._unwrap(q) for _, q in pairs)


def multi_pairing(pairs: Sequence[tuple[Element, Element]]) -> GT:
    """Π e(P_i, Q_i) with one shared Miller loop and final exponentiation."""
    ps, qs = _pair_bytes(pairs, "multi_pairing")
    out = _buf(_GT_SIZE)
    if _lib.pqzk_multi_pairing(out, ps, qs, len(pairs)) != 0:  # pragma: no cover - out of memory
        raise InvalidParameter("multi_pairing failed")
    return GT(_bytes(out))


def pairing(p: Element, q: Element) -> GT:
    """e(P, Q) in GT (P in G1, Q in G2): the optimal ate pairing."""
    return multi_pairing([(p, q)])


def multi_pairing_is_one(pairs: Sequence[tuple[Element, Element]], check_g2: Sequence[int] = ()) -> bool:
    """Π e(P_i, Q_i) == 1 (the check behind BLS verification). Variable time — public inputs
    only, as verification equations are: the inversions are safegcd and the final
    exponentiation uses Karabina's compressed squarings.

    `check_g2` lists the pairs whose Q_i came from `G2.decode_on_curve`: each must be in G2, else
    InvalidEncoding. The test (ψ(Q) = [x]Q) reuses the [|x|]Q_i that the Miller loop computes
    anyway, so it costs a few multiplications instead of a 64-bit scalar multiplication."""
    ps, qs = _pair_bytes(pairs, "multi_pairing_is_one")
    check = _ffi.NULL
    if check_g2:
        flags = bytearray(len(pairs))
        for i in check_pair_indices(check_g2, len(pairs), "multi_pairing_is_one check_g2"):
            flags[i] = 1
        check = bytes(flags)
    rc = _lib.pqzk_multi_pairing_is_one(ps, qs, len(pairs), check)
    if rc == -4:
        raise InvalidEncoding(f"{G2.name}: {_DECODE_ERRORS[-4]}")
    if rc < 0:  # pragma: no cover - out of memory
        raise InvalidParameter("multi_pairing_is_one failed")
    return bool(rc)


__all__ = ["G1", "G2", "GT", "P", "R", "X", "multi_pairing", "multi_pairing_is_one", "pairing"]
