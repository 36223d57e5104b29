"""Elliptic-curve arithmetic over prime fields on plain Python ints.

Two curve shapes, each a frozen dataclass of parameters with the group law as methods:

- `WeierstrassCurve`: y² = x³ + a·x + b (any a), points in Jacobian coordinates (X, Y, Z) with
  x = X/Z², y = Y/Z³; Z == 0 is the point at infinity.
- `EdwardsCurve`: a·x² + y² = 1 + d·x²·y² (twisted Edwards), points in extended coordinates
  (X, Y, Z, T) with x = X/Z, y = Y/Z, T = X·Y/Z (Hisil–Wong–Carter–Dawson 2008); the formulas are
  complete when a is a square and d is not (edwards25519, edwards448).

Both share scalar multiplication (width-w NAF), fixed-base tables (signed radix-2^w, no
doublings) and Pippenger multi-scalar multiplication. Not constant time: the native core and
libsodium/libsecp256k1 are the production paths. Formulas: https://hyperelliptic.org/EFD/.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from .field import batch_inv, sqrt_mod

Jacobian = tuple[int, int, int]
Extended = tuple[int, int, int, int]
Affine = tuple[int, int]


def wnaf(k: int, w: int) -> list[int]:
    """Width-w non-adjacent form of k >= 0, least significant digit first (odd digits < 2^(w-1))."""
    digits = []
    full, half = 1 << w, 1 << (w - 1)
    while k:
        if k & 1:
            d = k & (full - 1)
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits


def signed_radix(k: int, w: int, ndigits: int) -> list[int]:
    """k as Σ d_i·2^(w·i) with d_i in [-2^(w-1), 2^(w-1)), least significant first; the last digit
    absorbs the final carry (so it may reach 2^(w-1))."""
    out = []
    mask, half = (1 << w) - 1, 1 << (w - 1)
    for _ in range(ndigits):
        d = k & mask
        k >>= w
        if d >= half and _ < ndigits - 1:
            d -= 1 << w
            k += 1
        out.append(d)
    if k:
        raise InvalidParameter("scalar too large for the fixed-base table")
    return out


def _pippenger_window(n: int, bits: int) -> int:
    best, best_c = None, 1
    for c in range(1, 17):
        cost = -(-bits // c) * (n + (2 << c))
        if best is None or cost < best:
            best, best_c = cost, c
    return best_c


class _CurveOps:
    """Group-law-generic algorithms (wNAF `mul`, Pippenger `msm`, fixed-base tables). A curve
    class provides identity(), add, double, neg, is_identity, and for fixed-base tables also
    batch_normalize (points -> Z = 1 form) and _mixed / _mixed_neg (P ± a normalized point)."""

    def mul(self, k: int, P: Any, w: int = 5) -> Any:
        """k·P for any int k (negative k multiplies -P), width-w NAF."""
        if k < 0:
            k, P = -k, self.neg(P)
        if k == 0 or self.is_identity(P):
            return self.identity()
        if k < 1 << w:
            w = 2
        add, dbl, neg = self.add, self.double, self.neg
        P2 = dbl(P)
        pos = [P]
        for _ in range((1 << (w - 2)) - 1):
            pos.append(add(pos[-1], P2))
        negs = [neg(t) for t in pos]
        digits = wnaf(k, w)
        R = pos[digits[-1] >> 1]
        for d in reversed(digits[:-1]):
            R = dbl(R)
            if d > 0:
                R = add(R, pos[d >> 1])
            elif d < 0:
                R = add(R, negs[(-d) >> 1])
        return R

    def msm(self, scalars: Sequence[int], points: Sequence[Any]) -> Any:
        """Σ k_i·P_i for k_i >= 0 (Pippenger's bucket method)."""
        if len(scalars) != len(points):
            raise InvalidParameter(f"msm: {len(scalars)} scalars for {len(points)} points")
        terms = [(k, P) for k, P in zip(scalars, points) if k and not self.is_identity(P)]
        if any(k < 0 for k, _ in terms):
            raise InvalidParameter("msm scalars must be non-negative")
        if len(terms) <= 2:
            acc = self.identity()
            for k, P in terms:
                acc = self.add(acc, self.mul(k, P))
            return acc
        add, dbl = self.add, self.double
        bits = max(k.bit_length() for k, _ in terms)
        c = _pippenger_window(len(terms), bits)
        mask = (1 << c) - 1
        result = None
        for win in reversed(range(-(-bits // c))):
            if result is not None:
                for _ in range(c):
                    result = dbl(result)
            shift = win * c
            buckets: list[Any] = [None] * (mask + 1)
            for k, P in terms:
                i = (k >> shift) & mask
                if i:
                    b = buckets[i]
                    buckets[i] = P if b is None else add(b, P)
            running = total = None
            for b in reversed(buckets[1:]):
                if b is not None:
                    running = b if running is None else add(running, b)
                if running is not None:
                    total = running if total is None else add(total, running)
            if total is not None:
                result = total if result is None else add(result, total)
        return self.identity() if result is None else result

    def fixed_base_table(self, P: Any, bits: int, w: int = 4) -> "FixedBaseTable":
        """A precomputed window table for multiplying the fixed point `P` by scalars of up to `bits` bits."""
        return FixedBaseTable(self, P, bits, w)


CurveOps = _CurveOps  # public name for curve classes defined elsewhere (hashing/curves.py)


class FixedBaseTable:
    """Precomputed j·2^(w·i)·P (affine, j = 1..2^(w-1)) so that k·P costs ceil(bits/w) mixed
    additions and no doublings."""

    def __init__(self, curve: Any, P: Any, bits: int, w: int = 4) -> None:
        self.curve, self.w = curve, w
        self.ndigits = -(-(bits + 1) // w)
        half = 1 << (w - 1)
        rows: list[Any] = []
        base = P
        for _ in range(self.ndigits):
            row = [base]
            for _ in range(half - 1):
                row.append(curve.add(row[-1], base))
            rows.extend(row)
            for _ in range(w):
                base = curve.double(base)
        flat = curve.batch_normalize(rows)
        self.rows = [flat[i * half:(i + 1) * half] for i in range(self.ndigits)]

    def mul(self, k: int) -> Any:
        """k·P for 0 <= k < 2^bits."""
        c = self.curve
        mixed, mixed_neg = c._mixed, c._mixed_neg
        acc = c.identity()
        for row, d in zip(self.rows, signed_radix(k, self.w, self.ndigits)):
            if d > 0:
                acc = mixed(acc, row[d - 1])
            elif d < 0:
                acc = mixed_neg(acc, row[-d - 1])
        return acc


@dataclass(frozen=True)
class WeierstrassCurve(_CurveOps):
    """y² = x³ + a·x + b over GF(p); (gx, gy) generates the subgroup of prime order n, cofactor h."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    h: int = 1
    _a_is_minus3: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_a_is_minus3", (self.a + 3) % self.p == 0)

    # ---- affine helpers ----
    def is_on_curve(self, x: int, y: int) -> bool:
        """Whether (x, y) has coordinates in [0, p) and satisfies `y^2 = x^3 + a·x + b`."""
        p = self.p
        return 0 <= x < p and 0 <= y < p and (y * y - (x * x + self.a) * x - self.b) % p == 0

    def y_squared(self, x: int) -> int:
        """`x^3 + a·x + b` mod p."""
        return ((x * x + self.a) * x + self.b) % self.p

    def generator(self) -> Jacobian:
        """The standard generator as a Jacobian point."""
        return (self.gx, self.gy, 1)

    def identity(self) -> Jacobian:
        """The point at infinity as a Jacobian point (Z = 0)."""
        return (1, 1, 0)

    def from_affine(self, x: int, y: int) -> Jacobian:
        """The Jacobian point (x, y, 1)."""
        return (x % self.p, y % self.p, 1)

    def to_affine(self, P: Jacobian) -> Affine | None:
        """(x, y), or None for the point at infinity."""
        X, Y, Z = P
        p = self.p
        if Z % p == 0:
            return None
        zi = pow(Z, -1, p)
        zi2 = zi * zi % p
        return X * zi2 % p, Y * zi2 * zi % p

    def batch_normalize(self, points: Sequence[Jacobian]) -> list[Affine | None]:
        """Many points to affine with one inversion (None for infinity)."""
        p = self.p
        idx = [i for i, P in enumerate(points) if P[2] % p]
        invs = batch_inv([points[i][2] for i in idx], p)
        out: list[Affine | None] = [None] * len(points)
        for i, zi in zip(idx, invs):
            X, Y, _ = points[i]
            zi2 = zi * zi % p
            out[i] = (X * zi2 % p, Y * zi2 * zi % p)
        return out

    # ---- group law (Jacobian) ----
    def is_identity(self, P: Jacobian) -> bool:
        """Whether a Jacobian point is the point at infinity."""
        return P[2] % self.p == 0

    def eq(self, P: Jacobian, Q: Jacobian) -> bool:
        """Whether two Jacobian points are the same point (compared without inversions)."""
        p = self.p
        X1, Y1, Z1 = P
        X2, Y2, Z2 = Q
        if Z1 % p == 0 or Z2 % p == 0:
            return Z1 % p == 0 and Z2 % p == 0
        Z1Z1, Z2Z2 = Z1 * Z1 % p, Z2 * Z2 % p
        return ((X1 * Z2Z2 - X2 * Z1Z1) % p == 0
                and (Y1 * Z2Z2 * Z2 - Y2 * Z1Z1 * Z1) % p == 0)

    def neg(self, P: Jacobian) -> Jacobian:
        """The negation of a Jacobian point."""
        return (P[0], -P[1] % self.p, P[2])

    def double(self, P: Jacobian) -> Jacobian:
        """`2·P` in Jacobian coordinates (dbl-2001-b for a = -3, dbl-2007-bl otherwise)."""
        # dbl-2001-b (a = -3) / dbl-2007-bl (any a)
        X1, Y1, Z1 = P
        p = self.p
        if Z1 == 0 or Y1 == 0:
            return (1, 1, 0)
        YY = Y1 * Y1 % p
        ZZ = Z1 * Z1 % p
        S = 4 * X1 * YY % p
        if self._a_is_minus3:
            M = 3 * (X1 - ZZ) * (X1 + ZZ) % p
        else:
            M = (3 * X1 * X1 + self.a * ZZ * ZZ) % p
        X3 = (M * M - 2 * S) % p
        return (X3, (M * (S - X3) - 8 * YY * YY) % p, 2 * Y1 * Z1 % p)

    def add(self, P: Jacobian, Q: Jacobian) -> Jacobian:
        """`P + Q` in Jacobian coordinates (add-1998-cmo-2), handling infinity and doubling."""
        # add-1998-cmo-2 with the exceptional cases handled
        X1, Y1, Z1 = P
        X2, Y2, Z2 = Q
        if Z1 == 0:
            return Q
        if Z2 == 0:
            return P
        p = self.p
        Z1Z1 = Z1 * Z1 % p
        Z2Z2 = Z2 * Z2 % p
        U1 = X1 * Z2Z2 % p
        U2 = X2 * Z1Z1 % p
        S1 = Y1 * Z2 * Z2Z2 % p
        S2 = Y2 * Z1 * Z1Z1 % p
        H = (U2 - U1) % p
        R = (S2 - S1) % p
        if H == 0:
            return self.double(P) if R == 0 else (1, 1, 0)
        HH = H * H % p
        HHH = H * HH % p
        V = U1 * HH % p
        X3 = (R * R - HHH - 2 * V) % p
        return (X3, (R * (V - X3) - S1 * HHH) % p, Z1 * Z2 * H % p)

    def _mixed(self, P: Jacobian, q: Affine | None) -> Jacobian:
        """P + q for affine q (madd-2004-hmv)."""
        if q is None:
            return P
        X1, Y1, Z1 = P
        x2, y2 = q
        if Z1 == 0:
            return (x2, y2, 1)
        p = self.p
        Z1Z1 = Z1 * Z1 % p
        H = (x2 * Z1Z1 - X1) % p
        R = (y2 * Z1 * Z1Z1 - Y1) % p
        if H == 0:
            return self.double(P) if R == 0 else (1, 1, 0)
        HH = H * H % p
        HHH = H * HH % p
        V = X1 * HH % p
        X3 = (R * R - HHH - 2 * V) % p
        return (X3, (R * (V - X3) - Y1 * HHH) % p, Z1 * H % p)

    def _mixed_neg(self, P: Jacobian, q: Affine | None) -> Jacobian:
        return P if q is None else self._mixed(P, (q[0], self.p - q[1]))


@dataclass(frozen=True)
class EdwardsCurve(_CurveOps):
    """a·x² + y² = 1 + d·x²·y² over GF(p); (gx, gy) generates the subgroup of prime order n,
    cofactor h."""

    # the same fields as WeierstrassCurve but d for b, on purpose (a deliberate duplicate):
    # _CurveOps and the groups read name, p, gx, gy, n and h off either form
    name: str
    p: int
    a: int
    d: int
    gx: int
    gy: int
    n: int
    h: int = 1
    _d2: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "a", self.a % self.p)
        object.__setattr__(self, "d", self.d % self.p)
        object.__setattr__(self, "_d2", 2 * self.d % self.p)

    # ---- affine helpers ----
    def is_on_curve(self, x: int, y: int) -> bool:
        """Whether (x, y) has coordinates in [0, p) and satisfies `a·x^2 + y^2 = 1 + d·x^2·y^2`."""
        p = self.p
        xx, yy = x * x % p, y * y % p
        return 0 <= x < p and 0 <= y < p and (self.a * xx + yy - 1 - self.d * xx * yy) % p == 0

    def x_squared(self, y: int) -> int | None:
        """x² for a point with this y: (y² - 1) / (d·y² - a), or None when undefined."""
        p = self.p
        yy = y * y % p
        den = (self.d * yy - self.a) % p
        if den == 0:
            return None
        return (yy - 1) * pow(den, -1, p) % p

    @property
    def encoding_size(self) -> int:
        """Bytes of the RFC 8032 point encoding: y plus one bit for the sign of x."""
        return (self.p.bit_length() + 8) // 8

    def encode_xy(self, x: int, y: int) -> bytes:
        """RFC 8032 sections 5.1.2 / 5.2.2: y little-endian, the parity of x in the top bit."""
        size = self.encoding_size
        return (y | ((x & 1) << (8 * size - 1))).to_bytes(size, "little")

    def decode_xy(self, data: bytes, what: str) -> tuple[int, int]:
        """RFC 8032 sections 5.1.3 / 5.2.3 to affine (x, y): canonical y, on the curve, no negative
        zero x. No subgroup check. Errors start with `what` (e.g. "ed25519 point")."""
        data = as_bytes(data, what)
        if len(data) != self.encoding_size:
            raise InvalidEncoding(f"{what} must be {self.encoding_size} bytes, got {len(data)}")
        top = 8 * self.encoding_size - 1
        v = int.from_bytes(data, "little")
        y, sign = v & ((1 << top) - 1), v >> top
        if y >= self.p:
            raise InvalidEncoding(f"{what}: y-coordinate is not reduced modulo p (non-canonical)")
        xx = self.x_squared(y)
        x = None if xx is None else sqrt_mod(xx, self.p)
        if x is None:
            raise InvalidEncoding(f"{what} is not on the curve")
        if x == 0 and sign:
            raise InvalidEncoding(f"{what}: x = 0 with the sign bit set (non-canonical)")
        if x & 1 != sign:
            x = self.p - x
        return x, y

    def generator(self) -> Extended:
        """The standard generator in extended coordinates."""
        return self.from_affine(self.gx, self.gy)

    def identity(self) -> Extended:
        """The neutral point (0, 1) in extended coordinates."""
        return (0, 1, 1, 0)

    def from_affine(self, x: int, y: int) -> Extended:
        """The extended point (x, y, 1, x·y)."""
        p = self.p
        x, y = x % p, y % p
        return (x, y, 1, x * y % p)

    def to_affine(self, P: Extended) -> Affine:
        """The affine (x, y) of an extended point."""
        X, Y, Z, _ = P
        p = self.p
        zi = pow(Z, -1, p)
        return X * zi % p, Y * zi % p

    def batch_normalize(self, points: Sequence[Extended]) -> list[Extended]:
        """Many points to Z = 1 with one inversion."""
        p = self.p
        invs = batch_inv([P[2] for P in points], p)
        out = []
        for (X, Y, _, _), zi in zip(points, invs):
            x, y = X * zi % p, Y * zi % p
            out.append((x, y, 1, x * y % p))
        return out

    # ---- group law (extended coordinates) ----
    def is_identity(self, P: Extended) -> bool:
        """Whether an extended point is the neutral point."""
        p = self.p
        return P[0] % p == 0 and (P[1] - P[2]) % p == 0

    def eq(self, P: Extended, Q: Extended) -> bool:
        """Whether two extended points are the same point (compared without inversions)."""
        p = self.p
        return (P[0] * Q[2] - Q[0] * P[2]) % p == 0 and (P[1] * Q[2] - Q[1] * P[2]) % p == 0

    def neg(self, P: Extended) -> Extended:
        """The negation of an extended point."""
        p = self.p
        return (-P[0] % p, P[1], P[2], -P[3] % p)

    def add(self, P: Extended, Q: Extended) -> Extended:
        """`P + Q` in extended coordinates (add-2008-hwcd, complete)."""
        # add-2008-hwcd (unified, complete for square a and non-square d)
        # deliberate look-alike of double/_mixed (duplicates): each EFD formula is transcribed line
        # by line so it can be checked against its source; madd drops a multiply, the point of it
        X1, Y1, Z1, T1 = P
        X2, Y2, Z2, T2 = Q
        p = self.p
        A = X1 * X2 % p
        B = Y1 * Y2 % p
        C = T1 * self.d % p * T2 % p
        D = Z1 * Z2 % p
        E = ((X1 + Y1) * (X2 + Y2) - A - B) % p
        F = D - C
        G = D + C
        H = (B - self.a * A) % p
        return (E * F % p, G * H % p, F * G % p, E * H % p)

    def double(self, P: Extended) -> Extended:
        """`2·P` in extended coordinates (dbl-2008-hwcd)."""
        # dbl-2008-hwcd
        # deliberate look-alike of add/_mixed (duplicates): the EFD formula, transcribed line by line
        X1, Y1, Z1, _ = P
        p = self.p
        A = X1 * X1 % p
        B = Y1 * Y1 % p
        C = 2 * Z1 * Z1 % p
        D = self.a * A % p
        E = ((X1 + Y1) * (X1 + Y1) - A - B) % p
        G = D + B
        F = G - C
        H = D - B
        return (E * F % p, G * H % p, F * G % p, E * H % p)

    def _mixed(self, P: Extended, q: Extended) -> Extended:
        # madd-2008-hwcd (Z2 = 1)
        # deliberate look-alike of add (duplicates): add with Z2 = 1 written out, one multiply fewer
        # on the hot path of mul/msm; folding it into add would give that multiply back
        X1, Y1, Z1, T1 = P
        x2, y2, _, t2 = q
        p = self.p
        A = X1 * x2 % p
        B = Y1 * y2 % p
        C = T1 * self.d % p * t2 % p
        E = ((X1 + Y1) * (x2 + y2) - A - B) % p
        F = Z1 - C
        G = Z1 + C
        H = (B - self.a * A) % p
        return (E * F % p, G * H % p, F * G % p, E * H % p)

    def _mixed_neg(self, P: Extended, q: Extended) -> Extended:
        p = self.p
        return self._mixed(P, (p - q[0], q[1], 1, p - q[3]))


# ---- standard curves (SEC 2, FIPS 186-5 / SP 800-186, RFC 7748/8032) ----
P256_CURVE = WeierstrassCurve(
    "P-256",
    p=2**256 - 2**224 + 2**192 + 2**96 - 1,
    a=2**256 - 2**224 + 2**192 + 2**96 - 1 - 3,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)

P384_CURVE = WeierstrassCurve(
    "P-384",
    p=2**384 - 2**128 - 2**96 + 2**32 - 1,
    a=2**384 - 2**128 - 2**96 + 2**32 - 1 - 3,
    b=0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
    gx=0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
    gy=0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
    n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
)

P521_CURVE = WeierstrassCurve(
    "P-521",
    p=2**521 - 1,
    a=2**521 - 1 - 3,
    b=0x0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
    gx=0x00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66,
    gy=0x011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650,
    n=0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
)

SECP256K1_CURVE = WeierstrassCurve(
    "secp256k1",
    p=2**256 - 2**32 - 977,
    a=0,
    b=7,
    gx=0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    gy=0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
    n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
)

EDWARDS25519_CURVE = EdwardsCurve(
    "edwards25519",
    p=2**255 - 19,
    a=-1,
    d=-121665 * pow(121666, -1, 2**255 - 19),
    gx=15112221349535400772501151409588531511454012693041857206046113283949847762202,
    gy=46316835694926478169428394003475163141307993866256225615783033603165251855960,
    n=2**252 + 27742317777372353535851937790883648493,
    h=8,
)

EDWARDS448_CURVE = EdwardsCurve(
    "edwards448",
    p=2**448 - 2**224 - 1,
    a=1,
    d=-39081,
    gx=224580040295924300187604334099896036246789641632564134246125461686950415467406032909029192869357953282578032075146446173674602635247710,
    gy=298819210078481492676017930443930673437544040154080242095928241372331506189835876003536878655418784733982303233503462500531545062832660,
    n=2**446 - 13818066809895115352007386748515426880336692474882178609894547503885,
    h=4,
)

__all__ = [
    "Affine", "Jacobian", "Extended", "CurveOps", "WeierstrassCurve", "EdwardsCurve", "FixedBaseTable",
    "wnaf", "signed_radix", "P256_CURVE", "P384_CURVE", "P521_CURVE", "SECP256K1_CURVE",
    "EDWARDS25519_CURVE", "EDWARDS448_CURVE",
]
