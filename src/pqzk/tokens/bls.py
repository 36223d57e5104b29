"""Threshold BLS signers keep their Shamir share in a share store and load it for one partial
signature (draft-irtf-cfrg-bls-signature ciphersuites from pqzk.threshold.bls).

The stored bytes are `Share.to_bytes(suite.K)` (identifier ‖ value as key-group scalars); the
metadata records the suite name, the signer identifier, the group public key and the threshold.
"""
from __future__ import annotations

from ..errors import InvalidEncoding
from .store import ShareMetadata, ShareStore


def put_bls_share(store: ShareStore, key_id: str, share, key, *, overwrite: bool = False) -> ShareMetadata:
    """Seal signer `share.identifier`'s share of the threshold key `key` (a ThresholdKey)."""
    meta = ShareMetadata(key_id, share.identifier, key.group_public_key, key.suite.name, key.threshold)
    store.put(share.to_bytes(key.suite.K), meta, overwrite=overwrite)
    return meta


def bls_partial_sign(store: ShareStore, key_id: str, message: bytes, key=None, *,
                     group_public_key: bytes | None = None):
    """A PartialSignature with the share unsealed for this call only; WrongGroup if the stored share
    belongs to another key or suite. `key` (a ThresholdKey) pins group key and suite; without it
    they come from the stored metadata, the group key optionally pinned by `group_public_key`."""
    from ..sharing.shamir import Share
    from ..threshold import bls
    if key is not None:
        suite, gpk = key.suite, key.group_public_key
    else:
        meta = store.metadata(key_id)
        suite, gpk = bls.get_ciphersuite(meta.ciphersuite), group_public_key or meta.group_public_key
    with store.get(key_id, group_public_key=gpk, ciphersuite=suite.name) as unsealed:
        share = Share.from_bytes(suite.K, unsealed.value)
        if share.identifier != unsealed.metadata.party_id:
            raise InvalidEncoding(f"BLS share in {key_id!r} does not match its metadata")
        return bls.partial_sign(share, message, suite)
