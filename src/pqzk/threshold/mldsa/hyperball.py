"""A party's masks: points uniform in a stretched hyperball, and the rejection test on them.

eprint 2026/013 replaces ML-DSA's uniform mask in a box by a continuous mask uniform in a
hyperball of radius r' in dimension (l + k)·256 whose first l·256 coordinates (the z part) are
stretched by ν; a party keeps an attempt only if y + c·s lies in the ball of radius r < r'
(same stretch). The sample is drawn as the authors' implementation draws it, so that the same
64-byte seed gives the same mask: SHAKE256("H" ‖ ρ' ‖ attempt as 2 bytes little-endian) is read
as 64-bit little-endian integers, paired into Box–Muller normals (dim + 2 of them), normalised
to radius r' (dropping two coordinates of a uniform point on the (dim + 2)-sphere leaves a point
uniform in the dim-ball), then stretched. Floating point is the implementation's too (float64);
a zero uniform, probability 2^-64, is moved to 2^-64 instead of taking log 0.
"""
from __future__ import annotations

import numpy as np

from ...pq import fips204 as F
from .params import ThresholdParams

_DOMAIN = b"H"


def sample(p: ThresholdParams, rho_prime: bytes, count: int) -> np.ndarray:
    """`count` masks (attempts 0..count-1), shape (count, dim), float64."""
    dim = p.dim
    width = (dim + 2) * 8
    raw = b"".join(F.shake256(_DOMAIN + rho_prime + i.to_bytes(2, "little"), width) for i in range(count))
    u = np.frombuffer(raw, dtype="<u8").reshape(count, dim + 2).astype(np.float64) * 2.0 ** -64
    f1 = np.maximum(u[:, 0::2], 2.0 ** -64)
    angle = 2 * np.pi * u[:, 1::2]
    rad = np.sqrt(-2 * np.log(f1))
    g = np.empty((count, dim + 2))
    g[:, 0::2] = rad * np.cos(angle)
    g[:, 1::2] = rad * np.sin(angle)
    norm = np.sqrt(np.einsum("ij,ij->i", g, g))
    g = g[:, :dim] * (p.r_prime / norm)[:, None]
    g[:, : p.base.l * F.N] *= p.nu
    return g


def round_half_away(x: np.ndarray) -> np.ndarray:
    """Nearest integer, halves away from zero (exactly, for |x| < 2^52), as int64."""
    t = np.trunc(x)
    return (t + np.where(np.abs(x - t) >= 0.5, np.sign(x), 0.0)).astype(np.int64)


def scaled_norm2(p: ThresholdParams, v: np.ndarray) -> np.ndarray:
    """||v_z / ν||² + ||v_rest||² over the last axis (v real or integer, centred)."""
    split = p.base.l * F.N
    v = v.astype(np.float64)
    head, tail = v[..., :split], v[..., split:]
    return np.einsum("...i,...i->...", head, head) / p.nu ** 2 + np.einsum("...i,...i->...", tail, tail)


def accepted(p: ThresholdParams, v: np.ndarray) -> np.ndarray:
    """The party's rejection test: True where y + c·s stays in the ball of radius r."""
    return scaled_norm2(p, v) <= p.r * p.r
