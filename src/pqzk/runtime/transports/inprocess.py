"""The in-process transport: an asyncio hub with per-link latency, loss and corruption.

`Hub` connects the drivers of parties in one event loop, like a broker would: a frame sent to a
party lands in its queue after the link's latency; a broadcast goes to every other member of the
hub. `latency(sender, recipient) -> seconds` models a network (three regions, say), `drop` and
`corrupt` are probabilities per frame (drawn from a seeded stream, so runs are reproducible).
Used for tests, for the demo, and to predict large committees' latency without large machines.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from ...errors import InvalidParameter
from ...math.rand import DeterministicRNG, RandomSource, random_bytes
from ..messages import PartyId


class Hub:
    def __init__(self, *, latency: Callable[[PartyId, PartyId], float] | None = None, drop: float = 0.0,
                 corrupt: float = 0.0, rng: RandomSource | None = None) -> None:
        for name, p in (("drop", drop), ("corrupt", corrupt)):
            if not 0.0 <= p <= 1.0:
                raise InvalidParameter(f"{name} is a probability")
        self.latency, self.drop, self.corrupt = latency, drop, corrupt
        self._stream = DeterministicRNG(random_bytes(32, rng))
        self.queues: dict[PartyId, asyncio.Queue] = {}
        self.frames = 0
        self.bytes = 0

    def _coin(self, p: float) -> bool:
        return p > 0 and int.from_bytes(self._stream(4), "big") < p * 2**32

    def connect(self, party: PartyId) -> "HubTransport":
        if party in self.queues:
            raise InvalidParameter(f"party {party!r} is already connected")
        self.queues[party] = asyncio.Queue()
        return HubTransport(self, party)

    def _deliver(self, sender: PartyId, to: PartyId, frame: bytes) -> None:
        if self._coin(self.drop):
            return
        if self._coin(self.corrupt):
            data = bytearray(frame)
            pos = int.from_bytes(self._stream(4), "big") % len(data)
            data[pos] ^= 1 << (self._stream(1)[0] % 8)
            frame = bytes(data)
        self.frames += 1
        self.bytes += len(frame)
        delay = self.latency(sender, to) if self.latency else 0.0
        queue = self.queues[to]
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, queue.put_nowait, frame)
        else:
            queue.put_nowait(frame)


class HubTransport:
    """One party's connection to a `Hub`."""

    def __init__(self, hub: Hub, me: PartyId) -> None:
        self.hub, self.me = hub, me

    async def send(self, to: PartyId | None, frame: bytes, session: bytes | None = None) -> None:
        targets = [p for p in self.hub.queues if p != self.me] if to is None else [to]
        for p in targets:
            if p not in self.hub.queues:
                raise InvalidParameter(f"no party {p!r} on the hub")
            self.hub._deliver(self.me, p, frame)

    async def receive(self, timeout: float) -> bytes | None:
        try:
            return await asyncio.wait_for(self.hub.queues[self.me].get(), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            return None

    async def close(self) -> None:
        return None


__all__ = ["Hub", "HubTransport"]
