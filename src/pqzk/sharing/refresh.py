"""Proactive refresh: new shares of the same secret, same threshold, same public key.

Every holder deals a sharing of zero (a random polynomial z with z(0) = 0) and everyone adds what
it receives to its share: f'(x) = f(x) + Σ z_k(x) still has f'(0) = f(0), but the new shares lie
on a fresh random polynomial, so shares stolen before the refresh and shares stolen after it do
not combine. Changing the threshold or the committee is resharing (`pqzk.sharing.reshare`).
Zero-sharing commitments omit C_0 (it is the identity, which some encodings cannot express),
like ZF frost's refresh.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidParameter, ProtocolAbort, VerificationError
from ..groups.base import Element, Group
from ..math.rand import RandomSource, random_scalar
from .shamir import OrderLike, Share, _order_of, check_identifiers, check_shares, shares_from_polynomial
from .vss import FeldmanCommitment, _decode_elements, _encode_elements


@dataclass(frozen=True, eq=True)
class ZeroSharingCommitment:
    """Commitments C_1..C_{t-1} to a zero-sharing polynomial (C_0 = identity is implicit)."""

    group: Group
    coefficients: tuple[Element, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "coefficients", tuple(self.coefficients))
        for c in self.coefficients:
            if not isinstance(c, Element) or c.group is not self.group:
                raise InvalidParameter(f"coefficients must be {self.group.name} elements")

    @property
    def threshold(self) -> int:
        """The threshold of the zero-sharing (one more than the number of committed coefficients)."""
        return len(self.coefficients) + 1

    def as_feldman(self) -> FeldmanCommitment:
        """The commitment as a Feldman commitment whose constant term is the identity."""
        return FeldmanCommitment(self.group, (self.group.identity(),) + self.coefficients)

    def verify_share(self, share: Share) -> None:
        """Check a share of the zero-sharing against the commitment; raises `VerificationError`."""
        self.as_feldman().verify_share(share)

    def to_bytes(self) -> bytes:
        """The committed coefficients, encoded one after the other."""
        return _encode_elements(self.group, self.coefficients)

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "ZeroSharingCommitment":
        """A zero-sharing commitment from its encoding, each element strictly decoded."""
        return cls(group, _decode_elements(data, group, "zero-sharing commitment"))


def _check_refresh_threshold(threshold: int, num: int) -> None:
    if not isinstance(threshold, int) or threshold < 2:
        raise InvalidParameter("refresh needs a threshold >= 2 (with threshold 1 every share is the secret)")
    if threshold > num:
        raise InvalidParameter(f"threshold {threshold} exceeds the {num} share holders")


def zero_sharing(group: Group, threshold: int, identifiers: Sequence[int], *,
                 rng: RandomSource | None = None) -> tuple[list[Share], ZeroSharingCommitment]:
    """One holder's refresh contribution: shares of 0 for every identifier, and the commitment."""
    q = group.order
    ids = check_identifiers(identifiers, q)
    _check_refresh_threshold(threshold, len(ids))
    coeffs = [0] + [random_scalar(q, rng, nonzero=False) for _ in range(threshold - 1)]
    com = ZeroSharingCommitment(group, tuple(group.base_mult(a) for a in coeffs[1:]))
    return shares_from_polynomial(coeffs, ids, q), com


def apply_refresh(share: Share, deltas: Sequence[Share], order: OrderLike) -> Share:
    """share + Σ deltas (all addressed to the same identifier)."""
    q = _order_of(order)
    for d in deltas:
        if d.identifier != share.identifier:
            raise InvalidParameter(f"a refresh delta for {d.identifier} was applied to share {share.identifier}")
    return Share(share.identifier, (share.value + sum(d.value for d in deltas)) % q)


def refresh_commitment(commitment: FeldmanCommitment,
                       zero_commitments: Sequence[ZeroSharingCommitment]) -> FeldmanCommitment:
    """The refreshed commitment; refuses contributions of another threshold."""
    out = commitment
    for z in zero_commitments:
        if z.threshold != commitment.threshold:
            raise InvalidParameter(f"refresh keeps the threshold ({commitment.threshold}); a "
                                   f"contribution has threshold {z.threshold} — use reshare to change it")
        out = out + z.as_feldman()
    return out


def refresh(shares: Sequence[Share], commitment: FeldmanCommitment, *,
            threshold: int | None = None,
            rng: RandomSource | None = None) -> tuple[list[Share], FeldmanCommitment]:
    """Refresh every share in `shares` (all current holders) in-process; verify every delta.

    `threshold`, if given, must equal the commitment's: refresh never changes it."""
    group = commitment.group
    shares = check_shares(shares, group.order)
    t = commitment.threshold
    if threshold is not None and threshold != t:
        raise InvalidParameter(f"refresh keeps the threshold ({t}); changing it to {threshold} "
                               "is resharing (pqzk.sharing.reshare)")
    for s in shares:
        commitment.verify_share(s)
    ids = [s.identifier for s in shares]
    _check_refresh_threshold(t, len(ids))
    contributions = {i: zero_sharing(group, t, ids, rng=rng) for i in ids}
    new_shares = []
    for s in shares:
        deltas = []
        for dealer, (zs, zc) in contributions.items():
            d = next(x for x in zs if x.identifier == s.identifier)
            try:
                zc.verify_share(d)
            except VerificationError:  # pragma: no cover - honest in-process dealers
                raise ProtocolAbort("refresh delta does not match its commitment", culprits=[dealer]) from None
            deltas.append(d)
        new_shares.append(apply_refresh(s, deltas, group.order))
    return new_shares, refresh_commitment(commitment, [zc for _, zc in contributions.values()])


def refresh_shares(shares: Sequence[Share], threshold: int, order: OrderLike, *,
                   rng: RandomSource | None = None) -> list[Share]:
    """Plain Shamir refresh (no commitments): add one fresh zero-sharing of degree threshold-1."""
    q = _order_of(order)
    shares = check_shares(shares, q)
    _check_refresh_threshold(threshold, len(shares))
    coeffs = [0] + [random_scalar(q, rng, nonzero=False) for _ in range(threshold - 1)]
    deltas = shares_from_polynomial(coeffs, [s.identifier for s in shares], q)
    return [apply_refresh(s, [d], q) for s, d in zip(shares, deltas)]


__all__ = ["ZeroSharingCommitment", "zero_sharing", "apply_refresh", "refresh_commitment",
           "refresh", "refresh_shares"]
