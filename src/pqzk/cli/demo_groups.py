"""Demo chapter: the groups every protocol of the kit is built on."""
from __future__ import annotations

from ..groups import get_group
from ..math.rand import random_scalar
from .narrate import Narrator


def chapter(n: Narrator) -> None:
    """Demo chapter: secp256k1 scalars and points, and a Diffie–Hellman exchange (a·B = b·A)."""
    n.chapter("Groups")
    g = get_group("secp256k1")
    n.step("Alice", "picks a secret scalar a and publishes A = a·G")
    a = random_scalar(g.order, n.rng)
    A = g.base_mult(a)
    n.secret("a", "Alice")
    n.public("A (SEC1 compressed)", A.to_bytes())
    n.step("Bob", "picks b, publishes B = b·G; both compute a·B = b·A")
    b = random_scalar(g.order, n.rng)
    B = g.base_mult(b)
    n.secret("b", "Bob")
    n.public("B (SEC1 compressed)", B.to_bytes())
    assert a * B == b * A
    n.ok("a·B == b·A: the shared point agrees; nobody else learns it")
