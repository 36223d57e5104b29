"""BLS12-381 G1 and G2 in pure Python: the reference the native engine is checked against, and
its fallback. ZCash encodings (compressed 48 / 96 bytes, uncompressed 96 / 192 bytes), fully
validated; RFC 9380 hash_to_element; an optimal ate pairing.

Raw points are Jacobian triples: G1 on `pqzk.math.ec` (ints), G2 on `hashing.curves.FieldWeierstrass`
over Fp2 ((c0, c1) tuples, c0 + c1·u). Not constant time.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..hashing import h2c
from ..hashing.bls12_381_psi import psi_jac
from ..hashing.curves import BLS12_381_G1_CURVE, BLS12_381_G2_CURVE
from ..hashing.fields import FP2, PrimeField
from ..math import bls12_381_fields as bf
from .base import Element, Group, check_pair_indices

P, R, X = bf.P, bf.R, bf.X
_HALF_P = (P - 1) // 2
_C_FLAG, _I_FLAG, _S_FLAG = 0x80, 0x40, 0x20  # ZCash flag bits of the first byte
FP = PrimeField(P)

# G1 endomorphism phi(x, y) = (beta·x, y), beta a cube root of unity chosen so phi = [-x^2] on G1
_BETA_CANDIDATES = (pow(2, (P - 1) // 3, P), pow(2, 2 * (P - 1) // 3, P))


class BLS12381Group(Group):
    """Common code of G1 and G2: the curve and field objects differ, the encodings share flags."""

    order = R
    scalar_size = 32
    scalar_byteorder = "big"
    hash_expander = "xmd:sha256"
    curve: Any
    F: Any
    h2c_suite: str
    _fixed = None

    # ---- group hooks ----
    def _raw_identity(self):
        return self.curve.identity()

    def _raw_generator(self):
        return self.curve.generator()

    def _raw_add(self, a, b):
        return self.curve.add(a, b)

    def _raw_neg(self, a):
        return self.curve.neg(a)

    def _raw_mul(self, k, a):
        return self.curve.mul(k, a)

    def _raw_base_mul(self, k):
        if self._fixed is None:
            self._fixed = self.curve.fixed_base_table(self.curve.generator(), R.bit_length())
        return self._fixed.mul(k)

    def _raw_msm(self, scalars: Sequence[int], points: Sequence[Any]) -> Any:
        return self.curve.msm(list(scalars), list(points))

    def _raw_eq(self, a, b):
        return self.curve.eq(a, b)

    def _raw_is_identity(self, a):
        return self.curve.is_identity(a)

    # ---- coordinates ----
    def _coord_bytes(self, c) -> bytes:
        raise NotImplementedError

    def _coord_from(self, data: bytes) -> Any:
        raise NotImplementedError

    def _sign(self, y) -> int:
        """ZCash sign bit: y is the lexicographically larger root."""
        raise NotImplementedError

    def in_subgroup(self, raw) -> bool:
        """Whether a raw point is in the prime-order subgroup; each of G1 and G2 implements it."""
        raise NotImplementedError

    # ---- encodings ----
    def _raw_encode(self, a) -> bytes:
        n = self.element_size
        xy = self.curve.to_affine(a)
        if xy is None:
            return bytes([_C_FLAG | _I_FLAG]) + bytes(n - 1)
        x, y = xy
        out = bytearray(self._coord_bytes(x))
        out[0] |= _C_FLAG | (_S_FLAG if self._sign(y) else 0)
        return bytes(out)

    def _parse_flags(self, data: bytes, compressed: bool) -> int | None:
        """Check the flag bits; returns None for the (canonical) infinity encoding."""
        b0 = data[0]
        if bool(b0 & _C_FLAG) != compressed:
            raise InvalidEncoding(f"{self.name}: compression flag does not match a "
                                  f"{'compressed' if compressed else 'uncompressed'} encoding")
        if b0 & _I_FLAG:
            if b0 & _S_FLAG or b0 & 0x1F or any(data[1:]):
                raise InvalidEncoding(f"{self.name}: non-canonical point-at-infinity encoding")
            return None
        if not compressed and b0 & _S_FLAG:
            raise InvalidEncoding(f"{self.name}: sign flag set in an uncompressed encoding")
        return b0

    def _raw_decode(self, data: bytes):
        b0 = self._parse_flags(data, compressed=True)
        if b0 is None:
            return self.curve.identity()
        x = self._coord_from(bytes([b0 & 0x1F]) + data[1:])
        y = self.F.sqrt(self.curve.y_squared(x))
        if y is None:
            raise InvalidEncoding(f"{self.name}: x-coordinate is not on the curve")
        if self._sign(y) != bool(b0 & _S_FLAG):
            y = self.F.neg(y)
        return self._checked(x, y)

    def _checked(self, x, y):
        if not self.curve.is_on_curve(x, y):
            raise InvalidEncoding(f"{self.name}: point is not on the curve")
        raw = self.curve.from_affine(x, y)
        if not self.in_subgroup(raw):
            raise InvalidEncoding(f"{self.name}: point is not in the prime-order subgroup")
        return raw

    def encode_uncompressed(self, p: Element) -> bytes:
        """ZCash uncompressed encoding x || y (2·element_size bytes; infinity is 0x40 00..00)."""
        xy = self.curve.to_affine(self._unwrap(p))
        if xy is None:
            return bytes([_I_FLAG]) + bytes(2 * self.element_size - 1)
        return self._coord_bytes(xy[0]) + self._coord_bytes(xy[1])

    def decode_uncompressed(self, data: bytes, *, allow_identity: bool = False) -> Element:
        """Strict decoding of the uncompressed encoding (flags, x, y < p, on curve, subgroup)."""
        data = as_bytes(data, f"{self.name} uncompressed element")
        n = self.element_size
        if len(data) != 2 * n:
            raise InvalidEncoding(f"{self.name} uncompressed element must be {2 * n} bytes, got {len(data)}")
        b0 = self._parse_flags(data, compressed=False)
        if b0 is None:
            if not allow_identity:
                raise InvalidEncoding(f"{self.name} element is the identity")
            return self.identity()
        x = self._coord_from(data[:n])
        y = self._coord_from(data[n:])
        return self._wrap(self._checked(x, y))

    def point_from_xy(self, x, y) -> Element:
        """Affine coordinates -> element (validated: canonical, on curve, in the subgroup)."""
        if not (self.F.is_canonical(x) and self.F.is_canonical(y)):
            raise InvalidEncoding(f"{self.name}: coordinates are not canonical field elements")
        return self._wrap(self._checked(x, y))

    def point_to_xy(self, p: Element):
        """The affine coordinates of a non-identity element; `InvalidEncoding` for the identity."""
        xy = self.curve.to_affine(self._unwrap(p))
        if xy is None:
            raise InvalidEncoding(f"{self.name}: the identity has no affine coordinates")
        return xy

    def hash_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 hash_to_curve with the suite BLS12381G{1,2}_XMD:SHA-256_SSWU_RO_ and `dst`."""
        xy = h2c.hash_to_curve(self.h2c_suite, msg, dst)
        return self._wrap(self.curve.identity() if xy is None else self.curve.from_affine(*xy))


