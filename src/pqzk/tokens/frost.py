"""FROST signers keep their key packages in a share store and load them for one round 2.

    put_key_package(store, "alice", key_package)
    with load_key_package(store, "alice", suite) as kp:      # unsealed for this block only
        share = core.sign(suite, kp.identifier, kp.signing_share, kp.verifying_key, nonces, msg, commitments)

The metadata records the suite's context string, the participant identifier, the group verifying
key and min_signers; loading checks them against the suite (and group key) asked for. Python ints
cannot be wiped: the unsealed bytes are, the KeyPackage object is simply dropped after the block.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..errors import InvalidEncoding
from .store import ShareMetadata, ShareStore


def metadata_for(key_id: str, key_package) -> ShareMetadata:
    """The store metadata of a FROST key package: key id, identifier, group key, ciphersuite, threshold."""
    return ShareMetadata(key_id, key_package.identifier, key_package.verifying_key.to_bytes(),
                         key_package.suite.context, key_package.min_signers)


def put_key_package(store: ShareStore, key_id: str, key_package, *, overwrite: bool = False) -> ShareMetadata:
    """Seal a FROST KeyPackage (RFC 9591 participant state) into `store`."""
    meta = metadata_for(key_id, key_package)
    store.put(key_package.to_bytes(), meta, overwrite=overwrite)
    return meta


@contextmanager
def load_key_package(store: ShareStore, key_id: str, suite, *, group_public_key: bytes | None = None) -> Iterator:
    """The KeyPackage for one operation; WrongGroup if the stored one is for another suite/group."""
    from ..threshold.frost import KeyPackage, get_ciphersuite
    suite = get_ciphersuite(suite) if isinstance(suite, str) else suite
    with store.get(key_id, group_public_key=group_public_key, ciphersuite=suite.context) as unsealed:
        kp = KeyPackage.from_bytes(suite, unsealed.value)
        if metadata_for(key_id, kp) != unsealed.metadata:
            raise InvalidEncoding(f"key package in {key_id!r} does not match its metadata")
        yield kp


def sign_round2(store: ShareStore, key_id: str, suite, nonces, message: bytes,
                commitment_list: Sequence, *, group_public_key: bytes | None = None):
    """RFC 9591 §5.2 round two with the signing share taken from `store` for this call only."""
    from ..threshold.frost import core, get_ciphersuite
    suite = get_ciphersuite(suite) if isinstance(suite, str) else suite
    with load_key_package(store, key_id, suite, group_public_key=group_public_key) as kp:
        return core.sign(suite, kp.identifier, kp.signing_share, kp.verifying_key, nonces, message,
                         commitment_list)
