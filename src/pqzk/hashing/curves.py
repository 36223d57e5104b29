"""Elliptic-curve arithmetic over any field object of `fields.py` (prime fields and Fp2).

- `Weierstrass`: y^2 = x^3 + a·x + b, Jacobian coordinates (X : Y : Z), x = X/Z^2, y = Y/Z^3.
- `Montgomery`: B·y^2 = x^3 + A·x^2 + x (B = 1 here), computed on its short Weierstrass model.
- `TwistedEdwards`: a·x^2 + y^2 = 1 + d·x^2·y^2, complete affine formulas.

Every curve has the same affine API: `identity`, `on_curve(P)`, `add`, `neg`, `double`, `mul`;
affine points are (x, y), and `None` is the point at infinity of Weierstrass/Montgomery curves.
This is reference code on Python ints: not constant time.
"""
from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter

Affine = Any  # (x, y) or None


class Weierstrass:
    """Short Weierstrass curve y^2 = x^3 + a x + b over field F."""

    def __init__(self, F: Any, a: Any, b: Any) -> None:
        self.F, self.a, self.b = F, F.elem(a), F.elem(b)
        self.a_is_zero = F.is_zero(self.a)
        self.identity: Affine = None
        self.jac_identity = (F.one, F.one, F.zero)

    # ---- affine ----
    def on_curve(self, P: Affine) -> bool:
        if P is None:
            return True
        F = self.F
        x, y = P
        rhs = F.add(F.mul(F.add(F.sqr(x), self.a), x), self.b)
        return F.sqr(y) == rhs

    def to_jacobian(self, P: Affine) -> tuple:
        return self.jac_identity if P is None else (P[0], P[1], self.F.one)

    def to_affine(self, J: tuple) -> Affine:
        F = self.F
        X, Y, Z = J
        if F.is_zero(Z):
            return None
        zi = F.inv(Z)
        zi2 = F.sqr(zi)
        return (F.mul(X, zi2), F.mul(Y, F.mul(zi2, zi)))

    def add(self, P: Affine, Q: Affine) -> Affine:
        return self.to_affine(self.jac_add(self.to_jacobian(P), self.to_jacobian(Q)))

    def double(self, P: Affine) -> Affine:
        return self.to_affine(self.jac_double(self.to_jacobian(P)))

    def neg(self, P: Affine) -> Affine:
        return None if P is None else (P[0], self.F.neg(P[1]))

    def mul(self, k: int, P: Affine) -> Affine:
        return self.to_affine(self.jac_mul(k, self.to_jacobian(P)))

    # ---- Jacobian ----
    def jac_is_identity(self, J: tuple) -> bool:
        return self.F.is_zero(J[2])

    def jac_neg(self, J: tuple) -> tuple:
        return (J[0], self.F.neg(J[1]), J[2])

    def jac_eq(self, J1: tuple, J2: tuple) -> bool:
        F = self.F
        i1, i2 = F.is_zero(J1[2]), F.is_zero(J2[2])
        if i1 or i2:
            return i1 and i2
        z1z1, z2z2 = F.sqr(J1[2]), F.sqr(J2[2])
        if F.mul(J1[0], z2z2) != F.mul(J2[0], z1z1):
            return False
        return F.mul(J1[1], F.mul(z2z2, J2[2])) == F.mul(J2[1], F.mul(z1z1, J1[2]))

    def jac_on_curve(self, J: tuple) -> bool:
        """Y^2 = X^3 + a X Z^4 + b Z^6."""
        F = self.F
        X, Y, Z = J
        if F.is_zero(Z):
            return True
        z2 = F.sqr(Z)
        z4 = F.sqr(z2)
        rhs = F.add(F.mul(F.add(F.sqr(X), F.mul(self.a, z4)), X), F.mul(self.b, F.mul(z4, z2)))
        return F.sqr(Y) == rhs

    def jac_double(self, J: tuple) -> tuple:
        # dbl-2007-bl (hyperelliptic.org EFD, Jacobian coordinates)
        F = self.F
        X1, Y1, Z1 = J
        if F.is_zero(Z1) or F.is_zero(Y1):
            return self.jac_identity
        XX, YY, ZZ = F.sqr(X1), F.sqr(Y1), F.sqr(Z1)
        YYYY = F.sqr(YY)
        S = F.mul_int(F.sub(F.sub(F.sqr(F.add(X1, YY)), XX), YYYY), 2)
        M = F.mul_int(XX, 3)
        if not self.a_is_zero:
            M = F.add(M, F.mul(self.a, F.sqr(ZZ)))
        T = F.sub(F.sqr(M), F.mul_int(S, 2))
        Y3 = F.sub(F.mul(M, F.sub(S, T)), F.mul_int(YYYY, 8))
        Z3 = F.sub(F.sub(F.sqr(F.add(Y1, Z1)), YY), ZZ)
        return (T, Y3, Z3)

    def jac_add(self, J1: tuple, J2: tuple) -> tuple:
        # add-2007-bl (hyperelliptic.org EFD, Jacobian coordinates)
        F = self.F
        X1, Y1, Z1 = J1
        X2, Y2, Z2 = J2
        if F.is_zero(Z1):
            return J2
        if F.is_zero(Z2):
            return J1
        Z1Z1, Z2Z2 = F.sqr(Z1), F.sqr(Z2)
        U1, U2 = F.mul(X1, Z2Z2), F.mul(X2, Z1Z1)
        S1 = F.mul(Y1, F.mul(Z2, Z2Z2))
        S2 = F.mul(Y2, F.mul(Z1, Z1Z1))
        H = F.sub(U2, U1)
        r = F.mul_int(F.sub(S2, S1), 2)
        if F.is_zero(H):
            return self.jac_double(J1) if F.is_zero(r) else self.jac_identity
        I = F.sqr(F.mul_int(H, 2))
        Jt = F.mul(H, I)
        V = F.mul(U1, I)
        X3 = F.sub(F.sub(F.sqr(r), Jt), F.mul_int(V, 2))
        Y3 = F.sub(F.mul(r, F.sub(V, X3)), F.mul_int(F.mul(S1, Jt), 2))
        Z3 = F.mul(F.sub(F.sub(F.sqr(F.add(Z1, Z2)), Z1Z1), Z2Z2), H)
        return (X3, Y3, Z3)

    def jac_mul(self, k: int, J: tuple) -> tuple:
        """k·J for any integer k (negative allowed), left-to-right with a 4-bit window."""
        if k < 0:
            k, J = -k, self.jac_neg(J)
        if k == 0 or self.jac_is_identity(J):
            return self.jac_identity
        table = [self.jac_identity, J]
        for _ in range(14):
            table.append(self.jac_add(table[-1], J))
        acc = self.jac_identity
        nibbles = k.bit_length() + 3 >> 2
        for i in range(nibbles - 1, -1, -1):
            for _ in range(4):
                acc = self.jac_double(acc)
            d = (k >> (4 * i)) & 15
            if d:
                acc = self.jac_add(acc, table[d])
        return acc


