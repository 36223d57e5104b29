"""Group hooks on the pure-Python curve arithmetic of `pqzk.math.ec` (P-256, edwards448).

Raw points are the curve's projective tuples (Jacobian or extended). The fixed-base table for the
generator is built on the first `base_mult`. The native core may later replace these hooks.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..math.ec import FixedBaseTable
from .base import Group


class PyCurveGroup(Group):
    curve: Any  # a pqzk.math.ec WeierstrassCurve or EdwardsCurve whose generator has order `order`
    _table: FixedBaseTable | None = None

    def _raw_identity(self) -> Any:
        return self.curve.identity()

    def _raw_generator(self) -> Any:
        return self.curve.generator()

    def _raw_add(self, a: Any, b: Any) -> Any:
        return self.curve.add(a, b)

    def _raw_neg(self, a: Any) -> Any:
        return self.curve.neg(a)

    def _raw_mul(self, k: int, a: Any) -> Any:
        return self.curve.mul(k, a)

    def _raw_base_mul(self, k: int) -> Any:
        if self._table is None:
            self._table = self.curve.fixed_base_table(self.curve.generator(), self.order.bit_length())
        return self._table.mul(k)

    def _raw_eq(self, a: Any, b: Any) -> bool:
        return self.curve.eq(a, b)

    def _raw_is_identity(self, a: Any) -> bool:
        return self.curve.is_identity(a)

    def _raw_msm(self, scalars: Sequence[int], points: Sequence[Any]) -> Any:
        return self.curve.msm(scalars, points)
