"""Nothing-up-my-sleeve elements: public group elements whose discrete logarithm nobody knows.

One procedure for every caller (the Pedersen VSS generator H, vector-commitment generators):
the group's RFC 9380 hash_to_element(msg, dst) when the group has a suite; otherwise (fallback)
try-and-increment — hash msg || counter with expand_message_xmd(SHA-256) to a candidate encoding
and take the first that decodes (strict decode: on the curve, in the subgroup, not the identity).
SEC1 encodings get the 0x02 prefix forced. Not constant-time, which does not matter for public
constants.
"""
from __future__ import annotations

from ..errors import InvalidEncoding, InvalidParameter
from ..hashing.expand import expand_message_xmd
from .base import Element, Group

TRY_AND_INCREMENT_SUFFIX = b"-TRY-AND-INCREMENT"
_SEC1_GROUPS = ("secp256k1", "p256")


def nothing_up_my_sleeve(group: Group, msg: bytes, dst: bytes, *, attempts: int = 4096) -> Element:
    """A non-identity element of `group` derived from (msg, dst) with no known discrete log."""
    try:
        h = group.hash_to_element(msg, dst)
    except (InvalidParameter, NotImplementedError):
        h = None
    if h is not None and not h.is_identity():
        return h
    size = group.element_size
    for counter in range(attempts):
        cand = bytearray(expand_message_xmd(msg + counter.to_bytes(4, "big"),
                                            dst + TRY_AND_INCREMENT_SUFFIX, size, "sha256"))
        if group.name in _SEC1_GROUPS:  # SEC1 compressed: fix the prefix byte
            cand[0] = 0x02
        try:
            h = group.decode(bytes(cand))
        except InvalidEncoding:
            continue
        if not h.is_identity():
            return h
    raise InvalidParameter(f"{group.name}: no nothing-up-my-sleeve element for {dst!r} "
                           "(no hash-to-curve suite and try-and-increment failed)")


__all__ = ["nothing_up_my_sleeve"]
