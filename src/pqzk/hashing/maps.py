"""RFC 9380 mappings from field elements to curve points, written once over any field object.

- map_to_curve_simple_swu (section 6.6.2) and iso_map (section 6.6.3, appendix E)
- map_to_curve_elligator2 (section 6.7.1) and the rational maps to twisted Edwards form
  (section 6.8.2 for edwards25519, appendix D / RFC 7748 section 4.2 for edwards448)
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InvalidParameter


def _sqrt(F: Any, a: Any) -> Any:
    r = F.sqrt(a)
    if r is None:  # a real check, not an assert: asserts vanish under python -O
        raise InvalidParameter("map_to_curve: no square root of a square (wrong field or curve constants)")
    return r


def map_to_curve_simple_swu(F: Any, A: Any, B: Any, Z: Any, u: Any) -> tuple[Any, Any]:
    """Simplified SWU for y^2 = x^3 + A x + B with A·B != 0 (RFC 9380 section 6.6.2)."""
    Zu2 = F.mul(Z, F.sqr(u))
    tv1 = F.inv0(F.add(F.sqr(Zu2), Zu2))                 # 1 / (Z^2 u^4 + Z u^2)
    if F.is_zero(tv1):
        x1 = F.mul(B, F.inv(F.mul(Z, A)))                # exceptional case: B / (Z A)
    else:
        x1 = F.mul(F.neg(F.mul(B, F.inv(A))), F.add(F.one, tv1))
    gx1 = F.add(F.mul(F.add(F.sqr(x1), A), x1), B)
    if F.is_square(gx1):
        x, y = x1, _sqrt(F, gx1)
    else:
        x = F.mul(Zu2, x1)
        y = _sqrt(F, F.add(F.mul(F.add(F.sqr(x), A), x), B))
    if F.sgn0(u) != F.sgn0(y):
        y = F.neg(y)
    return (x, y)


def _horner(F: Any, coeffs: Sequence[Any], x: Any) -> Any:
    acc = F.zero
    for c in reversed(coeffs):
        acc = F.add(F.mul(acc, x), c)
    return acc


def iso_map(F: Any, maps: tuple[Sequence[Any], ...], P: tuple[Any, Any]) -> tuple[Any, Any] | None:
    """Isogeny (x', y') -> (x_num/x_den, y' · y_num/y_den); coefficient lists from degree 0 up.
    A pole (a vanishing denominator) is the point at infinity (RFC 9380 section 6.6.3)."""
    x_num, x_den, y_num, y_den = maps
    x, y = P
    xd, yd = _horner(F, x_den, x), _horner(F, y_den, x)
    if F.is_zero(xd) or F.is_zero(yd):
        return None
    return (F.mul(_horner(F, x_num, x), F.inv(xd)),
            F.mul(y, F.mul(_horner(F, y_num, x), F.inv(yd))))


def map_to_curve_elligator2(F: Any, J: Any, K: Any, Z: Any, u: Any) -> tuple[Any, Any]:
    """Elligator 2 for K t^2 = s^3 + J s^2 + s (RFC 9380 section 6.7.1)."""
    JK = F.mul(J, F.inv(K))
    inv_K2 = F.inv(F.sqr(K))
    x1 = F.neg(F.mul(JK, F.inv0(F.add(F.one, F.mul(Z, F.sqr(u))))))
    if F.is_zero(x1):
        x1 = F.neg(JK)
    gx1 = F.mul(F.add(F.mul(F.add(x1, JK), x1), inv_K2), x1)   # x1^3 + (J/K) x1^2 + x1/K^2
    if F.is_square(gx1):
        x, y = x1, _sqrt(F, gx1)
        if F.sgn0(y) != 1:
            y = F.neg(y)
    else:
        x = F.sub(F.neg(x1), JK)
        y = _sqrt(F, F.mul(F.add(F.mul(F.add(x, JK), x), inv_K2), x))
        if F.sgn0(y) != 0:
            y = F.neg(y)
    return (F.mul(x, K), F.mul(y, K))


def montgomery_to_edwards25519(F: Any, c_sqrt: Any, P: tuple[Any, Any] | None) -> tuple[Any, Any]:
    """curve25519 (s, t) -> edwards25519 (v, w) = (sqrt(-486664)·s/t, (s - 1)/(s + 1));
    the exceptional points (t = 0 or s = -1, and infinity) go to the identity (0, 1)."""
    if P is None:
        return (F.zero, F.one)
    s, t = P
    sp1 = F.add(s, F.one)
    if F.is_zero(t) or F.is_zero(sp1):
        return (F.zero, F.one)
    return (F.mul(F.mul(c_sqrt, s), F.inv(t)), F.mul(F.sub(s, F.one), F.inv(sp1)))


def curve448_to_edwards448(F: Any, P: tuple[Any, Any] | None) -> tuple[Any, Any]:
    """The 4-isogeny curve448 -> edwards448 of RFC 7748 section 4.2 (used by RFC 9380):
    x = 4v(u^2 - 1) / (u^4 - 2u^2 + 4v^2 + 1),
    y = -(u^5 - 2u^3 - 4uv^2 + u) / (u^5 - 2u^2v^2 - 2u^3 - 2v^2 + u);
    a vanishing denominator (and infinity) gives the identity (0, 1)."""
    if P is None:
        return (F.zero, F.one)
    u, v = P
    u2, v2 = F.sqr(u), F.sqr(v)
    u3 = F.mul(u2, u)
    u4 = F.sqr(u2)
    u5 = F.mul(u4, u)
    x_num = F.mul_int(F.mul(v, F.sub(u2, F.one)), 4)
    x_den = F.add(F.add(F.sub(u4, F.mul_int(u2, 2)), F.mul_int(v2, 4)), F.one)
    y_num = F.neg(F.add(F.sub(F.sub(u5, F.mul_int(u3, 2)), F.mul_int(F.mul(u, v2), 4)), u))
    y_den = F.add(F.sub(F.sub(u5, F.mul_int(F.mul(u2, v2), 2)), F.add(F.mul_int(u3, 2), F.mul_int(v2, 2))), u)
    if F.is_zero(x_den) or F.is_zero(y_den):
        return (F.zero, F.one)
    return (F.mul(x_num, F.inv(x_den)), F.mul(y_num, F.inv(y_den)))
