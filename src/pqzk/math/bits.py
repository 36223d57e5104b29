"""Bit matrices and GF(2^128) for OT extension: transposition and the KOS correlation check.

Bit vectors are bytes, LSB-first (bit i is `(v[i // 8] >> (i % 8)) & 1`). GF(2^128) is
F_2[x]/(x^128 + x^7 + x^2 + x + 1) with 16-byte little-endian elements (bit i is the coefficient
of x^i). The native core (native/ot.c) does the work when it is built; the `*_ref` functions are
the Python references the tests hold it to.
"""
from __future__ import annotations

import numpy as np

from .. import _native
from ..errors import InvalidParameter

GF128_BYTES = 16
_POLY = (1 << 128) | 0x87


def xor_bytes(a: bytes, b: bytes) -> bytes:
    """a XOR b (equal lengths)."""
    if len(a) != len(b):
        raise InvalidParameter("xor of byte strings of different lengths")
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def get_bit(v: bytes, i: int) -> int:
    """Bit `i` of an LSB-first bit vector (bit 0 is the low bit of byte 0)."""
    return (v[i >> 3] >> (i & 7)) & 1


def bits_to_bytes(bits) -> bytes:
    """A sequence of 0/1 -> packed LSB-first bytes (len(bits) a multiple of 8)."""
    out = bytearray(len(bits) // 8)
    for i, b in enumerate(bits):
        out[i >> 3] |= (b & 1) << (i & 7)
    return bytes(out)


def unpack_bits(v: bytes, n: int | None = None, *, repeat: int = 1, width: int = 1) -> bytes:
    """Packed LSB-first bits -> one byte-string entry per bit: each bit repeated `repeat` times,
    each entry `width` bytes wide with the bit in its last byte (width 32: the bit as a
    big-endian scalar; `lsb_first=True`-style 16-byte GF(2^128) elements use `gf_unit_vector`)."""
    n = len(v) * 8 if n is None else n
    arr = np.unpackbits(np.frombuffer(bytes(v), dtype=np.uint8), bitorder="little")[:n]
    if repeat > 1:
        arr = np.repeat(arr, repeat)
    if width == 1:
        return arr.tobytes()
    out = np.zeros((arr.size, width), dtype=np.uint8)
    out[:, width - 1] = arr
    return out.tobytes()


def gf_unit_vector(v: bytes, n: int) -> bytes:
    """n packed bits -> n GF(2^128) elements, each 0 or 1 (16 bytes, little-endian)."""
    arr = np.unpackbits(np.frombuffer(bytes(v), dtype=np.uint8), bitorder="little")[:n]
    out = np.zeros((n, GF128_BYTES), dtype=np.uint8)
    out[:, 0] = arr
    return out.tobytes()


def _check_matrix(data: bytes, rows: int, cols: int) -> None:
    if rows % 8 or cols % 8 or rows < 0 or cols < 0:
        raise InvalidParameter("bit matrix dimensions must be multiples of 8")
    if len(data) != rows * cols // 8:
        raise InvalidParameter(f"bit matrix of {rows}x{cols} bits must be {rows * cols // 8} bytes, got {len(data)}")


def transpose_ref(data: bytes, rows: int, cols: int) -> bytes:
    """The pure-Python bit-matrix transpose that the native one is tested against."""
    _check_matrix(data, rows, cols)
    cb, rb = cols // 8, rows // 8
    out = bytearray(rb * cols)
    for r in range(rows):
        row = data[r * cb:(r + 1) * cb]
        for c in range(cols):
            if (row[c >> 3] >> (c & 7)) & 1:
                out[c * rb + (r >> 3)] |= 1 << (r & 7)
    return bytes(out)


def transpose(data: bytes, rows: int, cols: int) -> bytes:
    """The rows x cols bit matrix (rows of cols/8 bytes) as a cols x rows matrix."""
    if not _native.available():
        return transpose_ref(data, rows, cols)
    _check_matrix(data, rows, cols)
    ffi, lib = _native.ffi, _native.lib
    out = ffi.new("uint8_t[]", max(1, len(data)))
    lib.pqzk_bit_transpose(out, data, rows, cols)
    return bytes(ffi.buffer(out, len(data)))


def gf128_mul_ref(a: bytes, b: bytes) -> bytes:
    """The pure-Python GF(2^128) product that the native one is tested against."""
    x, y = int.from_bytes(a, "little"), int.from_bytes(b, "little")
    r = 0
    while y:
        if y & 1:
            r ^= x
        y >>= 1
        x <<= 1
        if x >> 128:
            x ^= _POLY
    return r.to_bytes(16, "little")


def gf128_mul(a: bytes, b: bytes) -> bytes:
    """The product in GF(2^128) of two 16-byte little-endian elements (OT extension's consistency check),
    native when built."""
    if len(a) != GF128_BYTES or len(b) != GF128_BYTES:
        raise InvalidParameter("GF(2^128) elements are 16 bytes")
    if not _native.available():
        return gf128_mul_ref(a, b)
    out = _native.ffi.new("uint8_t[16]")
    _native.lib.pqzk_gf128_mul(out, a, b)
    return bytes(out)


def gf128_inner_ref(a: bytes, b: bytes) -> bytes:
    """The GF(2^128) inner product of two byte strings taken as vectors of 16-byte elements (pure-Python
    reference)."""
    acc = 0
    for j in range(0, len(a), 16):
        acc ^= int.from_bytes(gf128_mul_ref(a[j:j + 16], b[j:j + 16]), "little")
    return acc.to_bytes(16, "little")


def gf128_inner(a: bytes, b: bytes) -> bytes:
    """sum_j a_j * b_j over GF(2^128), for a and b concatenations of 16-byte elements."""
    if len(a) != len(b) or len(a) % GF128_BYTES:
        raise InvalidParameter("GF(2^128) vectors must be equal multiples of 16 bytes")
    if not _native.available():
        return gf128_inner_ref(a, b)
    out = _native.ffi.new("uint8_t[16]")
    _native.lib.pqzk_gf128_inner(out, a, b, len(a) // 16)
    return bytes(out)


__all__ = ["GF128_BYTES", "xor_bytes", "get_bit", "bits_to_bytes", "unpack_bits", "gf_unit_vector", "transpose", "transpose_ref",
           "gf128_mul", "gf128_mul_ref", "gf128_inner", "gf128_inner_ref"]