class BLS12381G1(BLS12381Group):
    """BLS12-381 G1 in pure Python (the reference the native group is tested against): 48-byte ZCash
    compressed points."""
    # deliberate look-alike of BLS12381G2 (duplicates): parallel G1/G2 code, read side by side
    name = "bls12_381_g1"
    cofactor = BLS12_381_G1_CURVE.h
    element_size = 48
    curve = BLS12_381_G1_CURVE
    F = FP
    h2c_suite = "BLS12381G1_XMD:SHA-256_SSWU_RO_"

    def __init__(self) -> None:
        G = self.curve.generator()
        target = self.curve.mul(-X * X, G)
        self.beta = next(b for b in _BETA_CANDIDATES if self.curve.eq(self._phi(G, b), target))

    @staticmethod
    def _phi(raw, beta):
        return (raw[0] * beta % P, raw[1], raw[2])

    def _coord_bytes(self, c: int) -> bytes:
        return c.to_bytes(48, "big")

    def _coord_from(self, data: bytes) -> int:
        c = int.from_bytes(data, "big")
        if c >= P:
            raise InvalidEncoding(f"{self.name}: coordinate is not reduced modulo p")
        return c

    def _sign(self, y: int) -> int:
        return int(y > _HALF_P)

    def in_subgroup(self, raw) -> bool:
        """phi(P) == [-x^2]P (Bowe 2019 / Scott 2021), checked against [r]P == O in the tests."""
        return self.curve.eq(self._phi(raw, self.beta), self.curve.mul(-X * X, raw))


