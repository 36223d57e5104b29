"""Share stores: where a party keeps its share, sealed at rest, unsealed for one operation.

Backends: PKCS#11 token (`pkcs11:`), TPM 2.0 (`tpm:`), sealed file (`file:`), all behind the
`ShareStore` protocol and opened with `open_store(uri, secret)`. See docs/tokens.md.
"""
from .errors import (PinLocked, ShareExists, ShareNotFound, StoreFull, StoreNeedsUpgrade, TokenAbsent,
                     TokenError, UnsupportedMechanism, WrongGroup, WrongPin)
from .store import FORMAT_VERSION, ShareMetadata, ShareStore, UnsealedShare
from .uri import StoreURI, open_store, parse_uri

__all__ = [
    "ShareStore", "ShareMetadata", "UnsealedShare", "FORMAT_VERSION", "open_store", "parse_uri", "StoreURI",
    "TokenError", "WrongPin", "PinLocked", "TokenAbsent", "StoreFull", "ShareNotFound", "ShareExists",
    "WrongGroup", "StoreNeedsUpgrade", "UnsupportedMechanism",
]
