"""Base oblivious transfer: the endemic OT of Masny and Rindal (eprint 2019/706, Fig. 8, DH
instantiation) on secp256k1, in batches — the seeds of OT extension.

For OT i of a batch, with choice bit c, the receiver picks a, sets A = a·G, draws a random point
r_{1-c} and sets r_c = A - H_c(i, r_{1-c}); it sends (r_0, r_1). The sender, independently, draws
b_0, b_1 and sends (B_0, B_1) = (b_0·G, b_1·G). The sender's keys are
k_s = KDF(i, s, b_s·(r_s + H_s(i, r_{1-s}))); the receiver's key is k_c = KDF(i, c, a·B_c), since
r_c + H_c(i, r_{1-c}) = A. Both messages are independent: the OT takes one round.

Security (the paper's theorem): endemic security in the programmable random-oracle model under
DDH — a corrupt party may choose its own outputs but learns nothing of the honest party's, which
is what OT extension needs of its seeds. H is a random oracle into the group by
try-and-increment on the x-coordinate (its inputs are public); KDF is SHAKE128. Keys are 16
bytes (κ = 128). Python arithmetic is not constant time (docs/ecdsa.md).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..encoding import ByteReader, lp_bytes, u32_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..groups import Element, get_group
from ..math.bits import bits_to_bytes, get_bit
from ..math.rand import RandomSource, random_bytes

KEY_BYTES = 16
_DST = b"pqzk/ot/endemic/v1"
_G = get_group("secp256k1")
POINT_BYTES = _G.element_size


def _hash_to_point(*parts: bytes) -> Element:
    """A random oracle into secp256k1: try-and-increment on x (public inputs only)."""
    base = hashlib.sha256(_DST + b"/h2g" + b"".join(lp_bytes(p, 2) for p in parts))
    for ctr in range(256):
        h = base.copy()
        h.update(ctr.to_bytes(1, "big"))
        try:
            return _G.decode(b"\x02" + h.digest())
        except InvalidEncoding:
            continue
    raise InvalidParameter("hash to secp256k1 failed 256 times")     # probability 2^-256


def _ro(session: bytes, i: int, slot: int, point: Element) -> Element:
    return _hash_to_point(session, u32_bytes(i), bytes([slot]), point.to_bytes())


def _kdf(session: bytes, i: int, slot: int, point: Element) -> bytes:
    enc = b"\x00" if point.is_identity() else point.to_bytes()   # a corrupt party can force the identity
    return hashlib.shake_128(_DST + b"/key" + lp_bytes(session, 2) + u32_bytes(i)
                             + bytes([slot]) + enc).digest(KEY_BYTES)


@dataclass(frozen=True)
class SenderSeeds:
    """The sender's output: both keys of every OT."""
    pairs: tuple[tuple[bytes, bytes], ...]

    def __repr__(self) -> str:
        return f"SenderSeeds({len(self.pairs)} OTs, <keys redacted>)"


# deliberate look-alike of zk/membership.py:GKProof (duplicates): a redacted repr then field declarations, no
# shared logic
@dataclass(frozen=True)
class ReceiverSeeds:
    """The receiver's output: its packed choice bits and the chosen key of every OT."""
    choices: bytes
    keys: tuple[bytes, ...]

    def __repr__(self) -> str:
        return f"ReceiverSeeds({len(self.keys)} OTs, <choices and keys redacted>)"


def _decode_points(data: bytes, count: int, what: str) -> list[Element]:
    r = ByteReader(data, what)
    pts = [_G.decode(r.take(POINT_BYTES)) for _ in range(2 * count)]
    r.end()
    return pts


# deliberate look-alike of BaseOtSender (duplicates): the two sides of the protocol mirror each
# other method for method; each side's finish computes different keys.
class BaseOtReceiver:
    """The receiver of `count` OTs with random choice bits."""

    def __init__(self, session: bytes, count: int, rng: RandomSource | None = None) -> None:
        if count <= 0 or count % 8:
            raise InvalidParameter("a batch of base OTs is a positive multiple of 8")
        self.session, self.count = bytes(session), count
        self._choices = random_bytes(count // 8, rng)
        self._a = [_G.random_scalar(rng) for _ in range(count)]
        out = bytearray()
        for i in range(count):
            c = get_bit(self._choices, i)
            other = _hash_to_point(b"random", random_bytes(32, rng))
            mine = _G.base_mult(self._a[i]) - _ro(self.session, i, c, other)
            pair = (mine, other) if c == 0 else (other, mine)
            out += pair[0].to_bytes() + pair[1].to_bytes()
        self._message = bytes(out)

    def __repr__(self) -> str:
        return f"BaseOtReceiver({self.count} OTs, <secrets redacted>)"

    def message(self) -> bytes:
        """(r_0, r_1) for every OT: 2 x 33 bytes each."""
        return self._message

    def finish(self, sender_message: bytes) -> ReceiverSeeds:
        """The chosen keys, from the sender's (B_0, B_1) list; InvalidEncoding if malformed."""
        pts = _decode_points(sender_message, self.count, "base OT sender message")
        keys = []
        for i in range(self.count):
            c = get_bit(self._choices, i)
            keys.append(_kdf(self.session, i, c, pts[2 * i + c] * self._a[i]))
        return ReceiverSeeds(self._choices, tuple(keys))


# deliberate look-alike of BaseOtReceiver (duplicates): the sender mirrors the receiver (repr,
# message, finish over the other side's points); each side's finish computes different keys.
class BaseOtSender:
    """The sender of `count` OTs with random keys."""

    def __init__(self, session: bytes, count: int, rng: RandomSource | None = None) -> None:
        if count <= 0 or count % 8:
            raise InvalidParameter("a batch of base OTs is a positive multiple of 8")
        self.session, self.count = bytes(session), count
        self._b = [_G.random_scalar(rng) for _ in range(2 * count)]
        self._message = b"".join(_G.base_mult(b).to_bytes() for b in self._b)

    def __repr__(self) -> str:
        return f"BaseOtSender({self.count} OTs, <secrets redacted>)"

    def message(self) -> bytes:
        """(B_0, B_1) for every OT: 2 x 33 bytes each."""
        return self._message

    def finish(self, receiver_message: bytes) -> SenderSeeds:
        """Both keys of every OT, from the receiver's (r_0, r_1) list; InvalidEncoding if malformed."""
        pts = _decode_points(receiver_message, self.count, "base OT receiver message")
        pairs = []
        for i in range(self.count):
            r0, r1 = pts[2 * i], pts[2 * i + 1]
            keys = []
            for s, (mine, other) in enumerate(((r0, r1), (r1, r0))):
                A = mine + _ro(self.session, i, s, other)
                keys.append(_kdf(self.session, i, s, A * self._b[2 * i + s]))
            pairs.append((keys[0], keys[1]))
        return SenderSeeds(tuple(pairs))


def message_size(count: int) -> int:
    """Bytes of either party's message for a batch of `count` OTs."""
    return 2 * POINT_BYTES * count


__all__ = ["KEY_BYTES", "BaseOtReceiver", "BaseOtSender", "ReceiverSeeds", "SenderSeeds", "message_size",
           "bits_to_bytes"]
