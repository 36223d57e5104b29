"""The driver: pumps messages between one sans-I/O party and a transport.

    party.start() / party.receive(msg) / party.on_idle()   <->   Channel (frames)   <->   Transport

A transport moves opaque frames (`Transport`: in-process hub, NATS, files); the channel seals and
opens them (`pqzk.runtime.channel`); the party decides. When no frame arrives for `timeout`
seconds the driver calls `party.on_idle()` — the protocol's timeout, as in the simulator — and it
stops when the party has a result or an error and nothing is left to send, or after `idle_limit`
quiet timeouts in a row. A party refusing a message (raising a `PqzkError`) is logged in
`refusals`, as in the simulator. Faults in transit are a transport's business
(`transports.inprocess.Hub` drops, corrupts and delays frames on request); a frame the
transport fails to send (`TransportError`: the broker did not store it) is logged in
`send_errors` and counted as lost — the protocols tolerate lost frames — and the driver goes on.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import PqzkError, TransportError
from .channel import Channel
from .messages import Message, PartyId


class Transport(Protocol):
    """Moves frames. `send(None, frame)` broadcasts to the session's committee (the transport
    decides how; it must not deliver a party's own broadcast back to it). `session` is the
    message's session, for transports that carry many sessions (a node's)."""

    async def send(self, to: PartyId | None, frame: bytes, session: bytes | None = None) -> None:
        """Send a frame to one party, or to all (`to` None), in the session."""

    async def receive(self, timeout: float) -> bytes | None:
        """The next frame, or None after `timeout` seconds of silence."""

    async def close(self) -> None:
        """Release the transport's connections."""


MAX_LOGGED = 1000


@dataclass
class DriverStats:
    frames_out: int = 0
    frames_in: int = 0
    bytes_out: int = 0
    bytes_in: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def seconds(self) -> float:
        """Seconds the driver has run (until it finished, or until now)."""
        return (self.finished or time.monotonic()) - self.started


def finished(party) -> bool:
    """A party is finished when it has a result or an error (servers never finish)."""
    return getattr(party, "result", None) is not None or getattr(party, "error", None) is not None


class Driver:
    """Runs one party. `serve=True` keeps going after a result (a signer serving sessions) until
    `stop()`; otherwise the run ends when the party is finished."""

    def __init__(self, party, channel: Channel, transport: Transport, *, timeout: float = 1.0,
                 idle_limit: int = 8, serve: bool = False) -> None:
        self.party, self.channel, self.transport = party, channel, transport
        self.timeout, self.idle_limit, self.serve = timeout, idle_limit, serve
        self.refusals: list[tuple[Message, PqzkError]] = []
        self.send_errors: list[tuple[Message, TransportError]] = []     # the last MAX_LOGGED
        self.stats = DriverStats()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Ask the driver to stop after what it is doing."""
        self._stop.set()

    async def send(self, out: list[Message]) -> None:
        """Wrap and send the party's messages (one frame for all copies of a broadcast)."""
        sent: set[tuple] = set()
        for msg in out:
            if msg.broadcast:                      # one frame for every copy of a broadcast
                key = (msg.kind, msg.session, msg.payload, msg.signature)
                if key in sent:
                    continue
                sent.add(key)
            to, frame = self.channel.wrap(msg)
            self.stats.frames_out += 1
            self.stats.bytes_out += len(frame)
            try:
                await self.transport.send(to, frame, session=msg.session)
            except TransportError as exc:            # transient (a broker outage): the frame is lost
                self.send_errors = self.send_errors[-(MAX_LOGGED - 1):] + [(msg, exc)]

    def _deliver(self, msg: Message) -> list[Message]:
        try:
            return self.party.receive(msg)
        except PqzkError as exc:
            self.refusals.append((msg, exc))
            return []

    async def run(self, *, start: bool = True) -> object:
        """Drive the party; returns it (read `result` / `error`)."""
        if start and hasattr(self.party, "start"):
            await self.send(self.party.start())
        quiet = 0
        while not self._stop.is_set() and (self.serve or not finished(self.party)):
            frame = await self.transport.receive(self.timeout)
            if frame is None:
                on_idle = getattr(self.party, "on_idle", None)
                out = on_idle() if on_idle is not None else []
                quiet = 0 if out else quiet + 1
                await self.send(out)
                if quiet >= self.idle_limit and not self.serve:
                    break
                continue
            self.stats.frames_in += 1
            self.stats.bytes_in += len(frame)
            msg = self.channel.unwrap(frame)
            if msg is None:
                continue
            quiet = 0
            await self.send(self._deliver(msg))
        self.stats.finished = time.monotonic()
        return self.party


__all__ = ["Driver", "DriverStats", "Transport", "finished"]
