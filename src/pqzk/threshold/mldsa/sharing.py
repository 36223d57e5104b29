"""Replicated short secret sharing for T-of-N (eprint 2026/013 §"short secret sharing").

The dealer draws one short secret (s1_u, s2_u), coefficients uniform in [-η, η], for every set u
of N - T + 1 parties, and gives it to every party in u; the signing key is the sum over all sets.
Any T parties together hold every set (a set of N - T + 1 parties meets every set of T), so a
signing quorum covers the whole key while each secret stays short. For one quorum the sets are
split among its members so that each set is used exactly once and nobody adds up more than
⌈C(N, T-1)/T⌉ of them — the bound the rejection radius was chosen for.

Sets are bitmasks over the parties 1..N (bit i-1 for party i). The split for a quorum comes from
the authors' table for the canonical quorum {1..T} (their `params/recover.py`, a max-flow
assignment), relabelled onto the actual quorum: the members in increasing order take the places
1..T and the others the places T+1..N.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from math import comb

from ...errors import InvalidParameter

# canonical split for the quorum {1..T}: position p (0-based) adds up the sets listed (bitmasks)
_SPLIT = {
    (2, 3): ((0b011, 0b101), (0b110,)),
    (2, 4): ((11, 13), (7, 14)),
    (3, 4): ((3, 9), (6, 10), (12, 5)),
    (2, 5): ((27, 29, 23), (30, 15)),
    (3, 5): ((25, 11, 19, 13), (7, 14, 22, 26), (28, 21)),
    (4, 5): ((3, 9, 17), (6, 10, 18), (12, 5, 20), (24,)),
    (2, 6): ((61, 47, 55), (62, 31, 59)),
    (3, 6): ((27, 23, 43, 57, 39), (51, 58, 46, 30, 54), (45, 53, 29, 15, 60)),
    (4, 6): ((19, 13, 35, 7, 49), (42, 26, 38, 50, 22), (52, 21, 44, 28, 37), (25, 11, 14, 56, 41)),
    (5, 6): ((3, 5, 33), (6, 10, 34), (12, 20, 36), (9, 24, 40), (48, 17, 18)),
}


def members(mask: int) -> list[int]:
    """The parties (1-based) in a set."""
    return [i + 1 for i in range(mask.bit_length()) if mask >> i & 1]


def mask_of(parties: Iterable[int]) -> int:
    """A set of parties as a bitmask (bit p-1 for party p)."""
    m = 0
    for p in parties:
        m |= 1 << (p - 1)
    return m


@lru_cache(maxsize=None)
def share_sets(T: int, N: int) -> tuple[int, ...]:
    """Every set of N - T + 1 parties, in the dealer's order (increasing bitmasks)."""
    size = N - T + 1
    out, m = [], (1 << size) - 1
    while m < 1 << N:
        out.append(m)
        low = m & -m                  # next bitmask with the same number of ones (Gosper's hack)
        ripple = m + low
        m = (((ripple ^ m) >> 2) // low) | ripple
    assert len(out) == comb(N, size)
    return tuple(out)


def held_by(party: int, T: int, N: int) -> tuple[int, ...]:
    """The sets a party holds: those it belongs to."""
    return tuple(u for u in share_sets(T, N) if u >> (party - 1) & 1)


def check_quorum(quorum: Sequence[int], T: int, N: int) -> tuple[int, ...]:
    """The quorum as a sorted tuple of T distinct parties in 1..N (InvalidParameter otherwise)."""
    try:
        q = tuple(sorted(quorum))
    except TypeError:
        raise InvalidParameter("a quorum is a list of party numbers") from None
    if (len(q) != T or len(set(q)) != T
            or any(not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= N for p in q)):
        raise InvalidParameter(f"a signing quorum is exactly T = {T} distinct parties in 1..{N}, got {list(quorum)}")
    return q


@lru_cache(maxsize=4096)
def _split(quorum: tuple[int, ...], T: int, N: int) -> dict[int, tuple[int, ...]]:
    if T == N:                                  # every set is one party: each adds its own
        return {p: (1 << (p - 1),) for p in quorum}
    place = list(quorum) + [p for p in range(1, N + 1) if p not in quorum]   # canonical place -> party
    out = {}
    for pos, sets in enumerate(_SPLIT[(T, N)]):
        out[place[pos]] = tuple(mask_of(place[b] for b in range(N) if u >> b & 1) for u in sets)
    return out


def split(quorum: Sequence[int], T: int, N: int) -> dict[int, tuple[int, ...]]:
    """For each quorum member, the sets it adds up when this quorum signs."""
    return dict(_split(check_quorum(quorum, T, N), T, N))
