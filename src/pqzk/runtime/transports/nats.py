"""The NATS transport: channel frames between processes and machines through an untrusted NATS
broker, with JetStream for durable delivery.

Subjects (every token is lowercase hex, so any id is a safe subject token):

    <prefix>.<committee>.<session>.<recipient>.<sender>    a point-to-point frame
    <prefix>.<committee>.<session>.all.<sender>            a broadcast to the session's committee

    committee = hex(committee id)   session = hex(session id), "_" for the empty one
    recipient, sender = hex(wire.encode_party(party id))   prefix = "pqzk" (one token, configurable)

One JetStream stream per committee (`stream_name`), capturing `<prefix>.<committee>.>`: file
storage, limits retention (`max_age`, `max_bytes`), frames up to 1 MiB, a 2-minute duplicate
window (each publish carries a fresh `Nats-Msg-Id`, reused by its retries, so a publish retried
after a lost acknowledgement is stored once), `replicas` copies in a cluster.

Receivers are durable pull consumers with explicit acks, `ack_wait` and `max_deliver` (bounded
redelivery), two per receiver: one filtering the frames addressed to it, one the broadcasts.
- `NatsTransport` (a `driver.Transport`) receives one session: filters `…<committee>.<session>.<me>.*`
  and `…<committee>.<session>.all.*`, starting from the session's first frame — a party that
  joins late, or reconnects, catches up on everything the session said.
- `NatsNode` receives every session addressed to a node (`…<committee>.*.<me>.*`, `….*.all.*`),
  so that a long-running node serves sessions others start: `receive()` gives `(session, frame)`,
  `serve(handler)` gives each session its own `Transport` and calls `handler(session, transport)`
  (e.g. to run a `Driver` there).
A frame is acknowledged when its receiver asks for the next one (or closes): a frame the process
did not get to is redelivered, after `ack_wait`, to the same durable consumer — to the node when
it restarts. Frames that come back are harmless: the channel refuses replays, parties ignore
duplicates. A party's own broadcasts are skipped (the subject names the sender). The subject is
only routing: who sent what is decided by the channel and the signatures, never by the subject.

The broker (or anyone who can publish) can drop, delay, duplicate, reorder or alter frames; all
of it is caught by the channel (`pqzk.runtime.channel`) or the parties, and blamed on nobody.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ...errors import InvalidParameter, TransportError
from .. import wire
from ..messages import PartyId

MAX_FRAME = 1 << 20
DUPLICATE_WINDOW = 120.0
BROADCAST_TOKEN = "all"
EMPTY_SESSION = "_"
_PREFIX_RE = re.compile(r"[A-Za-z0-9_-]{1,32}\Z")
_URL_RE = re.compile(r"(nats|tls)://[^\s/]+\Z")
_HEX_RE = re.compile(r"(?:[0-9a-f]{2})+\Z")
MAX_ERRORS = 50
API_TIMEOUT = 2.0


@dataclass(frozen=True)
class NatsConfig:
    """How to reach the broker and how the streams and consumers behave.

    `servers`: one or more `nats://` or `tls://` URLs (a cluster: the client fails over between
    them). `user`/`password`: per-node credentials. `ca_file`: the CA that signed the servers'
    certificates (TLS is used when it is given or a URL says tls://); `cert_file`/`key_file`: a
    client certificate for brokers that verify clients."""
    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    prefix: str = "pqzk"
    replicas: int = 1
    max_age: float = 86400.0
    max_bytes: int = 256 << 20
    ack_wait: float = 10.0
    max_deliver: int = 5
    connect_timeout: float = 5.0
    reconnect_wait: float = 0.25
    max_reconnect_attempts: int = 240
    publish_timeout: float = 20.0
    name: str | None = None

    def __post_init__(self) -> None:
        servers = (self.servers,) if isinstance(self.servers, str) else tuple(self.servers)
        object.__setattr__(self, "servers", servers)
        if not servers or not all(isinstance(u, str) and _URL_RE.match(u) for u in servers):
            raise InvalidParameter("NATS servers are nats://host:port or tls://host:port URLs (at least one)")
        if not _PREFIX_RE.match(self.prefix):
            raise InvalidParameter("the subject prefix is one token of 1 to 32 characters from [A-Za-z0-9_-]")
        if not 1 <= self.replicas <= 5:
            raise InvalidParameter("stream replicas are 1 to 5")
        if (self.user is None) != (self.password is None):
            raise InvalidParameter("give both a NATS user and a password, or neither")
        if (self.cert_file is None) != (self.key_file is None):
            raise InvalidParameter("a client certificate needs its key file, and the other way round")
        for name in ("max_age", "ack_wait", "connect_timeout", "reconnect_wait", "publish_timeout"):
            if not getattr(self, name) > 0:
                raise InvalidParameter(f"{name} must be positive")
        if not 1 <= self.max_deliver <= 100 or not 0 <= self.max_reconnect_attempts <= 100_000:
            raise InvalidParameter("max_deliver is 1 to 100, max_reconnect_attempts 0 to 100000")

    @property
    def uses_tls(self) -> bool:
        return self.ca_file is not None or any(u.startswith("tls://") for u in self.servers)

    def tls_context(self) -> ssl.SSLContext | None:
        if not self.uses_tls:
            return None
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


# ---- names -------------------------------------------------------------------------------------
def party_token(pid: PartyId) -> str:
    return wire.encode_party(pid).hex()


def session_token(session: bytes) -> str:
    if not isinstance(session, (bytes, bytearray)) or len(session) > wire.MAX_SESSION:
        raise InvalidParameter(f"a session id is bytes, at most {wire.MAX_SESSION} of them")
    return session.hex() or EMPTY_SESSION


def committee_token(committee: bytes) -> str:
    if not isinstance(committee, (bytes, bytearray)) or not 0 < len(committee) <= 255:
        raise InvalidParameter("a committee id is 1 to 255 bytes")
    return bytes(committee).hex()


def stream_name(committee: bytes, prefix: str = "pqzk") -> str:
    return f"{prefix.upper()}_{hashlib.sha256(bytes(committee)).hexdigest()[:24]}"


def subject(prefix: str, committee: bytes, session: bytes, recipient: PartyId | None, sender: PartyId) -> str:
    to = BROADCAST_TOKEN if recipient is None else party_token(recipient)
    return f"{prefix}.{committee_token(committee)}.{session_token(session)}.{to}.{party_token(sender)}"


def parse_subject(prefix: str, committee: bytes, subj: str) -> tuple[bytes, str, str] | None:
    """(session, recipient token, sender token) of a frame's subject, or None if malformed."""
    parts = subj.split(".")
    if len(parts) != 5 or parts[0] != prefix or parts[1] != committee_token(committee):
        return None
    s, r, f = parts[2:]
    if s == EMPTY_SESSION:
        session = b""
    elif _HEX_RE.match(s) and len(s) <= 2 * wire.MAX_SESSION:
        session = bytes.fromhex(s)
    else:
        return None
    if not (r == BROADCAST_TOKEN or _HEX_RE.match(r)) or not _HEX_RE.match(f):
        return None
    return session, r, f


def _durable(*parts: object) -> str:
    h = hashlib.sha256(b"\x00".join(str(p).encode() for p in parts)).hexdigest()[:24]
    return f"pqzk-{h}"


# ---- the connection ----------------------------------------------------------------------------
def _nats():
    try:
        import nats
        import nats.errors
        import nats.js.api
        import nats.js.errors
    except ImportError:      # pragma: no cover - a dependency of pqzk
        from ...errors import BackendUnavailable
        raise BackendUnavailable("nats", "nats-py not installed", "pip install nats-py") from None
    return nats


async def connect(config: NatsConfig, *, reconnected: Callable[[], None] | None = None):
    """A nats-py client connected to one of `config.servers`, or TransportError. The first
    connection is bounded by `connect_timeout` per server; later reconnections (a server
    restarting, a cluster failing over) retry every `reconnect_wait` s up to
    `max_reconnect_attempts` times per server."""
    nats = _nats()
    errors: list[str] = []
    refused = asyncio.Event()          # the broker said no (credentials, certificate): no point retrying

    async def on_error(exc: Exception) -> None:
        if len(errors) < MAX_ERRORS:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        if isinstance(exc, (nats.errors.AuthorizationError, ssl.SSLCertVerificationError)) or \
                "authorization violation" in str(exc).lower():
            refused.set()

    async def on_reconnect() -> None:
        if reconnected is not None:
            reconnected()

    nc = nats.aio.client.Client()
    opts = dict(servers=list(config.servers), error_cb=on_error, reconnected_cb=on_reconnect, name=config.name,
                connect_timeout=max(1, int(config.connect_timeout)), reconnect_time_wait=config.reconnect_wait,
                max_reconnect_attempts=config.max_reconnect_attempts, allow_reconnect=True,
                tls=config.tls_context())
    if config.user is not None:
        opts.update(user=config.user, password=config.password)
    if config.uses_tls and any(u.startswith(("nats://127.", "tls://127.")) for u in config.servers):
        opts["tls_hostname"] = "127.0.0.1"
    budget = config.connect_timeout * len(config.servers) + 1.0
    connecting = asyncio.ensure_future(nc.connect(**opts))
    said_no = asyncio.ensure_future(refused.wait())
    try:
        await asyncio.wait([connecting, said_no], timeout=budget, return_when=asyncio.FIRST_COMPLETED)
        if connecting.done() and not said_no.done():
            connecting.result()                 # raises what the connection raised
            return nc
        raise TransportError("refused" if said_no.done() else "no answer in time")
    except (TransportError, asyncio.TimeoutError, TimeoutError, OSError, nats.errors.Error, ssl.SSLError) as exc:
        for fut in (connecting, said_no):
            fut.cancel()
        await asyncio.gather(connecting, said_no, return_exceptions=True)
        try:
            await nc.close()
        except Exception:      # noqa: BLE001 - closing a half-open client; the error below says why
            pass
        why = next((e for e in errors if "uthorization" in e or "SSL" in e), errors[-1] if errors else
                   f"{type(exc).__name__}: {exc}")
        raise TransportError(f"cannot connect to NATS at {', '.join(config.servers)}: {why}") from None
    finally:
        said_no.cancel()


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
        self._receivers: list[_Receiver] = []
        self._pending: set[asyncio.Task] = set()
        self._failure: str | None = None

    def __repr__(self) -> str:
        return f"NatsLink({self.stream}, servers={list(self.config.servers)})"

    @classmethod
    async def open(cls, config: NatsConfig, committee: bytes) -> "NatsLink":
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
        nats = _nats()
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
        nats = _nats()
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
        nats = _nats()
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
        t = NatsTransport(self, session, me)
        await t._receiver.start(resume=resume, inactive=inactive, since=None)
        return t

    async def node(self, me: PartyId, *, catch_up: float | None = 600.0, discard_unrouted: bool = False
                   ) -> "NatsNode":
        """Every session's frames for node `me`. A new node starts `catch_up` seconds in the past
        (None: the whole stream); a restarted one where it left off. `discard_unrouted`: a party
        that only runs sessions it opens (`session()`, a coordinator) drops frames of other
        sessions (late answers) instead of keeping them for `receive`/`serve`."""
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
    nats = _nats()
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


# ---- receiving ---------------------------------------------------------------------------------
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


class _Receiver:
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
        self.filters = {_durable(link.stream, self.me_token, *scope, kind): f"{base}.{tok}.*"
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
        api = _nats().js.api
        cfg = self.link.config
        return api.ConsumerConfig(durable_name=durable, ack_policy=api.AckPolicy.EXPLICIT, ack_wait=cfg.ack_wait,
                                  max_deliver=cfg.max_deliver, filter_subject=filt, max_ack_pending=10_000,
                                  deliver_policy=api.DeliverPolicy.ALL if since is None
                                  else api.DeliverPolicy.BY_START_TIME,
                                  opt_start_time=None if since is None else since.isoformat(),
                                  inactive_threshold=inactive)

    async def _ensure_consumer(self, durable: str) -> None:
        nats = _nats()
        try:
            await self.link.js.consumer_info(self.link.stream, durable)
        except nats.js.errors.NotFoundError:
            await self.link.js.add_consumer(self.link.stream, config=self._consumer_config(
                durable, self.filters[durable], **self._consumer_args))

    async def start(self, *, resume: bool, inactive: float | None, since: datetime | None) -> None:
        nats = _nats()
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
        nats = _nats()
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
        if self._closed:
            return
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):    # noqa: BLE001 - the renewer stopping
                pass
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


async def ack(msg) -> None:
    try:
        await msg.ack()
    except Exception:      # noqa: BLE001 - already acked, or the connection is gone: it comes back
        pass


class NatsTransport:
    """One party's `Transport` for one session (see the module docstring). Open with
    `await NatsTransport.connect(config, committee, session, me)` (its own connection) or
    `await link.transport(session, me)` (a shared one)."""

    def __init__(self, link: NatsLink, session: bytes, me: PartyId) -> None:
        self.link, self.session, self.me = link, bytes(session), me
        self._receiver = _Receiver(link, me, self.session)
        self._last = None
        self._owns_link = False

    def __repr__(self) -> str:
        return f"NatsTransport({self.me}, session={self.session.hex()[:16]}, {self.link.stream})"

    @classmethod
    async def connect(cls, config: NatsConfig, committee: bytes, session: bytes, me: PartyId, *,
                      resume: bool = True) -> "NatsTransport":
        link = await NatsLink.open(config, committee)
        try:
            t = await link.transport(session, me, resume=resume)
        except BaseException:
            await link.close()
            raise
        t._owns_link = True
        return t

    async def send(self, to: PartyId | None, frame: bytes) -> None:
        await self.link.send(subject(self.link.config.prefix, self.link.committee, self.session, to, self.me), frame)

    async def receive(self, timeout: float) -> bytes | None:
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
        self._receiver = _Receiver(link, me, None)
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
        if self._last is not None:
            await ack(self._last)
            self._last = None
        for view in list(self.views.values()):
            await view.close()
        if self._router is not None:
            self._router.cancel()
            try:
                await self._router
            except (asyncio.CancelledError, Exception):    # noqa: BLE001 - the router stopping
                pass
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

    async def send(self, to: PartyId | None, frame: bytes) -> None:
        await self.node.send(self.session, to, frame)

    async def receive(self, timeout: float) -> bytes | None:
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


__all__ = ["BROADCAST_TOKEN", "MAX_FRAME", "NatsConfig", "NatsLink", "NatsNode", "NatsTransport", "SessionView",
           "committee_token", "connect", "ensure_stream", "parse_subject", "party_token", "session_token",
           "stream_name", "subject"]
