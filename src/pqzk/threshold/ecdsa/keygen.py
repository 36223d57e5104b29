"""Key generation in one process (tests, examples, benchmarks): the kit's Pedersen DKG with
proofs of knowledge (pqzk.threshold.frost.dkg over the curve's ciphersuite), a chain code from
every holder's committed contribution, and the pairwise OT setup. The networked version, with
signed messages and blame, is `pqzk.runtime.ecdsa_parties.EcdsaKeygenParticipant`.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ...encoding import lp_bytes, u32_bytes
from ...errors import InvalidParameter
from ...math.rand import RandomSource, random_bytes
from ...ot import OtSetupMessage
from ..frost import dkg as fdkg
from .keys import EcdsaKeyShare, suite_for

CHAIN_DST = b"pqzk/ecdsa/chain-code/v1"


def chain_commitment(session: bytes, party: bytes, contribution: bytes) -> bytes:
    """A holder's commitment to its chain-code contribution (32 random bytes)."""
    return hashlib.sha256(CHAIN_DST + b"/commit" + lp_bytes(session, 2) + lp_bytes(party, 2) + contribution).digest()


def combine_chain_code(contributions: Sequence[bytes]) -> bytes:
    """The chain code from every holder's contribution, in holder order."""
    return hashlib.sha256(CHAIN_DST + b"/combine" + b"".join(contributions)).digest()


def ot_label(identifier: int) -> bytes:
    """A party's label in the pairwise OT setup (its identifier, 4 bytes)."""
    return u32_bytes(identifier, "OT label")


def pairwise_setup(identifiers: Sequence[int], session: bytes, rng: RandomSource | None = None) -> dict:
    """{i: {j: PairwiseOt}} for every pair, all parties in this process."""
    msgs = {i: {j: OtSetupMessage(session, ot_label(i), ot_label(j), rng) for j in identifiers if j != i}
            for i in identifiers}
    return {i: {j: msgs[i][j].finish(msgs[j][i].message) for j in msgs[i]} for i in identifiers}


def keygen_local(curve: str, min_signers: int, identifiers: Sequence[int], *,
                 rng: RandomSource | None = None) -> dict[int, EcdsaKeyShare]:
    """Every holder's share of a fresh key (all parties here)."""
    suite = suite_for(curve)
    ids = sorted(identifiers)
    if len(set(ids)) != len(ids) or not 2 <= min_signers <= len(ids):
        raise InvalidParameter("need distinct identifiers and 2 <= min_signers <= n")
    n = len(ids)
    r1 = {i: fdkg.part1(suite, i, n, min_signers, rng) for i in ids}
    r2 = {i: fdkg.part2(suite, r1[i][0], {j: r1[j][1] for j in ids if j != i}, n, min_signers) for i in ids}
    out = {}
    session = random_bytes(16, rng)
    contributions = [random_bytes(32, rng) for _ in ids]
    chain = combine_chain_code(contributions)
    ots = pairwise_setup(ids, session, rng)
    for i in ids:
        kp, pkp = fdkg.part3(suite, r2[i][0], {j: r1[j][1] for j in ids if j != i},
                             {j: r2[j][1][i] for j in ids if j != i}, n, min_signers)
        out[i] = EcdsaKeyShare(curve, kp, pkp, chain, ots[i])
    return out


__all__ = ["keygen_local", "pairwise_setup", "chain_commitment", "combine_chain_code", "ot_label", "CHAIN_DST"]
