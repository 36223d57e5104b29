"""How a party reaches the NATS broker: `NatsConfig` (servers, credentials, TLS, stream and
consumer settings) and `connect`, which opens a nats-py client or says why not."""
from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from ....errors import BackendUnavailable, InvalidParameter, TransportError

MAX_FRAME = 1 << 20
MAX_ERRORS = 50
API_TIMEOUT = 2.0
_PREFIX_RE = re.compile(r"[A-Za-z0-9_-]{1,32}\Z")
_URL_RE = re.compile(r"(nats|tls)://[^\s/]+\Z")


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
        """Whether the connection uses TLS (a CA file, or a `tls://` server)."""
        return self.ca_file is not None or any(u.startswith("tls://") for u in self.servers)

    def tls_context(self) -> ssl.SSLContext | None:
        """The TLS context for the broker (TLS 1.2 or later, the given CA and client certificate), or None
        without TLS."""
        if not self.uses_tls:
            return None
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def load_nats():
    """The nats-py package (imported on first use, so that importing pqzk needs no broker client)."""
    try:
        import nats
        import nats.errors
        import nats.js.api
        import nats.js.errors
    except ImportError:      # pragma: no cover - a dependency of pqzk
        raise BackendUnavailable("nats", "nats-py not installed", "pip install nats-py") from None
    return nats


async def connect(config: NatsConfig, *, reconnected: Callable[[], None] | None = None):
    """A nats-py client connected to one of `config.servers`, or TransportError. The first
    connection is bounded by `connect_timeout` per server; later reconnections (a server
    restarting, a cluster failing over) retry every `reconnect_wait` s up to
    `max_reconnect_attempts` times per server."""
    nats = load_nats()
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


__all__ = ["API_TIMEOUT", "MAX_FRAME", "NatsConfig", "connect", "load_nats"]
