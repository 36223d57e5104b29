"""RFC 9380 hash_to_curve (random oracle, _RO_) and encode_to_curve (nonuniform, _NU_) for every
suite of `suites.py`, named as in the RFC, e.g. "P256_XMD:SHA-256_SSWU_RO_".

Points are returned as affine coordinates of the suite's curve: (x, y) with int coordinates, or
(c0, c1) tuples for BLS12-381 G2's Fp2; `None` is the point at infinity of a Weierstrass or
Montgomery curve (reached with negligible probability). Reference code: not constant time.
"""
from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter
from .curves import affine_add, affine_mul
from .expand import hash_to_field as _hash_to_field
from .maps import (curve448_to_edwards448, iso_map, map_to_curve_elligator2,
                   map_to_curve_simple_swu, montgomery_to_edwards25519)
from .suites import BASE_SUITES, Suite

SUITES: list[str] = [base + mode for base in BASE_SUITES for mode in ("RO_", "NU_")]

# sqrt(-486664) mod 2^255 - 19 with sgn0 = 0 (RFC 9380 section 6.8.2, constant c1)
_P25519 = 2**255 - 19
_SQRT_M486664 = 0x0F26EDF460A006BBD27B08DC03FC4F7EC5A1D3D14B7D1A82CC6E04AAFF457E06


def get_suite(name: str) -> tuple[Suite, bool]:
    """(suite record, is_random_oracle) for a full suite name."""
    if not isinstance(name, str) or name[-3:] not in ("RO_", "NU_") or name[:-3] not in BASE_SUITES:
        raise InvalidParameter(f"unknown hash-to-curve suite {name!r}; known: {', '.join(SUITES)}")
    return BASE_SUITES[name[:-3]], name.endswith("RO_")


def _check_inputs(msg: bytes, dst: bytes) -> None:
    if not isinstance(msg, (bytes, bytearray)) or not isinstance(dst, (bytes, bytearray)):
        raise InvalidParameter("hash-to-curve: msg and dst must be bytes")
    if len(dst) == 0:
        raise InvalidParameter("hash-to-curve: the domain separation tag must not be empty (RFC 9380 section 3.1)")


def hash_to_field(suite: str | Suite, msg: bytes, dst: bytes, count: int) -> list[Any]:
    """`count` field elements of the suite's field (ints, or (c0, c1) for Fp2)."""
    s = suite if isinstance(suite, Suite) else get_suite(suite)[0]
    _check_inputs(msg, dst)
    us = _hash_to_field(bytes(msg), bytes(dst), count, s.F.p, s.F.m, s.L, s.expander)
    return [s.F.from_ints(u) for u in us]


def map_to_curve(suite: str | Suite, u: Any) -> Any:
    """The suite's deterministic map of one field element to a point of its curve (before
    cofactor clearing): SSWU (+ isogeny) or Elligator 2 (+ rational map to Edwards form)."""
    s = suite if isinstance(suite, Suite) else get_suite(suite)[0]
    F = s.F
    if not F.is_canonical(u):
        raise InvalidParameter("map_to_curve: u is not a canonical field element")
    if s.map == "sswu":
        A, B = s.sswu_ab or (s.curve.a, s.curve.b)
        P = map_to_curve_simple_swu(F, F.elem(A), F.elem(B), s.Z, u)
        return iso_map(F, s.iso, P) if s.iso else P
    P = map_to_curve_elligator2(F, F.elem(s.ell2_J), F.one, s.Z, u)
    if s.ell2_to_edwards == "edwards25519":
        return montgomery_to_edwards25519(F, _SQRT_M486664, P)
    if s.ell2_to_edwards == "edwards448":
        return curve448_to_edwards448(F, P)
    return P


def clear_cofactor(suite: str | Suite, P: Any) -> Any:
    """h_eff·P (RFC 9380 section 7), with the psi shortcut for BLS12-381 G2."""
    s = suite if isinstance(suite, Suite) else get_suite(suite)[0]
    return s.clear(s.curve, P) if s.clear else affine_mul(s.curve, s.h_eff, P)


def hash_to_curve(suite: str, msg: bytes, dst: bytes) -> Any:
    """RFC 9380 section 3 hash_to_curve for a _RO_ suite."""
    s, ro = get_suite(suite)
    if not ro:
        raise InvalidParameter(f"{suite} is a nonuniform (_NU_) suite: use encode_to_curve")
    u0, u1 = hash_to_field(s, msg, dst, 2)
    return clear_cofactor(s, affine_add(s.curve, map_to_curve(s, u0), map_to_curve(s, u1)))


def encode_to_curve(suite: str, msg: bytes, dst: bytes) -> Any:
    """RFC 9380 section 3 encode_to_curve for a _NU_ suite."""
    s, ro = get_suite(suite)
    if ro:
        raise InvalidParameter(f"{suite} is a random-oracle (_RO_) suite: use hash_to_curve")
    (u,) = hash_to_field(s, msg, dst, 1)
    return clear_cofactor(s, map_to_curve(s, u))


__all__ = ["SUITES", "clear_cofactor", "encode_to_curve", "get_suite", "hash_to_curve",
           "hash_to_field", "map_to_curve"]
