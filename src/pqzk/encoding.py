"""Strict parsing of the kit's own length-prefixed binary formats (big-endian integers), and the
one check every decoder makes first: that its input is bytes at all."""
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
