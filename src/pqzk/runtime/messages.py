"""Messages exchanged by sans-I/O parties: who sent what to whom, as bytes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Union

PartyId = Union[int, str]


@dataclass(frozen=True)
class Message:
    """One message on an authenticated point-to-point channel (the runtime sets `sender`).

    `payload` is bytes in the protocol's strict encoding, so that faults can corrupt it and
    receivers must decode it; `session` separates concurrent runs.
    """
    sender: PartyId
    recipient: PartyId
    kind: str
    payload: bytes = b""
    session: bytes = b""

    def __repr__(self) -> str:
        return f"Message({self.sender}->{self.recipient} {self.kind}, {len(self.payload)} bytes)"


class Party(Protocol):
    """A protocol participant: messages in, messages out; no I/O, no clock."""
    id: PartyId

    def receive(self, msg: Message) -> list[Message]: ...


def u32(n: int) -> bytes:
    return n.to_bytes(4, "big")
