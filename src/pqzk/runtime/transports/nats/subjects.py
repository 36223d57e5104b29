"""Subject, stream and consumer names (see the package docstring): every token lowercase hex, so
any committee, session or party id is a safe subject token."""
from __future__ import annotations

import hashlib
import re

from ....errors import InvalidParameter
from ... import wire
from ...messages import PartyId

BROADCAST_TOKEN = "all"
EMPTY_SESSION = "_"
_HEX_RE = re.compile(r"(?:[0-9a-f]{2})+\Z")


def party_token(pid: PartyId) -> str:
    """The party id as a subject token (hex of its wire encoding)."""
    return wire.encode_party(pid).hex()


def session_token(session: bytes) -> str:
    """The session id as a subject token (hex, or `_` when empty); `InvalidParameter` when too long."""
    if not isinstance(session, (bytes, bytearray)) or len(session) > wire.MAX_SESSION:
        raise InvalidParameter(f"a session id is bytes, at most {wire.MAX_SESSION} of them")
    return session.hex() or EMPTY_SESSION


def committee_token(committee: bytes) -> str:
    """The committee id as a subject token (hex); `InvalidParameter` unless it is 1 to 255 bytes."""
    if not isinstance(committee, (bytes, bytearray)) or not 0 < len(committee) <= 255:
        raise InvalidParameter("a committee id is 1 to 255 bytes")
    return bytes(committee).hex()


def stream_name(committee: bytes, prefix: str = "pqzk") -> str:
    """The JetStream stream of a committee: the prefix and a hash of the committee id."""
    return f"{prefix.upper()}_{hashlib.sha256(bytes(committee)).hexdigest()[:24]}"


def subject(prefix: str, committee: bytes, session: bytes, recipient: PartyId | None, sender: PartyId) -> str:
    """The subject of one message: prefix, committee, session, recipient (or `all`) and sender tokens."""
    to = BROADCAST_TOKEN if recipient is None else party_token(recipient)
    return f"{prefix}.{committee_token(committee)}.{session_token(session)}.{to}.{party_token(sender)}"


def parse_subject(prefix: str, committee: bytes, subj: str) -> tuple[bytes, str, str] | None:
    """(session, recipient token, sender token) of a frame's subject, or None if malformed."""
    parts = subj.split(".")
    if len(parts) != 5 or parts[0] != prefix or parts[1] != committee_token(committee):
        return None
    s, r, f = parts[2:]
    if s == EMPTY_SESSION:
        session = b""
    elif _HEX_RE.match(s) and len(s) <= 2 * wire.MAX_SESSION:
        session = bytes.fromhex(s)
    else:
        return None
    if not (r == BROADCAST_TOKEN or _HEX_RE.match(r)) or not _HEX_RE.match(f):
        return None
    return session, r, f


def durable_name(*parts: object) -> str:
    """A durable consumer name derived from `parts` (a hash: valid whatever the parts contain)."""
    h = hashlib.sha256(b"\x00".join(str(p).encode() for p in parts)).hexdigest()[:24]
    return f"pqzk-{h}"


__all__ = ["BROADCAST_TOKEN", "EMPTY_SESSION", "committee_token", "durable_name", "parse_subject", "party_token",
           "session_token", "stream_name", "subject"]
