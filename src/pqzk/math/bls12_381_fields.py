"""BLS12-381 base field and its tower, on plain ints and tuples (the Python reference).

Fp = Z/P.  Fp2 = Fp[u]/(u^2 + 1), an element is (c0, c1) = c0 + c1·u.
Fp6 = Fp2[v]/(v^3 - (u + 1)), an element is (c0, c1, c2) of Fp2.
Fp12 = Fp6[w]/(w^2 - v), an element is (c0, c1) of Fp6.
All coordinates are kept reduced in [0, P), so tuples compare with ==.
"""
from __future__ import annotations

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001  # prime order of G1, G2, GT
X = -0xD201000000010000  # the curve parameter (often called x or u)

Fp2 = tuple[int, int]
Fp6 = tuple[Fp2, Fp2, Fp2]
Fp12 = tuple[Fp6, Fp6]

_SQRT_EXP = (P + 1) // 4  # P ≡ 3 (mod 4)
_HALF = (P + 1) // 2


# ---- Fp ----
def fp_inv(a: int) -> int:
    """`1/a` in BLS12-381's Fp."""
    return pow(a, -1, P)


def fp_sqrt(a: int) -> int | None:
    """A square root of a in Fp, or None if a is not a square."""
    s = pow(a, _SQRT_EXP, P)
    return s if s * s % P == a % P else None


def fp_is_square(a: int) -> bool:
    """Whether `a` is a square in Fp (zero counts), by Euler's criterion."""
    return pow(a, (P - 1) // 2, P) != P - 1


# ---- Fp2 ----
FP2_ZERO: Fp2 = (0, 0)
FP2_ONE: Fp2 = (1, 0)


def fp2_add(a: Fp2, b: Fp2) -> Fp2:
    """`a + b` in Fp2."""
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def fp2_sub(a: Fp2, b: Fp2) -> Fp2:
    """`a - b` in Fp2."""
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P)


def fp2_neg(a: Fp2) -> Fp2:
    """`-a` in Fp2."""
    return (-a[0] % P, -a[1] % P)


def fp2_mul(a: Fp2, b: Fp2) -> Fp2:
    """`a·b` in Fp2 = Fp[u]/(u^2 + 1) (Karatsuba)."""
    a0, a1 = a
    b0, b1 = b
    t0 = a0 * b0
    t1 = a1 * b1
    return ((t0 - t1) % P, ((a0 + a1) * (b0 + b1) - t0 - t1) % P)


def fp2_sqr(a: Fp2) -> Fp2:
    """`a^2` in Fp2."""
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % P, 2 * a0 * a1 % P)


def fp2_mul_fp(a: Fp2, k: int) -> Fp2:
    """`a·k` for `a` in Fp2 and `k` in Fp."""
    return (a[0] * k % P, a[1] * k % P)


def fp2_conj(a: Fp2) -> Fp2:
    """The Frobenius a -> a^p (complex conjugation)."""
    return (a[0], -a[1] % P)


def fp2_inv(a: Fp2) -> Fp2:
    """Inverse of a non-zero element (zero raises ValueError from pow; callers check)."""
    a0, a1 = a
    n = pow(a0 * a0 + a1 * a1, -1, P)
    return (a0 * n % P, -a1 * n % P)


def fp2_mul_by_nonresidue(a: Fp2) -> Fp2:
    """a·(u + 1), the non-residue defining Fp6."""
    a0, a1 = a
    return ((a0 - a1) % P, (a0 + a1) % P)


def _square_and_multiply(a, e: int, one, sqr, mul):
    """a^e (e >= 0) by left-to-right square and multiply in the tower field whose one, squaring and
    multiplication are given (variable time: this reference module holds no secrets)."""
    r = one
    for bit in bin(e)[2:]:
        r = sqr(r)
        if bit == "1":
            r = mul(r, a)
    return r


def fp2_pow(a: Fp2, e: int) -> Fp2:
    """a^e in Fp2 (e >= 0)."""
    return _square_and_multiply(a, e, FP2_ONE, fp2_sqr, fp2_mul)


def fp2_is_square(a: Fp2) -> bool:
    """a is a square in Fp2 iff its norm a0^2 + a1^2 is a square in Fp."""
    return fp_is_square((a[0] * a[0] + a[1] * a[1]) % P)


def fp2_sqrt(a: Fp2) -> Fp2 | None:
    """A square root in Fp2 (the 'complex' method for P ≡ 3 mod 4), or None."""
    a0, a1 = a
    if a1 == 0:
        s = fp_sqrt(a0)
        if s is not None:
            return (s, 0)
        s = fp_sqrt(-a0 % P)  # (s·u)^2 = -s^2 = a0
        return (0, s)
    alpha = fp_sqrt((a0 * a0 + a1 * a1) % P)
    if alpha is None:
        return None
    delta = (a0 + alpha) * _HALF % P
    x0 = fp_sqrt(delta)
    if x0 is None:
        x0 = fp_sqrt((a0 - alpha) * _HALF % P)
        if x0 is None:  # cannot happen for a square; keep the function total
            return None
    x1 = a1 * pow(2 * x0, -1, P) % P
    return (x0, x1)


def fp2_sgn0(a: Fp2) -> int:
    """RFC 9380 section 4.1 sgn0 for m = 2."""
    return (a[0] & 1) | ((a[0] == 0) & (a[1] & 1))


# ---- Fp6 ----
FP6_ZERO: Fp6 = (FP2_ZERO, FP2_ZERO, FP2_ZERO)
FP6_ONE: Fp6 = (FP2_ONE, FP2_ZERO, FP2_ZERO)


def fp6_add(a: Fp6, b: Fp6) -> Fp6:
    """`a + b` in Fp6."""
    return (fp2_add(a[0], b[0]), fp2_add(a[1], b[1]), fp2_add(a[2], b[2]))


