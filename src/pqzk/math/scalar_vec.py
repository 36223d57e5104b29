"""Vectors of scalars modulo a group order as packed bytes (big-endian, fixed width): the bulk
arithmetic of two-party multiplication, done in C (native/ot.c, on the constant-time Montgomery
core) when the order is one the core knows, in Python ints otherwise (`ScalarVectors.ref`).

Values cross as one bytes object per vector, so a protocol never holds thousands of secret ints.
"""
from __future__ import annotations

from .. import _native
from ..errors import InvalidParameter
from .native_field import FIELD_IDS
from .xof import _ORDERS


class ScalarVectors:
    """Packed-vector arithmetic modulo `order` (native when possible)."""

    def __init__(self, order: int, *, native: bool | None = None) -> None:
        self.order = order
        self.size = (order.bit_length() + 7) // 8
        name = _ORDERS.get(order)
        use = _native.available() and name is not None if native is None else native
        if use and (name is None or not _native.available()):
            raise InvalidParameter("no native field for this order")
        self.fid = FIELD_IDS[name] if use else None

    # ---- packing ----
    def pack(self, values) -> bytes:
        """Scalars as one byte string of big-endian `size`-byte elements (the native core's vector layout)."""
        return b"".join(v.to_bytes(self.size, "big") for v in values)

    def unpack(self, data: bytes) -> list[int]:
        """The scalars of a packed vector."""
        s = self.size
        return [int.from_bytes(data[i:i + s], "big") for i in range(0, len(data), s)]

    def _count(self, *vecs: bytes) -> int:
        n = len(vecs[0])
        if n % self.size or any(len(v) != n for v in vecs):
            raise InvalidParameter("scalar vectors of different or partial lengths")
        return n // self.size

    def _call(self, fn, n_out: int, *args) -> bytes:
        ffi = _native.ffi
        out = ffi.new("uint8_t[]", max(1, n_out * self.size))
        if fn(self.fid, out, *args) != 0:
            raise InvalidParameter("scalar vector holds a value that is not reduced")
        return bytes(ffi.buffer(out, n_out * self.size))

    # ---- operations ----
    def add(self, a: bytes, b: bytes) -> bytes:
        """The element-wise sum of two packed vectors mod the order."""
        n = self._count(a, b)
        if self.fid is None:
            q = self.order
            return self.pack((x + y) % q for x, y in zip(self.unpack(a), self.unpack(b)))
        return self._call(_native.lib.pqzk_fe_vec_add, n, a, b, n)

    def sub(self, a: bytes, b: bytes) -> bytes:
        """The element-wise difference of two packed vectors mod the order."""
        n = self._count(a, b)
        if self.fid is None:
            q = self.order
            return self.pack((x - y) % q for x, y in zip(self.unpack(a), self.unpack(b)))
        return self._call(_native.lib.pqzk_fe_vec_sub, n, a, b, n)

    def cadd(self, a: bytes, b: bytes, bits: bytes) -> bytes:
        """a_i + bits_i * b_i, bits one byte (0 or 1) per element."""
        n = self._count(a, b)
        if len(bits) != n:
            raise InvalidParameter("one selection bit per element")
        if self.fid is None:
            q = self.order
            return self.pack((x + (s & 1) * y) % q for x, y, s in zip(self.unpack(a), self.unpack(b), bits))
        return self._call(_native.lib.pqzk_fe_vec_cadd, n, a, b, bits, n)

    def vec_mat(self, a: bytes, m: bytes, w: int) -> bytes:
        """`out_k = sum_j a_j * m[j][k]` (m: n rows of w)."""
        n = self._count(a)
        if len(m) != n * w * self.size or not 1 <= w <= 16:
            raise InvalidParameter("matrix does not match the vector")
        if self.fid is None:
            q, av, mv = self.order, self.unpack(a), self.unpack(m)
            return self.pack(sum(av[j] * mv[j * w + k] for j in range(n)) % q for k in range(w))
        return self._call(_native.lib.pqzk_fe_vec_mat, w, a, m, n, w)

    def mat_vec(self, m: bytes, v: bytes) -> bytes:
        """`out_j = sum_k m[j][k] * v_k` (m: rows of len(v) elements)."""
        w = self._count(v)
        if not 1 <= w <= 16 or len(m) % (w * self.size):
            raise InvalidParameter("matrix does not match the vector")
        n = len(m) // (w * self.size)
        if self.fid is None:
            q, mv, vv = self.order, self.unpack(m), self.unpack(v)
            return self.pack(sum(mv[j * w + k] * vv[k] for k in range(w)) % q for j in range(n))
        return self._call(_native.lib.pqzk_fe_mat_vec, n, m, v, n, w)


__all__ = ["ScalarVectors"]
