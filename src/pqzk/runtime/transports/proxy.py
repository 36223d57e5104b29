"""A user-space TCP proxy on loopback: one-way delay per direction, and a broker-in-the-middle.

`TcpProxy` listens on 127.0.0.1 and forwards every connection to `target`, holding each chunk
for `up_delay` seconds towards the target and `down_delay` seconds back (a link of round-trip
time up + down; this kernel has no netem). Delays keep order and do not limit throughput: a
chunk is held from when it was read, not from when the previous one left. The node benchmarks
put one between each node and the broker.

`tamper` rewrites the client-to-target byte stream (one connection at a time); `NatsPublishTamper` is a broker-in-the-middle
for NATS: it parses the client protocol and flips one byte in the payload of the chosen
publishes (a frame altered on its way into the broker), leaving the protocol intact.
Everything listens on 127.0.0.1 only; `close()` ends every connection.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from ...errors import InvalidEncoding, InvalidParameter

HOST = "127.0.0.1"
CHUNK = 65536


class TcpProxy:
    """Forward 127.0.0.1:<port> to `target` with delays (seconds) and an optional tamper."""

    def __init__(self, target: tuple[str, int], *, up_delay: float = 0.0, down_delay: float = 0.0,
                 tamper: "NatsPublishTamper | None" = None) -> None:
        if target[0] not in (HOST, "localhost", "::1"):
            raise InvalidParameter("the proxy forwards to loopback only")
        if not (0 <= up_delay <= 60 and 0 <= down_delay <= 60):
            raise InvalidParameter("delays are 0 to 60 seconds")
        self.target, self.up_delay, self.down_delay, self.tamper = target, up_delay, down_delay, tamper
        self.server: asyncio.AbstractServer | None = None
        self.port = 0
        self.connections = 0
        self.bytes_up = self.bytes_down = 0
        self._tasks: set[asyncio.Task] = set()
        self._handlers: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The proxy's client URL."""
        return f"nats://{HOST}:{self.port}"

    async def start(self) -> "TcpProxy":
        """Listen on a free local port."""
        self.server = await asyncio.start_server(self._handle, HOST, 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        me = asyncio.current_task()
        self._handlers.add(me)
        try:
            await self._connect(client_r, client_w)
        finally:
            self._handlers.discard(me)

    async def _connect(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        self.connections += 1
        self._writers |= {client_w, server_w}
        tamper = self.tamper
        if tamper is not None:
            tamper.new_connection()
        up = asyncio.create_task(self._pipe(client_r, server_w, self.up_delay, tamper, "up"))
        down = asyncio.create_task(self._pipe(server_r, client_w, self.down_delay, None, "down"))
        self._tasks |= {up, down}
        await asyncio.wait([up, down], return_when=asyncio.FIRST_COMPLETED)
        for t in (up, down):
            t.cancel()
        for w in (client_w, server_w):
            w.close()
            self._writers.discard(w)
        self._tasks -= {up, down}

    async def _pipe(self, reader, writer, delay: float, tamper, direction: str) -> None:
        queue: asyncio.Queue = asyncio.Queue()

        async def sender() -> None:
            while True:
                due, data = await queue.get()
                if data is None:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        out = asyncio.create_task(sender())
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if tamper is not None:
                    data = tamper.feed(data)
                if direction == "up":
                    self.bytes_up += len(data)
                else:
                    self.bytes_down += len(data)
                if data:
                    queue.put_nowait((time.monotonic() + delay, data))
            queue.put_nowait((0.0, None))
            await out
        except (ConnectionError, OSError, InvalidEncoding):
            pass
        finally:
            out.cancel()

    async def close(self) -> None:
        """Stop listening and close every forwarded connection."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for w in list(self._writers):
            w.close()
        for t in list(self._tasks):
            t.cancel()
        self._writers.clear()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=5)

    async def __aenter__(self) -> "TcpProxy":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()


MAX_LINE = 4096
MAX_PAYLOAD = 8 << 20


class NatsPublishTamper:
    """Flips one bit of the payload of the publishes whose subject `select(subject)` accepts,
    at most `count` of them (the first `skip` selected ones pass untouched). Parses the client
    side of the NATS protocol (`PUB`/`HPUB` with their payloads; other operations are lines), so
    the altered message still reaches the broker as a well-formed publish: only its bytes lie."""

    def __init__(self, select: Callable[[str], bool], *, count: int = 1, skip: int = 0, offset: int = -1) -> None:
        self.select, self.count, self.skip, self.offset = select, count, skip, offset
        self.flipped: list[str] = []
        self.new_connection()

    def new_connection(self) -> None:
        """Forget a half-parsed operation (a new client connection starts clean); counts stay."""
        self.buf = bytearray()
        self.need: int | None = None        # payload bytes (plus CRLF) still to come for the current op
        self.payload_start = 0              # where the payload begins (HPUB: after the headers)
        self.hit = False

    def feed(self, data: bytes) -> bytes:
        """Pass client bytes through, flipping one payload bit of each selected publish."""
        self.buf += data
        out = bytearray()
        while True:
            if self.need is None:
                end = self.buf.find(b"\r\n")
                if end < 0:
                    if len(self.buf) > MAX_LINE:
                        raise InvalidEncoding("NATS protocol line too long")
                    break
                parts = bytes(self.buf[:end]).split()
                op = parts[0].upper() if parts else b""
                if not ((op == b"PUB" and len(parts) in (3, 4)) or (op == b"HPUB" and len(parts) in (4, 5))):
                    out += self.buf[:end + 2]
                    del self.buf[:end + 2]
                    continue
                if not all(p.isdigit() for p in parts[-2 if op == b"HPUB" else -1:]):
                    raise InvalidEncoding("NATS publish with a malformed size")
                subj = parts[1].decode("ascii", "replace")
                total = int(parts[-1])
                header = int(parts[-2]) if op == b"HPUB" else 0
                if total > MAX_PAYLOAD or header > total:
                    raise InvalidEncoding("NATS publish of a bad size")
                out += self.buf[:end + 2]
                del self.buf[:end + 2]
                self.need, self.payload_start = total + 2, header
                self.hit = self.select(subj)
                if self.hit:
                    if self.skip > 0:
                        self.skip -= 1
                        self.hit = False
                    elif self.count <= 0:
                        self.hit = False
                    else:
                        self.count -= 1
                        self.flipped.append(subj)
            if self.need is not None:
                if len(self.buf) < self.need:
                    break
                body = bytearray(self.buf[:self.need])
                del self.buf[:self.need]
                payload_len = self.need - 2 - self.payload_start
                if self.hit and payload_len > 0:
                    pos = self.payload_start + (self.offset % payload_len)
                    body[pos] ^= 0x01
                out += body
                self.need, self.hit = None, False
        return bytes(out)


__all__ = ["NatsPublishTamper", "TcpProxy"]
