"""The canonical, versioned wire encoding of runtime messages (what senders sign).

    message  = to_be_signed ‖ u16 len ‖ signature
    to_be_signed = "PQZK" ‖ u8 version (1) ‖ u8 len ‖ kind (ASCII) ‖ u8 len ‖ session
                   ‖ party(sender) ‖ recipient ‖ u32 len ‖ payload
    party    = 0x01 ‖ u8 len ‖ big-endian integer (minimal, ≥ 1)  |  0x02 ‖ u8 len ‖ name (ASCII)
    recipient = party  |  0x00 (broadcast: everyone in the session)

Decoding is strict: unknown version or kind, non-minimal integers, empty or non-ASCII names,
lengths that disagree and trailing bytes are all `InvalidEncoding`. The signature covers every
field before it, so kind, session, sender, recipient and payload are all bound to the author.
"""
from __future__ import annotations

import re

from ..encoding import ByteReader, ByteWriter, lp_bytes
from ..errors import InvalidEncoding, InvalidParameter
from .messages import Kind, Message, PartyId

MAGIC = b"PQZK"
VERSION = 1
MAX_SESSION = 255
MAX_SIGNATURE = 65535
_BROADCAST = b"\x00"
_INT, _NAME = 1, 2
_NAME_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")
_KINDS = {k.value: k for k in Kind}


def encode_party(pid: PartyId) -> bytes:
    """A party id's wire encoding: a tag, a length byte, then the minimal big-endian integer or the ASCII
    name; `InvalidParameter` for a bad id."""
    if isinstance(pid, bool) or not isinstance(pid, (int, str)):
        raise InvalidParameter(f"a party id is an integer or a name, got {type(pid).__name__}")
    if isinstance(pid, int):
        if pid < 1 or pid.bit_length() > 8 * 64:
            raise InvalidParameter("an integer party id must be in [1, 2^512)")
        raw = pid.to_bytes((pid.bit_length() + 7) // 8, "big")
        return bytes([_INT]) + lp_bytes(raw, 1, "party id")
    if not _NAME_RE.match(pid):
        raise InvalidParameter("a party name is 1 to 64 characters from [A-Za-z0-9_.:-]")
    return bytes([_NAME]) + lp_bytes(pid.encode("ascii"), 1, "party name")


def read_party(r: ByteReader) -> PartyId:
    """Read a party id from the wire; `InvalidEncoding` for a non-minimal or malformed one."""
    tag = r.uint(1)
    raw = r.lp(1)
    if tag == _INT:
        if not raw or raw[0] == 0:
            raise InvalidEncoding(f"{r.what}: party id integer is empty or not minimal")
        return int.from_bytes(raw, "big")
    if tag == _NAME:
        try:
            name = raw.decode("ascii")
        except UnicodeDecodeError:
            raise InvalidEncoding(f"{r.what}: party name is not ASCII") from None
        if not _NAME_RE.match(name):
            raise InvalidEncoding(f"{r.what}: malformed party name")
        return name
    raise InvalidEncoding(f"{r.what}: unknown party id tag {tag}")


def _kind(kind: Kind | str) -> Kind:
    try:
        return _KINDS[str(kind)]
    except KeyError:
        raise InvalidParameter(f"unknown message kind {str(kind)[:40]!r}") from None


def to_be_signed(msg: Message) -> bytes:
    """The bytes the sender signs: every field but the signature."""
    kind = _kind(msg.kind).value.encode("ascii")
    if not isinstance(msg.session, (bytes, bytearray)) or len(msg.session) > MAX_SESSION:
        raise InvalidParameter(f"a session id is at most {MAX_SESSION} bytes")
    if not isinstance(msg.payload, (bytes, bytearray)):
        raise InvalidParameter("a payload is bytes")
    recipient = _BROADCAST if msg.broadcast else encode_party(msg.recipient)
    return (ByteWriter("message").put(MAGIC).uint(VERSION, 1).lp(kind, 1).lp(msg.session, 1)
            .put(encode_party(msg.sender) + recipient).lp(msg.payload, 4).to_bytes())


def encode(msg: Message) -> bytes:
    """The whole message on the wire (signature included)."""
    if len(msg.signature) > MAX_SIGNATURE:
        raise InvalidParameter("signature too long")
    return to_be_signed(msg) + lp_bytes(msg.signature, 2, "signature")


def decode(data: bytes, recipient: PartyId | None = None) -> Message:
    """Parse one message. A broadcast has no recipient on the wire: the receiving side says who
    it was delivered to (`recipient`)."""
    r = ByteReader(data, "runtime message")
    if r.take(4) != MAGIC:
        raise InvalidEncoding("runtime message: bad magic")
    version = r.uint(1)
    if version != VERSION:
        raise InvalidEncoding(f"runtime message: unsupported version {version}")
    kind = _KINDS.get(r.lp(1).decode("ascii", "replace"))
    if kind is None:
        raise InvalidEncoding("runtime message: unknown kind")
    session = r.lp(1)
    sender = read_party(r)
    broadcast = r.data[r.pos:r.pos + 1] == _BROADCAST
    if broadcast:
        r.take(1)
        to = recipient
    else:
        to = read_party(r)
        if recipient is not None and to != recipient:
            raise InvalidEncoding("runtime message: addressed to another party")
    payload = r.lp(4)
    signature = r.lp(2)
    r.end()
    return Message(sender, to, kind, payload, session, broadcast, signature)


__all__ = ["MAGIC", "VERSION", "encode", "decode", "encode_party", "read_party", "to_be_signed"]
