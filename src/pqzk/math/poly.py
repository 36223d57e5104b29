"""Polynomials over Z_q (coefficient lists, constant term first) and Lagrange interpolation."""
from __future__ import annotations

import math
from collections.abc import Sequence

from ..errors import InvalidParameter
from .field import batch_inv
from .rand import RandomSource, random_scalar


def poly_eval(coeffs: Sequence[int], x: int, q: int) -> int:
    """f(x) mod q by Horner's rule."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % q
    return acc


def poly_eval_many(coeffs: Sequence[int], xs: Sequence[int], q: int) -> list[int]:
    """The polynomial evaluated at each of `xs` mod q."""
    return [poly_eval(coeffs, x, q) for x in xs]


def random_polynomial(constant: int, degree: int, q: int, rng: RandomSource | None = None) -> list[int]:
    """f of the given degree with f(0) = constant and uniform other coefficients."""
    if degree < 0:
        raise InvalidParameter("polynomial degree must be >= 0")
    return [constant % q] + [random_scalar(q, rng, nonzero=False) for _ in range(degree)]


def _check_distinct(xs: Sequence[int], q: int) -> None:
    if len({x % q for x in xs}) != len(xs):
        raise InvalidParameter("interpolation points must have distinct x coordinates")


def lagrange_coefficients(xs: Sequence[int], q: int, at: int = 0) -> list[int]:
    """λ_i with f(at) = Σ λ_i f(x_i) for every f of degree < len(xs); one inversion in all."""
    _check_distinct(xs, q)
    n = len(xs)
    for x in xs:
        if (x - at) % q == 0:
            # `at` is one of the points: the coefficient vector is the indicator of it.
            return [1 if (xj - at) % q == 0 else 0 for xj in xs]
    # λ_i = Π_{j≠i} (at - x_j) / (x_i - x_j) = [Π_j (at - x_j)] / [(at - x_i) Π_{j≠i} (x_i - x_j)]
    full = 1
    for x in xs:
        full = full * (at - x) % q
    if max(abs(x) for x in xs) < 1 << 32:
        # small identifiers (the usual case): exact products stay short, math.prod runs them in C
        denoms = [(at - xi) * math.prod([xi - x for x in xs[:i]]) * math.prod([xi - x for x in xs[i + 1:]]) % q
                  for i, xi in enumerate(xs)]
    else:
        denoms = []
        for i in range(n):
            d = (at - xs[i]) % q
            xi = xs[i]
            for j in range(n):
                if j != i:
                    d = d * (xi - xs[j]) % q
            denoms.append(d)
    return [full * d % q for d in batch_inv(denoms, q)]


def lagrange_coefficient(i: int, xs: Sequence[int], q: int, at: int = 0) -> int:
    """The single λ for point x = i among xs (RFC 9591 section 4.2 derive_interpolating_value)."""
    if i not in xs:
        raise InvalidParameter("x coordinate is not among the interpolation points")
    return lagrange_coefficients(xs, q, at)[list(xs).index(i)]


def interpolate_at(points: Sequence[tuple[int, int]], q: int, at: int = 0) -> int:
    """f(at) from (x, f(x)) pairs."""
    xs = [x for x, _ in points]
    lam = lagrange_coefficients(xs, q, at)
    return sum(l * y for l, (_, y) in zip(lam, points)) % q


def poly_add(a: Sequence[int], b: Sequence[int], q: int) -> list[int]:
    """The sum of two coefficient lists mod q (the longer one's length)."""
    n = max(len(a), len(b))
    return [((a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0)) % q for i in range(n)]


def poly_mul(a: Sequence[int], b: Sequence[int], q: int) -> list[int]:
    """The product of two coefficient lists mod q (schoolbook)."""
    if not a or not b:
        return []
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] = (out[i + j] + x * y) % q
    return out


def interpolate_polynomial(points: Sequence[tuple[int, int]], q: int) -> list[int]:
    """Coefficients of the unique polynomial of degree < len(points) through them."""
    xs = [x for x, _ in points]
    _check_distinct(xs, q)
    result = [0] * len(points)
    for i, (xi, yi) in enumerate(points):
        basis = [1]
        denom = 1
        for j, xj in enumerate(xs):
            if j != i:
                basis = poly_mul(basis, [-xj % q, 1], q)
                denom = denom * (xi - xj) % q
        scale = yi * pow(denom, -1, q) % q
        for k, c in enumerate(basis):
            result[k] = (result[k] + scale * c) % q
    return result
