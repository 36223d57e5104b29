"""Curves used by hash-to-curve and the BLS12-381 groups.

Prime-field arithmetic is `pqzk.math.ec`'s (Jacobian Weierstrass, extended Edwards). This module adds
only what ec.py does not cover, with ec.py's method names so callers treat all curves alike:
- `FieldWeierstrass`: y^2 = x^3 + a·x + b over a field object (BLS12-381's Fp2), Jacobian
  coordinates, inheriting ec.py's wNAF `mul` and Pippenger `msm`;
- `MontgomeryCurve`: y^2 = x^3 + A·x^2 + x, computed on its short Weierstrass model;
- affine helpers for the RFC 9380 code (affine points are (x, y); None is infinity);
- the curve objects of BLS12-381 G1 / G2, curve25519 and curve448.
Reference code on Python ints: not constant time.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..math import bls12_381_fields as bf
from ..math.ec import EdwardsCurve, WeierstrassCurve, _CurveOps
from .fields import FP2

Affine = Any  # (x, y), or None for the point at infinity


class FieldWeierstrass(_CurveOps):
    """y^2 = x^3 + a x + b over field object F (a = 0 or not), same API as ec.WeierstrassCurve."""

    def __init__(self, name: str, F: Any, a: Any, b: Any, gx: Any, gy: Any, n: int, h: int) -> None:
        self.name, self.F, self.n, self.h = name, F, n, h
        self.a, self.b, self.gx, self.gy = F.elem(a), F.elem(b), F.elem(gx), F.elem(gy)
        self._a_is_zero = F.is_zero(self.a)
        self._identity = (F.one, F.one, F.zero)

    def is_on_curve(self, x: Any, y: Any) -> bool:
        """Whether the affine point (x, y) has canonical coordinates and satisfies the curve equation."""
        F = self.F
        return F.is_canonical(x) and F.is_canonical(y) and F.sqr(y) == self.y_squared(x)

    def y_squared(self, x: Any) -> Any:
        """`x^3 + a·x + b`: the right-hand side of the curve equation."""
        F = self.F
        return F.add(F.mul(F.add(F.sqr(x), self.a), x), self.b)

    def generator(self) -> tuple:
        """The standard generator as a Jacobian point."""
        return (self.gx, self.gy, self.F.one)

    def identity(self) -> tuple:
        """The point at infinity (Jacobian Z = 0)."""
        return self._identity

    def from_affine(self, x: Any, y: Any) -> tuple:
        """The Jacobian point (x, y, 1)."""
        return (x, y, self.F.one)

    def to_affine(self, P: tuple) -> Affine:
        """The affine (x, y) of a Jacobian point, or None for the point at infinity."""
        F = self.F
        X, Y, Z = P
        if F.is_zero(Z):
            return None
        zi = F.inv(Z)
        zi2 = F.sqr(zi)
        return (F.mul(X, zi2), F.mul(Y, F.mul(zi2, zi)))

    def batch_normalize(self, points: Sequence[tuple]) -> list[Affine]:
        """`to_affine` of each point."""
        return [self.to_affine(P) for P in points]

    def is_identity(self, P: tuple) -> bool:
        """Whether a Jacobian point is the point at infinity."""
        return self.F.is_zero(P[2])

    def eq(self, P: tuple, Q: tuple) -> bool:
        """Whether two Jacobian points are the same point (compared without inversions)."""
        F = self.F
        i1, i2 = F.is_zero(P[2]), F.is_zero(Q[2])
        if i1 or i2:
            return i1 and i2
        z1z1, z2z2 = F.sqr(P[2]), F.sqr(Q[2])
        return (F.mul(P[0], z2z2) == F.mul(Q[0], z1z1)
                and F.mul(P[1], F.mul(z2z2, Q[2])) == F.mul(Q[1], F.mul(z1z1, P[2])))

    def neg(self, P: tuple) -> tuple:
        """The negation of a Jacobian point."""
        return (P[0], self.F.neg(P[1]), P[2])

    def double(self, P: tuple) -> tuple:
        """`2·P` in Jacobian coordinates (dbl-2007-bl)."""
        # dbl-2007-bl (hyperelliptic.org EFD, Jacobian coordinates)
        F = self.F
        X1, Y1, Z1 = P
        if F.is_zero(Z1) or F.is_zero(Y1):
            return self._identity
        XX, YY, ZZ = F.sqr(X1), F.sqr(Y1), F.sqr(Z1)
        YYYY = F.sqr(YY)
        S = F.mul_int(F.sub(F.sub(F.sqr(F.add(X1, YY)), XX), YYYY), 2)
        M = F.mul_int(XX, 3)
        if not self._a_is_zero:
            M = F.add(M, F.mul(self.a, F.sqr(ZZ)))
        T = F.sub(F.sqr(M), F.mul_int(S, 2))
        Y3 = F.sub(F.mul(M, F.sub(S, T)), F.mul_int(YYYY, 8))
        Z3 = F.sub(F.sub(F.sqr(F.add(Y1, Z1)), YY), ZZ)
        return (T, Y3, Z3)

    def add(self, P: tuple, Q: tuple) -> tuple:
        """`P + Q` in Jacobian coordinates (add-2007-bl), handling infinity and doubling."""
        # add-2007-bl (hyperelliptic.org EFD, Jacobian coordinates)
        F = self.F
        X1, Y1, Z1 = P
        X2, Y2, Z2 = Q
        if F.is_zero(Z1):
            return Q
        if F.is_zero(Z2):
            return P
        Z1Z1, Z2Z2 = F.sqr(Z1), F.sqr(Z2)
        U1, U2 = F.mul(X1, Z2Z2), F.mul(X2, Z1Z1)
        S1 = F.mul(Y1, F.mul(Z2, Z2Z2))
        S2 = F.mul(Y2, F.mul(Z1, Z1Z1))
        H = F.sub(U2, U1)
        r = F.mul_int(F.sub(S2, S1), 2)
        if F.is_zero(H):
            return self.double(P) if F.is_zero(r) else self._identity
        I = F.sqr(F.mul_int(H, 2))
        J = F.mul(H, I)
        V = F.mul(U1, I)
        X3 = F.sub(F.sub(F.sqr(r), J), F.mul_int(V, 2))
        Y3 = F.sub(F.mul(r, F.sub(V, X3)), F.mul_int(F.mul(S1, J), 2))
        Z3 = F.mul(F.sub(F.sub(F.sqr(F.add(Z1, Z2)), Z1Z1), Z2Z2), H)
        return (X3, Y3, Z3)

    def _mixed(self, P: tuple, q: Affine) -> tuple:
        return P if q is None else self.add(P, self.from_affine(*q))

    def _mixed_neg(self, P: tuple, q: Affine) -> tuple:
        return P if q is None else self.add(P, self.from_affine(q[0], self.F.neg(q[1])))

    def __repr__(self) -> str:
        return f"<FieldWeierstrass {self.name}>"


class MontgomeryCurve:
    """y^2 = x^3 + A x^2 + x over GF(p), computed on the short Weierstrass model
    y^2 = t^3 + (1 - A^2/3) t + (2A^3 - 9A)/27, t = x + A/3 (an ec.WeierstrassCurve).
    Same method names as the ec.py curves; points are the model's Jacobian triples."""

    def __init__(self, name: str, p: int, A: int, gu: int, gv: int, n: int, h: int) -> None:
        self.name, self.p, self.A, self.n, self.h = name, p, A % p, n, h
        inv3 = pow(3, -1, p)
        self.shift = A * inv3 % p
        a = (1 - A * A * inv3) % p
        b = (2 * A**3 - 9 * A) * pow(27, -1, p) % p
        self.W = WeierstrassCurve(name + " (Weierstrass model)", p, a, b, (gu + self.shift) % p, gv, n, h)

    def is_on_curve(self, x: int, y: int) -> bool:
        """Whether (x, y) has coordinates in [0, p) and satisfies `y^2 = x^3 + A·x^2 + x`."""
        p = self.p
        return 0 <= x < p and 0 <= y < p and (y * y - ((x + self.A) * x + 1) * x) % p == 0

    def generator(self) -> tuple:
        """The standard generator, on the Weierstrass model."""
        return self.W.generator()

    def identity(self) -> tuple:
        """The point at infinity, on the Weierstrass model."""
        return self.W.identity()

    def from_affine(self, x: int, y: int) -> tuple:
        """The model's Jacobian point for the Montgomery point (x, y)."""
        return self.W.from_affine(x + self.shift, y)

    def to_affine(self, P: tuple) -> Affine:
        """The Montgomery (x, y) of a model point, or None for the point at infinity."""
        t = self.W.to_affine(P)
        return None if t is None else ((t[0] - self.shift) % self.p, t[1])

    def is_identity(self, P: tuple) -> bool:
        """Whether a model point is the point at infinity."""
        return self.W.is_identity(P)

    def eq(self, P: tuple, Q: tuple) -> bool:
        """Whether two model points are equal."""
        return self.W.eq(P, Q)

    def neg(self, P: tuple) -> tuple:
        """The negation of a model point."""
        return self.W.neg(P)

    def add(self, P: tuple, Q: tuple) -> tuple:
        """`P + Q` on the Weierstrass model."""
        return self.W.add(P, Q)

    def double(self, P: tuple) -> tuple:
        """`2·P` on the Weierstrass model."""
        return self.W.double(P)

    def mul(self, k: int, P: tuple) -> tuple:
        """`k·P` on the Weierstrass model."""
        return self.W.mul(k, P)

    def __repr__(self) -> str:
        return f"<MontgomeryCurve {self.name}>"