class Montgomery:
    """Montgomery curve y^2 = x^3 + A x^2 + x (B = 1), arithmetic on the model
    y^2 = t^3 + (1 - A^2/3) t + (2A^3 - 9A)/27 with t = x + A/3."""

    def __init__(self, F: Any, A: int) -> None:
        self.F, self.A = F, F.elem(A)
        inv3 = F.inv(F.elem(3))
        self.shift = F.mul(self.A, inv3)  # A/3
        A2 = F.sqr(self.A)
        a = F.sub(F.one, F.mul(A2, inv3))
        b = F.mul(F.sub(F.mul_int(F.mul(A2, self.A), 2), F.mul_int(self.A, 9)), F.inv(F.elem(27)))
        self.W = Weierstrass(F, a, b)
        self.identity: Affine = None

    def _to_w(self, P: Affine) -> Affine:
        return None if P is None else (self.F.add(P[0], self.shift), P[1])

    def _from_w(self, P: Affine) -> Affine:
        return None if P is None else (self.F.sub(P[0], self.shift), P[1])

    def on_curve(self, P: Affine) -> bool:
        if P is None:
            return True
        F = self.F
        x, y = P
        return F.sqr(y) == F.mul(x, F.add(F.mul(x, F.add(x, self.A)), F.one))

    def add(self, P: Affine, Q: Affine) -> Affine:
        return self._from_w(self.W.add(self._to_w(P), self._to_w(Q)))

    def double(self, P: Affine) -> Affine:
        return self._from_w(self.W.double(self._to_w(P)))

    def neg(self, P: Affine) -> Affine:
        return None if P is None else (P[0], self.F.neg(P[1]))

    def mul(self, k: int, P: Affine) -> Affine:
        return self._from_w(self.W.mul(k, self._to_w(P)))


class TwistedEdwards:
    """a x^2 + y^2 = 1 + d x^2 y^2 with a square, d non-square: the affine law is complete."""

    def __init__(self, F: Any, a: int, d: int) -> None:
        self.F, self.a, self.d = F, F.elem(a), F.elem(d)
        self.identity: Affine = (F.zero, F.one)

    def on_curve(self, P: Affine) -> bool:
        if P is None:
            return False
        F = self.F
        x2, y2 = F.sqr(P[0]), F.sqr(P[1])
        return F.add(F.mul(self.a, x2), y2) == F.add(F.one, F.mul(self.d, F.mul(x2, y2)))

    def add(self, P: Affine, Q: Affine) -> Affine:
        F = self.F
        x1, y1 = P
        x2, y2 = Q
        t = F.mul(self.d, F.mul(F.mul(x1, x2), F.mul(y1, y2)))
        x3 = F.mul(F.add(F.mul(x1, y2), F.mul(y1, x2)), F.inv(F.add(F.one, t)))
        y3 = F.mul(F.sub(F.mul(y1, y2), F.mul(self.a, F.mul(x1, x2))), F.inv(F.sub(F.one, t)))
        return (x3, y3)

    def double(self, P: Affine) -> Affine:
        return self.add(P, P)

    def neg(self, P: Affine) -> Affine:
        return (self.F.neg(P[0]), P[1])

    def mul(self, k: int, P: Affine) -> Affine:
        if k < 0:
            k, P = -k, self.neg(P)
        acc = self.identity
        for bit in bin(k)[2:]:
            acc = self.double(acc)
            if bit == "1":
                acc = self.add(acc, P)
        return acc


def check_point(curve: Any, P: Affine) -> None:
    """Raise InvalidParameter unless P is a point of `curve` with canonical coordinates."""
    if P is None and not isinstance(curve, TwistedEdwards):
        return
    if (not isinstance(P, tuple) or len(P) != 2
            or not all(curve.F.is_canonical(c) for c in P) or not curve.on_curve(P)):
        raise InvalidParameter("point is not on the curve")
