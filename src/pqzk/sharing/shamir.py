"""Shamir secret sharing over the scalar field Z_q of any group (or any prime q).

A (t, n) sharing hides `secret` as f(0) of a random polynomial f of degree t - 1 and hands party
i the point (x_i, f(x_i)); any t points determine f(0), any t - 1 are consistent with every
secret. Identifiers are the x coordinates: 1..n by default, never 0 (f(0) is the secret).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..math.poly import lagrange_coefficients
from ..math.rand import RandomSource, random_scalar

if TYPE_CHECKING:  # layers point one way: groups are below sharing, only the type is needed here
    from ..groups.base import Group

OrderLike = Union[int, "Group"]


def _order_of(order: OrderLike) -> int:
    q = order if isinstance(order, int) else getattr(order, "order", None)
    if not isinstance(q, int) or q < 3:
        raise InvalidParameter("order must be a prime > 2 or a Group")
    return q


def _scalar_format(order: OrderLike) -> tuple[int, int, str]:
    """(q, bytes per scalar, byte order): the group's scalar encoding, or big-endian minimal size."""
    if isinstance(order, int):
        q = _order_of(order)
        return q, (q.bit_length() + 7) // 8, "big"
    return _order_of(order), order.scalar_size, order.scalar_byteorder


@dataclass(frozen=True)
class Share:
    """Party `identifier`'s point (identifier, value = f(identifier)) of a Shamir sharing.

    Secret: the value never appears in repr or messages.
    """

    identifier: int
    value: int

    def __repr__(self) -> str:
        return f"Share(identifier={self.identifier}, value=<redacted>)"

    __str__ = __repr__

    def to_bytes(self, order: OrderLike) -> bytes:
        """identifier || value, each as a scalar of `order` (the group's scalar encoding, or
        big-endian of the minimal width for a plain prime)."""
        q, size, byteorder = _scalar_format(order)
        if not 0 < self.identifier < q or not 0 <= self.value < q:
            raise InvalidParameter("share identifier or value out of range for this order")
        return self.identifier.to_bytes(size, byteorder) + self.value.to_bytes(size, byteorder)

    @classmethod
    def from_bytes(cls, order: OrderLike, data: bytes) -> "Share":
        """Strict inverse of to_bytes: exact length, 0 < identifier < q, value < q."""
        q, size, byteorder = _scalar_format(order)
        data = as_bytes(data, "share")
        if len(data) != 2 * size:
            raise InvalidEncoding(f"share must be {2 * size} bytes, got {len(data)}")
        ident = int.from_bytes(data[:size], byteorder)
        value = int.from_bytes(data[size:], byteorder)
        if ident == 0:
            raise InvalidEncoding("share identifier is zero")
        if ident >= q:
            raise InvalidEncoding("share identifier is not reduced modulo the order")
        if value >= q:
            raise InvalidEncoding(f"share {ident}: value is not reduced modulo the order")
        return cls(ident, value)


def check_identifiers(identifiers: Sequence[int], order: int) -> list[int]:
    """Identifiers as a list after refusing 0, duplicates, non-ints and values >= order."""
    ids = list(identifiers)
    for x in ids:
        if not isinstance(x, int) or isinstance(x, bool):
            raise InvalidParameter(f"identifier {x!r} is not an int")
        if x <= 0:
            raise InvalidParameter(f"identifier {x} must be > 0 (f(0) is the secret)")
        if x >= order:
            raise InvalidParameter(f"identifier {x} must be smaller than the order")
    if len(set(ids)) != len(ids):
        dup = sorted({x for x in ids if ids.count(x) > 1})
        raise InvalidParameter(f"duplicate identifiers: {dup}")
    return ids


def check_threshold(threshold: int, num_shares: int) -> None:
    """Check `1 <= threshold <= num_shares`; `InvalidParameter` naming the bad value."""
    if not isinstance(threshold, int) or not isinstance(num_shares, int):
        raise InvalidParameter("threshold and number of shares must be ints")
    if num_shares < 1:
        raise InvalidParameter(f"number of shares must be >= 1, got {num_shares}")
    if not 1 <= threshold <= num_shares:
        raise InvalidParameter(f"threshold must be in 1..{num_shares}, got {threshold}")