# ---- affine helpers (RFC 9380 code works on affine points) ----
def _jac(curve: Any, P: Affine) -> Any:
    return curve.identity() if P is None else curve.from_affine(*P)


def affine_add(curve: Any, P: Affine, Q: Affine) -> Affine:
    """`P + Q` for affine points (None is infinity), as the RFC 9380 code writes them."""
    return curve.to_affine(curve.add(_jac(curve, P), _jac(curve, Q)))


def affine_mul(curve: Any, k: int, P: Affine) -> Affine:
    """`k·P` for an affine point (None is infinity)."""
    return curve.to_affine(curve.mul(k, _jac(curve, P)))


def affine_identity(curve: Any) -> Affine:
    """The affine point at infinity (None)."""
    return curve.to_affine(curve.identity())


def on_curve(curve: Any, P: Affine) -> bool:
    """P is a point of `curve` with canonical coordinates (None: infinity, not on Edwards curves)."""
    if P is None:
        return not isinstance(curve, EdwardsCurve)
    return isinstance(P, tuple) and len(P) == 2 and curve.is_on_curve(*P)


# ---- curves ----
BLS12_381_G1_CURVE = WeierstrassCurve(
    "BLS12-381 G1", p=bf.P, a=0, b=4,
    gx=0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB,
    gy=0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1,
    n=bf.R, h=0x396C8C005555E1568C00AAAB0000AAAB,
)

