"""Resharing: move a secret from a (t, n) committee to a new (t', n') one, same public key.

Each of (at least) t old holders i deals a Feldman sharing of its own share s_i to the new
committee (step 1). New party j checks every sub-share against its dealer's commitment, checks that
each dealer's commitment opens to the dealer's public share f(i)·G, and combines
s'_j = Σ_i λ_i · s_{i→j} with the Lagrange coefficients λ_i of the old dealers at 0 (step 2).
Then s'_j lies on f'(x) = Σ λ_i g_i(x) of degree t' - 1 with f'(0) = Σ λ_i s_i = f(0).
(Desmedt–Jajodia / Herzberg et al. style redistribution.)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import InvalidParameter, ProtocolAbort, VerificationError
from ..groups.base import Group
from ..math.poly import lagrange_coefficients
from ..math.rand import RandomSource
from .shamir import Share, check_identifiers, check_shares
from .vss import FeldmanCommitment, feldman_deal


def reshare_step_1(group: Group, share: Share, new_threshold: int, new_identifiers: Sequence[int],
                   *, rng: RandomSource | None = None) -> tuple[list[Share], FeldmanCommitment]:
    """Old holder `share.identifier` sub-shares its share to the new committee."""
    ids = check_identifiers(new_identifiers, group.order)
    return feldman_deal(group, share.value, new_threshold, len(ids), rng=rng, identifiers=ids)


def _check_dealers(dealers: list[int], old_commitment: FeldmanCommitment) -> None:
    if len(dealers) < old_commitment.threshold:
        raise InvalidParameter(f"{len(dealers)} old holders took part; the old threshold is "
                               f"{old_commitment.threshold}")
    check_identifiers(dealers, old_commitment.group.order)


def _check_sub_commitment(dealer: int, com: FeldmanCommitment, old: FeldmanCommitment,
                          new_threshold: int) -> None:
    if com.group is not old.group:
        raise ProtocolAbort("sub-sharing commitment is over another group", culprits=[dealer])
    if com.threshold != new_threshold:
        raise ProtocolAbort(f"sub-sharing has threshold {com.threshold}, expected {new_threshold}",
                            culprits=[dealer])
    if com.public_key != old.public_share(dealer):
        raise ProtocolAbort("sub-sharing does not commit to the dealer's old share", culprits=[dealer])


def reshare_step_2(identifier: int, sub_shares: Mapping[int, Share],
                   sub_commitments: Mapping[int, FeldmanCommitment],
                   old_commitment: FeldmanCommitment, new_threshold: int) -> Share:
    """New party `identifier` verifies what each old dealer sent and combines it into its share."""
    group = old_commitment.group
    q = group.order
    dealers = sorted(sub_shares)
    if set(dealers) != set(sub_commitments):
        raise InvalidParameter("sub-shares and sub-commitments name different dealers")
    _check_dealers(dealers, old_commitment)
    for d in dealers:
        _check_sub_commitment(d, sub_commitments[d], old_commitment, new_threshold)
        s = sub_shares[d]
        if s.identifier != identifier:
            raise ProtocolAbort(f"sub-share addressed to {s.identifier}, not {identifier}", culprits=[d])
        try:
            sub_commitments[d].verify_share(s)
        except VerificationError:
            raise ProtocolAbort(f"sub-share for new party {identifier} does not match the "
                                "dealer's commitment", culprits=[d]) from None
    lam = lagrange_coefficients(dealers, q, 0)
    return Share(identifier, sum(l * sub_shares[d].value for l, d in zip(lam, dealers)) % q)


def reshare_commitment(sub_commitments: Mapping[int, FeldmanCommitment],
                       old_commitment: FeldmanCommitment) -> FeldmanCommitment:
    """The new committee's commitment Σ λ_i C^{(i)}; its public key equals the old one."""
    group = old_commitment.group
    dealers = sorted(sub_commitments)
    _check_dealers(dealers, old_commitment)
    thresholds = {c.threshold for c in sub_commitments.values()}
    if len(thresholds) != 1:
        raise InvalidParameter("sub-sharing commitments have different thresholds")
    (t_new,) = thresholds
    for d in dealers:
        _check_sub_commitment(d, sub_commitments[d], old_commitment, t_new)
    lam = lagrange_coefficients(dealers, group.order, 0)
    coeffs = tuple(group.msm_vartime(lam, [sub_commitments[d].coefficients[k] for d in dealers])  # public
                   for k in range(t_new))
    new = FeldmanCommitment(group, coeffs)
    if new.public_key != old_commitment.public_key:  # pragma: no cover - implied by the checks
        raise VerificationError("reshared public key differs from the old one")
    return new


def reshare(shares: Sequence[Share], old_commitment: FeldmanCommitment, new_threshold: int,
            new_num_shares: int, *, new_identifiers: Sequence[int] | None = None,
            rng: RandomSource | None = None) -> tuple[list[Share], FeldmanCommitment]:
    """Whole protocol in-process: old holders `shares` (>= old threshold) to a new committee."""
    group = old_commitment.group
    shares = check_shares(shares, group.order)
    _check_dealers([s.identifier for s in shares], old_commitment)
    for s in shares:
        old_commitment.verify_share(s)
    new_ids = check_identifiers(range(1, new_num_shares + 1) if new_identifiers is None
                                else new_identifiers, group.order)
    if len(new_ids) != new_num_shares:
        raise InvalidParameter(f"{len(new_ids)} identifiers given for {new_num_shares} shares")
    dealt = {s.identifier: reshare_step_1(group, s, new_threshold, new_ids, rng=rng) for s in shares}
    coms = {d: c for d, (_, c) in dealt.items()}
    new_shares = []
    for k, j in enumerate(new_ids):
        subs = {d: ss[k] for d, (ss, _) in dealt.items()}
        new_shares.append(reshare_step_2(j, subs, coms, old_commitment, new_threshold))
    return new_shares, reshare_commitment(coms, old_commitment)


__all__ = ["reshare_step_1", "reshare_step_2", "reshare_commitment", "reshare"]
