"""Narration for demos and examples: who does what, what is public, what stays secret.

In JSON mode nothing is printed; the public facts are collected and returned instead. Secret
values are never printed or collected: only the fact that they exist and who holds them.
"""
from __future__ import annotations

from typing import Any

from rich.console import Console


class Narrator:
    """Tells the demo's story (who sends what to whom, what is secret, what is public) on the console, or
    collects it as facts for `--json`."""
    def __init__(self, console: Console | None = None, json_mode: bool = False) -> None:
        self.console = console or Console()
        self.json_mode = json_mode
        self.facts: dict[str, Any] = {}
        self._chapter: dict[str, Any] = self.facts

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

    def secret(self, label: str, holder: str) -> None:
        """Say that a secret exists and who holds it; the value itself is never shown."""
        if not self.json_mode:
            self.console.print(f"  [red]secret[/] {label}: held by {holder} (not shown)")

    def ok(self, text: str) -> None:
        """Report a check that passed."""
        if not self.json_mode:
            self.console.print(f"  [bold green]✓[/] {text}")