class BLS12381G2(BLS12381Group):
    """BLS12-381 G2 in pure Python (the reference the native group is tested against): 96-byte ZCash
    compressed points."""
    # deliberate look-alike of BLS12381G1 (duplicates): parallel G1/G2 code, read side by side
    name = "bls12_381_g2"
    cofactor = BLS12_381_G2_CURVE.h
    element_size = 96
    curve = BLS12_381_G2_CURVE
    F = FP2
    h2c_suite = "BLS12381G2_XMD:SHA-256_SSWU_RO_"

    def _coord_bytes(self, c) -> bytes:
        return c[1].to_bytes(48, "big") + c[0].to_bytes(48, "big")  # c1 (the u part) first

    def _coord_from(self, data: bytes):
        c1, c0 = int.from_bytes(data[:48], "big"), int.from_bytes(data[48:], "big")
        if c0 >= P or c1 >= P:
            raise InvalidEncoding(f"{self.name}: coordinate is not reduced modulo p")
        return (c0, c1)

    def _sign(self, y) -> int:
        return int(y[1] > _HALF_P) if y[1] else int(y[0] > _HALF_P)

    def in_subgroup(self, raw) -> bool:
        """psi(P) == [x]P (Scott 2021), checked against [r]P == O in the tests."""
        return self.curve.eq(psi_jac(raw), self.curve.mul(X, raw))


G1 = BLS12381G1()
G2 = BLS12381G2()


