"""What parties use: `NatsTransport` (one party, one session), `NatsNode` (a long-running party,
every session addressed to it, routed to `SessionView`s)."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ....errors import InvalidParameter
from ...messages import PartyId
from .config import NatsConfig
from .link import NatsLink
from .receiver import Receiver, ack, stop_task
from .subjects import session_token, subject


class NatsTransport:
    """One party's `Transport` for one session (see the module docstring). Open with
    `await NatsTransport.connect(config, committee, session, me)` (its own connection) or
    `await link.transport(session, me)` (a shared one)."""

    def __init__(self, link: NatsLink, session: bytes, me: PartyId) -> None:
        self.link, self.session, self.me = link, bytes(session), me
        self._receiver = Receiver(link, me, self.session)
        self._last = None
        self._owns_link = False

    def __repr__(self) -> str:
        return f"NatsTransport({self.me}, session={self.session.hex()[:16]}, {self.link.stream})"

    @classmethod
    async def connect(cls, config: NatsConfig, committee: bytes, session: bytes, me: PartyId, *,
                      resume: bool = True) -> "NatsTransport":
        """Connect a transport for one party in one session (resuming its durable consumer unless `resume`
        is False)."""
        link = await NatsLink.open(config, committee)
        try:
            t = await link.transport(session, me, resume=resume)
        except BaseException:
            await link.close()
            raise
        t._owns_link = True
        return t

    async def send(self, to: PartyId | None, frame: bytes, session: bytes | None = None) -> None:
        """Publish a frame in the session, to one party or to all."""
        await self.link.send(subject(self.link.config.prefix, self.link.committee, self.session, to, self.me), frame)

    async def receive(self, timeout: float) -> bytes | None:
        """The next frame for this party (the previous one acknowledged first), or None after `timeout`."""
        if self._last is not None:
            await ack(self._last)
            self._last = None
        got = await self._receiver.next(timeout)
        if got is None:
            return None
        self._last = got[1]
        return got[1].data

    async def close(self, *, delete: bool = True) -> None:
        """Acknowledge what was received and stop; `delete` removes the session's consumers
        (the party is done with the session; a crashed party's expire after an hour idle)."""
        if self._last is not None:
            await ack(self._last)
            self._last = None
        await self.link.flush()
        await self._receiver.close(delete=delete)
        if self._owns_link:
            await self.link.close()


SessionHandler = Callable[[bytes, "SessionView"], Awaitable[None]]


class NatsNode:
    """A long-running party's receiver for every session addressed to it (see the module
    docstring). Frames are routed by session: to the `SessionView` opened for it
    (`session(s)`: a party that starts a session, like a coordinator), else to `receive()`, which
    `serve(handler)` uses to start a handler for each session someone else started."""

    def __init__(self, link: NatsLink, me: PartyId, *, discard_unrouted: bool = False) -> None:
        self.link, self.me = link, me
        self._receiver = Receiver(link, me, None)
        self._last = None
        self._owns_link = False
        self.discard_unrouted = discard_unrouted
        self.discarded = 0
        self.views: dict[bytes, SessionView] = {}
        self._unrouted: asyncio.Queue = asyncio.Queue()
        self._router: asyncio.Task | None = None

    def __repr__(self) -> str:
        return f"NatsNode({self.me}, {self.link.stream})"

    @classmethod
    async def connect(cls, config: NatsConfig, committee: bytes, me: PartyId, *,
                      catch_up: float | None = 600.0, discard_unrouted: bool = False) -> "NatsNode":
        """Connect a node: its durable consumer of every session addressed to it."""
        link = await NatsLink.open(config, committee)
        try:
            n = await link.node(me, catch_up=catch_up, discard_unrouted=discard_unrouted)
        except BaseException:
            await link.close()
            raise
        n._owns_link = True
        return n

    def _start_routing(self) -> None:
        self._router = asyncio.get_running_loop().create_task(self._route())

    async def _route(self) -> None:
        while True:
            got = await self._receiver.next(3600.0)
            if got is None:
                continue
            view = self.views.get(got[0])
            if view is not None:
                view.queue.put_nowait(got)
            elif self.discard_unrouted:
                self.discarded += 1
                await ack(got[1])
            else:
                self._unrouted.put_nowait(got)

    def session(self, session: bytes) -> "SessionView":
        """The Transport of `session` for this node: its frames go there until it is closed."""
        session_token(session)
        view = self.views.get(session)
        if view is None:
            view = self.views[session] = SessionView(self, bytes(session))
        return view

    async def send(self, session: bytes, to: PartyId | None, frame: bytes) -> None:
        """Publish a frame in a session, to one party or to all."""
        await self.link.send(subject(self.link.config.prefix, self.link.committee, session, to, self.me), frame)

    async def receive(self, timeout: float) -> tuple[bytes, bytes] | None:
        """(session, frame) of the next frame for a session with no open view, or None."""
        if self._last is not None:
            await ack(self._last)
            self._last = None
        try:
            session, msg = await asyncio.wait_for(self._unrouted.get(), max(0.0, timeout))
        except (asyncio.TimeoutError, TimeoutError):
            return None
        self._last = msg
        return session, msg.data

    async def serve(self, handler: SessionHandler, *, stop: asyncio.Event | None = None,
                    max_sessions: int = 1000, poll: float = 0.5) -> None:
        """Until `stop` is set: a frame of a session with no open view opens one and starts
        `handler(session, view)` as a task (e.g. `Driver(party, channel, view).run(start=False)`);
        the view closes when the handler returns, and a later frame starts it again (a server
        answers late requests). Beyond `max_sessions` open views, frames wait unacknowledged
        (the broker redelivers them)."""
        stop = stop or asyncio.Event()
        tasks: set[asyncio.Task] = set()
        try:
            while not stop.is_set():
                try:
                    session, msg = await asyncio.wait_for(self._unrouted.get(), poll)
                except (asyncio.TimeoutError, TimeoutError):
                    continue
                view = self.views.get(session)
                if view is None:
                    if len(self.views) >= max_sessions:
                        continue
                    view = self.session(session)
                    task = asyncio.get_running_loop().create_task(self._run(handler, view))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                view.queue.put_nowait((session, msg))
        finally:
            for t in list(tasks):
                t.cancel()
            for t in list(tasks):
                try:
                    await t
                except (asyncio.CancelledError, Exception):   # noqa: BLE001 - handlers stopping
                    pass

    async def _run(self, handler: SessionHandler, view: "SessionView") -> None:
        try:
            await handler(view.session, view)
        finally:
            await view.close()

    async def close(self) -> None:
        """Acknowledge what was delivered; close the session views, the consumer and (if its own) the link."""
        if self._last is not None:
            await ack(self._last)
            self._last = None
        for view in list(self.views.values()):
            await view.close()
        if self._router is not None:
            await stop_task(self._router)
        await self.link.flush()
        await self._receiver.close()
        if self._owns_link:
            await self.link.close()


class SessionView:
    """A `Transport` for one session of a `NatsNode` (from `node.session(s)` or `serve`)."""

    def __init__(self, node: NatsNode, session: bytes) -> None:
        self.node, self.session = node, session
        self.queue: asyncio.Queue = asyncio.Queue()
        self._last = None

    def __repr__(self) -> str:
        return f"SessionView({self.node.me}, session={self.session.hex()[:16]})"

    async def send(self, to: PartyId | None, frame: bytes, session: bytes | None = None) -> None:
        """Publish a frame in this view's session."""
        await self.node.send(self.session, to, frame)

    async def receive(self, timeout: float) -> bytes | None:
        """The next frame of this session (the previous one acknowledged first), or None after `timeout`."""
        if self._last is not None:
            await ack(self._last)
            self._last = None
        try:
            _, self._last = await asyncio.wait_for(self.queue.get(), max(0.0, timeout))
        except (asyncio.TimeoutError, TimeoutError):
            return None
        return self._last.data

    async def close(self) -> None:
        """Stop routing this session here and acknowledge what was received; frames still
        queued were not processed and go back to the node (`receive`/`serve`)."""
        if self.node.views.get(self.session) is self:
            del self.node.views[self.session]
        if self._last is not None:
            await ack(self._last)
            self._last = None
        while not self.queue.empty():
            got = self.queue.get_nowait()
            if self.node.discard_unrouted:
                self.node.discarded += 1
                await ack(got[1])
            else:
                self.node._unrouted.put_nowait(got)




class NodeTransport:
    """A `NatsNode` as one `Transport` for a party serving every session at once (a node's
    service): frames of any session in, frames out to the subject of the message's session."""

    def __init__(self, node: NatsNode) -> None:
        self.node = node

    def __repr__(self) -> str:
        return f"NodeTransport({self.node!r})"

    async def send(self, to: PartyId | None, frame: bytes, session: bytes | None = None) -> None:
        """Publish a frame in `session` (required: a node serves many sessions)."""
        if session is None:
            raise InvalidParameter("a node transport sends within a session")
        await self.node.send(session, to, frame)

    async def receive(self, timeout: float) -> bytes | None:
        """The next frame for the node, from any session, or None after `timeout`."""
        got = await self.node.receive(timeout)
        return None if got is None else got[1]

    async def close(self) -> None:
        """Close the node's connection."""
        await self.node.close()


__all__ = ["NatsNode", "NatsTransport", "NodeTransport", "SessionHandler", "SessionView"]
