"""FROST key lifecycle on top of pqzk.sharing: refresh, reshare (new committee and threshold),
repair. The group key never changes; the Feldman commitment the sharing code needs is rebuilt
from the public key package (interpolation in the exponent), and checked against every share.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ...errors import InvalidParameter
from ...math.rand import RandomSource
from ...sharing import refresh as _refresh
from ...sharing import repair as _repair
from ...sharing import reshare as _reshare
from ...sharing.shamir import Share
from ...sharing.vss import FeldmanCommitment
from .types import KeyPackage, PublicKeyPackage


def _kps(key_packages: Mapping[int, KeyPackage] | Iterable[KeyPackage]) -> list[KeyPackage]:
    kps = list(key_packages.values() if isinstance(key_packages, Mapping) else key_packages)
    if not kps:
        raise InvalidParameter("no key packages given")
    return sorted(kps, key=lambda k: k.identifier)


def feldman_commitment(pkp: PublicKeyPackage) -> FeldmanCommitment:
    """C_0..C_{t-1} with Σ_k C_k·i^k = Y_i for every verifying share (VerificationError if the
    package's shares do not lie on one polynomial of degree t-1 through the group key)."""
    return pkp.feldman_commitment()


def _packages(suite, shares: Sequence[Share], commitment: FeldmanCommitment, t: int,
              ) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    vshares = {s.identifier: commitment.public_share(s.identifier) for s in shares}
    Y = commitment.public_key
    kps = {s.identifier: KeyPackage(suite, s.identifier, s.value, vshares[s.identifier], Y, t) for s in shares}
    return kps, PublicKeyPackage(suite, vshares, Y, t)


def refresh(key_packages: Mapping[int, KeyPackage] | Iterable[KeyPackage], pkp: PublicKeyPackage, *,
            min_signers: int | None = None, rng: RandomSource | None = None,
            ) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    """New shares of the same key for the given holders (same threshold: changing min_signers
    is refused — that is `reshare`). Old shares and new shares do not combine."""
    kps = _kps(key_packages)
    if min_signers is not None and min_signers != pkp.min_signers:
        raise InvalidParameter(f"refresh keeps min_signers={pkp.min_signers}; use reshare to change it")
    com = feldman_commitment(pkp)
    new_shares, new_com = _refresh.refresh([Share(k.identifier, k.signing_share) for k in kps], com,
                                           threshold=pkp.min_signers, rng=rng)
    return _packages(pkp.suite, new_shares, new_com, pkp.min_signers)


def reshare(key_packages: Mapping[int, KeyPackage] | Iterable[KeyPackage], pkp: PublicKeyPackage,
            new_min_signers: int, new_max_signers: int, *, new_identifiers: Sequence[int] | None = None,
            rng: RandomSource | None = None) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    """Hand the key from at least min_signers current holders to a new committee with a new
    threshold; the group key stays the same."""
    kps = _kps(key_packages)
    if len(kps) < pkp.min_signers:
        raise InvalidParameter(f"{len(kps)} holders given, resharing needs min_signers={pkp.min_signers}")
    if new_min_signers < 2:
        raise InvalidParameter("new min_signers must be at least 2")
    com = feldman_commitment(pkp)
    new_shares, new_com = _reshare.reshare([Share(k.identifier, k.signing_share) for k in kps], com,
                                           new_min_signers, new_max_signers, new_identifiers=new_identifiers,
                                           rng=rng)
    return _packages(pkp.suite, new_shares, new_com, new_min_signers)


def repair(helpers: Mapping[int, KeyPackage] | Iterable[KeyPackage], pkp: PublicKeyPackage, identifier: int,
           *, rng: RandomSource | None = None) -> KeyPackage:
    """Rebuild participant `identifier`'s lost key package with at least min_signers helpers
    (who learn nothing about it); checked against the public key package."""
    kps = _kps(helpers)
    if identifier not in pkp.verifying_shares:
        raise InvalidParameter(f"identifier {identifier} is not in the public key package")
    com = feldman_commitment(pkp)
    share = _repair.repair_share([Share(k.identifier, k.signing_share) for k in kps], identifier,
                                 pkp.suite.group.order, commitment=com, rng=rng)
    return KeyPackage(pkp.suite, identifier, share.value, pkp.verifying_shares[identifier], pkp.verifying_key,
                      pkp.min_signers)
