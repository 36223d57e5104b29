"""Nothing-up-my-sleeve generators for vector commitments (Bulletproofs G_i, H_i, ...).

Each generator is the group's RFC 9380 hash_to_element(label || i) where the group has a
suite; otherwise try-and-increment over candidate encodings (expand_message_xmd, SHA-256),
the same public procedure `pqzk.sharing.vss.pedersen_generator` uses. Nobody knows a discrete
logarithm relation between them. Derived lazily and cached per group.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from ..errors import InvalidEncoding, InvalidParameter
from ..groups.base import Element, Group
from ..hashing.expand import expand_message_xmd
from ..sharing.vss import pedersen_generator
from .transcript import element_bytes

GENS_DST = b"PQZK-V01-ZK-VECTOR-GENERATORS"

_cache: dict[tuple[str, bytes], list[Element]] = {}


def _derive(group: Group, label: bytes, index: int) -> Element:
    msg = label + b"/" + index.to_bytes(4, "big")
    try:
        p = group.hash_to_element(msg, GENS_DST)
        if not p.is_identity():
            return p
    except (InvalidParameter, NotImplementedError):
        pass
    size = group.element_size
    for counter in range(4096):
        cand = bytearray(expand_message_xmd(msg + counter.to_bytes(4, "big"),
                                            GENS_DST + b"-TRY-AND-INCREMENT", size, "sha256"))
        if group.name in ("secp256k1", "p256"):   # SEC1 compressed: fix the prefix byte
            cand[0] = 0x02
        try:
            p = group.decode(bytes(cand))
        except InvalidEncoding:
            continue
        if not p.is_identity():
            return p
    raise InvalidParameter(f"{group.name}: cannot derive generator {index} of {label!r}")


def vector_generators(group: Group, label: bytes, count: int) -> list[Element]:
    """The first `count` generators of the family `label` (cached, extended on demand)."""
    key = (group.name, label)
    gens = _cache.setdefault(key, [])
    while len(gens) < count:
        gens.append(_derive(group, label, len(gens)))
    return gens[:count]


def pedersen_bases(group: Group) -> tuple[Element, Element]:
    """(B, B~): the value base (group generator) and the blinding base of Pedersen commitments,
    shared with `pqzk.sharing.vss` so a VSS or a transaction commitment can be range-proved."""
    return group.generator(), pedersen_generator(group)


@lru_cache(maxsize=64)
def generators_digest(group: Group, label: bytes, count: int) -> bytes:
    """SHA-256 over the encodings of the first `count` generators (binds them in transcripts)."""
    h = hashlib.sha256(GENS_DST + label + count.to_bytes(4, "big"))
    for p in vector_generators(group, label, count):
        h.update(element_bytes(p))
    return h.digest()


def pedersen_commit(group: Group, value: int, blinding: int) -> Element:
    """value·B + blinding·B~."""
    B, Bt = pedersen_bases(group)
    return group.msm([value, blinding], [B, Bt])


__all__ = ["vector_generators", "pedersen_bases", "generators_digest", "pedersen_commit", "GENS_DST"]
