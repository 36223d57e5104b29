"""Running one session: the seam between code that sets a session up (`pqzk.policy.custody`) and
how its messages travel.

A `SessionRunner` is given the parties of one session that live in this process and the messages
that start it (usually `coordinator.start()`); it delivers those and whatever the parties send in
answer, calls `on_idle()` when the network is quiet (the protocol's timeout), and returns a
`SessionReport` once the session is over. The parties decide everything; the runner only moves
messages. Outcomes are read from the parties themselves (`coordinator.result` / `.error`).

`SimulatorRunner` runs the session in process on a `Simulator` — where faults (`Drop`, `Silent`,
`Corrupt`, ...) and random delivery orders are injected for tests and demos. A network runner does
the same with one `driver.Driver` per local party over a transport (NATS, files); parties that are
not local (signers on other nodes) are reached through the transport.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ..errors import PqzkError
from ..math.rand import RandomSource
from .messages import Message, Party, PartyId
from .simulator import Fault, Simulator


class SessionReport(Protocol):
    """What a runner saw of one session (a `Simulator` is one)."""
    steps: int                                      # messages delivered to local parties
    refusals: list[tuple[PartyId, PqzkError]]       # (party, error) for each message a party refused


class SessionRunner(Protocol):
    """Runs one session among `parties`, starting with `initial`.

    Contract for implementations:
    - every message a party returns is delivered to its recipient (a local party's `receive`, or
      over the transport); a party's `PqzkError` from `receive` is a refusal — recorded in the
      report's `refusals`, the run goes on — while any other exception propagates;
    - when nothing arrives for a while, `on_idle()` is called on the parties that have it, and
      what it returns is delivered too;
    - `run` returns when the session is over: every local party that reports an outcome (has a
      `result` or an `error` attribute, `driver.finished`) has one and what it sent has been
      delivered, or the network stayed quiet as long as the runner allows. Parties that never
      finish (signers serving many sessions) are simply left as they are.
    - it does not change the parties: whatever is to be tested about faults or adversaries is
      injected through the runner (`SimulatorRunner(faults=...)`) or by wrapping parties.
    """

    def run(self, parties: Sequence[Party], initial: Iterable[Message]) -> SessionReport:
        """Deliver messages among the parties from `initial` until the session ends; report how it went."""


class SimulatorRunner:
    """The in-process runner: one `Simulator` per session, with these `faults` (shared by every
    session this runner runs: a fault with a `count` is used up across them), delivery order
    (`reorder`), `wire` encoding, and `rng` for the schedule (the OS CSPRNG by default)."""

    def __init__(self, faults: Iterable[Fault] = (), *, rng: RandomSource | None = None, reorder: bool = False,
                 wire: bool = False) -> None:
        self.faults = list(faults)
        self.rng, self.reorder, self.wire = rng, reorder, wire

    def __repr__(self) -> str:
        return f"SimulatorRunner(faults={len(self.faults)}, reorder={self.reorder}, wire={self.wire})"

    def run(self, parties: Sequence[Party], initial: Iterable[Message]) -> Simulator:
        """Deliver until quiet; the Simulator is the report (with its `log` and `parties`)."""
        sim = Simulator(list(parties), self.faults, rng=self.rng, reorder=self.reorder, wire=self.wire)
        sim.run(initial)
        return sim


__all__ = ["SessionReport", "SessionRunner", "SimulatorRunner"]