def fp6_sub(a: Fp6, b: Fp6) -> Fp6:
    """`a - b` in Fp6."""
    return (fp2_sub(a[0], b[0]), fp2_sub(a[1], b[1]), fp2_sub(a[2], b[2]))


def fp6_neg(a: Fp6) -> Fp6:
    """`-a` in Fp6."""
    return (fp2_neg(a[0]), fp2_neg(a[1]), fp2_neg(a[2]))


def fp6_mul(a: Fp6, b: Fp6) -> Fp6:
    """`a·b` in Fp6 = Fp2[v]/(v^3 - (u + 1)) (Karatsuba)."""
    a0, a1, a2 = a
    b0, b1, b2 = b
    t0, t1, t2 = fp2_mul(a0, b0), fp2_mul(a1, b1), fp2_mul(a2, b2)
    c0 = fp2_add(t0, fp2_mul_by_nonresidue(
        fp2_sub(fp2_mul(fp2_add(a1, a2), fp2_add(b1, b2)), fp2_add(t1, t2))))
    c1 = fp2_add(fp2_sub(fp2_mul(fp2_add(a0, a1), fp2_add(b0, b1)), fp2_add(t0, t1)),
                 fp2_mul_by_nonresidue(t2))
    c2 = fp2_add(fp2_sub(fp2_mul(fp2_add(a0, a2), fp2_add(b0, b2)), fp2_add(t0, t2)), t1)
    return (c0, c1, c2)


def fp6_mul_by_v(a: Fp6) -> Fp6:
    """a·v (v^3 = u + 1)."""
    return (fp2_mul_by_nonresidue(a[2]), a[0], a[1])


def fp6_inv(a: Fp6) -> Fp6:
    """`1/a` in Fp6."""
    a0, a1, a2 = a
    t0 = fp2_sub(fp2_sqr(a0), fp2_mul_by_nonresidue(fp2_mul(a1, a2)))
    t1 = fp2_sub(fp2_mul_by_nonresidue(fp2_sqr(a2)), fp2_mul(a0, a1))
    t2 = fp2_sub(fp2_sqr(a1), fp2_mul(a0, a2))
    d = fp2_add(fp2_mul(a0, t0), fp2_mul_by_nonresidue(fp2_add(fp2_mul(a2, t1), fp2_mul(a1, t2))))
    di = fp2_inv(d)
    return (fp2_mul(t0, di), fp2_mul(t1, di), fp2_mul(t2, di))


# ---- Fp12 ----
FP12_ONE: Fp12 = (FP6_ONE, FP6_ZERO)


def fp12_mul(a: Fp12, b: Fp12) -> Fp12:
    """`a·b` in Fp12 = Fp6[w]/(w^2 - v) (Karatsuba)."""
    a0, a1 = a
    b0, b1 = b
    t0, t1 = fp6_mul(a0, b0), fp6_mul(a1, b1)
    c1 = fp6_sub(fp6_mul(fp6_add(a0, a1), fp6_add(b0, b1)), fp6_add(t0, t1))
    return (fp6_add(t0, fp6_mul_by_v(t1)), c1)


def fp12_sqr(a: Fp12) -> Fp12:
    """(a0 + a1 w)^2 = a0^2 + v a1^2 + 2 a0 a1 w with two Fp6 multiplications."""
    a0, a1 = a
    t = fp6_mul(a0, a1)
    c0 = fp6_sub(fp6_sub(fp6_mul(fp6_add(a0, a1), fp6_add(a0, fp6_mul_by_v(a1))), t), fp6_mul_by_v(t))
    return (c0, fp6_add(t, t))


def fp12_conj(a: Fp12) -> Fp12:
    """a^(p^6): the inverse of a unitary element (after the easy part of the final exponentiation)."""
    return (a[0], fp6_neg(a[1]))


def fp12_inv(a: Fp12) -> Fp12:
    """`1/a` in Fp12."""
    a0, a1 = a
    d = fp6_inv(fp6_sub(fp6_mul(a0, a0), fp6_mul_by_v(fp6_mul(a1, a1))))
    return (fp6_mul(a0, d), fp6_neg(fp6_mul(a1, d)))


def fp12_pow(a: Fp12, e: int) -> Fp12:
    """`a^e` in Fp12 (negative `e` inverts first)."""
    if e < 0:
        a, e = fp12_inv(a), -e
    return _square_and_multiply(a, e, FP12_ONE, fp12_sqr, fp12_mul)


# Frobenius a -> a^p on Fp12 (coefficients w.r.t. the basis w^i, i = 0..5, w^6 = u + 1):
# (sum c_i w^i)^p = sum conj(c_i) · gamma_i w^i with gamma_i = (u + 1)^(i (p - 1) / 6).
_GAMMA = [fp2_pow((1, 1), i * (P - 1) // 6) for i in range(6)]


def _fp12_coeffs(a: Fp12) -> list[Fp2]:
    (c00, c01, c02), (c10, c11, c12) = a  # a = c0 + c1·w, c_j = c_j0 + c_j1 v + c_j2 v^2, v = w^2
    return [c00, c10, c01, c11, c02, c12]


def _fp12_from_coeffs(c: list[Fp2]) -> Fp12:
    return ((c[0], c[2], c[4]), (c[1], c[3], c[5]))


def fp12_frobenius(a: Fp12, power: int = 1) -> Fp12:
    """The Frobenius map `a^(p^power)` in Fp12."""
    for _ in range(power):
        a = _fp12_from_coeffs([fp2_mul(fp2_conj(c), g) for c, g in zip(_fp12_coeffs(a), _GAMMA)])
    return a
