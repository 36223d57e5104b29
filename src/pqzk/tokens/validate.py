"""Checks on a share that comes into a store from outside (`pqzk token import`, a backup): every
field against its group and ciphersuite, before anything is sealed. A store itself keeps opaque
bytes; this is where imported bytes stop being opaque.

- FROST (RFC 9591 context strings): the share is a key package (`KeyPackage.to_bytes`, what
  `pqzk frost keygen` writes): scalars canonical, identifier ≥ 1, signing share non-zero, its
  verifying share equal to signing_share·G, the verifying key equal to the group public key, and
  identifier and min_signers equal to the metadata's party and threshold.
- Threshold BLS (draft-irtf-cfrg-bls-signature suite names): the share is a Shamir share
  (`Share.to_bytes(suite.K)`, identifier ‖ value): both reduced, identifier = party ≥ 1, value
  non-zero; the group public key passes KeyValidate (on the curve, in the subgroup, not the
  identity). The share carries no verifying share, so its value cannot be matched to the group.
- Both: 1 ≤ threshold, and with `max_signers` = n given, threshold ≤ n and party ≤ n.
"""
from __future__ import annotations

from ..errors import InvalidEncoding, InvalidParameter
from .errors import WrongGroup
from .store import ShareMetadata


def check_share(share: bytes, metadata: ShareMetadata, *, max_signers: int | None = None) -> None:
    """Raise InvalidEncoding / InvalidParameter / WrongGroup (naming the field) unless `share` is a
    well-formed share of the group and ciphersuite `metadata` names; None if it is."""
    if not isinstance(share, (bytes, bytearray, memoryview)):
        raise InvalidEncoding(f"share must be bytes, got {type(share).__name__}")
    if not isinstance(metadata, ShareMetadata):
        raise InvalidParameter(f"metadata must be a ShareMetadata, got {type(metadata).__name__}")
    share = bytes(share)
    _check_counts(metadata, max_signers)
    from ..threshold import bls
    from ..threshold.frost import ciphersuite as frost_suites
    name = metadata.ciphersuite
    if name in frost_suites.CIPHERSUITES:
        _check_frost(frost_suites.CIPHERSUITES[name], share, metadata)
    elif name in bls.CIPHERSUITES:
        _check_bls(bls.CIPHERSUITES[name], share, metadata)
    else:
        try:
            canonical = frost_suites.get_ciphersuite(name).context
        except InvalidParameter:
            raise InvalidParameter(
                f"unknown ciphersuite {name!r}: shares of FROST ({', '.join(frost_suites.CIPHERSUITES)}) "
                f"or threshold BLS ({', '.join(bls.CIPHERSUITES)}) can be imported") from None
        raise InvalidParameter(f"name the ciphersuite by its context string {canonical!r}, not {name!r}")


def _check_counts(meta: ShareMetadata, max_signers: int | None) -> None:
    if meta.party_id < 1:
        raise InvalidParameter(f"party identifier must be at least 1, got {meta.party_id} "
                               "(identifier 0 is where the shared secret sits)")
    if meta.threshold < 1:
        raise InvalidParameter(f"threshold must be at least 1, got {meta.threshold}")
    if max_signers is None:
        return
    if not isinstance(max_signers, int) or isinstance(max_signers, bool) or not 1 <= max_signers < 2**16:
        raise InvalidParameter(f"number of signers must be an integer in [1, 65535], got {max_signers!r}")
    if meta.threshold > max_signers:
        raise InvalidParameter(f"threshold {meta.threshold} is above the number of signers {max_signers}")
    if meta.party_id > max_signers:
        raise InvalidParameter(f"party identifier {meta.party_id} is above the number of signers {max_signers}")


def _group_key(decode, meta: ShareMetadata):
    try:
        return decode(meta.group_public_key)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"group public key for {meta.ciphersuite}: {exc}") from None


def _check_frost(suite, share: bytes, meta: ShareMetadata) -> None:
    from ..threshold.frost import KeyPackage
    g = suite.group
    group_key = _group_key(g.decode, meta)
    size = 2 * g.scalar_size + 2 * g.element_size + 2
    if len(share) != size:
        raise InvalidEncoding(f"a {suite.context} share is a key package (RFC 9591 participant state, as "
                              f"`pqzk frost keygen` writes it) of {size} bytes, got {len(share)}")
    try:
        kp = KeyPackage.from_bytes(suite, share)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"share: {exc}") from None
    if kp.identifier != meta.party_id:
        raise InvalidParameter(f"the key package is participant {kp.identifier}'s, not party {meta.party_id}'s")
    if kp.verifying_key != group_key:
        raise WrongGroup("the key package belongs to another group: its verifying key is not the group public key")
    if kp.min_signers != meta.threshold:
        raise InvalidParameter(f"the key package has threshold (min_signers) {kp.min_signers}, not {meta.threshold}")


def _check_bls(suite, share: bytes, meta: ShareMetadata) -> None:
    from ..sharing.shamir import Share
    from ..threshold import bls
    _group_key(lambda pk: bls.key_validate(pk, suite), meta)
    try:
        s = Share.from_bytes(suite.K, share)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"{suite.name} share (identifier ‖ value, {2 * suite.K.scalar_size} bytes): "
                              f"{exc}") from None
    if s.value == 0:
        raise InvalidEncoding("share value is zero")
    if s.identifier != meta.party_id:
        raise InvalidParameter(f"the share is signer {s.identifier}'s, not party {meta.party_id}'s")
