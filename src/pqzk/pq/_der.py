"""Minimal strict DER (X.690) for the few structures the PQ layer needs: SEQUENCE, INTEGER,
OCTET STRING, BIT STRING, OID. Decoding rejects indefinite/non-minimal lengths and trailing data."""
from __future__ import annotations

from ..encoding import as_bytes
from ..errors import InvalidEncoding

SEQUENCE, INTEGER, BIT_STRING, OCTET_STRING, OID = 0x30, 0x02, 0x03, 0x04, 0x06


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _len(len(value)) + value


def seq(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def integer(n: int) -> bytes:
    b = n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True)
    return tlv(INTEGER, b)


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        body += bytes(reversed(chunk))
    return tlv(OID, bytes(body))


def bit_string(data: bytes) -> bytes:
    return tlv(BIT_STRING, b"\x00" + data)


def read(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """(tag, value, next position) of the TLV at `pos`; strict DER lengths."""
    if pos + 2 > len(data):
        raise InvalidEncoding("DER: truncated header")
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > len(data):
            raise InvalidEncoding("DER: indefinite or oversized length")
        length = int.from_bytes(data[pos:pos + n], "big")
        if length < 0x80 or data[pos] == 0:
            raise InvalidEncoding("DER: non-minimal length")
        pos += n
    if pos + length > len(data):
        raise InvalidEncoding("DER: value runs past the end")
    return tag, data[pos:pos + length], pos + length


def read_all(data: bytes, expect_tag: int) -> bytes:
    data = as_bytes(data, "DER")
    tag, value, end = read(data)
    if tag != expect_tag:
        raise InvalidEncoding(f"DER: expected tag 0x{expect_tag:02x}, got 0x{tag:02x}")
    if end != len(data):
        raise InvalidEncoding("DER: trailing data")
    return value


def items(value: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(value):
        tag, v, pos = read(value, pos)
        out.append((tag, v))
    return out


def decode_oid(value: bytes) -> str:
    if not value or value[-1] & 0x80:
        raise InvalidEncoding("DER: malformed OID")
    arcs, acc = [], 0
    for i, b in enumerate(value):
        if acc == 0 and b == 0x80:
            raise InvalidEncoding("DER: non-minimal OID arc")
        acc = (acc << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(acc)
            acc = 0
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(map(str, head + arcs[1:]))