BLS12_381_G2_CURVE = FieldWeierstrass(
    "BLS12-381 G2", FP2, 0, (4, 4),
    gx=(0x024AA2B2F08F0A91260805272DC51051C6E47AD4FA403B02B4510B647AE3D1770BAC0326A805BBEFD48056C8C121BDB8,
        0x13E02B6052719F607DACD3A088274F65596BD0D09920B61AB5DA61BBDC7F5049334CF11213945D57E5AC7D055D042B7E),
    gy=(0x0CE5D527727D6E118CC9CDC6DA2E351AADFD9BAA8CBDD3A76D429A695160D12C923AC9CC3BACA289E193548608B82801,
        0x0606C4A02EA734CC32ACD2B02BC28B99CB3E287E85A763AF267492AB572E99AB3F370D275CEC1DA1AAA9075FF05F79BE),
    n=bf.R,
    h=0x5D543A95414E7F1091D50792876A202CD91DE4547085ABAA68A205B2E5A7DDFA628F1CB4D9E82EF21537E293A6691AE1616EC6E786F0C70CF1C38E31C7238E5,
)

CURVE25519 = MontgomeryCurve(  # RFC 7748 section 4.1
    "curve25519", p=2**255 - 19, A=486662, gu=9,
    gv=14781619447589544791020593568409986887264606134616475288964881837755586237401,
    n=2**252 + 27742317777372353535851937790883648493, h=8,
)

CURVE448 = MontgomeryCurve(  # RFC 7748 section 4.2
    "curve448", p=2**448 - 2**224 - 1, A=156326, gu=5,
    gv=355293926785568175264127502063783334808976399387714271831880898435169088786967410002932673765864550910142774147268105838985595290606362,
    n=2**446 - 13818066809895115352007386748515426880336692474882178609894547503885, h=4,
)
