"""Share repair (enrollment): helpers rebuild a lost share without learning it or the secret.

The Repairable Threshold Scheme of Laing and Stinson (eprint 2017/1155), with the step names of
ZF frost's `frost-core/src/keys/repairable.rs`:

1. each helper i splits ζ_i·s_i (ζ_i: its Lagrange coefficient for evaluating at the lost
   participant's identifier) into random deltas δ_{i→j}, one per helper, summing to ζ_i·s_i;
2. helper j adds the deltas it received into σ_j and sends σ_j to the participant;
3. the participant adds the σ_j: Σ_j σ_j = Σ_i ζ_i s_i = f(participant).

Each δ and σ is uniformly random on its own, so no coalition smaller than the helper set learns
anything about the share. With a Feldman commitment the participant checks what it got.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidParameter, VerificationError
from ..math.poly import lagrange_coefficients
from ..math.rand import RandomSource, random_scalar
from .shamir import OrderLike, Share, _order_of, check_identifiers
from .vss import FeldmanCommitment


def _scalars(values: Sequence[int], what: str) -> list[int]:
    values = list(values)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise InvalidParameter(f"share repair: every {what} must be an int")
    return values


def repair_share_step_1(helpers: Sequence[int], share_i: Share, participant: int,
                        order: OrderLike, *, rng: RandomSource | None = None) -> dict[int, int]:
    """Helper share_i.identifier's deltas: {helper j: δ_{i→j}} with Σ_j δ_{i→j} = ζ_i·s_i.

    Send δ_{i→j} to helper j privately (keep your own)."""
    q = _order_of(order)
    helpers = check_identifiers(helpers, q)
    if len(helpers) < 2:
        raise InvalidParameter("share repair needs at least 2 helpers")
    check_identifiers([participant], q)
    if participant in helpers:
        raise InvalidParameter(f"participant {participant} cannot be one of its own helpers")
    if share_i.identifier not in helpers:
        raise InvalidParameter(f"share {share_i.identifier} is not from one of the helpers")
    if not isinstance(share_i.value, int) or not 0 <= share_i.value < q:
        raise InvalidParameter(f"share {share_i.identifier}: value out of range")
    ordered = sorted(helpers)
    zeta = lagrange_coefficients(ordered, q, participant)[ordered.index(share_i.identifier)]
    randoms = [random_scalar(q, rng, nonzero=False) for _ in ordered[:-1]]
    out = dict(zip(ordered[:-1], randoms))
    out[ordered[-1]] = (zeta * share_i.value - sum(randoms)) % q
    return out


def repair_share_step_2(deltas_j: Sequence[int], order: OrderLike) -> int:
    """Helper j's σ_j: the sum of the deltas it received (its own included)."""
    q = _order_of(order)
    return sum(_scalars(deltas_j, "delta")) % q


def repair_share_step_3(sigmas: Sequence[int], identifier: int, order: OrderLike,
                        commitment: FeldmanCommitment | None = None) -> Share:
    """The participant's repaired share Σ σ_j, checked against `commitment` when given."""
    q = _order_of(order)
    check_identifiers([identifier], q)
    share = Share(identifier, sum(_scalars(sigmas, "sigma")) % q)
    if commitment is not None:
        try:
            commitment.verify_share(share)
        except VerificationError:
            raise VerificationError(f"repaired share {identifier} does not match the commitment: "
                                    "a helper sent a wrong delta or sigma") from None
    return share


def repair_share(helper_shares: Sequence[Share], participant: int, order: OrderLike, *,
                 commitment: FeldmanCommitment | None = None,
                 rng: RandomSource | None = None) -> Share:
    """All three steps in-process (for tests, demos and the simulator)."""
    helpers = [s.identifier for s in helper_shares]
    if commitment is not None and len(helpers) < commitment.threshold:
        raise InvalidParameter(f"{len(helpers)} helpers given, threshold is {commitment.threshold}")
    deltas = {s.identifier: repair_share_step_1(helpers, s, participant, order, rng=rng)
              for s in helper_shares}
    sigmas = {j: repair_share_step_2([deltas[i][j] for i in helpers], order) for j in helpers}
    return repair_share_step_3(list(sigmas.values()), participant, order, commitment)


__all__ = ["repair_share_step_1", "repair_share_step_2", "repair_share_step_3", "repair_share"]
