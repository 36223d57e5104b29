"""Messages of ceremonies a node has not joined yet. A ceremony's first messages may arrive before
its invitation (broadcasts and private frames travel on different consumers), so a node keeps
them until the invitation comes — but only what the node service has authenticated (signed by a
committee node, addressed to this node), and within bounds: per sender and session, per session,
in sessions each sender may open, in sessions and in bytes overall. When full the oldest box
goes; a box no invitation claims is dropped after `patience` quiet timeouts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..runtime.messages import Message, PartyId

MAX_SESSIONS = 32
MAX_PER_SESSION = 256
MAX_PER_SENDER = 32           # one sender's messages in one session (a ceremony sends a handful per round)
MAX_OPENED = 8                # boxes one sender may open
MAX_BYTES = 8 << 20
PATIENCE = 30                 # quiet timeouts a box waits for its invitation


@dataclass
class _Box:
    opener: PartyId
    messages: list[Message] = field(default_factory=list)
    per_sender: Counter = field(default_factory=Counter)
    size: int = 0
    age: int = 0


def _size(msg: Message) -> int:
    return len(msg.payload) + len(msg.signature) + len(msg.session) + 64


class EarlyBoxes:
    """Keeps authenticated messages of ceremonies this node has not joined yet, within the bounds the module
    names."""
    def __init__(self, *, sessions: int = MAX_SESSIONS, per_session: int = MAX_PER_SESSION,
                 per_sender: int = MAX_PER_SENDER, opened: int = MAX_OPENED, max_bytes: int = MAX_BYTES,
                 patience: int = PATIENCE) -> None:
        self.max_sessions, self.per_session, self.per_sender = sessions, per_session, per_sender
        self.max_opened, self.max_bytes, self.patience = opened, max_bytes, patience
        self._boxes: dict[bytes, _Box] = {}
        self.size = 0

    def __repr__(self) -> str:
        return f"EarlyBoxes({len(self._boxes)} sessions, {self.size} bytes)"

    def __contains__(self, session: object) -> bool:
        return session in self._boxes

    def __len__(self) -> int:
        return len(self._boxes)

    def keep(self, msg: Message) -> bool:
        """Keep an authenticated message of a session not joined yet; False if a bound refuses it."""
        size = _size(msg)
        if size > self.max_bytes:
            return False
        box = self._boxes.get(msg.session)
        if box is None:
            if sum(1 for b in self._boxes.values() if b.opener == msg.sender) >= self.max_opened:
                return False
            while len(self._boxes) >= self.max_sessions:
                self._drop(next(iter(self._boxes)))
            box = self._boxes[msg.session] = _Box(msg.sender)
        if len(box.messages) >= self.per_session or box.per_sender[msg.sender] >= self.per_sender:
            return False
        while self.size + size > self.max_bytes:
            oldest = next(s for s in self._boxes if s != msg.session) if len(self._boxes) > 1 else None
            if oldest is None:
                return False
            self._drop(oldest)
        box.messages.append(msg)
        box.per_sender[msg.sender] += 1
        box.size += size
        self.size += size
        return True

    def pop(self, session: bytes) -> list[Message]:
        """The messages kept for `session` (now joined), oldest first."""
        box = self._boxes.get(session)
        if box is None:
            return []
        self._drop(session)
        return box.messages

    def tick(self) -> None:
        """One quiet timeout: boxes that waited `patience` of them go."""
        for session, box in list(self._boxes.items()):
            box.age += 1
            if box.age >= self.patience:
                self._drop(session)

    def _drop(self, session: bytes) -> None:
        box = self._boxes.pop(session)
        self.size -= box.size


__all__ = ["EarlyBoxes"]
