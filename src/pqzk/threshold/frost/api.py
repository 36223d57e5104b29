"""Convenience API: keygen with a trusted dealer, sign in process, verify.

For protocols across parties use the round functions in `core` or the sans-I/O parties in
`pqzk.runtime`; these helpers run everything in one process (tests, examples, benchmarks).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from ...errors import InvalidEncoding, InvalidParameter
from ...groups import Element
from ...math.rand import RandomSource
from ...sharing import vss
from . import core
from .ciphersuite import Ciphersuite, get_ciphersuite
from .types import KeyPackage, PublicKeyPackage, Signature


def trusted_dealer_keygen(suite: str | Ciphersuite, min_signers: int, max_signers: int,
                          secret: int | None = None, rng: RandomSource | None = None,
                          identifiers: list[int] | None = None,
                          ) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    """Split `secret` (fresh if None) with Feldman VSS from pqzk.sharing (RFC 9591 appendix C).

    Returns the key packages by identifier (one secret per participant) and the public key
    package. Each participant can check its share with `verify_key_package(kp, commitment)`;
    the dealer computes verifying shares directly as s_i·G.
    """
    suite = get_ciphersuite(suite)
    core.check_parameters(suite, min_signers, max_signers)
    g = suite.group
    if secret is None:
        secret = g.random_scalar(rng)
    if not isinstance(secret, int) or not 0 < secret < g.order:
        raise InvalidParameter("secret must be a non-zero scalar")
    shares, commitment = vss.feldman_deal(g, secret, min_signers, max_signers, rng=rng,
                                          identifiers=identifiers)
    Y = commitment.public_key
    vshares = {s.identifier: g.base_mult(s.value) for s in shares}
    kps = {s.identifier: KeyPackage(suite, s.identifier, s.value, vshares[s.identifier], Y, min_signers)
           for s in shares}
    return kps, PublicKeyPackage(suite, vshares, Y, min_signers)


def public_key_package_from(key_packages: Mapping[int, KeyPackage] | Iterable[KeyPackage]) -> dict[int, Element]:
    """The verifying shares of key packages, by identifier."""
    kps = key_packages.values() if isinstance(key_packages, Mapping) else key_packages
    return {kp.identifier: kp.verifying_share for kp in kps}


def sign(suite: str | Ciphersuite, shares: Mapping[int, KeyPackage] | Iterable[KeyPackage], message: bytes,
         rng: RandomSource | None = None) -> bytes:
    """Run both FROST rounds in process with the given signers' key packages; signature bytes."""
    suite = get_ciphersuite(suite)
    kps = list(shares.values() if isinstance(shares, Mapping) else shares)
    if not kps:
        raise InvalidParameter("no signers")
    ids = [kp.identifier for kp in kps]
    if len(set(ids)) != len(ids):
        raise InvalidParameter(f"duplicate signer identifiers: {sorted({i for i in ids if ids.count(i) > 1})}")
    vk, t = kps[0].verifying_key, kps[0].min_signers
    for kp in kps:
        if kp.suite != suite:
            raise InvalidParameter("key package belongs to another ciphersuite")
        if kp.verifying_key != vk:
            raise InvalidParameter("key packages belong to different group keys")
    if len(kps) < t:
        raise InvalidParameter(f"{len(kps)} signers, at least {t} needed")
    round1 = [core.commit(suite, kp.identifier, kp.signing_share, rng) for kp in kps]
    commitment_list = [c for _, c in round1]
    sig_shares = [core.sign(suite, kp.identifier, kp.signing_share, vk, nonces, message, commitment_list)
                  for kp, (nonces, _) in zip(kps, round1)]
    sig = core.aggregate_verified(suite, commitment_list, message, vk, sig_shares,
                                  public_key_package_from(kps))
    return sig.to_bytes()


def _public_key(suite: Ciphersuite, key: Element | PublicKeyPackage | bytes) -> Element:
    if isinstance(key, PublicKeyPackage):
        return key.verifying_key
    if isinstance(key, Element):
        return key
    if isinstance(key, (bytes, bytearray, memoryview)):
        return suite.hooks.decode_verifying_key(suite.group, bytes(key))
    raise InvalidEncoding(f"group public key must be bytes or an element, got {type(key).__name__}")


def verify(suite: str | Ciphersuite, group_public_key: Element | PublicKeyPackage | bytes, message: bytes,
           signature: bytes | Signature) -> None:
    """Verify a FROST signature; raises VerificationError (InvalidEncoding for malformed input)."""
    suite = get_ciphersuite(suite)
    core.verify_signature(suite, message, signature, _public_key(suite, group_public_key))
