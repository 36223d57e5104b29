"""Group hooks on the pure-Python curve arithmetic of `pqzk.math.ec` (P-256, edwards448).

Raw points are the curve's projective tuples (Jacobian or extended). The fixed-base table for the
generator is built on the first `base_mult`. A group naming a `native_curve` (a key of
`pqzk.groups._native_curves.CURVES`) has its scalar multiplications and MSM done in C.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..math.ec import FixedBaseTable
from .base import Group


class PyCurveGroup(Group):
    curve: Any  # a pqzk.math.ec WeierstrassCurve or EdwardsCurve whose generator has order `order`
    _table: FixedBaseTable | None = None
    native_curve: str | None = None

    def _native(self) -> Any:
        """The native curve, or None (no name, or the extension is not built)."""
        if self.native_curve is None:
            return None
        from .. import _native
        if not _native.available():
            return None
        from ._native_curves import CURVES
        return CURVES[self.native_curve]

    def _from_xy(self, xy: Any) -> Any:
        return self.curve.identity() if xy is None else self.curve.from_affine(*xy)

    def in_prime_subgroup(self, raw: Any) -> bool:
        """[order]·P == O (native when available)."""
        nc = self._native()
        if nc is not None:
            return nc.in_subgroup(self.curve.to_affine(raw))
        return self.curve.is_identity(self.curve.mul(self.order, raw))

    def _raw_identity(self) -> Any:
        return self.curve.identity()

    def _raw_generator(self) -> Any:
        return self.curve.generator()

    def _raw_add(self, a: Any, b: Any) -> Any:
        return self.curve.add(a, b)

    def _raw_neg(self, a: Any) -> Any:
        return self.curve.neg(a)

    def _raw_mul(self, k: int, a: Any) -> Any:
        nc = self._native()
        if nc is not None:
            return self._from_xy(nc.mul(k, self.curve.to_affine(a)))
        return self.curve.mul(k, a)

    def _raw_base_mul(self, k: int) -> Any:
        nc = self._native()
        if nc is not None:
            return self._from_xy(nc.base_mul(k))
        if self._table is None:
            self._table = self.curve.fixed_base_table(self.curve.generator(), self.order.bit_length())
        return self._table.mul(k)

    def _raw_eq(self, a: Any, b: Any) -> bool:
        return self.curve.eq(a, b)

    def _raw_is_identity(self, a: Any) -> bool:
        return self.curve.is_identity(a)

    def _raw_msm(self, scalars: Sequence[int], points: Sequence[Any]) -> Any:
        nc = self._native()
        if nc is not None:
            return self._from_xy(nc.msm(scalars, [self.curve.to_affine(p) for p in points]))
        return self.curve.msm(scalars, points)

    def _raw_msm_vartime(self, scalars: Sequence[int], points: Sequence[Any]) -> Any:
        nc = self._native()
        if nc is not None:
            return self._from_xy(nc.msm_vartime(scalars, [self.curve.to_affine(p) for p in points]))
        return self.curve.msm(scalars, points)
