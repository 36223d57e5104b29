"""Merlin-style Fiat–Shamir transcript over SHAKE256.

Construction (not STROBE): one SHAKE256 sponge absorbs a domain tag and then a sequence of
length-framed, labelled operations

    op(1 byte) || len(label)(4 bytes BE) || label || len(data)(8 bytes BE) || data

with op = b"M" for an appended message and b"C" for a challenge request. A challenge of `n` bytes
is the first `n` bytes squeezed from a copy of the state after absorbing the challenge frame; the
output is then absorbed back (op b"R"), so every later challenge depends on every earlier one.
The framing is injective, so two different sequences of appends can never hash alike.

Every proof in `pqzk.zk` appends the *whole statement* (group name and order, generators, public
values, context) before any prover commitment, which rules out the weak ("Frozen Heart")
Fiat–Shamir transform by construction.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from ..encoding import ByteWriter
from ..errors import InvalidParameter
from ..groups.base import Element, Group
from ..math.rand import RandomSource, random_bytes

DOMAIN = b"pqzk-transcript-v1/SHAKE256"


def _frame(op: bytes, label: bytes, data: bytes) -> bytes:
    if len(label) >= 2**32:
        raise InvalidParameter("transcript label too long")
    return ByteWriter("transcript").put(op).lp(label, 4).lp(data, 8).to_bytes()


def _as_bytes(x: bytes | str) -> bytes:
    if isinstance(x, str):
        return x.encode()
    if isinstance(x, (bytes, bytearray, memoryview)):
        return bytes(x)
    raise InvalidParameter(f"transcript label/message must be bytes or str, got {type(x).__name__}")


def element_bytes(p: Element) -> bytes:
    """Injective encoding of a group element for hashing (the identity gets its own marker)."""
    if p.is_identity():
        return b"\x00identity"
    return b"\x01" + p.group.encode(p)


_FIXED: dict[tuple[str, str], bytes] = {}


def fixed_element_bytes(group: Group, name: str, make) -> bytes:
    """`element_bytes` of a fixed, public element (generators), computed once per group."""
    key = (group.name, name)
    if key not in _FIXED:
        _FIXED[key] = element_bytes(make())
    return _FIXED[key]


class Transcript:
    """A running Fiat–Shamir transcript. Public data only: safe to print."""

    __slots__ = ("_state",)

    def __init__(self, protocol_label: bytes | str) -> None:
        self._state = hashlib.shake_256()
        self._state.update(_frame(b"D", DOMAIN, _as_bytes(protocol_label)))

    # ---- appends ----
    def append_message(self, label: bytes | str, message: bytes | str) -> None:
        """Absorb a labelled message (framed, so different splits cannot collide)."""
        self._state.update(_frame(b"M", _as_bytes(label), _as_bytes(message)))

    def append_u64(self, label: bytes | str, value: int) -> None:
        """Absorb a labelled 64-bit integer."""
        if not 0 <= value < 2**64:
            raise InvalidParameter("append_u64: value out of range")
        self.append_message(label, value.to_bytes(8, "big"))

    def append_int(self, label: bytes | str, value: int) -> None:
        """A non-negative integer of any size (length-framed big-endian)."""
        if value < 0:
            raise InvalidParameter("append_int: negative value")
        self.append_message(label, value.to_bytes((value.bit_length() + 7) // 8, "big"))

    def append_scalar(self, label: bytes | str, group: Group, k: int) -> None:
        """Absorb a labelled scalar in the group's encoding."""
        self.append_message(label, group.scalar_encode(k % group.order))

    def append_element(self, label: bytes | str, p: Element) -> None:
        """Absorb a labelled group element."""
        self.append_message(label, element_bytes(p))

    def append_elements(self, label: bytes | str, points: Sequence[Element]) -> None:
        """Absorb a labelled list of elements, its length first."""
        self.append_u64(_as_bytes(label) + b"/len", len(points))
        for p in points:
            self.append_element(label, p)

    def append_group(self, group: Group) -> None:
        """Bind the group (its name and order) and its standard generator."""
        self.append_message(b"group", group.name)
        self.append_int(b"group-order", group.order)
        self.append_message(b"group-generator", fixed_element_bytes(group, "generator", group.generator))

    # ---- challenges ----
    def challenge_bytes(self, label: bytes | str, n: int) -> bytes:
        """`n` challenge bytes under a label, absorbed back so later challenges depend on them."""
        if not 0 < n <= 2**16:
            raise InvalidParameter("challenge_bytes: length out of range")
        self._state.update(_frame(b"C", _as_bytes(label), n.to_bytes(8, "big")))
        out = self._state.copy().digest(n)
        self._state.update(_frame(b"R", b"", out))
        return out

    def challenge_scalar(self, label: bytes | str, group: Group) -> int:
        """A uniform scalar (wide reduction: 16 extra bytes make the bias negligible)."""
        n = (group.order.bit_length() + 7) // 8 + 16
        return int.from_bytes(self.challenge_bytes(label, n), "big") % group.order

    def challenge_scalars(self, label: bytes | str, group: Group, count: int) -> list[int]:
        """`count` challenge scalars under a label."""
        return [self.challenge_scalar(_as_bytes(label) + b"/" + str(i).encode(), group)
                for i in range(count)]

    # ---- utilities ----
    def fork(self, label: bytes | str) -> "Transcript":
        """An independent copy that continues from the current state under a new label."""
        t = Transcript.__new__(Transcript)
        t._state = self._state.copy()
        t.append_message(b"fork", label)
        return t

    def witness_rng(self, witness: Iterable[bytes], rng: RandomSource | None = None) -> RandomSource:
        """Hedged prover randomness (as Merlin's TranscriptRng): a SHAKE256 stream keyed by the
        transcript so far, the prover's secret witness and 32 fresh bytes from `rng`. A broken
        `rng` then cannot repeat a nonce for a different statement or witness."""
        h = self._state.copy()
        for w in witness:
            h.update(_frame(b"W", b"witness", w))
        h.update(_frame(b"W", b"rng", random_bytes(32, rng)))
        return _StreamRNG(h)

    def __repr__(self) -> str:
        return "<Transcript>"


class _StreamRNG:
    """Sequential output of a keyed SHAKE256 (secret-dependent: redacted repr)."""

    __slots__ = ("_h", "_ctr")

    def __init__(self, h) -> None:
        self._h = h
        self._ctr = 0

    def __call__(self, n: int) -> bytes:
        self._ctr += 1
        h = self._h.copy()
        h.update(self._ctr.to_bytes(8, "big"))
        return h.digest(n)

    def __repr__(self) -> str:
        return "<TranscriptRNG redacted>"


__all__ = ["Transcript", "DOMAIN", "element_bytes"]
