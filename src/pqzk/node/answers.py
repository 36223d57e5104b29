"""What a node answered, kept so that a request seen twice gets the same answer.

A node may see one request twice: JetStream redelivers a frame the node took but did not
acknowledge before it was killed, and a cold node's operator may step one inbox twice. A fresh
answer to the same request — a second commitment, a second batch — looks like equivocation to the
coordinator, which would convict an honest node. So the node records, durably and before they
leave, the signed messages it answered each request with (keyed by session, kind and the
request's payload), and answers a repeat with exactly those messages. It also records the key
ceremonies it joined: a node restarted mid-ceremony has lost its polynomial and must not deal a
second one (it refuses the invitation when it comes again; the others go on without it).

    <dir>/<sha256 key hex>   "PQZKANSW" ‖ u8 1 ‖ u32 count ‖ (u32 length ‖ wire-encoded message)*

The messages are public (the broker saw them); the files hold no secret. `Answers()` keeps them
in memory (tests, in-process nodes), `Answers(directory)` on disk (a node's home). Both keep at
most `limit` entries, the oldest forgotten first: a very old request repeated is answered afresh
— it can no longer complete a session anyone waits for.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..atomicfile import atomic_write
from ..encoding import ByteReader, ByteWriter, lp_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..runtime import wire
from ..runtime.bounded import BoundedDict
from ..runtime.messages import Message

MAGIC = b"PQZKANSW"
VERSION = 1
LIMIT = 8192
_LABEL = b"pqzk/node/answers/v1"


def request_key(msg: Message) -> bytes:
    """Which request `msg` is: its session, kind and payload (not its signature, which a
    re-signed copy changes)."""
    return hashlib.sha256(_LABEL + lp_bytes(msg.session, 2, "session") + str(msg.kind).encode()
                          + b"\0" + hashlib.sha256(msg.payload).digest()).digest()


def ceremony_key(session: bytes) -> bytes:
    return hashlib.sha256(_LABEL + b"/ceremony" + session).digest()


def encode_answers(messages: list[Message]) -> bytes:
    """A list of messages as a recorded-answers file (magic, version, length-prefixed wire messages)."""
    w = ByteWriter("recorded answers").put(MAGIC).uint(VERSION, 1).u32(len(messages))
    for m in messages:
        w.lp(wire.encode(m))
    return w.to_bytes()


def decode_answers(data: bytes) -> list[Message]:
    """The messages of a recorded-answers file; `InvalidEncoding` when it is not one."""
    r = ByteReader(data, "recorded answers")
    if r.take(len(MAGIC)) != MAGIC or r.uint(1) != VERSION:
        raise InvalidEncoding("recorded answers: not a pqzk answers file")
    count = r.uint(4)
    out = []
    for _ in range(count):
        out.append(wire.decode(r.lp(4)))
    r.end()
    return out


class Answers:
    """The answers a node sent, by request; and the ceremonies it joined."""

    def __init__(self, directory: str | os.PathLike | None = None, *, limit: int = LIMIT) -> None:
        self.dir = Path(directory) if directory is not None else None
        self.limit = limit
        self._memory: BoundedDict[bytes, bytes] = BoundedDict(limit)
        if self.dir is not None:
            try:
                self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise InvalidParameter(f"answers directory {self.dir}: {exc.strerror or exc}") from None
            self._prune()

    def __repr__(self) -> str:
        return f"Answers({str(self.dir) if self.dir is not None else 'in memory'})"

    def _prune(self) -> None:
        """Forget the oldest files beyond the limit (checked when the store opens)."""
        try:
            entries = [e for e in os.scandir(self.dir) if e.is_file() and len(e.name) == 64]
            if len(entries) <= self.limit:
                return
            entries.sort(key=lambda e: (e.stat().st_mtime_ns, e.name))
            for e in entries[:len(entries) - self.limit]:
                os.unlink(e.path)
        except OSError as exc:
            raise InvalidParameter(f"answers directory {self.dir}: {exc.strerror or exc}") from None

    def _get(self, key: bytes) -> bytes | None:
        if self.dir is None:
            return self._memory.get(key)
        try:
            return (self.dir / key.hex()).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InvalidParameter(f"recorded answer {key.hex()[:16]}: {exc.strerror or exc}") from None

    def _put(self, key: bytes, data: bytes) -> None:
        if self.dir is None:
            self._memory[key] = data
            return
        try:
            atomic_write(self.dir / key.hex(), data)
        except OSError as exc:
            raise InvalidParameter(f"recording an answer: {exc.strerror or exc}") from None

    # ---- requests ----
    def get(self, request: Message) -> list[Message] | None:
        """The messages `request` was answered with before, or None."""
        data = self._get(request_key(request))
        return None if data is None else decode_answers(data)

    def put(self, request: Message, answers: list[Message]) -> None:
        """Record `answers` to `request`, durably (before they are sent)."""
        self._put(request_key(request), encode_answers(answers))

    # ---- ceremonies ----
    def joined(self, ceremony_session: bytes) -> bool:
        """Whether this node joined the ceremony `ceremony_session` before (a node that restarted and lost
        its state must not join it again)."""
        return self._get(ceremony_key(ceremony_session)) is not None

    def join(self, ceremony_session: bytes) -> None:
        """Record, durably, that this node took part in the ceremony (before its first message)."""
        self._put(ceremony_key(ceremony_session), encode_answers([]))


__all__ = ["Answers", "decode_answers", "encode_answers", "request_key"]
