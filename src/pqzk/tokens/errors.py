"""Token and share-store failures, each a `TokenError` so callers can catch the family.

Messages name the store, key id or token label — never a PIN, passphrase or share value.
"""
from __future__ import annotations

from ..errors import TokenError


class WrongPin(TokenError):
    """The PIN or passphrase was refused. Raised after ONE attempt: never retried here, so a
    token's PIN counter is not burnt by a loop."""


class PinLocked(TokenError):
    """The token's PIN is locked, or one more wrong try would lock it; no login was attempted."""


class TokenAbsent(TokenError):
    """No token with the requested label/serial (or the TPM/store location is not reachable)."""


class StoreFull(TokenError):
    """The token, slot or disk has no room for another object."""


class ShareNotFound(TokenError, KeyError):
    """No share (or held key) under that key id."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ShareExists(TokenError):
    """A share already exists under that key id and overwrite was not requested."""


class WrongGroup(TokenError):
    """The stored share belongs to another group (public key or ciphersuite differs)."""


class StoreNeedsUpgrade(TokenError):
    """The store was made by an older pqzk and cannot check its secret (no verifier record); the
    message gives the one-time upgrade step. Nothing is opened until it is done."""


class UnsupportedMechanism(TokenError):
    """The token lacks a mechanism an operation needs; the message lists what is missing."""


__all__ = ["TokenError", "WrongPin", "PinLocked", "TokenAbsent", "StoreFull", "ShareNotFound",
           "ShareExists", "WrongGroup", "StoreNeedsUpgrade", "UnsupportedMechanism"]
