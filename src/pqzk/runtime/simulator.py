"""In-process runtime: delivers messages between sans-I/O parties, with fault injection.

Faults act on messages in flight (drop, delay/reorder, duplicate, corrupt bytes, a silent
party); misbehaving *parties* (equivocation, wrong shares, bad proofs) are party subclasses in
`pqzk.runtime.adversary`. When nothing is in flight the runtime calls `on_idle()` on parties that
have one: this is the protocol's timeout, where a party acts on missing messages (complains, gives
up and names whom it waited for).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ..errors import InvalidEncoding, InvalidParameter, PqzkError, ProtocolError
from ..math.rand import DeterministicRNG, RandomSource, random_bytes, random_scalar
from . import wire
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
        """Whether this fault applies to `msg` (and has applications left)."""
        if self.count is not None and self.applied >= self.count:
            return False
        return ((self.sender is None or msg.sender == self.sender)
                and (self.recipient is None or msg.recipient == self.recipient)
                and (self.kind is None or msg.kind == self.kind))

    def act(self, msg: Message, sim: "Simulator") -> list[Message]:
        """What the network delivers instead of `msg` (nothing, copies, a corrupted or delayed message)."""
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
    """Flip one bit of the message in transit (position chosen by the runtime's rng): of the
    payload, or with `whole=True` of any byte of its wire encoding (header and signature too).
    A corrupted message fails its signature check and is dropped: the network is not a party."""
    whole: bool = False

    def act(self, msg, sim):
        if self.whole:
            data = bytearray(wire.encode(msg))
            pos = sim.rand.randrange(len(data))
            data[pos] ^= 1 << sim.rand.randrange(8)
            try:
                return [wire.decode(bytes(data), msg.recipient)]
            except InvalidEncoding:
                sim.log.append(Event(sim.steps, "undecodable", msg))
                return []
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
    what: str          # "deliver", "fault", "refused", "undecodable", "idle"
    msg: Message | None
    detail: str = ""


class Simulator:
    """Deliver messages until quiescent. `reorder=True` picks the next message at random.

    With `wire=True` every message travels as its wire encoding (`pqzk.runtime.wire`), as it
    would between processes. A party refuses a message by raising a `PqzkError` (a reused
    nonce, a request it will not serve): the refusal is logged in `refusals` and the run goes on.
    Any other exception is a bug in the party and propagates.
    """

    def __init__(self, parties: Mapping[PartyId, Party] | Iterable[Party], faults: Iterable[Fault] = (),
                 rng: RandomSource | None = None, reorder: bool = False, max_steps: int = 1_000_000,
                 wire: bool = False, quiet_rounds: int = 8) -> None:
        plist = parties.values() if isinstance(parties, Mapping) else parties
        self.parties: dict[PartyId, Party] = {p.id: p for p in plist}
        self.faults = list(faults)
        self.rand = _Schedule(random_bytes(32, rng))
        self.reorder = reorder
        self.max_steps = max_steps
        self.wire = wire
        self.quiet_rounds = quiet_rounds
        self.queue: list[Message] = []
        self._held: list[list] = []
        self.log: list[Event] = []
        self.refusals: list[tuple[PartyId, PqzkError]] = []
        self.steps = 0

    def send(self, msgs: Iterable[Message]) -> None:
        """Queue messages for delivery, applying the faults that match them."""
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
        """Deliver until quiet: `quiet_rounds` timeouts in a row in which no party sends anything
        (parties that wait with patience count those timeouts before they give up)."""
        self.send(initial)
        quiet = 0
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
                if self.wire:
                    msg = wire.decode(wire.encode(msg), msg.recipient)
                try:
                    out = party.receive(msg)
                except PqzkError as exc:   # e.g. NonceReuse: the party refuses, sends nothing
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
            if produced:
                quiet = 0
            else:
                quiet += 1
                if quiet >= self.quiet_rounds:
                    return
            self.send(produced)
