"""`pqzk demo`: the end-to-end story, one chapter per area of the kit.

Each chapter is a function `(Narrator) -> None` in its area's CLI module; add new ones to CHAPTERS.
"""
from __future__ import annotations

import importlib

from .narrate import Narrator

# (module, function) in the order the story is told
CHAPTERS: list[tuple[str, str]] = [
    ("pqzk.cli.demo_groups", "chapter"),
    ("pqzk.cli.demo_sharing", "chapter"),
    ("pqzk.cli.demo_zk", "chapter"),
    ("pqzk.cli.demo_frost", "chapter"),
    ("pqzk.cli.demo_bls", "chapter"),
    ("pqzk.cli.demo_pq", "chapter"),
    ("pqzk.cli.demo_tokens", "chapter"),
    ("pqzk.cli.demo_nodes", "chapter"),
    ("pqzk.cli.demo_respond", "chapter"),
    ("pqzk.cli.demo_custody", "chapter"),
]


def run_demo(narrator: Narrator) -> dict:
    for module, func in CHAPTERS:
        getattr(importlib.import_module(module), func)(narrator)
    return narrator.facts