def check_split(secret: int, threshold: int, num_shares: int, q: int,
                identifiers: Sequence[int] | None = None) -> list[int]:
    """The checks every dealer makes (Shamir, Feldman, Pedersen): threshold, secret in [0, q),
    and the identifiers (1..n by default); returns the identifiers."""
    check_threshold(threshold, num_shares)
    if not isinstance(secret, int) or isinstance(secret, bool) or not 0 <= secret < q:
        raise InvalidParameter("secret must be an int in [0, order)")
    ids = check_identifiers(range(1, num_shares + 1) if identifiers is None else identifiers, q)
    if len(ids) != num_shares:
        raise InvalidParameter(f"{len(ids)} identifiers given for {num_shares} shares")
    return ids


def _horner(coeffs: Sequence[int], x: int, q: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % q
    return acc


def sharing_polynomial(secret: int, threshold: int, order: OrderLike,
                       rng: RandomSource | None = None) -> list[int]:
    """f = secret + a_1 x + ... + a_{t-1} x^{t-1} with uniform a_k (constant term first)."""
    q = _order_of(order)
    return [secret % q] + [random_scalar(q, rng, nonzero=False) for _ in range(threshold - 1)]


def shares_from_polynomial(coeffs: Sequence[int], identifiers: Sequence[int], q: int) -> list[Share]:
    """The shares (x, f(x)) of polynomial `coeffs` at each identifier."""
    return [Share(x, _horner(coeffs, x, q)) for x in identifiers]


def split(secret: int, threshold: int, num_shares: int, order: OrderLike, *,
          rng: RandomSource | None = None,
          identifiers: Sequence[int] | None = None) -> list[Share]:
    """`num_shares` shares of `secret` (an int in [0, q)), any `threshold` of which reconstruct it."""
    q = _order_of(order)
    ids = check_split(secret, threshold, num_shares, q, identifiers)
    return shares_from_polynomial(sharing_polynomial(secret, threshold, q, rng), ids, q)


def share_list(shares, cls: type) -> list:
    """`shares` as a non-empty list of `cls` objects (a share type), or InvalidParameter saying what is
    wrong: the one check every reconstruction starts with."""
    if isinstance(shares, (str, bytes)) or not hasattr(shares, "__iter__"):
        raise InvalidParameter(f"shares must be a sequence of {cls.__name__}, got {type(shares).__name__}")
    shares = list(shares)
    if not shares:
        raise InvalidParameter("no shares given")
    for s in shares:
        if not isinstance(s, cls):
            raise InvalidParameter(f"expected {cls.__name__} objects, got {type(s).__name__}")
    return shares


def check_shares(shares: Sequence[Share], q: int) -> list[Share]:
    """Shamir shares over Z_q: Share objects with values below q and valid, distinct identifiers."""
    shares = share_list(shares, Share)
    for s in shares:
        if not isinstance(s.value, int) or not 0 <= s.value < q:
            raise InvalidParameter(f"share {s.identifier}: value out of range")
    check_identifiers([s.identifier for s in shares], q)
    return shares


def reconstruct(shares: Sequence[Share], order: OrderLike) -> int:
    """f(0) from the shares: Lagrange interpolation at 0 through all of them.

    Give at least `threshold` shares: fewer give a wrong (random-looking) result, which Shamir
    cannot detect by itself (use VSS or robust reconstruction for that).
    """
    q = _order_of(order)
    shares = check_shares(shares, q)
    lam = lagrange_coefficients([s.identifier for s in shares], q, 0)
    return sum(l * s.value for l, s in zip(lam, shares)) % q


def interpolate_share(shares: Sequence[Share], identifier: int, order: OrderLike) -> Share:
    """The share f(identifier) from at least t shares (used by repair and resharing tests)."""
    q = _order_of(order)
    shares = check_shares(shares, q)
    check_identifiers([identifier], q)
    lam = lagrange_coefficients([s.identifier for s in shares], q, identifier)
    return Share(identifier, sum(l * s.value for l, s in zip(lam, shares)) % q)


__all__ = ["Share", "split", "reconstruct", "interpolate_share", "check_identifiers", "share_list",
           "check_threshold", "check_shares", "check_split", "sharing_polynomial", "shares_from_polynomial"]
