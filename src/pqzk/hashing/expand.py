"""RFC 9380 section 5: expand_message_xmd / expand_message_xof and hash_to_field."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from ..errors import InvalidParameter

# name -> (constructor, output bytes b_in_bytes, block bytes r_in_bytes)
_XMD = {
    "sha256": (hashlib.sha256, 32, 64),
    "sha384": (hashlib.sha384, 48, 128),
    "sha512": (hashlib.sha512, 64, 128),
}
_XOF = {"shake128": (hashlib.shake_128, 128), "shake256": (hashlib.shake_256, 256)}


def _as_bytes(msg: bytes, dst: bytes, what: str) -> tuple[bytes, bytes]:
    if not isinstance(msg, (bytes, bytearray, memoryview)) or not isinstance(dst, (bytes, bytearray, memoryview)):
        raise InvalidParameter(f"{what}: msg and dst must be bytes")
    return bytes(msg), bytes(dst)


def _dst_prime_xmd(dst: bytes, hash_name: str) -> bytes:
    if len(dst) > 255:  # section 5.3.3: oversize DSTs are hashed down
        dst = _XMD[hash_name][0](b"H2C-OVERSIZE-DST-" + dst).digest()
    return dst + bytes([len(dst)])


def expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int, hash_name: str = "sha256") -> bytes:
    """RFC 9380 section 5.3.1."""
    if hash_name not in _XMD:
        raise InvalidParameter(f"unknown hash for expand_message_xmd: {hash_name!r}")
    msg, dst = _as_bytes(msg, dst, "expand_message_xmd")
    H, b_in_bytes, r_in_bytes = _XMD[hash_name]
    ell = -(-len_in_bytes // b_in_bytes)
    if ell > 255 or len_in_bytes > 65535 or len_in_bytes < 0:
        raise InvalidParameter("expand_message_xmd: requested length too large")
    dst_prime = _dst_prime_xmd(dst, hash_name)
    msg_prime = bytes(r_in_bytes) + msg + len_in_bytes.to_bytes(2, "big") + b"\x00" + dst_prime
    b0 = H(msg_prime).digest()
    bi = H(b0 + b"\x01" + dst_prime).digest()
    out = [bi]
    b0_int = int.from_bytes(b0, "big")
    for i in range(2, ell + 1):
        xored = (b0_int ^ int.from_bytes(bi, "big")).to_bytes(b_in_bytes, "big")  # strxor(b_0, b_(i-1))
        bi = H(xored + bytes([i]) + dst_prime).digest()
        out.append(bi)
    return b"".join(out)[:len_in_bytes]


def expand_message_xof(msg: bytes, dst: bytes, len_in_bytes: int, xof_name: str = "shake256") -> bytes:
    """RFC 9380 section 5.3.2."""
    if xof_name not in _XOF:
        raise InvalidParameter(f"unknown XOF for expand_message_xof: {xof_name!r}")
    msg, dst = _as_bytes(msg, dst, "expand_message_xof")
    X, k = _XOF[xof_name]
    if len_in_bytes > 65535 or len_in_bytes < 0:
        raise InvalidParameter("expand_message_xof: requested length too large")
    if len(dst) > 255:
        dst = X(b"H2C-OVERSIZE-DST-" + dst).digest(-(-2 * k // 8))
    dst_prime = dst + bytes([len(dst)])
    return X(msg + len_in_bytes.to_bytes(2, "big") + dst_prime).digest(len_in_bytes)


Expander = Callable[[bytes, bytes, int], bytes]


def get_expander(name: str) -> Expander:
    """'xmd:sha256' / 'xmd:sha512' / 'xof:shake256' ... -> expand(msg, dst, len)."""
    kind, _, h = name.partition(":")
    if kind == "xmd":
        return lambda m, d, n: expand_message_xmd(m, d, n, h)
    if kind == "xof":
        return lambda m, d, n: expand_message_xof(m, d, n, h)
    raise InvalidParameter(f"unknown expander {name!r}")


def hash_to_field(msg: bytes, dst: bytes, count: int, p: int, m: int, L: int,
                  expander: str = "xmd:sha256") -> list[list[int]]:
    """RFC 9380 section 5.2: `count` elements of GF(p^m), each a list of m ints."""
    uniform = get_expander(expander)(msg, dst, count * m * L)
    return [[int.from_bytes(uniform[L * (j + i * m): L * (j + i * m) + L], "big") % p for j in range(m)]
            for i in range(count)]


def security_length(p: int, k: int = 128) -> int:
    """L = ceil((ceil(log2(p)) + k) / 8), RFC 9380 section 5."""
    return -(-(p.bit_length() + k) // 8)
