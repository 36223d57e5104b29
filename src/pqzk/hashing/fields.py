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
        """The field element for an integer (reduced mod p)."""
        return c % self.p

    def from_ints(self, cs: list[int]) -> int:
        """The element with coefficient list `cs` (hash_to_field output)."""
        return cs[0] % self.p

    def to_ints(self, a: int) -> int:
        """The element's coefficients: for GF(p), the integer itself."""
        return a

    def is_canonical(self, a: Any) -> bool:
        """Whether `a` is an int in [0, p)."""
        return isinstance(a, int) and 0 <= a < self.p

    def add(self, a: int, b: int) -> int:
        """`a + b` mod p."""
        return (a + b) % self.p

    def sub(self, a: int, b: int) -> int:
        """`a - b` mod p."""
        return (a - b) % self.p

    def neg(self, a: int) -> int:
        """`-a` mod p."""
        return -a % self.p

    def mul(self, a: int, b: int) -> int:
        """`a·b` mod p."""
        return a * b % self.p

    def sqr(self, a: int) -> int:
        """`a^2` mod p."""
        return a * a % self.p

    def mul_int(self, a: int, k: int) -> int:
        """`a·k` mod p for an integer k."""
        return a * k % self.p

    def inv(self, a: int) -> int:
        """`1/a` mod p; `InvalidParameter` for zero."""
        if a == 0:
            raise InvalidParameter("zero has no inverse")
        return pow(a, -1, self.p)

    def inv0(self, a: int) -> int:
        """RFC 9380 section 4: inverse with inv0(0) == 0."""
        return pow(a, -1, self.p) if a else 0

    def is_zero(self, a: int) -> bool:
        """Whether `a` is zero."""
        return a == 0

    def is_square(self, a: int) -> bool:
        """Whether `a` is a square mod p (zero counts), by Euler's criterion."""
        return a == 0 or pow(a, (self.p - 1) // 2, self.p) == 1

    def sqrt(self, a: int) -> int | None:
        """A square root of `a` mod p, or None when there is none."""
        return sqrt_mod(a, self.p)

    def sgn0(self, a: int) -> int:
        """RFC 9380's sgn0: the parity of `a`."""
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
        """The Fp2 element for an integer (c0 = c, c1 = 0) or a pair, reduced mod p."""
        if isinstance(c, int):
            return (c % bf.P, 0)
        return (c[0] % bf.P, c[1] % bf.P)

    def from_ints(self, cs: list[int]) -> bf.Fp2:
        """The element with coefficients (c0, c1) (hash_to_field output)."""
        return (cs[0] % bf.P, cs[1] % bf.P)

    def to_ints(self, a: bf.Fp2) -> tuple[int, int]:
        """The element's coefficients (c0, c1)."""
        return a

    def is_canonical(self, a: Any) -> bool:
        """Whether `a` is a pair of ints in [0, p)."""
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
        """`1/a`; `InvalidParameter` for zero."""
        if a == bf.FP2_ZERO:
            raise InvalidParameter("zero has no inverse")
        return bf.fp2_inv(a)

    def inv0(self, a: bf.Fp2) -> bf.Fp2:
        """`1/a`, and zero for zero (RFC 9380's inv0)."""
        return bf.FP2_ZERO if a == bf.FP2_ZERO else bf.fp2_inv(a)

    def is_zero(self, a: bf.Fp2) -> bool:
        """Whether `a` is zero."""
        return a == bf.FP2_ZERO

    def __repr__(self) -> str:
        return "BLS12381Fp2()"


FP2 = BLS12381Fp2()
