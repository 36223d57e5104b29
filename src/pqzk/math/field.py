"""Prime-field helpers on plain Python ints (the native core takes over hot paths)."""
from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidParameter


def inv(a: int, p: int) -> int:
    """Multiplicative inverse of a mod p; zero has none."""
    if not isinstance(a, int) or not isinstance(p, int) or p < 2:
        raise InvalidParameter("inv needs an int a and an int modulus p >= 2")
    a %= p
    if a == 0:
        raise InvalidParameter("zero has no inverse")
    return pow(a, -1, p)


def powers(x: int, count: int, p: int) -> list[int]:
    """[1, x, x^2, ..., x^(count-1)] mod p (polynomial evaluation, vector challenges)."""
    out, acc = [], 1
    for _ in range(count):
        out.append(acc)
        acc = acc * x % p
    return out


def batch_inv(values: Sequence[int], p: int) -> list[int]:
    """Inverses of all values with one modular inversion (Montgomery's trick)."""
    n = len(values)
    if n == 0:
        return []
    prefix = [0] * n
    acc = 1
    for i, v in enumerate(values):
        if v % p == 0:
            raise InvalidParameter(f"zero has no inverse (index {i})")
        prefix[i] = acc
        acc = acc * v % p
    acc = pow(acc, -1, p)
    out = [0] * n
    for i in range(n - 1, -1, -1):
        out[i] = prefix[i] * acc % p
        acc = acc * values[i] % p
    return out


def _check_odd_modulus(p: int) -> None:
    if not isinstance(p, int) or p < 3 or p % 2 == 0:
        raise InvalidParameter("the modulus must be an odd prime")


def legendre(a: int, p: int) -> int:
    """Legendre symbol (a/p) in {-1, 0, 1} for odd prime p."""
    _check_odd_modulus(p)
    r = pow(a % p, (p - 1) // 2, p)
    return -1 if r == p - 1 else r


def is_square(a: int, p: int) -> bool:
    """Whether `a` is a square mod the prime p (zero counts)."""
    return legendre(a, p) != -1


def sqrt_mod(a: int, p: int) -> int | None:
    """A square root of a mod odd prime p, or None when a is a non-residue (Tonelli–Shanks)."""
    _check_odd_modulus(p)
    a %= p
    if a == 0:
        return 0
    if legendre(a, p) != 1:
        return None
    if p % 4 == 3:
        return pow(a, (p + 1) // 4, p)
    if p % 8 == 5:  # Atkin
        b = pow(2 * a, (p - 5) // 8, p)
        i = 2 * a * b * b % p
        return a * b * (i - 1) % p
    q, s = p - 1, 0
    while q % 2 == 0:
        q //= 2
        s += 1
    # for a prime p the least non-residue is below 2·ln(p)^2 (Bach, under GRH); a composite p can
    # have none at all, and the search would never end
    z, bound = 2, min(p, 2 * (p.bit_length() * 7 // 10 + 1) ** 2 + 3)
    while legendre(z, p) != -1:
        z += 1
        if z >= bound:
            raise InvalidParameter("sqrt_mod: no quadratic non-residue found (is the modulus prime?)")
    m, c, t, r = s, pow(z, q, p), pow(a, q, p), pow(a, (q + 1) // 2, p)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2 = t2 * t2 % p
            i += 1
            if i >= m:  # cannot happen modulo a prime
                raise InvalidParameter("sqrt_mod: Tonelli-Shanks did not converge (is the modulus prime?)")
        b = pow(c, 1 << (m - i - 1), p)
        m, c, t, r = i, b * b % p, t * b * b % p, r * b % p
    return r


def sgn0(x: int, p: int) -> int:
    """RFC 9380 section 4.1 sgn0 for a prime field: the parity of x mod p."""
    return (x % p) & 1