# ---- optimal ate pairing (reference: affine Miller loop on the twist, plain final exponentiation) ----
_ATE_BITS = bin(-X)[3:]  # |x| below its top bit; x < 0 so the Miller value is conjugated at the end
_HARD_EXP = (P**4 - P**2 + 1) // R
_HARD_DIGITS = [(_HARD_EXP // P**i) % P for i in range(4)]  # hard exponent in base p


def _line(lam: bf.Fp2, xt: bf.Fp2, yt: bf.Fp2, xp: int, yp: int) -> bf.Fp12:
    """w^3 · l(P) for the line of slope lam/w through the untwisted T = (xt/w^2, yt/w^3):
    (lam·xt - yt) - lam·xp·w^2 + yp·w^3, a sparse Fp12 element."""
    c0 = (bf.fp2_sub(bf.fp2_mul(lam, xt), yt), bf.fp2_mul_fp(bf.fp2_neg(lam), xp), bf.FP2_ZERO)
    return (c0, (bf.FP2_ZERO, (yp, 0), bf.FP2_ZERO))


def miller_loop(p_aff: tuple[int, int], q_aff: tuple[bf.Fp2, bf.Fp2]) -> bf.Fp12:
    """f_{|x|,Q}(P) conjugated (x < 0), with lines scaled by w^3 (killed by the final exponentiation)."""
    xp, yp = p_aff
    xq, yq = q_aff
    xt, yt = xq, yq
    f = bf.FP12_ONE
    for bit in _ATE_BITS:
        lam = bf.fp2_mul(bf.fp2_mul_fp(bf.fp2_sqr(xt), 3), bf.fp2_inv(bf.fp2_mul_fp(yt, 2)))
        f = bf.fp12_mul(bf.fp12_sqr(f), _line(lam, xt, yt, xp, yp))
        x3 = bf.fp2_sub(bf.fp2_sqr(lam), bf.fp2_mul_fp(xt, 2))
        xt, yt = x3, bf.fp2_sub(bf.fp2_mul(lam, bf.fp2_sub(xt, x3)), yt)
        if bit == "1":
            lam = bf.fp2_mul(bf.fp2_sub(yq, yt), bf.fp2_inv(bf.fp2_sub(xq, xt)))
            f = bf.fp12_mul(f, _line(lam, xt, yt, xp, yp))
            x3 = bf.fp2_sub(bf.fp2_sub(bf.fp2_sqr(lam), xt), xq)
            xt, yt = x3, bf.fp2_sub(bf.fp2_mul(lam, bf.fp2_sub(xt, x3)), yt)
    return bf.fp12_conj(f)


def final_exponentiation(f: bf.Fp12) -> bf.Fp12:
    """f^((p^12 - 1)/r): easy part (p^6 - 1)(p^2 + 1) by Frobenius; hard part (p^4 - p^2 + 1)/r
    = sum d_i p^i as the product of frobenius(f, i)^(d_i), one joint square-and-multiply (Straus)."""
    f = bf.fp12_mul(bf.fp12_conj(f), bf.fp12_inv(f))
    f = bf.fp12_mul(bf.fp12_frobenius(f, 2), f)
    bases = [f, bf.fp12_frobenius(f, 1), bf.fp12_frobenius(f, 2), bf.fp12_frobenius(f, 3)]
    table = [bf.FP12_ONE] * 16
    for m in range(1, 16):
        low = m & -m
        table[m] = bf.fp12_mul(table[m ^ low], bases[low.bit_length() - 1])
    acc = bf.FP12_ONE
    for i in range(max(d.bit_length() for d in _HARD_DIGITS) - 1, -1, -1):
        acc = bf.fp12_sqr(acc)
        m = sum(((d >> i) & 1) << j for j, d in enumerate(_HARD_DIGITS))
        if m:
            acc = bf.fp12_mul(acc, table[m])
    return acc


def _pairs_affine(pairs: Sequence[tuple[Element, Element]]) -> list[tuple[Any, Any]]:
    out = []
    for p, q in pairs:
        a, b = G1._unwrap(p), G2._unwrap(q)
        if G1.curve.is_identity(a) or G2.curve.is_identity(b):
            continue  # e(O, Q) = e(P, O) = 1
        out.append((G1.curve.to_affine(a), G2.curve.to_affine(b)))
    return out


def multi_miller_loop(pairs: Sequence[tuple[Element, Element]]) -> bf.Fp12:
    """The product of the Miller loops of the pairs, before the final exponentiation (for pairing-product
    checks)."""
    f = bf.FP12_ONE
    for pa, qa in _pairs_affine(pairs):
        f = bf.fp12_mul(f, miller_loop(pa, qa))
    return f


def pairing(p: Element, q: Element) -> bf.Fp12:
    """e(P, Q) in GT ⊂ Fp12 (P in G1, Q in G2), the optimal ate pairing."""
    return final_exponentiation(multi_miller_loop([(p, q)]))


def multi_pairing(pairs: Sequence[tuple[Element, Element]]) -> bf.Fp12:
    """Π e(P_i, Q_i) with one shared final exponentiation."""
    if not isinstance(pairs, (list, tuple)):
        raise InvalidParameter("multi_pairing takes a list of (G1 element, G2 element) pairs")
    return final_exponentiation(multi_miller_loop(pairs))


def multi_pairing_is_one(pairs: Sequence[tuple[Element, Element]], check_g2: Sequence[int] = ()) -> bool:
    """Π e(P_i, Q_i) == 1 (the check behind BLS verification); the Q_i of the pairs listed in
    `check_g2` (decoded without their subgroup check) must be in G2, else InvalidEncoding."""
    for i in check_pair_indices(check_g2, len(pairs), "multi_pairing_is_one check_g2"):
        if not G2.in_subgroup(G2._unwrap(pairs[i][1])):
            raise InvalidEncoding(f"{G2.name}: point is not in the prime-order subgroup")
    return multi_pairing(pairs) == bf.FP12_ONE
