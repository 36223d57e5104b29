"""In-process runtime: delivers messages between sans-I/O parties, with fault injection.

Faults act on messages in flight (drop, delay/reorder, duplicate, corrupt bytes, a silent
party); misbehaving *parties* (equivocation, wrong shares, bad proofs) are party subclasses in
`pqzk.runtime.adversary`. When nothing is in flight the runtime calls `on_idle()` on parties that
have one: this is the protocol's timeout, where missing responses are attributed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ..errors import InvalidParameter, ProtocolError
from ..math.rand import DeterministicRNG, RandomSource, random_bytes, random_scalar
from .messages import Message, Party, PartyId


class _Schedule:
    """Scheduling choices (reordering, which bit to corrupt): a SHAKE256 stream seeded once from
    the runtime's rng (the OS CSPRNG by default), instead of the `random` module."""

    def __init__(self, seed: bytes) -> None:
        self._stream = DeterministicRNG(seed)

    def randrange(self, n: int) -> int:
        if not isinstance(n, int) or n < 1:
            raise InvalidParameter(f"randrange needs a positive bound, got {n!r}")
        return random_scalar(n, self._stream, nonzero=False)


@dataclass
class Fault:
    """Matches messages by sender / recipient / kind (None: any); acts on at most `count`."""
    sender: PartyId | None = None
    recipient: PartyId | None = None
    kind: str | None = None
    count: int | None = None
    applied: int = field(default=0, init=False)

    def matches(self, msg: Message) -> bool:
        if self.count is not None and self.applied >= self.count:
            return False
        return ((self.sender is None or msg.sender == self.sender)
                and (self.recipient is None or msg.recipient == self.recipient)
                and (self.kind is None or msg.kind == self.kind))

    def act(self, msg: Message, sim: "Simulator") -> list[Message]:
        raise NotImplementedError


@dataclass
class Drop(Fault):
    def act(self, msg, sim):
        return []


@dataclass
class Silent(Fault):
    """Every message from `sender` is lost: the party has gone silent."""
    def act(self, msg, sim):
        return []


@dataclass
class Duplicate(Fault):
    def act(self, msg, sim):
        return [msg, msg]


@dataclass
class Corrupt(Fault):
    """Flip one bit of the payload (position chosen by the runtime's rng)."""
    def act(self, msg, sim):
        if not msg.payload:
            return [replace(msg, payload=b"\x00")]
        data = bytearray(msg.payload)
        pos = sim.rand.randrange(len(data))
        data[pos] ^= 1 << sim.rand.randrange(8)
        return [replace(msg, payload=bytes(data))]


@dataclass
class Delay(Fault):
    """Hold the message back until `steps` other deliveries have happened (reordering it)."""
    steps: int = 3

    def act(self, msg, sim):
        sim._held.append([self.steps, msg])
        return []


@dataclass
class Event:
    step: int
    what: str          # "deliver", "fault", "refused", "idle"
    msg: Message | None
    detail: str = ""


class Simulator:
    """Deliver messages until quiescent. `reorder=True` picks the next message at random."""

    def __init__(self, parties: Mapping[PartyId, Party] | Iterable[Party], faults: Iterable[Fault] = (),
                 rng: RandomSource | None = None, reorder: bool = False, max_steps: int = 1_000_000) -> None:
        plist = parties.values() if isinstance(parties, Mapping) else parties
        self.parties: dict[PartyId, Party] = {p.id: p for p in plist}
        self.faults = list(faults)
        self.rand = _Schedule(random_bytes(32, rng))
        self.reorder = reorder
        self.max_steps = max_steps
        self.queue: list[Message] = []
        self._held: list[list] = []
        self.log: list[Event] = []
        self.refusals: list[tuple[PartyId, ProtocolError]] = []
        self.steps = 0

    def send(self, msgs: Iterable[Message]) -> None:
        for m in msgs:
            if m.recipient not in self.parties:
                raise InvalidParameter(f"message to unknown party {m.recipient!r}")
            for f in self.faults:
                if f.matches(m):
                    f.applied += 1
                    self.log.append(Event(self.steps, "fault", m, type(f).__name__))
                    out = f.act(m, self)
                    # faults do not re-apply to their own output
                    self.queue.extend(out)
                    break
            else:
                self.queue.append(m)

    def _tick_held(self) -> None:
        ready = []
        for h in self._held:
            h[0] -= 1
            if h[0] <= 0:
                ready.append(h)
        for h in ready:
            self._held.remove(h)
            self.queue.append(h[1])

    def run(self, initial: Iterable[Message] = ()) -> None:
        self.send(initial)
        while True:
            while self.queue:
                if self.steps >= self.max_steps:
                    raise ProtocolError("simulation did not terminate")
                idx = self.rand.randrange(len(self.queue)) if self.reorder else 0
                msg = self.queue.pop(idx)
                self.steps += 1
                self._tick_held()
                self.log.append(Event(self.steps, "deliver", msg))
                party = self.parties[msg.recipient]
                try:
                    out = party.receive(msg)
                except ProtocolError as exc:   # e.g. NonceReuse: the party refuses, sends nothing
                    self.refusals.append((party.id, exc))
                    self.log.append(Event(self.steps, "refused", msg, str(exc)))
                    continue
                self.send(out)
            if self._held:
                self.queue.extend(h[1] for h in self._held)
                self._held.clear()
                continue
            produced = []
            for p in self.parties.values():
                on_idle = getattr(p, "on_idle", None)
                if on_idle is not None:
                    produced.extend(on_idle())
            self.log.append(Event(self.steps, "idle", None))
            if not produced:
                return
            self.send(produced)
