"""A whole committee on this machine, for `pqzk ceremony … --local N`, the demo and examples: a
private nats-server (JetStream in a temporary directory, 127.0.0.1 only), N node homes with file
stores, a committee file signed by all, a coordinator home, and N node processes
(`python -m pqzk.cli.main node run`), each its own OS process with its own store.

Everything is bounded and cleaned up: processes get SIGTERM, then SIGKILL after a few seconds;
the broker stops; the temporary directory goes — on success, on failure and on Ctrl-C.

    with LocalCommittee(5, 3) as lc:
        lc.start_nodes()
        async with lc.coordinator() as c: ...
"""
from __future__ import annotations

import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from ..errors import InvalidParameter, TransportError

PASSPHRASE_VAR = "PQZK_LOCAL_NODE_PASSPHRASE"
SUITE = "FROST-ED25519-SHA512-v1"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0
MAX_NODES = 15


def local_policy(nodes: list[int], threshold: int) -> dict:
    """A policy every node enforces: any `threshold` of them, nothing else."""
    return {"version": 1, "name": "local", "quorum": {"min_signers": threshold},
            "signers": {str(i): {"roles": ["ops"]} for i in nodes}}


_HELD = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _signals_held():
    """SIGINT and SIGTERM wait (blocked) until the block ends: a process started inside is recorded
    before an interruption can unwind past it (and so is always stopped)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _release_signals() -> None:
    """In the child, before it runs the node: it must not inherit the held signals."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


