"""The store's secret check: a record sealed at `init` under the store's own sealer — the same
`seal`/`unseal` (envelope.py) and the same key derivation as every share — and unsealed on every
open, before anything is listed or read. A wrong passphrase (or TPM auth value) is then refused
once per open with `WrongPin`, instead of being noticed only when a share is unsealed.

The verifier seals a fixed label under reserved metadata; it holds nothing secret, and its
AES-GCM tag (under the key the secret derives) is the check.
"""
from __future__ import annotations

import hmac
from typing import Callable

from ..errors import AuthenticationError, InvalidEncoding
from .envelope import Sealer, SealedRecord, seal, unseal
from .errors import TokenError
from .store import ShareMetadata

LABEL = b"pqzk/tokens/store-verifier/v1"
METADATA = ShareMetadata("pqzk-store-verifier", 0, b"", "pqzk-store-verifier/v1", 0)


def make_verifier(sealer: Sealer, rng: Callable[[int], bytes] | None = None) -> bytes:
    """The verifier record (bytes) for a new store sealed by `sealer`."""
    return seal(LABEL, METADATA, sealer, rng).to_bytes()


def check_verifier(data: bytes, sealer: Sealer, where: str) -> SealedRecord:
    """Unseal the verifier of the store at `where`: WrongPin if the secret is wrong,
    AuthenticationError if the record was altered, TokenError if it is not a verifier."""
    try:
        record = SealedRecord.from_bytes(data)
    except InvalidEncoding as exc:
        raise TokenError(f"store at {where}: damaged verifier record ({exc})") from None
    if record.metadata != METADATA:
        raise TokenError(f"store at {where}: damaged verifier record (unexpected metadata)")
    try:
        plain = unseal(record, sealer)
    except AuthenticationError as exc:
        raise AuthenticationError(f"store at {where}: its verifier record does not open ({exc})") from None
    if not hmac.compare_digest(bytes(plain), LABEL):
        raise AuthenticationError(f"store at {where}: its verifier record was altered")
    return record
