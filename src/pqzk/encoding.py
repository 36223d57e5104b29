"""The kit's own length-prefixed binary formats (big-endian integers): `ByteWriter` builds them,
`ByteReader` parses them strictly; the one check every decoder makes first (that its input is
bytes at all) and the one hex decoder (`from_hex`) every text format uses."""
from __future__ import annotations

from .errors import InvalidEncoding, InvalidParameter


def as_bytes(data: object, what: str) -> bytes:
    """`data` as immutable bytes when it is bytes-like (bytes, bytearray, memoryview or any other
    buffer); None, str, int, list and every other type are an `InvalidParameter` naming `what`.

    Every decoder calls this before looking at its input, so a wrong type is reported the same
    way everywhere (`bytes(7)` would build seven zero bytes and `bytes("ab")` a TypeError)."""
    if type(data) is bytes:
        return data
    try:
        view = memoryview(data)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidParameter(f"{what} must be bytes, got {type(data).__name__}") from None
    with view:
        return view.tobytes()


def from_hex(text: object, what: str) -> bytes:
    """`text` (a hex string, any case, no prefix) as bytes; anything else is an `InvalidEncoding`
    naming `what` (the field), never the value (which may be secret)."""
    if not isinstance(text, str):
        raise InvalidEncoding(f"{what} must be a hex string, got {type(text).__name__}")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise InvalidEncoding(f"{what} is not valid hex") from None


def uint_bytes(n: int, width: int, what: str = "integer") -> bytes:
    """`n` as `width` big-endian bytes; an `InvalidParameter` naming `what` if it does not fit."""
    if not isinstance(n, int):
        raise InvalidParameter(f"{what} must be an int, got {type(n).__name__}")
    if not 0 <= n < 1 << (8 * width):
        raise InvalidParameter(f"{what} does not fit in {width} bytes")   # no value: it may be secret
    return n.to_bytes(width, "big")


def u32_bytes(n: int, what: str = "integer") -> bytes:
    """`n` as 4 big-endian bytes (what `ByteReader.u32` reads)."""
    return uint_bytes(n, 4, what)


def lp_bytes(data: object, width: int = 4, what: str = "field") -> bytes:
    """A length-prefixed field: `len(data)` in `width` big-endian bytes, then `data` (what
    `ByteReader.lp(width)` reads)."""
    data = as_bytes(data, what)
    return uint_bytes(len(data), width, f"length of {what}") + data


class ByteWriter:
    """Builds what `ByteReader` parses, method for method (`put`/`take`, `uint`, `u32`, `lp`);
    every method returns the writer, so a format reads as one chain, and a value that does not
    fit its width is an `InvalidParameter` naming the structure (`what`), not silent truncation.

        ByteWriter("seal context").lp(protocol).lp(session).u32(count).to_bytes()"""

    def __init__(self, what: str = "value") -> None:
        self.what = what
        self._out = bytearray()

    def put(self, data: object) -> "ByteWriter":
        """Raw bytes, no length (the reader takes a known count)."""
        self._out += as_bytes(data, self.what)
        return self

    def uint(self, n: int, width: int) -> "ByteWriter":
        """`n` as `width` big-endian bytes (what `ByteReader.uint(width)` reads back)."""
        self._out += uint_bytes(n, width, self.what)
        return self

    def u32(self, n: int) -> "ByteWriter":
        """`n` as 4 big-endian bytes (`ByteReader.u32`)."""
        return self.uint(n, 4)

    def lp(self, data: object, width: int = 4) -> "ByteWriter":
        """A length-prefixed field (a `width`-byte length, then the bytes)."""
        self._out += lp_bytes(data, width, self.what)
        return self

    def __len__(self) -> int:
        return len(self._out)

    def to_bytes(self) -> bytes:
        """Everything written so far, as immutable bytes."""
        return bytes(self._out)

    __bytes__ = to_bytes


class ByteReader:
    """A cursor over bytes: every read checks the length, `end()` rejects trailing bytes, and
    errors name the structure being decoded (`what`)."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = as_bytes(data, what), 0, what

    def take(self, n: int) -> bytes:
        """The next `n` bytes; `InvalidEncoding` ("truncated") when fewer remain."""
        if n < 0 or self.pos + n > len(self.data):
            raise InvalidEncoding(f"{self.what}: truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def expect(self, magic: bytes, what: str = "bad magic") -> None:
        """Read the next `len(magic)` bytes and check they are `magic` (a format's tag, often with
        its version); anything else is an `InvalidEncoding` "<structure>: <what>", so every
        format rejects a foreign or truncated file the same way, without echoing its bytes."""
        if self.take(len(magic)) != magic:
            raise InvalidEncoding(f"{self.what}: {what}")

    def uint(self, width: int) -> int:
        """The next `width` bytes as a big-endian unsigned integer."""
        return int.from_bytes(self.take(width), "big")

    def u32(self) -> int:
        """The next 4 bytes as a big-endian unsigned integer."""
        return self.uint(4)

    def lp(self, width: int = 4) -> bytes:
        """A length-prefixed field (a `width`-byte length, then that many bytes)."""
        return self.take(self.uint(width))

    def end(self) -> None:
        """Check that every byte was read: trailing bytes are an `InvalidEncoding`."""
        if self.pos != len(self.data):
            raise InvalidEncoding(f"{self.what}: {len(self.data) - self.pos} trailing bytes")
