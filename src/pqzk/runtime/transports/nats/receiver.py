"""Receiving: two durable pull consumers per receiver (frames addressed to it, broadcasts), each
with a standing pull request, feeding one queue; acknowledgements."""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ....errors import TransportError
from ...messages import PartyId
from .config import MAX_ERRORS, load_nats
from .subjects import BROADCAST_TOKEN, committee_token, durable_name, parse_subject, party_token, session_token

if TYPE_CHECKING:
    from .link import NatsLink

PULL_BATCH = 256
PULL_EXPIRES = 4.0


@dataclass
class _Pull:
    durable: str
    inbox: str
    sub: object = None
    sent_at: float = 0.0
    credit: int = 0
    recreate: bool = False


class Receiver:
    """Two durable pull consumers (frames to `me`, broadcasts) feeding one queue. Each keeps a
    standing pull request open (batch `PULL_BATCH`, renewed before it expires or runs low, and
    at once after a reconnection), so a frame is pushed to the receiver as soon as the broker
    stores it, however many arrive together."""

    def __init__(self, link: NatsLink, me: PartyId, session: bytes | None) -> None:
        self.link, self.me = link, me
        self.me_token = party_token(me)
        self.session = session
        stok = "*" if session is None else session_token(session)
        base = f"{link.config.prefix}.{committee_token(link.committee)}.{stok}"
        scope = ("node",) if session is None else ("session", stok)
        self.filters = {durable_name(link.stream, self.me_token, *scope, kind): f"{base}.{tok}.*"
                        for kind, tok in (("direct", self.me_token), ("broadcast", BROADCAST_TOKEN))}
        self.queue: asyncio.Queue = asyncio.Queue()
        self._pulls: dict[str, _Pull] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._closed = False
        self._consumer_args: dict = {}
        self.errors: list[str] = []
        self.dropped = 0

    def _note(self, what: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(what[:200])

    def _consumer_config(self, durable: str, filt: str, *, inactive: float | None, since: datetime | None):
        api = load_nats().js.api
        cfg = self.link.config
        return api.ConsumerConfig(durable_name=durable, ack_policy=api.AckPolicy.EXPLICIT, ack_wait=cfg.ack_wait,
                                  max_deliver=cfg.max_deliver, filter_subject=filt, max_ack_pending=10_000,
                                  deliver_policy=api.DeliverPolicy.ALL if since is None
                                  else api.DeliverPolicy.BY_START_TIME,
                                  opt_start_time=None if since is None else since.isoformat(),
                                  inactive_threshold=inactive)

    async def _ensure_consumer(self, durable: str) -> None:
        nats = load_nats()
        try:
            await self.link.js.consumer_info(self.link.stream, durable)
        except nats.js.errors.NotFoundError:
            await self.link.js.add_consumer(self.link.stream, config=self._consumer_config(
                durable, self.filters[durable], **self._consumer_args))

    async def start(self, *, resume: bool, inactive: float | None, since: datetime | None) -> None:
        """Create (or resume) the durable consumers of this receiver's subjects and start pulling."""
        nats = load_nats()
        self._consumer_args = {"inactive": inactive, "since": since}
        nc = self.link.nc
        try:
            for durable in self.filters:
                if not resume:
                    try:
                        await self.link.js.delete_consumer(self.link.stream, durable)
                    except nats.js.errors.NotFoundError:
                        pass
                await self._ensure_consumer(durable)
                pull = self._pulls[durable] = _Pull(durable, nc.new_inbox())
                pull.sub = await nc.subscribe(pull.inbox, cb=self._on_message(pull))
                await self._request(pull)
        except (nats.errors.Error, asyncio.TimeoutError) as exc:
            await self.close()
            raise TransportError(f"could not open a JetStream consumer: {type(exc).__name__}: {exc}") from None
        self._task = asyncio.get_running_loop().create_task(self._renew())
        self.link._receivers.append(self)

    async def _request(self, pull: _Pull) -> None:
        body = json.dumps({"batch": PULL_BATCH, "expires": int(PULL_EXPIRES * 1e9)}).encode()
        await self.link.nc.publish(f"$JS.API.CONSUMER.MSG.NEXT.{self.link.stream}.{pull.durable}", body,
                                   reply=pull.inbox)
        pull.sent_at, pull.credit = time.monotonic(), pull.credit + PULL_BATCH

    def _on_message(self, pull: _Pull):
        async def on_message(msg) -> None:
            status = msg.headers.get("Status") if msg.headers else None
            if status is None:
                pull.credit -= 1
                if pull.credit <= PULL_BATCH // 2:
                    self._wake.set()
                self.queue.put_nowait(msg)
            elif status != "100":                 # a request ended: expired (408), or 409 (leader change,
                if status == "409" and "deleted" in (msg.headers.get("Description") or "").lower():
                    pull.recreate = True          # consumer deleted) - ask again now
                pull.credit = 0
                self._wake.set()
        return on_message

    def wake(self) -> None:
        """Renew the pull requests now (after a reconnection: the broker may have lost them)."""
        for pull in self._pulls.values():
            pull.credit = 0
        self._wake.set()

    async def _renew(self) -> None:
        nats = load_nats()
        while not self._closed:
            try:
                await asyncio.wait_for(self._wake.wait(), PULL_EXPIRES / 4)
            except (asyncio.TimeoutError, TimeoutError):
                pass
            self._wake.clear()
            now = time.monotonic()
            for pull in self._pulls.values():
                if pull.credit > PULL_BATCH // 2 and now - pull.sent_at < PULL_EXPIRES * 0.75:
                    continue
                try:
                    if pull.recreate:
                        await self._ensure_consumer(pull.durable)
                        pull.recreate = False
                    await self._request(pull)
                except (nats.errors.Error, asyncio.TimeoutError) as exc:   # reconnecting: next round
                    self._note(f"{type(exc).__name__}: {exc}")
                    pull.credit = 0

    async def next(self, timeout: float):
        """(session, NATS message) of the next frame that is not this party's own broadcast, or None."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                msg = await asyncio.wait_for(self.queue.get(), max(0.0, deadline - time.monotonic()))
            except (asyncio.TimeoutError, TimeoutError):
                return None
            parsed = parse_subject(self.link.config.prefix, self.link.committee, msg.subject)
            if parsed is None or (parsed[1] == BROADCAST_TOKEN and parsed[2] == self.me_token):
                if parsed is None:
                    self.dropped += 1
                await ack(msg)
                continue
            return parsed[0], msg

    async def close(self, *, delete: bool = False) -> None:
        """Stop pulling (deleting the durable consumers when `delete`); closing twice does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._task is not None:
            await stop_task(self._task)                 # the renewer
        for pull in self._pulls.values():
            if pull.sub is not None:
                try:
                    await pull.sub.unsubscribe()
                except Exception:      # noqa: BLE001 - the connection may be gone
                    pass
        if delete and not self.link.nc.is_closed:
            for durable in self.filters:
                try:
                    await self.link.js.delete_consumer(self.link.stream, durable)
                except Exception:      # noqa: BLE001 - best effort: inactive consumers expire anyway
                    pass
        if self in self.link._receivers:
            self.link._receivers.remove(self)


async def stop_task(task: asyncio.Task) -> None:
    """Cancel a background task (a router, a renewer) and wait for it to end, however it ends:
    a task being stopped has nothing left to report."""
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):    # noqa: BLE001 - the task stopping
        pass


async def ack(msg) -> None:
    """Acknowledge a JetStream message, ignoring an ack that fails (already acked, or the connection is
    gone)."""
    try:
        await msg.ack()
    except Exception:      # noqa: BLE001 - already acked, or the connection is gone: it comes back
        pass


__all__ = ["PULL_BATCH", "PULL_EXPIRES", "Receiver", "ack", "stop_task"]
