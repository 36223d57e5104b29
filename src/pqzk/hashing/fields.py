"""Field-operation objects the hash-to-curve maps and curve formulas are written against.

A field object `F` exposes the operations RFC 9380 section 4 uses (add, mul, inv0, is_square,
sqrt, sgn0, ...) on its own element representation: ints for a prime field, (c0, c1) tuples for
BLS12-381's Fp2. One map or curve implementation then serves every field.
"""
from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter
from ..math import bls12_381_fields as bf
from ..math.field import sqrt_mod


class PrimeField:
    """GF(p) on ints in [0, p)."""

    m = 1

    def __init__(self, p: int) -> None:
        self.p = p
        self.zero = 0
        self.one = 1

    def elem(self, c: int) -> int:
        return c % self.p

    def from_ints(self, cs: list[int]) -> int:
        """The element with coefficient list `cs` (hash_to_field output)."""
        return cs[0] % self.p

    def to_ints(self, a: int) -> int:
        return a

    def is_canonical(self, a: Any) -> bool:
        return isinstance(a, int) and 0 <= a < self.p

    def add(self, a: int, b: int) -> int:
        return (a + b) % self.p

    def sub(self, a: int, b: int) -> int:
        return (a - b) % self.p

    def neg(self, a: int) -> int:
        return -a % self.p

    def mul(self, a: int, b: int) -> int:
        return a * b % self.p

    def sqr(self, a: int) -> int:
        return a * a % self.p

    def mul_int(self, a: int, k: int) -> int:
        return a * k % self.p

    def inv(self, a: int) -> int:
        if a == 0:
            raise InvalidParameter("zero has no inverse")
        return pow(a, -1, self.p)

    def inv0(self, a: int) -> int:
        """RFC 9380 section 4: inverse with inv0(0) == 0."""
        return pow(a, -1, self.p) if a else 0

    def is_zero(self, a: int) -> bool:
        return a == 0

    def is_square(self, a: int) -> bool:
        return a == 0 or pow(a, (self.p - 1) // 2, self.p) == 1

    def sqrt(self, a: int) -> int | None:
        return sqrt_mod(a, self.p)

    def sgn0(self, a: int) -> int:
        return a & 1

    def __repr__(self) -> str:
        return f"PrimeField({self.p:#x})"


class BLS12381Fp2:
    """BLS12-381's Fp2 = Fp[u]/(u^2 + 1) on (c0, c1) tuples (math.bls12_381_fields)."""

    m = 2
    p = bf.P
    zero = bf.FP2_ZERO
    one = bf.FP2_ONE

    def elem(self, c: int | tuple[int, int]) -> bf.Fp2:
        if isinstance(c, int):
            return (c % bf.P, 0)
        return (c[0] % bf.P, c[1] % bf.P)

    def from_ints(self, cs: list[int]) -> bf.Fp2:
        return (cs[0] % bf.P, cs[1] % bf.P)

    def to_ints(self, a: bf.Fp2) -> tuple[int, int]:
        return a

    def is_canonical(self, a: Any) -> bool:
        return (isinstance(a, tuple) and len(a) == 2
                and all(isinstance(c, int) and 0 <= c < bf.P for c in a))

    add = staticmethod(bf.fp2_add)
    sub = staticmethod(bf.fp2_sub)
    neg = staticmethod(bf.fp2_neg)
    mul = staticmethod(bf.fp2_mul)
    sqr = staticmethod(bf.fp2_sqr)
    mul_int = staticmethod(bf.fp2_mul_fp)
    is_square = staticmethod(bf.fp2_is_square)
    sqrt = staticmethod(bf.fp2_sqrt)
    sgn0 = staticmethod(bf.fp2_sgn0)

    def inv(self, a: bf.Fp2) -> bf.Fp2:
        if a == bf.FP2_ZERO:
            raise InvalidParameter("zero has no inverse")
        return bf.fp2_inv(a)

    def inv0(self, a: bf.Fp2) -> bf.Fp2:
        return bf.FP2_ZERO if a == bf.FP2_ZERO else bf.fp2_inv(a)

    def is_zero(self, a: bf.Fp2) -> bool:
        return a == bf.FP2_ZERO

    def __repr__(self) -> str:
        return "BLS12381Fp2()"


FP2 = BLS12381Fp2()
