"""SHAKE128 in bulk for OT extension: seed expansion (the PRG) and hashing rows to scalars.

`expand(prefix, seeds, n)` is SHAKE128(prefix || seed_i)[:n] for every seed;
`hash_rows_to_scalars` hashes row j (XOR an optional mask) as SHAKE128(prefix || u32be(j) ||
row) into `width` scalars modulo an order, each from nbytes + 16 bytes (wide reduction: bias
below 2^-128). The native core (native/ot.c) runs them when built; the `_ref` functions are the
Python references.
"""
from __future__ import annotations

import hashlib

from .. import _native
from ..errors import InvalidParameter
from .native_field import FIELD_IDS

# orders the native wide reduction serves (bit length a multiple of 8)
_ORDERS = {
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141: "secp256k1_n",
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551: "p256_n",
}


def expand_ref(prefix: bytes, seeds: list[bytes], n: int) -> list[bytes]:
    """The pure-Python `expand` that the native one is tested against."""
    return [hashlib.shake_128(prefix + s).digest(n) for s in seeds]


def expand(prefix: bytes, seeds: list[bytes], n: int) -> list[bytes]:
    """SHAKE128(prefix || s)[:n] for each seed s (all seeds of one length)."""
    if not seeds:
        return []
    size = len(seeds[0])
    if any(len(s) != size for s in seeds):
        raise InvalidParameter("seeds must have one length")
    if not _native.available():
        return expand_ref(prefix, seeds, n)
    ffi, lib = _native.ffi, _native.lib
    out = ffi.new("uint8_t[]", n * len(seeds))
    lib.pqzk_xof_expand(out, n, prefix, len(prefix), b"".join(seeds), size, len(seeds))
    buf = bytes(ffi.buffer(out, n * len(seeds)))
    return [buf[i * n:(i + 1) * n] for i in range(len(seeds))]


def _scalar_size(order: int) -> int:
    return (order.bit_length() + 7) // 8


def hash_rows_to_scalars_ref(prefix: bytes, rows: bytes, rowlen: int, order: int, width: int,
                             mask: bytes | None = None) -> bytes:
    """The pure-Python `hash_rows_to_scalars` that the native one is tested against."""
    nb = _scalar_size(order)
    wide = nb + 16
    out = bytearray()
    for j in range(len(rows) // rowlen):
        row = rows[j * rowlen:(j + 1) * rowlen]
        if mask is not None:
            row = bytes(x ^ y for x, y in zip(row, mask))
        h = hashlib.shake_128(prefix + j.to_bytes(4, "big") + row).digest(wide * width)
        for w in range(width):
            out += (int.from_bytes(h[w * wide:(w + 1) * wide], "big") % order).to_bytes(nb, "big")
    return bytes(out)


def hash_rows_to_scalars(prefix: bytes, rows: bytes, rowlen: int, order: int, width: int,
                         mask: bytes | None = None) -> bytes:
    """Concatenated big-endian scalars: `width` per row of `rowlen` bytes (rows XOR `mask`)."""
    if rowlen <= 0 or rowlen > 64 or len(rows) % rowlen or (mask is not None and len(mask) != rowlen):
        raise InvalidParameter("rows must be whole rows of 1..64 bytes (and the mask one row)")
    name = _ORDERS.get(order)
    if name is None or not _native.available():
        return hash_rows_to_scalars_ref(prefix, rows, rowlen, order, width, mask)
    ffi, lib = _native.ffi, _native.lib
    nrows, nb = len(rows) // rowlen, _scalar_size(order)
    out = ffi.new("uint8_t[]", max(1, nrows * width * nb))
    rc = lib.pqzk_hash_rows_to_scalars(FIELD_IDS[name], out, prefix, len(prefix), rows, rowlen,
                                       mask if mask is not None else ffi.NULL, nrows, width)
    if rc != 0:
        raise InvalidParameter("native row hashing rejected its input")
    return bytes(ffi.buffer(out, nrows * width * nb))


__all__ = ["expand", "expand_ref", "hash_rows_to_scalars", "hash_rows_to_scalars_ref"]
