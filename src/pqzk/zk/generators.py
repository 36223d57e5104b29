"""Nothing-up-my-sleeve generators for vector commitments (Bulletproofs G_i, H_i, ...).

Each generator is `pqzk.groups.nums.nothing_up_my_sleeve(group, label || "/" || i)`, the
same public procedure the Pedersen VSS generator uses. Nobody knows a discrete
logarithm relation between them. Derived lazily and cached per group.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from ..groups.base import Element, Group
from ..groups.nums import nothing_up_my_sleeve
from ..sharing.vss import pedersen_generator
from .transcript import element_bytes

GENS_DST = b"PQZK-V01-ZK-VECTOR-GENERATORS"

_cache: dict[tuple[str, bytes], list[Element]] = {}


def _derive(group: Group, label: bytes, index: int) -> Element:
    return nothing_up_my_sleeve(group, label + b"/" + index.to_bytes(4, "big"), GENS_DST)


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
