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
    """An in-process message hub with optional latency, drop and corruption: the network of the simulations
    that use real drivers."""
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
        """A transport for `party` on this hub; `InvalidParameter` if it is already connected."""
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
        """Deliver a frame to one party on the hub, or to all others."""
        targets = [p for p in self.hub.queues if p != self.me] if to is None else [to]
        for p in targets:
            if p not in self.hub.queues:
                raise InvalidParameter(f"no party {p!r} on the hub")
            self.hub._deliver(self.me, p, frame)

    async def receive(self, timeout: float) -> bytes | None:
        """The next frame for this party, or None after `timeout` seconds."""
        try:
            return await asyncio.wait_for(self.hub.queues[self.me].get(), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            return None

    async def close(self) -> None:
        """Nothing to release."""
        return None




class HubReport:
    """What a `HubRunner` saw of one session (a `runner.SessionReport`)."""

    def __init__(self, steps: int, refusals: list, frames: int, bytes_: int) -> None:
        self.steps, self.refusals, self.frames, self.bytes = steps, refusals, frames, bytes_


async def drive(parties, initial=(), *, latency: Callable[[PartyId, PartyId], float] | None = None,
                mode: str = "hybrid", committee: bytes = b"in-process", timeout: float = 0.05,
                start: bool = False, rng: RandomSource | None = None) -> HubReport:
    """Run `parties` to the end over one hub, each by its own driver and sealed channel — the
    network seam exactly as over NATS, in one event loop. Parties with an outcome (`result`/
    `error`) run until they have one; the others (signers serving sessions) serve, and stop once
    what is still queued for them is delivered. `start` calls every party's `start()` first."""
    from ..channel import Channel, generate_kem_keys
    from ..driver import Driver
    hub = Hub(latency=latency, rng=rng)
    kem = generate_kem_keys([p.id for p in parties], mode, rng=rng)
    drivers = {p.id: Driver(p, Channel(p.id, committee, kem[p.id]), hub.connect(p.id), timeout=timeout,
                            serve=not hasattr(p, "result")) for p in parties}
    for msg in initial:
        await drivers[msg.sender].send([msg])
    servers = [asyncio.create_task(d.run(start=start)) for d in drivers.values() if d.serve]
    await asyncio.gather(*(d.run(start=start) for d in drivers.values() if not d.serve))
    while any(not hub.queues[pid].empty() for pid, d in drivers.items() if d.serve):
        await asyncio.sleep(0.001)
    await asyncio.sleep(0)
    for d in drivers.values():
        d.stop()
    for t in servers:
        t.cancel()
    await asyncio.gather(*servers, return_exceptions=True)
    return HubReport(sum(d.stats.frames_in for d in drivers.values()),
                     [(d.party.id, e) for d in drivers.values() for _, e in d.refusals], hub.frames, hub.bytes)


class HubRunner:
    """A `runtime.runner.SessionRunner` over drivers on an in-process hub (sealed channels): what
    a network runner does, without a network. `latency(sender, recipient)` models one."""

    def __init__(self, *, timeout: float = 0.05, mode: str = "hybrid",
                 latency: Callable[[PartyId, PartyId], float] | None = None) -> None:
        self.timeout, self.mode, self.latency = timeout, mode, latency
        self.sessions = 0

    def run(self, parties, initial) -> HubReport:
        """Run one session of the parties over a fresh hub and report it."""
        self.sessions += 1
        return asyncio.run(drive(list(parties), list(initial), latency=self.latency, mode=self.mode,
                                 timeout=self.timeout))


__all__ = ["Hub", "HubReport", "HubRunner", "HubTransport", "drive"]
