"""A dict that keeps at most `limit` entries, forgetting the oldest: for the per-session tables a
long-running party keeps (requests, answers, finished sessions), which anyone who can start a
session would otherwise grow without bound. Whatever must never be forgotten (a nonce used, a
request signed) is kept elsewhere, durably; these tables only make repeats cheap."""
from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from ..errors import InvalidParameter

K = TypeVar("K")
V = TypeVar("V")


class BoundedDict(dict, Generic[K, V]):
    """Insertion-ordered; setting a new key beyond `limit` evicts the oldest entries (each goes to
    `on_evict(key, value)` first, e.g. to burn a nonce a forgotten session held)."""

    def __init__(self, limit: int, on_evict: Callable[[K, V], None] | None = None) -> None:
        if not isinstance(limit, int) or limit < 1:
            raise InvalidParameter("a bounded table keeps at least one entry")
        super().__init__()
        self.limit, self.on_evict = limit, on_evict

    def __setitem__(self, key: K, value: V) -> None:
        new = key not in self
        super().__setitem__(key, value)
        while new and len(self) > self.limit:
            old = next(iter(self))
            gone = self.pop(old)
            if self.on_evict is not None:
                self.on_evict(old, gone)

    def setdefault(self, key: K, default: V = None) -> V:      # type: ignore[override]
        """`dict.setdefault` through the bounded insert (an old entry may be evicted)."""
        if key not in self:
            self[key] = default
        return self[key]


__all__ = ["BoundedDict"]
