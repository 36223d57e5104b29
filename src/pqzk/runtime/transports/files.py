"""The files transport: frames carried by hand (USB stick, QR codes) to and from an air-gapped node.

    bundle = "PQZKBNDL" ‖ u8 version ‖ u32 count ‖ count × (u32 len ‖ frame)

A bundle holds channel frames (`pqzk.runtime.channel`), each already signed and, when private,
sealed to its recipient: carrying a bundle needs no trust, the frames say who they are from and
for whom, and the receiving node drops what is not for it. `step` runs one party over an inbox
bundle and returns the outbox — the cold signer's whole protocol turn, with no network and no
clock (a timeout is the operator not coming back).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ...atomicfile import atomic_write
from ...encoding import ByteReader, ByteWriter
from ...errors import InvalidEncoding, InvalidParameter, PqzkError
from ...files import read_bytes
from ..channel import Channel
from ..messages import Message, PartyId

MAGIC = b"PQZKBNDL"
VERSION = 1
MAX_BUNDLE = 64 << 20
MAX_FRAMES = 100_000


def encode_bundle(frames: Iterable[bytes]) -> bytes:
    """Frames as a bundle: magic, version, count and length-prefixed frames."""
    frames = [bytes(f) for f in frames]
    if len(frames) > MAX_FRAMES:
        raise InvalidParameter(f"a bundle holds at most {MAX_FRAMES} frames")
    w = ByteWriter("frame bundle").put(MAGIC).uint(VERSION, 1).u32(len(frames))
    for f in frames:
        w.lp(f)
    return w.to_bytes()


def decode_bundle(data: bytes) -> list[bytes]:
    """The frames of a bundle; `InvalidEncoding` when it is not one (magic, version, lengths)."""
    r = ByteReader(data, "frame bundle")
    if r.take(len(MAGIC)) != MAGIC:
        raise InvalidEncoding("not a pqzk frame bundle")
    if r.uint(1) != VERSION:
        raise InvalidEncoding("frame bundle of an unsupported version")
    count = r.u32()
    if count > MAX_FRAMES:
        raise InvalidEncoding(f"frame bundle claims {count} frames (at most {MAX_FRAMES})")
    frames = [r.lp(4) for _ in range(count)]
    r.end()
    return frames


def read_bundle(path: str | Path) -> list[bytes]:
    """The frames of a bundle file (size-bounded)."""
    return decode_bundle(read_bytes(path, "frame bundle", max_bytes=MAX_BUNDLE))


def write_bundle(path: str | Path, frames: Iterable[bytes], *, force: bool = False) -> None:
    """Write atomically; an existing file is replaced only with `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise InvalidParameter(f"{path} already exists; refusing to replace it")
    try:
        atomic_write(path, encode_bundle(frames), mode=0o644)
    except OSError as exc:
        raise InvalidParameter(f"cannot write frame bundle {path}: {exc.strerror or exc}") from None


def step(party, channel: Channel, frames: Iterable[bytes], *, start: bool = False,
         timeout: bool = False) -> tuple[list[bytes], list[tuple[Message, PqzkError]]]:
    """One offline turn: feed `frames` to `party` through `channel`; return (the frames it sends,
    the messages it refused). `start` calls party.start() first; `timeout` calls party.on_idle()
    last (the operator decided nothing more is coming)."""
    out: list[Message] = []
    refused: list[tuple[Message, PqzkError]] = []
    if start and hasattr(party, "start"):
        out += party.start()
    for frame in frames:
        msg = channel.unwrap(frame)
        if msg is None:
            continue
        try:
            out += party.receive(msg)
        except PqzkError as exc:
            refused.append((msg, exc))
    if timeout and hasattr(party, "on_idle"):
        out += party.on_idle()
    frames_out, seen = [], set()
    for msg in out:
        if msg.broadcast:
            key = (msg.kind, msg.session, msg.payload, msg.signature)
            if key in seen:
                continue
            seen.add(key)
        frames_out.append(channel.wrap(msg)[1])
    return frames_out, refused


class FileTransport:
    """A `Transport` over one inbox bundle (read once) and one outbox (written by `flush`)."""

    def __init__(self, inbox: Iterable[bytes] = ()) -> None:
        self.inbox = list(inbox)
        self.outbox: list[tuple[PartyId | None, bytes]] = []

    async def send(self, to: PartyId | None, frame: bytes, session: bytes | None = None) -> None:
        """Queue a frame in the outbox (written by `flush`)."""
        self.outbox.append((to, frame))

    async def receive(self, timeout: float) -> bytes | None:
        """The next frame of the inbox, or None when it is empty."""
        return self.inbox.pop(0) if self.inbox else None

    async def close(self) -> None:
        """Nothing to release."""
        return None

    def flush(self, path: str | Path, *, force: bool = False) -> None:
        """Write the outbox as a frame bundle (an existing file is replaced only with `force`)."""
        write_bundle(path, [f for _, f in self.outbox], force=force)


__all__ = ["FileTransport", "decode_bundle", "encode_bundle", "read_bundle", "step", "write_bundle"]
