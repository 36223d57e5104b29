"""Robust reconstruction: the secret from more than t shares of which some are wrong, naming them.

With VSS commitments, each share is checked against them and the bad ones are set aside. Without,
the shares are a Reed–Solomon codeword (evaluations of a polynomial of degree < t) and the
Berlekamp–Welch decoder corrects up to e = floor((n - t) / 2) wrong shares: find E (monic, degree
e, vanishing at the wrong points) and Q (degree < t + e) with Q(x_i) = y_i·E(x_i) for all i;
then f = Q / E. Implemented on plain ints (Gaussian elimination mod q), which suits 256-bit fields.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidParameter, ProtocolAbort
from ..math.poly import poly_eval
from .shamir import OrderLike, _order_of, check_shares, reconstruct


def _solve_mod(rows: list[list[int]], rhs: list[int], q: int) -> list[int] | None:
    """One solution of rows · x = rhs mod q (free variables set to 0), or None if inconsistent."""
    m = [row[:] + [b] for row, b in zip(rows, rhs)]
    ncols = len(rows[0]) if rows else 0
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        p = next((i for i in range(r, len(m)) if m[i][c] % q), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        inv = pow(m[r][c], -1, q)
        m[r] = [v * inv % q for v in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c]:
                f = m[i][c]
                m[i] = [(a - f * b) % q for a, b in zip(m[i], m[r])]
        pivots.append(c)
        r += 1
        if r == len(m):
            break
    if any(row[-1] % q for row in m[r:]):
        return None
    x = [0] * ncols
    for i, c in enumerate(pivots):
        x[c] = m[i][-1]
    return x


def _poly_divmod(num: list[int], den: list[int], q: int) -> tuple[list[int], list[int]]:
    """(quotient, remainder) of polynomials, constant term first; den is monic-izable."""
    num = num[:]
    while den and den[-1] % q == 0:
        den = den[:-1]
    inv_lead = pow(den[-1], -1, q)
    quot = [0] * max(len(num) - len(den) + 1, 1)
    for k in range(len(num) - len(den), -1, -1):
        c = num[k + len(den) - 1] * inv_lead % q
        quot[k] = c
        for j, d in enumerate(den):
            num[k + j] = (num[k + j] - c * d) % q
    return quot, num[:len(den) - 1]


def berlekamp_welch(points: Sequence[tuple[int, int]], threshold: int, q: int) -> list[int] | None:
    """Coefficients of the polynomial of degree < threshold agreeing with all but at most
    floor((n - threshold) / 2) of the points, or None when no such polynomial exists."""
    points = list(points)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise InvalidParameter("threshold must be an int >= 1")
    xs = [x % q for x, _ in points]
    if len(set(xs)) != len(xs):
        # a repeated x counts one party twice: its point would outvote the error bound
        raise InvalidParameter("points must have distinct x coordinates")
    n = len(points)
    e = (n - threshold) // 2
    rows, rhs = [], []
    for x, y in points:
        xp = [pow(x, k, q) for k in range(threshold + e)]
        rows.append(xp[:threshold + e] + [(-y * xp[k]) % q for k in range(e)])
        rhs.append(y * pow(x, e, q) % q)
    sol = _solve_mod(rows, rhs, q)
    if sol is None:
        return None
    Q = sol[:threshold + e]
    E = sol[threshold + e:] + [1]
    f, rem = _poly_divmod(Q, E, q)
    if any(rem) or any(f[threshold:]):
        return None
    f = (f + [0] * threshold)[:threshold]
    wrong = sum(1 for x, y in points if poly_eval(f, x, q) != y % q)
    return f if wrong <= e else None


def robust_reconstruct(shares: Sequence, order: OrderLike | None = None, *,
                       threshold: int | None = None,
                       commitment=None) -> tuple[int, list[int]]:
    """(secret, identifiers of the wrong shares).

    With `commitment` (Feldman or Pedersen), shares are checked against it (threshold and order
    come from it); at least t must be good. Without, give `threshold` and `order`: Reed–Solomon
    decoding needs n >= t + 2·(number of wrong shares). Raises ProtocolAbort when too many shares
    are wrong (naming them when they are known).
    """
    shares = list(shares)
    if commitment is not None:
        q = commitment.group.order
        t = commitment.threshold
        if threshold is not None and threshold != t:
            raise InvalidParameter(f"threshold {threshold} differs from the commitment's {t}")
        bad = commitment.invalid_shares(shares)
        good = [s for s in shares if s.identifier not in bad]
        if len(good) < t:
            raise ProtocolAbort(f"only {len(good)} of {len(shares)} shares verify, "
                                f"threshold is {t}", culprits=bad)
        plain = [getattr(s, "share", s) for s in good]
        return reconstruct(plain, q), sorted(bad)
    if order is None or threshold is None:
        raise InvalidParameter("without a commitment, give the order and the threshold")
    q = _order_of(order)
    shares = check_shares(shares, q)
    n = len(shares)
    if not isinstance(threshold, int) or threshold < 1:
        raise InvalidParameter("threshold must be >= 1")
    if n <= threshold:
        raise InvalidParameter(f"robust reconstruction needs more than {threshold} shares, got {n}")
    f = berlekamp_welch([(s.identifier, s.value) for s in shares], threshold, q)
    if f is None:
        raise ProtocolAbort(f"too many wrong shares among {n} to decode (at most "
                            f"{(n - threshold) // 2} can be corrected with threshold {threshold})")
    bad = [s.identifier for s in shares if poly_eval(f, s.identifier, q) != s.value]
    return f[0], sorted(bad)


__all__ = ["robust_reconstruct", "berlekamp_welch"]