class LocalCommittee:
    """N nodes and a coordinator on this machine (see the module docstring)."""

    def __init__(self, n: int, threshold: int, *, suite: str = SUITE, directory: str | Path | None = None,
                 policy: dict | None = None) -> None:
        if not 2 <= n <= MAX_NODES:
            raise InvalidParameter(f"--local: 2 to {MAX_NODES} nodes")
        if not 1 <= threshold <= n:
            raise InvalidParameter(f"--threshold must be in [1, {n}]")
        self.n, self.threshold, self.suite = n, threshold, suite
        self.ids = list(range(1, n + 1))
        self.policy = policy if policy is not None else local_policy(self.ids, threshold)
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pqzk-local-")
            directory = self._tmp.name
        self.dir = Path(directory)
        self.passphrase = secrets.token_urlsafe(24)
        self.server = None
        self.procs: dict[int, subprocess.Popen] = {}
        self.homes: dict = {}
        self.coordinator_home = None
        self.committee = None
        self.committee_file = self.dir / "committee.json"
        self.timings: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"LocalCommittee({self.n} nodes, {len(self.running)} running)"

    # ---- setting up ----
    def start_broker(self) -> str:
        """Start a private nats-server in this committee's directory and return its URL (timed for the
        report)."""
        from ..runtime.transports.nats_server import NatsServer
        t = time.monotonic()
        self.server = NatsServer(directory=self.dir / "nats").start()
        self.timings["broker"] = time.monotonic() - t
        return self.server.url

    @property
    def url(self) -> str:
        """The URL of the committee's private broker."""
        return self.server.url

    def config(self):
        """NATS client settings for the private broker (fast reconnects: it is on this machine)."""
        from ..runtime.transports.nats import NatsConfig
        return NatsConfig(servers=(self.url,), reconnect_wait=0.1)

    def create_homes(self) -> None:
        """N node homes and a coordinator home (file stores), the committee file signed by all."""
        from ..node.committee import Committee
        from ..node.home import NodeHome
        t = time.monotonic()
        pubs = []
        for i in self.ids:
            home = self.homes[i] = NodeHome(self.dir / f"node-{i}")
            pubs.append(home.create(i, f"file:{home.path / 'store'}", self.passphrase))
        self.coordinator_home = NodeHome(self.dir / "coordinator")
        cpub = self.coordinator_home.create("coordinator", f"file:{self.coordinator_home.path / 'store'}",
                                            self.passphrase)
        c = Committee("local-" + secrets.token_hex(4), 1, tuple(pubs), (cpub,), self.suite, self.threshold,
                      None, self.policy)
        for i in self.ids:
            c = c.sign(self.homes[i].identity(self.passphrase))
        self.committee = c
        self.committee_file.write_text(c.to_json())
        self.timings["homes"] = time.monotonic() - t

    def new_version(self, members: list[int], threshold: int) -> None:
        """The next committee file version — these nodes, this threshold, the same key — signed by
        its nodes and endorsed by the previous version's nodes that leave; every node process is
        restarted with it (a node reads its committee file when it starts; the ones left out stop)."""
        from ..node.committee import Committee
        old = self.committee
        members = sorted(members)
        unknown = [i for i in members if i not in self.homes]
        if unknown:
            raise InvalidParameter(f"node {unknown[0]} is not one of the {len(self.homes)} local nodes")
        if not 2 <= threshold <= len(members):
            raise InvalidParameter(f"the new threshold must be in [2, {len(members)}]")
        policy = self.policy
        if policy == local_policy([n.node_id for n in old.nodes], old.threshold):
            policy = local_policy(members, threshold)
        c = Committee(old.name, old.version + 1, tuple(self.homes[i].public() for i in members), old.coordinators,
                      old.suite, threshold, old.public_key_package, policy)
        for i in members:
            c = c.sign(self.homes[i].identity(self.passphrase))
        for n in old.nodes:
            if n.node_id not in members:
                c = c.endorse(self.homes[n.node_id].identity(self.passphrase))
        self.stop_nodes()
        self.committee, self.threshold, self.policy = c, threshold, policy
        self.committee_file.write_text(c.to_json())
        self.start_nodes(members)

    def _command(self, i: int) -> list[str]:
        return [sys.executable, "-m", "pqzk.cli.main", "node", "run", "--home", str(self.homes[i].path),
                "--committee", str(self.committee_file), "--nats", self.url, "--pin-env", PASSPHRASE_VAR, "--json"]

    def env(self) -> dict:
        """The environment node processes run in: the passphrase variable, and PYTHONPATH starting with the
        pqzk under test."""
        import pqzk
        src = str(Path(pqzk.__file__).resolve().parent.parent)
        path = os.environ.get("PYTHONPATH")
        return {**os.environ, PASSPHRASE_VAR: self.passphrase,
                "PYTHONPATH": src + (os.pathsep + path if path else "")}

    def start_nodes(self, ids: list[int] | None = None, timeout: float = READY_TIMEOUT) -> None:
        """Start node processes (`pqzk node run`) and wait until each says it is ready."""
        t = time.monotonic()
        env = self.env()
        started = []
        for i in ids or self.ids:
            log = open(self.dir / f"node-{i}.log", "ab")
            try:
                with _signals_held():         # a Ctrl-C or SIGTERM now cannot orphan the process being started
                    self.procs[i] = subprocess.Popen(self._command(i), stdout=subprocess.PIPE, stderr=log,
                                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True,
                                                     preexec_fn=_release_signals)
            finally:
                log.close()
            started.append(i)
        self._wait_ready(started, timeout)
        self.timings.setdefault("nodes", time.monotonic() - t)

    def _wait_ready(self, ids: list[int], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(ids)
        sel = selectors.DefaultSelector()
        buffers = {i: b"" for i in ids}
        for i in ids:
            sel.register(self.procs[i].stdout, selectors.EVENT_READ, i)
        try:
            while waiting:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TransportError(f"local nodes {sorted(waiting)} not ready after {timeout:.0f} s")
                for key, _ in sel.select(min(left, 0.5)):
                    i = key.data
                    chunk = os.read(key.fileobj.fileno(), 4096)
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    buffers[i] += chunk
                    for line in buffers[i].split(b"\n")[:-1]:
                        try:
                            event = json.loads(line)
                        except ValueError:
                            continue
                        if event.get("event") == "ready":
                            waiting.discard(i)
                    buffers[i] = buffers[i].rsplit(b"\n", 1)[-1]
                for i in list(waiting):
                    if self.procs[i].poll() is not None:
                        raise TransportError(f"local node {i} exited at start: {self.log_tail(i)}")
        finally:
            sel.close()

    def log_tail(self, i: int) -> str:
        """The last line of node `i`'s log (at most 300 characters), for error messages about that node."""
        try:
            lines = (self.dir / f"node-{i}.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return lines[-1][:300] if lines else "(no output)"

    @asynccontextmanager
    async def coordinator(self, **kw):
        """The coordinator, its home open and connected to the broker (`async with`)."""
        from ..node.coordinate import Coordinator
        with self.coordinator_home.open(self.passphrase, self.committee) as node:
            c = await Coordinator.connect(node, self.config(), **kw)
            try:
                yield c
            finally:
                await c.close()

    # ---- faults and stopping ----
    @property
    def running(self) -> list[int]:
        """The ids of the node processes still running."""
        return [i for i, p in self.procs.items() if p.poll() is None]

    def kill(self, i: int) -> None:
        """SIGKILL: the node dies at once, mid-whatever (its store and nonces stay on disk)."""
        p = self.procs[i]
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait(STOP_TIMEOUT)

    def stop_nodes(self) -> dict[int, int | None]:
        """SIGTERM every node (a clean stop), SIGKILL what is still there after STOP_TIMEOUT;
        returns each node's exit status."""
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for p in self.procs.values():
            try:
                p.wait(max(0.05, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(STOP_TIMEOUT)
        for p in self.procs.values():
            if p.stdout is not None:
                p.stdout.close()
        return {i: p.returncode for i, p in self.procs.items()}

    def close(self) -> None:
        """Stop the node processes and the broker, even when stopping one of them fails."""
        try:
            self.stop_nodes()
        finally:
            try:
                if self.server is not None:
                    self.server.close()
            finally:
                if self._tmp is not None:
                    self._tmp.cleanup()
                    self._tmp = None

    def __enter__(self) -> "LocalCommittee":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["LocalCommittee", "PASSPHRASE_VAR", "local_policy"]
