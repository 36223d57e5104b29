"""Narration for demos and examples: who does what, what is public, what stays secret.

In JSON mode nothing is printed; the public facts are collected and returned instead. Secret
values are never printed or collected: only the fact that they exist and who holds them.

With a `seed`, every random choice a chapter makes through `rng` comes from a deterministic
stream (one per chapter, so a chapter tells the same story alone or within the whole demo); the
narration is then the same byte for byte on every run. Timings are shown only when asked for
(`timings=True`): they differ from run to run by nature.
"""
from __future__ import annotations

from typing import Any

from rich.console import Console

from ..math.rand import DeterministicRNG, RandomSource


class Narrator:
    """Tells the demo's story (who sends what to whom, what is secret, what is public) on the console, or
    collects it as facts for `--json`; under a seed every chapter draws from its own deterministic stream."""
    def __init__(self, console: Console | None = None, json_mode: bool = False, *,
                 seed: int | None = None, timings: bool = False) -> None:
        self.console = console or Console()
        self.json_mode = json_mode
        self.seed = seed
        self.timings = timings
        self.facts: dict[str, Any] = {}
        self._chapter: dict[str, Any] = self.facts
        self.rng: RandomSource | None = None
        self.begin("")

    def begin(self, name: str) -> None:
        """Start chapter `name`'s random stream: derived from the seed and the name (the OS CSPRNG
        without a seed)."""
        self.rng = None if self.seed is None else DeterministicRNG(f"pqzk demo/v1/{self.seed}/{name}")

    def chapter(self, title: str) -> None:
        """Start a chapter: a rule on the console, a new section in the facts."""
        self._chapter = self.facts.setdefault(title, {})
        if not self.json_mode:
            self.console.rule(f"[bold]{title}")

    def step(self, actor: str, text: str) -> None:
        """Narrate one step: what `actor` does."""
        if not self.json_mode:
            self.console.print(f"[cyan]{actor}[/]: {text}")

    def public(self, label: str, value: Any) -> None:
        """A value everyone may see (printed, and kept in the JSON result)."""
        self._chapter[label] = value
        if not self.json_mode:
            shown = value.hex() if isinstance(value, (bytes, bytearray)) else value
            self.console.print(f"  [green]public[/] {label}: {shown}")

    def unseeded(self, label: str, value: bytes, where: str) -> None:
        """A public value drawn where the seed cannot reach (inside a token, by another process):
        shown as is without a seed; under --seed only its size, so the narration stays reproducible."""
        if self.seed is None:
            self.public(label, value)
        else:
            self.public(label, f"{len(value)} bytes, drawn {where} (not covered by --seed)")

    def timing(self, label: str, seconds: float) -> None:
        """How long something took, in milliseconds: only with `timings` (it differs every run)."""
        if self.timings:
            self.public(f"{label} (ms)", round(1000 * seconds))

    def secret(self, label: str, holder: str) -> None:
        """Say that a secret exists and who holds it; the value itself is never shown."""
        if not self.json_mode:
            self.console.print(f"  [red]secret[/] {label}: held by {holder} (not shown)")

    def ok(self, text: str) -> None:
        """Report a check that passed."""
        if not self.json_mode:
            self.console.print(f"  [bold green]✓[/] {text}")
