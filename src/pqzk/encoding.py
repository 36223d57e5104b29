"""Strict parsing of the kit's own length-prefixed binary formats (big-endian integers)."""
from __future__ import annotations

from .errors import InvalidEncoding


class ByteReader:
    """A cursor over bytes: every read checks the length, `end()` rejects trailing bytes, and
    errors name the structure being decoded (`what`)."""

    def __init__(self, data: bytes, what: str) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidEncoding(f"{what} must be bytes, got {type(data).__name__}")
        self.data, self.pos, self.what = bytes(data), 0, what

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise InvalidEncoding(f"{self.what}: truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, width: int) -> int:
        return int.from_bytes(self.take(width), "big")

    def u32(self) -> int:
        return self.uint(4)

    def lp(self, width: int = 4) -> bytes:
        """A length-prefixed field (a `width`-byte length, then that many bytes)."""
        return self.take(self.uint(width))

    def end(self) -> None:
        if self.pos != len(self.data):
            raise InvalidEncoding(f"{self.what}: {len(self.data) - self.pos} trailing bytes")
