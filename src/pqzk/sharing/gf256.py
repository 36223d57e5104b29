"""GF(2^8) with the AES/Rijndael polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), vectorised in numpy.

The field SLIP-39 and byte-oriented Shamir use. Addition is XOR; multiplication goes through a
precomputed 256x256 table so that multiplying a whole byte array by a constant is one numpy
fancy-indexing pass. The tables are built here from the generator 3 (log/exp) instead of importing
`galois` (whose import costs seconds); the tests cross-check them against `galois.GF(2**8)`.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InvalidParameter

POLY = 0x11B


def _build_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    exp = np.zeros(510, dtype=np.uint8)
    log = np.zeros(256, dtype=np.int32)
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        # multiply by the generator 3 = x + 1: x*2 ^ x, reduced by the polynomial
        x2 = x << 1
        if x2 & 0x100:
            x2 ^= POLY
        x = x2 ^ x
    exp[255:510] = exp[0:255]
    a = np.arange(1, 256)
    mul = np.zeros((256, 256), dtype=np.uint8)
    mul[1:, 1:] = exp[(log[a][:, None] + log[a][None, :]) % 255]
    return exp, log, mul


EXP, LOG, MUL = _build_tables()
# MUL_ROWS[c] is the 256-byte translation table of "multiply by c": bytes.translate applies it to
# a whole byte string at C speed (about twice as fast as numpy fancy indexing).
MUL_ROWS = [MUL[c].tobytes() for c in range(256)]


def _byte(a: int, what: str) -> int:
    if not isinstance(a, int) or not 0 <= a < 256:
        raise InvalidParameter(f"GF(2^8): {what} must be an int in 0..255, got {a!r}")
    return a


def mul(a: int, b: int) -> int:
    """The product of two bytes in GF(2^8)."""
    return int(MUL[_byte(a, "factor"), _byte(b, "factor")])


def inv(a: int) -> int:
    """The inverse of a nonzero byte in GF(2^8); `InvalidParameter` for zero."""
    if not isinstance(a, int) or not 0 < a < 256:
        raise InvalidParameter("GF(2^8): zero has no inverse")
    return int(EXP[(255 - LOG[a]) % 255])


def lagrange_coefficients(xs: Sequence[int], at: int) -> list[int]:
    """λ_i with f(at) = Σ λ_i f(x_i) in GF(2^8) (subtraction is XOR)."""
    xs = [_byte(x, "x coordinate") for x in xs]
    _byte(at, "evaluation point")
    if len(set(xs)) != len(xs):
        raise InvalidParameter("interpolation points must have distinct x coordinates")
    if at in xs:
        return [1 if x == at else 0 for x in xs]
    out = []
    for i, xi in enumerate(xs):
        num, den = 1, 1
        for j, xj in enumerate(xs):
            if j != i:
                num = mul(num, at ^ xj)
                den = mul(den, xi ^ xj)
        out.append(mul(num, inv(den)))
    return out


def scale(c: int, values: bytes) -> np.ndarray:
    """c · values, byte by byte, as a uint8 array."""
    return np.frombuffer(bytes(values).translate(MUL_ROWS[c]), dtype=np.uint8)


def multiples(values: bytes, constants: Sequence[int]) -> dict[int, list[np.ndarray]]:
    """{c: arrays whose XOR is c · values} for every c in `constants`, with few table passes.

    Multiplication by a constant is GF(2)-linear in the constant: (c ^ d)·v = c·v ^ d·v. So once
    c·v is known for constants spanning c (as bit vectors), c·v is an XOR of known products —
    far cheaper than a table pass. At most 7 passes per `values`, whatever the number of
    constants. The XOR is left to the caller (in place, into its own buffer: no allocations).
    """
    v = np.frombuffer(bytes(values), dtype=np.uint8)
    basis: dict[int, tuple[int, np.ndarray]] = {0: (1, v)}   # leading bit -> (constant, product)
    out: dict[int, list[np.ndarray]] = {}
    for c in constants:
        if c in out:
            continue
        rest, terms = c, []
        for bit in sorted(basis, reverse=True):
            if rest >> bit & 1:
                const, prod = basis[bit]
                rest ^= const
                terms.append(prod)
        if rest == 0:
            out[c] = terms
            continue
        prod = scale(c, values)             # one table pass; remember the new direction
        out[c] = [prod]
        for t in terms:                     # rest·v = c·v ^ (XOR of the terms used)
            prod = prod ^ t
        basis[rest.bit_length() - 1] = (rest, prod)
    return out


def xor_into(acc: np.ndarray, terms: Sequence[np.ndarray]) -> None:
    """XOR every term into `acc`, in place."""
    for t in terms:
        np.bitwise_xor(acc, t, out=acc)


def interpolate(xs: Sequence[int], ys: Sequence[bytes], at: int) -> np.ndarray:
    """f(at) for every byte position from the points (x_i, y_i) (byte strings of equal length)."""
    lam = lagrange_coefficients(list(xs), at)
    ys = list(ys)
    if len(ys) != len(lam) or not ys or len({len(y) for y in ys}) != 1:
        raise InvalidParameter("GF(2^8) interpolation needs one byte string per x, all of one length")
    acc = np.zeros(len(ys[0]), dtype=np.uint8)
    for l, y in zip(lam, ys):
        if l == 1:
            np.bitwise_xor(acc, np.frombuffer(bytes(y), dtype=np.uint8), out=acc)
        elif l:
            np.bitwise_xor(acc, scale(l, y), out=acc)
    return acc
