"""One connection to the broker for one committee: its stream, and pipelined publishing."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ....errors import InvalidParameter, TransportError
from ...messages import PartyId
from .config import API_TIMEOUT, MAX_FRAME, NatsConfig, connect, load_nats
from .subjects import committee_token, stream_name

if TYPE_CHECKING:
    from .endpoints import NatsNode, NatsTransport

DUPLICATE_WINDOW = 120.0


class NatsLink:
    """One connection to the broker, for one committee (its stream created if missing). Open
    session transports and node receivers on it; `close()` closes them and the connection.

    Publishing is pipelined: `send` hands a frame to a background publish and returns, so a
    party's frames of one round go out together instead of one acknowledgement apart; each
    publish is retried until the broker stores it (`publish_timeout`), and a frame that could not
    be stored makes the next send (or `flush`) raise TransportError."""

    def __init__(self, config: NatsConfig, committee: bytes, nc, stream: str) -> None:
        self.config, self.committee, self.nc, self.stream = config, bytes(committee), nc, stream
        self.js = nc.jetstream(timeout=API_TIMEOUT)
        self.published = 0
        self.bytes_published = 0
        self._receivers: list = []          # the receivers opened on this link (receiver.Receiver)
        self._pending: set[asyncio.Task] = set()
        self._failure: str | None = None

    def __repr__(self) -> str:
        return f"NatsLink({self.stream}, servers={list(self.config.servers)})"

    @classmethod
    async def open(cls, config: NatsConfig, committee: bytes) -> "NatsLink":
        """Connect to the broker for one committee (reconnecting by itself when the connection drops)."""
        committee_token(committee)
        holder: list[NatsLink] = []

        def reconnected() -> None:
            for link in holder:
                for r in list(link._receivers):
                    r.wake()
        nc = await connect(config, reconnected=reconnected)
        try:
            stream = await ensure_stream(nc.jetstream(timeout=API_TIMEOUT), config, committee)
        except BaseException:
            await nc.close()
            raise
        holder.append(cls(config, committee, nc, stream))
        return holder[0]

    async def publish(self, subj: str, frame: bytes, *, msg_id: str | None = None,
                      deadline: float | None = None) -> None:
        """Store one frame in the stream and wait for the broker's acknowledgement; retried
        (same message id, so stored once) while the broker restarts or fails over."""
        nats = load_nats()
        if not isinstance(frame, (bytes, bytearray)) or not 0 < len(frame) <= MAX_FRAME:
            raise InvalidParameter(f"a frame is 1 to {MAX_FRAME} bytes")
        headers = {"Nats-Msg-Id": msg_id or self.nc._nuid.next().decode()}
        deadline = deadline or time.monotonic() + self.config.publish_timeout
        last = "no answer"
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TransportError(f"NATS did not store a frame within {self.config.publish_timeout:.0f} s ({last})")
            try:
                await self.js.publish(subj, bytes(frame), timeout=min(2.0, left), stream=self.stream,
                                      headers=dict(headers))
                break
            except nats.errors.ConnectionClosedError:
                raise TransportError("the NATS connection is closed") from None
            except (nats.errors.Error, asyncio.TimeoutError, TimeoutError) as exc:
                last = f"{type(exc).__name__}: {exc}"[:200]
                await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        self.published += 1
        self.bytes_published += len(frame)

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise TransportError(f"a frame was not stored by the broker: {self._failure}")

    async def send(self, subj: str, frame: bytes) -> None:
        """Publish one frame without waiting for the broker's acknowledgement (frames leave in
        the order sent); a background task waits for it and retries if it does not come."""
        nats = load_nats()
        self._raise_failure()
        if not isinstance(frame, (bytes, bytearray)) or not 0 < len(frame) <= MAX_FRAME:
            raise InvalidParameter(f"a frame is 1 to {MAX_FRAME} bytes")
        msg_id = self.nc._nuid.next().decode()
        deadline = time.monotonic() + self.config.publish_timeout
        try:
            ack_future = await self.js.publish_async(subj, bytes(frame), stream=self.stream,
                                                     headers={"Nats-Msg-Id": msg_id})
        except nats.errors.ConnectionClosedError:
            raise TransportError("the NATS connection is closed") from None
        except nats.errors.Error:           # stalled or reconnecting: the retries below take over
            ack_future = None
        task = asyncio.get_running_loop().create_task(self._confirm(subj, bytes(frame), msg_id, ack_future, deadline))
        self._pending.add(task)
        task.add_done_callback(self._published)

    async def _confirm(self, subj: str, frame: bytes, msg_id: str, ack_future, deadline: float) -> None:
        nats = load_nats()
        if ack_future is not None:
            try:
                await asyncio.wait_for(ack_future, min(2.0, max(0.01, deadline - time.monotonic())))
                self.published += 1
                self.bytes_published += len(frame)
                return
            except (nats.errors.Error, asyncio.TimeoutError, TimeoutError):
                pass                        # lost, or refused for now: publish again, same id
        await self.publish(subj, frame, msg_id=msg_id, deadline=deadline)

    def _published(self, task: asyncio.Task) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = str(task.exception())

    async def flush(self, timeout: float | None = None) -> None:
        """Wait until every frame handed to `send` is stored (or failed: TransportError)."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=timeout or self.config.publish_timeout)
        self._raise_failure()

    async def transport(self, session: bytes, me: PartyId, *, resume: bool = True,
                        inactive: float | None = 3600.0) -> "NatsTransport":
        """A Transport for party `me` in `session` (two consumers of its own: see `NatsNode.session`
        for sessions of a long-running party). `resume=False` forgets where an earlier process of
        the same party left off and reads the session again from its start."""
        from .endpoints import NatsTransport       # endpoints build on the link: imported when used
        t = NatsTransport(self, session, me)
        await t._receiver.start(resume=resume, inactive=inactive, since=None)
        return t

    async def node(self, me: PartyId, *, catch_up: float | None = 600.0, discard_unrouted: bool = False
                   ) -> "NatsNode":
        """Every session's frames for node `me`. A new node starts `catch_up` seconds in the past
        (None: the whole stream); a restarted one where it left off. `discard_unrouted`: a party
        that only runs sessions it opens (`session()`, a coordinator) drops frames of other
        sessions (late answers) instead of keeping them for `receive`/`serve`."""
        from .endpoints import NatsNode
        n = NatsNode(self, me, discard_unrouted=discard_unrouted)
        since = None if catch_up is None else datetime.now(timezone.utc) - timedelta(seconds=catch_up)
        await n._receiver.start(resume=True, inactive=None, since=since)
        n._start_routing()
        return n

    async def close(self) -> None:
        """Finish publishing (bounded), close the receivers and the connection."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=self.config.publish_timeout)
        for r in list(self._receivers):
            await r.close()
        if not self.nc.is_closed:
            try:                    # acknowledgements out first (bounded), then close
                await asyncio.wait_for(self.nc.flush(), 1.0)
            except Exception:       # noqa: BLE001 - a broker gone away: close is all that is left
                pass
            await self.nc.close()


async def ensure_stream(js, config: NatsConfig, committee: bytes) -> str:
    """The committee's stream (created with the settings in `NatsConfig`, or an existing one
    capturing the same subjects). Retries while a cluster elects its JetStream leader."""
    nats = load_nats()
    api = nats.js.api
    name = stream_name(committee, config.prefix)
    subjects = [f"{config.prefix}.{committee_token(committee)}.>"]
    cfg = api.StreamConfig(name=name, subjects=subjects, retention=api.RetentionPolicy.LIMITS,
                           storage=api.StorageType.FILE, max_age=config.max_age, max_bytes=config.max_bytes,
                           max_msg_size=MAX_FRAME, num_replicas=config.replicas, duplicate_window=DUPLICATE_WINDOW,
                           discard=api.DiscardPolicy.OLD)
    deadline = time.monotonic() + max(10.0, config.publish_timeout)
    last = ""
    while time.monotonic() < deadline:
        try:
            try:
                info = await js.stream_info(name)
            except nats.js.errors.NotFoundError:
                await js.add_stream(cfg)
                return name
            if list(info.config.subjects or []) != subjects:
                raise TransportError(f"stream {name} exists with other subjects")
            return name
        except nats.js.errors.BadRequestError:        # created meanwhile by another party: look again
            await asyncio.sleep(0.05)
        except (nats.errors.Error, asyncio.TimeoutError, TimeoutError) as exc:
            last = f"{type(exc).__name__}: {exc}"[:200]
            await asyncio.sleep(0.2)
    raise TransportError(f"could not create JetStream stream {name}: {last}")


__all__ = ["DUPLICATE_WINDOW", "NatsLink", "ensure_stream"]
