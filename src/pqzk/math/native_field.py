"""Prime fields on the native Montgomery core (native/field.c): ints in, ints out.

`NativeField(name)` wraps one of the core's fields; every operation crosses the C ABI as
canonical big-endian bytes. The C side is constant time; this Python wrapper is not (ints).
"""
from __future__ import annotations

from collections.abc import Sequence

from .. import _native
from ..encoding import as_bytes
from ..errors import InvalidParameter

# field ids of native/field_consts.inc (the generator's FIELDS order)
FIELD_IDS: dict[str, int] = {
    "bls12_381_fp": 0, "bls12_381_fr": 1, "p256_p": 2, "p256_n": 3,
    "curve25519_p": 4, "ed25519_l": 5, "ed448_p": 6, "ed448_q": 7, "secp256k1_p": 8, "secp256k1_n": 9,
}


class NativeField:
    """Z_p for one of the native core's primes; elements are ints in [0, p)."""

    def __init__(self, name: str) -> None:
        if name not in FIELD_IDS:
            raise InvalidParameter(f"unknown native field {name!r}; known: {', '.join(FIELD_IDS)}")
        self._lib = _native.require()
        self._ffi = _native.ffi
        self.name = name
        self.fid = FIELD_IDS[name]
        self.nbytes: int = self._lib.pqzk_field_bytes(self.fid)
        buf = self._ffi.new("uint8_t[]", self.nbytes)
        self._lib.pqzk_field_modulus(self.fid, buf)
        self.p: int = int.from_bytes(self._ffi.buffer(buf), "big")

    def __repr__(self) -> str:
        return f"<NativeField {self.name}>"

    def to_bytes(self, a: int) -> bytes:
        """The big-endian encoding of a field element; `InvalidParameter` when out of range."""
        if not isinstance(a, int) or not 0 <= a < self.p:
            raise InvalidParameter(f"{self.name}: element out of range")
        return a.to_bytes(self.nbytes, "big")

    def from_bytes(self, data: bytes) -> int:
        """The field element encoded in `data`; `InvalidParameter` for a wrong length or an unreduced value.
        """
        data = as_bytes(data, f"{self.name} element")
        if len(data) != self.nbytes:
            raise InvalidParameter(f"{self.name}: element must be {self.nbytes} bytes")
        a = int.from_bytes(data, "big")
        if a >= self.p:
            raise InvalidParameter(f"{self.name}: element is not reduced")
        return a

    def _call(self, fn, *args: int) -> tuple[int, int]:
        out = self._ffi.new("uint8_t[]", self.nbytes)
        rc = fn(self.fid, out, *[self.to_bytes(a) for a in args])
        if rc < 0:
            raise InvalidParameter(f"{self.name}: native call rejected its input")
        return rc, int.from_bytes(self._ffi.buffer(out), "big")

    def add(self, a: int, b: int) -> int:
        """`a + b` in the field, in the native core."""
        return self._call(self._lib.pqzk_fe_add, a, b)[1]

    def sub(self, a: int, b: int) -> int:
        """`a - b` in the field, in the native core."""
        return self._call(self._lib.pqzk_fe_sub, a, b)[1]

    def mul(self, a: int, b: int) -> int:
        """`a·b` in the field, in the native core."""
        return self._call(self._lib.pqzk_fe_mul, a, b)[1]

    def neg(self, a: int) -> int:
        """`-a` in the field, in the native core."""
        return self._call(self._lib.pqzk_fe_neg, a)[1]

    def sqr(self, a: int) -> int:
        """`a^2` in the field, in the native core."""
        return self._call(self._lib.pqzk_fe_sqr, a)[1]

    def inv(self, a: int) -> int:
        """a^-1, and 0 for 0 (RFC 9380's inv0)."""
        return self._call(self._lib.pqzk_fe_inv, a)[1]

    def inv_vartime(self, a: int) -> int:
        """a^-1 (0 for 0) by the variable-time safegcd inversion: for PUBLIC values only."""
        return self._call(self._lib.pqzk_fe_inv_vartime, a)[1]

    def sqrt(self, a: int) -> int | None:
        """A square root of a, or None when a is not a square."""
        rc, r = self._call(self._lib.pqzk_fe_sqrt, a)
        return None if rc else r

    def pow(self, a: int, e: int) -> int:
        """`a^e` for an exponent in [0, 2^512), in the native core."""
        if not isinstance(e, int) or not 0 <= e < 2**512:
            raise InvalidParameter(f"{self.name}: exponent must be in [0, 2^512)")
        out = self._ffi.new("uint8_t[]", self.nbytes)
        if self._lib.pqzk_fe_pow(self.fid, out, self.to_bytes(a), e.to_bytes(64, "big"), 64) < 0:
            raise InvalidParameter(f"{self.name}: native call rejected its input")
        return int.from_bytes(self._ffi.buffer(out), "big")

    def batch_inv(self, values: Sequence[int]) -> list[int]:
        """Inverses of all `values` with one field inversion (zeros map to zero)."""
        n = len(values)
        if n == 0:
            return []
        data = b"".join(self.to_bytes(a) for a in values)
        out = self._ffi.new("uint8_t[]", n * self.nbytes)
        if self._lib.pqzk_fe_batch_inv(self.fid, out, data, n) < 0:
            raise InvalidParameter(f"{self.name}: native call rejected its input")
        raw = bytes(self._ffi.buffer(out))
        return [int.from_bytes(raw[i * self.nbytes:(i + 1) * self.nbytes], "big") for i in range(n)]


_CACHE: dict[str, NativeField] = {}


def native_field(name: str) -> NativeField:
    """The shared NativeField called `name`."""
    if name not in _CACHE:
        _CACHE[name] = NativeField(name)
    return _CACHE[name]


__all__ = ["FIELD_IDS", "NativeField", "native_field"]
