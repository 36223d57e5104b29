"""`pqzk demo`: the end-to-end story, one chapter per area of the kit.

Each chapter is a function `chapter(Narrator) -> None` in its area's CLI module, listed in
CHAPTERS with the name `pqzk demo NAME` runs it by and a one-line summary (`pqzk demo --list`).
Chapters draw their randomness from `Narrator.rng`, so that `--seed` makes the narration
reproducible; a chapter says in `note` what the seed cannot reach.
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidParameter
from .narrate import Narrator

MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class Chapter:
    """One chapter of the demo: its name on the command line, the module whose `chapter(narrator)`
    tells it, a one-line summary for `--list`, and what `--seed` cannot make reproducible."""
    name: str
    module: str
    summary: str
    note: str = ""                # what --seed cannot make reproducible, and why
    reproducible: bool = True     # byte-identical narration under the same --seed (on one machine)

    def run(self, narrator: Narrator) -> None:
        """Tell this chapter with its own random stream (derived from the seed and the name)."""
        narrator.begin(self.name)
        importlib.import_module(self.module).chapter(narrator)


# in the order the story is told
CHAPTERS: tuple[Chapter, ...] = (
    Chapter("groups", "pqzk.cli.demo_groups", "a Diffie-Hellman exchange on secp256k1: secret scalars, public points"),
    Chapter("sharing", "pqzk.cli.demo_sharing",
            "Feldman VSS 3-of-5: shares checked, two lost, one repaired by three helpers, the secret rebuilt"),
    Chapter("zk", "pqzk.cli.demo_zk",
            "a zero-knowledge proof that a committed transaction complies with a policy (Bulletproofs)"),
    Chapter("frost", "pqzk.cli.demo_frost", "a 3-of-5 FROST-Ed25519 signature that OpenSSL accepts as plain Ed25519"),
    Chapter("bls", "pqzk.cli.demo_bls", "threshold BLS 3-of-5 from sealed stores, aggregated with another signature"),
    Chapter("pq", "pqzk.cli.demo_pq",
            "ML-DSA, a composite ML-DSA + Ed25519 signature, an X-Wing-sealed share, a hybrid quorum certificate"),
    Chapter("tokens", "pqzk.cli.demo_tokens",
            "shares in a token (SoftHSM2 or a sealed file): signing, a held key, a backup, a tampered record",
            note="the held key and the recovery key are made where the seed cannot reach: under --seed "
                 "only their sizes are shown; the store is SoftHSM2 when it is installed"),
    Chapter("nodes", "pqzk.cli.demo_nodes",
            "five node processes over a private NATS broker: a DKG, a signing, one node killed, the rest sign",
            note="real processes: each node draws its own keys and nonces; ports, process ids and the "
                 "committee name differ; --seed fixes the request ids", reproducible=False),
    Chapter("respond", "pqzk.cli.demo_respond",
            "self-correcting custody: a cheating signer named, quarantined, reshared out; signing goes on"),
    Chapter("custody", "pqzk.cli.demo_custody",
            "the whole story: DKG, policy, allowed and refused requests, a private one, PQ evidence, audit log"),
)


def chapter_names() -> list[str]:
    """The chapters' names, in the order the story is told."""
    return [c.name for c in CHAPTERS]


def select(names: Sequence[str] | None) -> list[Chapter]:
    """The chapters named (in the order given), or all of them; an unknown name is an error
    that lists the valid ones."""
    if not names:
        return list(CHAPTERS)
    by_name = {c.name: c for c in CHAPTERS}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 40 else unknown[0][:40] + "…"
        raise InvalidParameter(f"no demo chapter {shown!r}; the chapters are: {', '.join(by_name)}")
    return [by_name[n] for n in names]


def check_seed(seed: int | None) -> int | None:
    """--seed is an integer from 0 to 2^64 - 1."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise InvalidParameter(f"--seed must be an integer from 0 to {MAX_SEED}, got {seed}")
    return seed


def run_demo(narrator: Narrator, names: Sequence[str] | None = None) -> dict:
    """Tell the chapters named (all by default) and return the public facts they collected."""
    for chapter in select(names):
        chapter.run(narrator)
    return narrator.facts
