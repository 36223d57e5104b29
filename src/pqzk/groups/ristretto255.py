"""ristretto255 (RFC 9496): a prime-order group built from edwards25519.

A ristretto255 element is a coset P + E[4] of even edwards25519 points. We represent it by the
unique member of its coset in the prime-order subgroup, as its RFC 8032 encoding, so that
libsodium does the arithmetic (shared with ed25519) and equality is byte equality. Encoding,
decoding and element derivation (RFC 9496 section 4.3) are done here on plain ints.
"""
from __future__ import annotations

from functools import lru_cache

from nacl import bindings as _nacl

from .. import _native
from ..errors import InvalidEncoding, InvalidParameter
from ..hashing.expand import expand_message_xmd
from ..math.ec import EDWARDS25519_CURVE as CURVE
from .base import Element
from .ed25519 import IDENTITY, Edwards25519Arithmetic, decode_xy, encode_xy

P = CURVE.p
D = CURVE.d
# RFC 9496 section 4.1 constants
SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
SQRT_AD_MINUS_ONE = 25063068953384623474111414158702152701244531502492656460079210482610430750235
INVSQRT_A_MINUS_D = 54469307008909316920995813868745141605393597292927456921205312896311721017578
ONE_MINUS_D_SQ = 1159843021668779879193775521855586647937357759715417654439879720876111806838
D_MINUS_ONE_SQ = 40440834346308536858101042469323190826248399146238708352240133220865137265952

_is_valid = _nacl.crypto_core_ed25519_is_valid_point


def _is_negative(x: int) -> int:
    return x % P & 1


def _abs(x: int) -> int:
    x %= P
    return P - x if x & 1 else x


