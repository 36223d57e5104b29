"""Batch NTTs for Z_q[X]/(X^256+1), q = 8380417 (ML-DSA) and q = 3329 (ML-KEM), on numpy arrays.

Arrays have shape (..., 256); values are reduced mod q on the way in and canonical on the way out.
The transform order is FIPS 204's / FIPS 203's (so it agrees with their reference code), and the
ML-KEM transform is the incomplete 7-layer one: products use `ntt_mul` (base-case multiplication).
"""
from __future__ import annotations

import numpy as np

from .. import _native
from ..errors import InvalidParameter

MLDSA_Q = 8380417
MLKEM_Q = 3329
N = 256
NATIVE_MODULI = (MLDSA_Q, MLKEM_Q)

_DTYPE = {MLDSA_Q: np.int32, MLKEM_Q: np.int16}


def _prepare(a, q: int) -> np.ndarray:
    if q not in _DTYPE:
        raise InvalidParameter(f"native NTT supports q in {NATIVE_MODULI}, not {q}")
    arr = np.asarray(a)
    if arr.ndim == 0 or arr.shape[-1] != N:
        raise InvalidParameter(f"polynomials must have {N} coefficients (last axis), got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise InvalidParameter(f"coefficients must be integers, got dtype {arr.dtype}")
    dtype = _DTYPE[q]
    if arr.dtype == dtype and arr.size and arr.min() >= 0 and arr.max() < q:
        return np.array(arr, order="C", copy=True)          # already canonical: one copy
    return np.ascontiguousarray(np.mod(arr, q).astype(dtype))


def _call(fn_name: str, q: int, *arrays: np.ndarray) -> None:
    lib, ffi = _native.require(), _native.ffi
    ctype = "int32_t *" if q == MLDSA_Q else "int16_t *"
    prefix = "pqzk_mldsa_" if q == MLDSA_Q else "pqzk_mlkem_"
    count = arrays[0].size // N
    ptrs = [ffi.cast(ctype, ffi.from_buffer(x)) for x in arrays]
    getattr(lib, prefix + fn_name)(*ptrs, count)


def ntt(a, q: int) -> np.ndarray:
    """Forward NTT of every polynomial in `a` (shape (..., 256)); returns a new array."""
    out = _prepare(a, q)
    _call("ntt", q, out)
    return out


def intt(a_hat, q: int) -> np.ndarray:
    """Inverse NTT (includes the 1/n scaling)."""
    out = _prepare(a_hat, q)
    _call("invntt", q, out)
    return out


def ntt_mul(a_hat, b_hat, q: int) -> np.ndarray:
    """Product in the NTT domain: pointwise (ML-DSA) or base-case pairs (ML-KEM)."""
    a, b = _prepare(a_hat, q), _prepare(b_hat, q)
    if a.shape != b.shape:
        a, b = (np.ascontiguousarray(x) for x in np.broadcast_arrays(a, b))
    out = np.empty_like(a)
    _call("pointwise" if q == MLDSA_Q else "basemul", q, out, a, b)
    return out


def negacyclic_mul_schoolbook(a, b, q: int) -> np.ndarray:
    """a·b mod (X^n + 1, q) by the schoolbook method: the slow reference the NTT is tested against."""
    a = np.asarray(a, dtype=object) % q
    b = np.asarray(b, dtype=object) % q
    n = a.shape[-1]
    full = np.zeros(2 * n - 1, dtype=object)
    for i in range(n):
        full[i:i + n] += a[i] * b
    res = full[:n].copy()
    res[: n - 1] -= full[n:]
    return (res % q).astype(np.int64)
