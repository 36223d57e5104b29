"""Arithmetic below the groups: prime fields, polynomials, Lagrange, randomness.

Native code is reached only through this package and `pqzk.groups`.
"""
from .field import batch_inv, inv, is_square, legendre, sgn0, sqrt_mod
from .poly import (interpolate_at, interpolate_polynomial, lagrange_coefficient,
                   lagrange_coefficients, poly_add, poly_eval, poly_eval_many, poly_mul,
                   random_polynomial)
from .rand import DeterministicRNG, RandomSource, random_bytes, random_scalar
from .ring import Ring, RingElement

__all__ = [
    "batch_inv", "inv", "is_square", "legendre", "sgn0", "sqrt_mod",
    "interpolate_at", "interpolate_polynomial", "lagrange_coefficient", "lagrange_coefficients",
    "poly_add", "poly_eval", "poly_eval_many", "poly_mul", "random_polynomial",
    "DeterministicRNG", "RandomSource", "random_bytes", "random_scalar", "Ring", "RingElement",
]
