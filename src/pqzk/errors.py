"""One exception hierarchy for the whole kit.

Messages say what was wrong (which field, which length, which party) and never echo secret
material: no share, nonce, key or seed value appears in any message built here.
"""
from __future__ import annotations

from collections.abc import Iterable


class PqzkError(Exception):
    """Base class of every error pqzk raises on purpose."""


class InvalidEncoding(PqzkError, ValueError):
    """Bytes that do not decode: wrong length, non-canonical, off-curve, wrong subgroup,
    out-of-range scalar, identity where the standard forbids it, malformed document."""


class InvalidParameter(PqzkError, ValueError):
    """An argument outside what the operation accepts (threshold above n, unknown suite, ...)."""


class VerificationError(PqzkError):
    """A signature, proof, share or commitment does not verify."""


class AuthenticationError(VerificationError):
    """Authenticated decryption failed: the ciphertext, tag or associated data was altered."""


class ProtocolError(PqzkError):
    """A protocol was driven incorrectly (wrong round, reused nonce, unexpected message)."""


class NonceReuse(ProtocolError):
    """A single-use nonce or commitment was offered for a second use and refused."""


class ProtocolAbort(ProtocolError):
    """A protocol stopped (a `ProtocolError`: `except ProtocolError` catches it too). `culprits` are the parties proven to have deviated — by messages they
    signed (identifiable abort); never an honest party. `unresponsive` are the parties this one
    waited for in vain when it timed out, and `stopped_by` those whose abort notice ended its
    wait: liveness hints for choosing another quorum, not blame (under an untrusted network a
    message can be lost with its sender at no fault, and an honest party that timed out first
    announces its abort too)."""

    def __init__(self, reason: str, culprits: Iterable[object] = (), unresponsive: Iterable[object] = (),
                 stopped_by: Iterable[object] = ()) -> None:
        self.reason = reason
        self.culprits = sorted(set(culprits), key=repr)
        self.unresponsive = sorted(set(unresponsive) - set(self.culprits), key=repr)
        self.stopped_by = sorted(set(stopped_by) - set(self.culprits), key=repr)
        who = f" (culprits: {', '.join(map(str, self.culprits))})" if self.culprits else ""
        if self.unresponsive:
            who += f" (no answer from: {', '.join(map(str, self.unresponsive))})"
        super().__init__(f"{reason}{who}")


class BackendUnavailable(PqzkError):
    """An optional backend is missing; the message says how to enable it."""

    def __init__(self, backend: str, reason: str, how_to_enable: str) -> None:
        self.backend = backend
        self.reason = reason
        self.how_to_enable = how_to_enable
        super().__init__(f"backend {backend!r} unavailable: {reason}. To enable: {how_to_enable}")


class PolicyViolation(PqzkError):
    """A request breaks a policy rule; `rule` names it."""

    def __init__(self, rule: str, detail: str = "") -> None:
        self.rule = rule
        self.detail = detail
        super().__init__(f"policy rule {rule!r} violated" + (f": {detail}" if detail else ""))


class TokenError(PqzkError):
    """A share store or hardware token failed (absent, full, locked, wrong PIN, ...)."""


class TransportError(PqzkError):
    """A message transport failed: the broker is unreachable or refused us, a publish was not
    acknowledged in time, a local broker did not start."""


__all__ = [
    "PqzkError", "InvalidEncoding", "InvalidParameter", "VerificationError", "AuthenticationError",
    "ProtocolError", "NonceReuse", "ProtocolAbort", "BackendUnavailable", "PolicyViolation",
    "TokenError", "TransportError",
]