def sqrt_ratio_m1(u: int, v: int) -> tuple[bool, int]:
    """RFC 9496 section 4.2: (was_square, non-negative sqrt(u/v) or sqrt(i·u/v))."""
    u, v = u % P, v % P
    v3 = v * v % P * v % P
    v7 = v3 * v3 % P * v % P
    r = u * v3 % P * pow(u * v7 % P, (P - 5) // 8, P) % P
    check = v * r % P * r % P
    correct = check == u
    flipped = check == -u % P
    flipped_i = check == -u * SQRT_M1 % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return correct or flipped, _abs(r)


def _decode_affine(data: bytes) -> tuple[int, int]:
    """RFC 9496 section 4.3.1 DECODE, to affine (x, y)."""
    s = int.from_bytes(data, "little")
    if s >= P:
        raise InvalidEncoding("ristretto255 encoding is not canonical (s >= p)")
    if s & 1:
        raise InvalidEncoding("ristretto255 encoding is negative (s is odd)")
    ss = s * s % P
    u1 = (1 - ss) % P
    u2 = (1 + ss) % P
    u2_sqr = u2 * u2 % P
    v = (-D * u1 * u1 - u2_sqr) % P
    was_square, invsqrt = sqrt_ratio_m1(1, v * u2_sqr)
    den_x = invsqrt * u2 % P
    den_y = invsqrt * den_x % P * v % P
    x = _abs(2 * s * den_x)
    y = u1 * den_y % P
    if not was_square or _is_negative(x * y) or y == 0:
        raise InvalidEncoding("ristretto255 encoding is not a valid element")
    return x, y


def _encode_affine(x0: int, y0: int) -> bytes:
    """RFC 9496 section 4.3.2 ENCODE with Z = 1, T = x·y."""
    t0 = x0 * y0 % P
    u1 = (1 + y0) * (1 - y0) % P
    u2 = t0
    _, invsqrt = sqrt_ratio_m1(1, u1 * u2 % P * u2)
    den1 = invsqrt * u1 % P
    den2 = invsqrt * u2 % P
    z_inv = den1 * den2 % P * t0 % P
    if _is_negative(t0 * z_inv):  # rotate
        x, y, den_inv = y0 * SQRT_M1 % P, x0 * SQRT_M1 % P, den1 * INVSQRT_A_MINUS_D % P
    else:
        x, y, den_inv = x0, y0, den2
    if _is_negative(x * z_inv):
        y = -y % P
    return _abs(den_inv * (1 - y)).to_bytes(32, "little")


def _torsion_free(x: int, y: int) -> bytes:
    """The prime-order member of the coset (x, y) + E[4], as an RFC 8032 encoding.

    E[4] = {(0, 1), (0, -1), (±sqrt(-1), 0)} and (x, y) + (i, 0) = (i·y, i·x); libsodium's
    subgroup check picks the member of prime order (cheaper than multiplying by 8 and back)."""
    if x == 0 or y == 0:  # E[4] itself: the identity element
        return IDENTITY
    iy, ix = y * SQRT_M1 % P, x * SQRT_M1 % P
    for cx, cy in ((x, y), (P - x, P - y), (iy, ix), (P - iy, P - ix)):
        enc = encode_xy(cx, cy)
        if _is_valid(enc):
            return enc
    raise InvalidEncoding("ristretto255: point is not in the even subgroup")


def _map(t: int) -> tuple[int, int, int, int]:
    """RFC 9496 section 4.3.4 MAP, to extended coordinates."""
    r = SQRT_M1 * t % P * t % P
    u = (r + 1) * ONE_MINUS_D_SQ % P
    v = (-1 - r * D) * (r + D) % P
    was_square, s = sqrt_ratio_m1(u, v)
    if was_square:
        c = P - 1
    else:
        s, c = -_abs(s * t) % P, r
    N = (c * (r - 1) % P * D_MINUS_ONE_SQ - v) % P
    w0 = 2 * s * v % P
    w1 = N * SQRT_AD_MINUS_ONE % P
    w2 = (1 - s * s) % P
    w3 = (1 + s * s) % P
    return (w0 * w3 % P, w2 * w1 % P, w1 * w3 % P, w0 * w2 % P)


@lru_cache(maxsize=4096)
def _encode_rep(rep: bytes) -> bytes:
    if rep == IDENTITY:
        return bytes(32)
    return _encode_affine(*decode_xy(rep))


class Ristretto255(Edwards25519Arithmetic):
    """The ristretto255 prime-order group (RFC 9496) over edwards25519 arithmetic, with its canonical 32-byte
    encoding."""
    name = "ristretto255"
    cofactor = 1
    h2c_suite = "ristretto255_XMD:SHA-512_R255MAP_RO_"

    def _raw_encode(self, a: bytes) -> bytes:
        return _encode_rep(a)

    def _raw_decode(self, data: bytes) -> bytes:
        if not _native.available():
            return _torsion_free(*_decode_affine(data))
        s = int.from_bytes(data, "little")
        if s >= P:
            raise InvalidEncoding("ristretto255 encoding is not canonical (s >= p)")
        if s & 1:
            raise InvalidEncoding("ristretto255 encoding is negative (s is odd)")
        from ._native_curves import ristretto255_decode
        return ristretto255_decode(data)

    def from_uniform_bytes(self, data: bytes) -> Element:
        """RFC 9496 section 4.3.4 element derivation from 64 uniformly random bytes."""
        if not isinstance(data, (bytes, bytearray)) or len(data) != 64:
            raise InvalidParameter("ristretto255 element derivation needs exactly 64 bytes")
        mask = (1 << 255) - 1
        r0 = (int.from_bytes(data[:32], "little") & mask) % P
        r1 = (int.from_bytes(data[32:], "little") & mask) % P
        x, y = CURVE.to_affine(CURVE.add(_map(r0), _map(r1)))
        return self._wrap(_torsion_free(x, y))

    def hash_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 appendix B / RFC 9496: ristretto255_XMD:SHA-512_R255MAP_RO_."""
        if not isinstance(msg, (bytes, bytearray)) or not isinstance(dst, (bytes, bytearray)):
            raise InvalidParameter("hash-to-group: msg and dst must be bytes")
        if not dst:
            raise InvalidParameter("hash-to-group: the domain separation tag must not be empty (RFC 9380 section 3.1)")
        return self.from_uniform_bytes(expand_message_xmd(msg, dst, 64, "sha512"))


RISTRETTO255 = Ristretto255()
