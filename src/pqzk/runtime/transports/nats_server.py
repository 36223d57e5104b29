"""Private NATS brokers on loopback for tests, the demo and `pqzk ceremony --local`.

`NatsServer` runs one `nats-server` (found by `pqzk.discovery.find_nats_server`) on a free
127.0.0.1 port with JetStream in its own directory, waits until it reports healthy, and stops it
(SIGTERM, then SIGKILL after a timeout); `kill()` and `restart()` are for fault tests (the
JetStream store survives a restart). `NatsCluster` runs three of them joined by routes on
loopback (JetStream replicated across them). `make_tls` writes a throwaway CA and a server
certificate for 127.0.0.1/localhost; `users` gives each node a user and password. Every wait is
bounded in time, and nothing listens beyond 127.0.0.1.
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...discovery import NATS_HOW, find_nats_server
from ...errors import BackendUnavailable, InvalidParameter, TransportError

HOST = "127.0.0.1"
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0


class BrokerError(TransportError):
    """A local broker did not start or stop as asked."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def nats_server_binary() -> str:
    """The nats-server binary; `BackendUnavailable` with how to install it when none is found."""
    path, why = find_nats_server()
    if path is None:
        raise BackendUnavailable("nats-server", why, NATS_HOW)
    return path


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of a throwaway CA and the server certificate it signed (127.0.0.1, localhost)."""
    ca: Path
    cert: Path
    key: Path

    def client_context(self):
        """An ssl.SSLContext that trusts only this CA (for nats-py's `tls=`)."""
        import ssl
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        return ctx


def make_tls(directory: str | Path, *, days: int = 2) -> TlsFiles:
    """A fresh CA (P-256) and a server certificate for 127.0.0.1 and localhost, written to
    `directory` (key 0600). For tests and local brokers only: real deployments bring their PKI."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pqzk throwaway test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=days))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = TlsFiles(d / "ca.pem", d / "server-cert.pem", d / "server-key.pem")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return files


def make_users(names, *, rng_bytes: int = 18) -> dict[str, str]:
    """A fresh random password for each user name (per-node credentials for a local broker)."""
    return {str(n): secrets.token_urlsafe(rng_bytes) for n in names}


def _q(value: object) -> str:
    return json.dumps(str(value))       # the NATS config format takes JSON string literals


@dataclass
class NatsServer:
    """One private nats-server. Use as a context manager, or `start()` / `stop()`.

    `users` (name -> password) turns on authorization: only those users may connect (anyone
    in the set may use every subject: the broker is untrusted anyway). `tls` serves TLS only.
    `routes`/`cluster_port` join a cluster (see `NatsCluster`)."""
    directory: Path | None = None
    port: int = 0
    jetstream: bool = True
    users: Mapping[str, str] | None = None
    tls: TlsFiles | None = None
    name: str = "pqzk-1"
    cluster_port: int = 0
    routes: tuple[int, ...] = ()
    binary: str | None = None
    process: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, init=False, repr=False)
    monitor_port: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pqzk-nats-")
            self.directory = Path(self._tmp.name)
        self.directory = Path(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.binary = self.binary or nats_server_binary()
        if not self.port:
            self.port = free_port()
        self.monitor_port = free_port()

    def __repr__(self) -> str:
        return f"NatsServer({self.name}, {self.url}, running={self.running})"

    @property
    def url(self) -> str:
        """The client URL (`nats://` or `tls://` on localhost)."""
        return f"{'tls' if self.tls else 'nats'}://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    @property
    def log_path(self) -> Path:
        """Where the server writes its log."""
        return self.directory / f"{self.name}.log"

    def config_text(self) -> str:
        """The server's configuration file: listen and monitor ports, JetStream store, TLS, cluster routes,
        users."""
        lines = [f"server_name: {_q(self.name)}", f"listen: {_q(f'{HOST}:{self.port}')}",
                 f"http: {_q(f'{HOST}:{self.monitor_port}')}", "max_payload: 1048576"]
        if self.jetstream:
            store = self.directory / f"{self.name}-js"
            lines.append(f"jetstream {{ store_dir: {_q(store)}, max_memory_store: 67108864, "
                         f"max_file_store: 4294967296 }}")
        if self.users:
            users = ", ".join(f"{{ user: {_q(u)}, password: {_q(p)} }}" for u, p in self.users.items())
            lines.append(f"authorization {{ users: [ {users} ] }}")
        if self.tls:
            lines.append(f"tls {{ cert_file: {_q(self.tls.cert)}, key_file: {_q(self.tls.key)}, timeout: 2 }}")
        if self.cluster_port:
            routes = ", ".join(_q(f"nats-route://{HOST}:{p}") for p in self.routes)
            lines.append(f"cluster {{ name: \"pqzk\", listen: {_q(f'{HOST}:{self.cluster_port}')}, "
                         f"routes: [ {routes} ] }}")
        return "\n".join(lines) + "\n"

    def spawn(self) -> None:
        """Start the process without waiting (see `wait_ready`)."""
        if self.running:
            raise InvalidParameter(f"{self.name} is already running")
        conf = self.directory / f"{self.name}.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # holds passwords
        with os.fdopen(fd, "w") as f:
            f.write(self.config_text())
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen([self.binary, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()

    def healthy(self) -> bool:
        """The monitoring endpoint says the server (and its JetStream) is ready."""
        url = f"http://{HOST}:{self.monitor_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=1.0) as resp:   # noqa: S310 (loopback only)
                return resp.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until the server reports healthy; `BrokerError` with its log tail if it exits or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise BrokerError(f"nats-server {self.name} exited at start: {self.log_tail()}")
            if self.healthy():
                return
            time.sleep(0.05)
        raise BrokerError(f"nats-server {self.name} not ready after {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 5) -> str:
        """The last lines of the server's log, joined on one line (for error messages)."""
        try:
            return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def start(self, timeout: float = READY_TIMEOUT) -> "NatsServer":
        """Spawn the server and wait until it is ready (killing it if it is not)."""
        self.spawn()
        try:
            self.wait_ready(timeout)
        except BrokerError:
            self.kill()
            raise
        return self

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM (a clean shutdown that flushes JetStream), SIGKILL if it takes over `timeout`."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: a crash (the JetStream store on disk stays)."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(STOP_TIMEOUT)

    def restart(self, *, crash: bool = True, timeout: float = READY_TIMEOUT) -> None:
        """Kill (or stop) and start again on the same port with the same store."""
        self.kill() if crash else self.stop()
        self.monitor_port = free_port()
        self.start(timeout)

    def close(self) -> None:
        """Stop the server and remove its temporary directory."""
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "NatsServer":
        return self if self.running else self.start()

    def __exit__(self, *exc) -> None:
        self.close()


class NatsCluster:
    """Three (or `size`) nats-servers routed to each other on loopback, JetStream clustered;
    `urls` is what clients get (they fail over between them)."""

    def __init__(self, size: int = 3, *, users: Mapping[str, str] | None = None, tls: TlsFiles | None = None,
                 directory: str | Path | None = None) -> None:
        if not 1 <= size <= 7:
            raise InvalidParameter("a local cluster has 1 to 7 servers")
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pqzk-nats-cluster-")
            directory = self._tmp.name
        cports = [free_port() for _ in range(size)]
        self.servers = [NatsServer(Path(directory), users=users, tls=tls, name=f"pqzk-{k + 1}",
                                   cluster_port=cports[k], routes=tuple(p for j, p in enumerate(cports) if j != k))
                        for k in range(size)]

    @property
    def urls(self) -> list[str]:
        """The client URLs of the cluster's servers."""
        return [s.url for s in self.servers]

    def start(self, timeout: float = READY_TIMEOUT) -> "NatsCluster":
        """Spawn every server and wait until each is healthy (JetStream meta leader included)."""
        try:
            for s in self.servers:
                s.spawn()
            deadline = time.monotonic() + timeout
            for s in self.servers:                    # healthz waits for the JetStream meta leader too
                s.wait_ready(max(0.1, deadline - time.monotonic()))
        except BrokerError:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop the servers and remove their temporary directory."""
        for s in self.servers:
            s.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "NatsCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["BrokerError", "NatsCluster", "NatsServer", "TlsFiles", "free_port", "make_tls", "make_users",
           "nats_server_binary"]
