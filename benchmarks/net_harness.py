"""Harness of the network benchmarks (`bench_network.py`): committees of node processes over a
private nats-server on loopback, delay proxies, a coordinator on its own event loop, and what is
measured — latency per signature, frame and wire bytes per node, CPU per process, throughput.

Two kinds of node process, each serving every session addressed to it over its own connection:

- policy nodes (`node_main`): `pqzk.node.run.run_node` on a node home (sealed file store,
  composite ML-DSA-44 + Ed25519 identity, X-Wing channel, sealed single-use nonces on disk, its
  own audit log), DKG by invitation, then policy-governed signing: the two-round authorization
  flow and the one-round flow over preprocessed commitments (`auth_direct`);
- FROST nodes (`frost_node_main`): plain `FrostSigner`s (nonces in a `FileNonceStore` too), with
  a hybrid channel (composite identity + X-Wing) or the classical one (Ed25519 + X25519), for
  comparison with the policy flow and for the channel's overhead.

The coordinator runs in the benchmark process, on an event loop in a thread of its own
(`LoopThread`), over `NetworkRunner` as a deployment's coordinator does. Delays come from
`TcpProxy`s in a process of their own (`ProxyFarm`), one per party, so forwarding costs neither
the nodes nor the coordinator CPU. Everything listens on 127.0.0.1 and every wait is bounded.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import multiprocessing
import os
import queue
import secrets
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

CTX = multiprocessing.get_context("spawn")
SUITE = "FROST-ED25519-SHA512-v1"
PASS = "bench node passphrase"
NOW = 2_000_000_000
COORDINATOR = "coordinator"
READY_LIMIT = 180.0
DESTINATIONS = ["alice", "bob", "carol", "dave"]


def policy_document(n: int, t: int) -> dict:
    """The committee's policy: every node an `ops` signer, t of them, a per-transaction limit and
    a whitelist (as in bench_policy.py; no post-quantum evidence, no private requests)."""
    return {"version": 1, "name": f"bench {t}-of-{n}", "quorum": {"min_signers": t},
            "signers": {str(i): {"roles": ["ops"]} for i in range(1, n + 1)},
            "limits": {"per_transaction": 1_000_000}, "destinations": {"whitelist": DESTINATIONS}}


# ---- measuring ---------------------------------------------------------------------------------
def percentile(xs, p: float) -> float:
    """Nearest-rank percentile (p in [0, 1]) of a non-empty sequence."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(p * len(xs)) - 1))]


def load_average() -> float:
    return os.getloadavg()[0]


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process, all its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    tck = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tck, int(fields[12]) / tck


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat, not idle or iowait)."""
    f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in f[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by groups of processes between `start()` and `stop()`, and by everything
    else on the machine meanwhile (`others_cores`: other work competing with the benchmark, in
    cores on average — what makes a figure measured on a shared machine slower)."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.before: dict[str, tuple[float, float]] = {}
        self.used: dict[str, float] = {}
        self.system: dict[str, float] = {}        # of which in the kernel (files, fsync, sockets)
        self.others_cores = 0.0

    def _now(self) -> dict[str, tuple[float, float]]:
        out = {}
        for name, pids in self.groups.items():
            times = [cpu_seconds(p) for p in pids]
            out[name] = (sum(u for u, _ in times), sum(s for _, s in times))
        return out

    def start(self) -> "CpuMeter":
        self.before = self._now()
        self._machine, self._wall = machine_busy_seconds(), time.monotonic()
        return self

    def stop(self) -> dict[str, float]:
        after = self._now()
        machine, wall = machine_busy_seconds() - self._machine, time.monotonic() - self._wall
        self.used = {k: sum(after[k]) - sum(self.before[k]) for k in after}
        self.system = {k: after[k][1] - self.before[k][1] for k in after}
        self.others_cores = max(0.0, machine - sum(self.used.values())) / max(wall, 1e-9)
        return self.used


class CountingChannel:
    """A coordinator's `Channel` that also counts frame bytes per peer (what each node sends to
    and receives from the coordinator: in these flows nodes talk to nobody else)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.bytes: dict = {}
        self.frames = 0

    def wrap(self, msg):
        to, frame = self.inner.wrap(msg)
        self.bytes[to] = self.bytes.get(to, 0) + len(frame)
        self.frames += 1
        return to, frame

    def unwrap(self, frame):
        msg = self.inner.unwrap(frame)
        if msg is not None:
            self.bytes[msg.sender] = self.bytes.get(msg.sender, 0) + len(frame)
            self.frames += 1
        return msg


class ResultClock:
    """A coordinator party seen by its driver, noting when (`clock()`) it first holds its result
    — the signature's latency ends there, before the result is announced to the nodes."""

    def __init__(self, party, clock=time.perf_counter) -> None:
        self.party, self.clock = party, clock
        self.at: float | None = None

    def __getattr__(self, name):
        return getattr(self.party, name)

    def receive(self, msg):
        out = self.party.receive(msg)
        if self.at is None and self.party.result is not None:
            self.at = self.clock()
        return out

    def start(self):
        out = self.party.start()
        if self.at is None and self.party.result is not None:
            self.at = self.clock()
        return out


@dataclass
class Sample:
    """One signature: its latency and the frame bytes each node exchanged in it."""
    seconds: float
    bytes: dict
    signers: tuple
    frames: int


@dataclass
class Run:
    """What a series of signatures measured."""
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    cpu: dict = field(default_factory=dict)
    cpu_system: dict = field(default_factory=dict)
    others_cores: float | None = None           # other work on the machine meanwhile (CpuMeter)
    load: tuple = ()
    wire: dict = field(default_factory=dict)    # node -> wire bytes (NATS protocol included), if proxied

    @property
    def latencies(self) -> list[float]:
        return [s.seconds for s in self.samples]

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    def bytes_per_node(self, n: int) -> float:
        """Frame bytes in + out per node per signature, averaged over the n nodes."""
        return sum(sum(s.bytes.values()) for s in self.samples) / (n * len(self.samples))

    def bytes_per_signer(self) -> float:
        """Frame bytes in + out of a node that signs, per signature it signs."""
        vals = [s.bytes.get(i, 0) for s in self.samples for i in s.signers]
        return sum(vals) / len(vals)

    def wire_per_node(self, n: int) -> float | None:
        if not self.wire:
            return None
        return sum(self.wire.values()) / (n * len(self.samples))

    def frames_per_signature(self) -> float:
        return sum(s.frames for s in self.samples) / len(self.samples)

    def cpu_ms(self) -> dict[str, float]:
        """CPU ms per signature by role, and `<role>_system`: of which in the kernel."""
        out = {k: v * 1e3 / len(self.samples) for k, v in self.cpu.items()}
        out.update({f"{k}_system": v * 1e3 / len(self.samples) for k, v in self.cpu_system.items()})
        return out


# ---- an event loop in a thread (the coordinator) -------------------------------------------
class LoopThread:
    """An asyncio loop running in a daemon thread; `run(coro)` waits (bounded) for a result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bench-coordinator", daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 600.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


# ---- delay proxies, in a process of their own ---------------------------------------------------
def proxy_main(target_port: int, names: list, one_way: float, ports, requests, counts) -> None:
    """One `TcpProxy` per name to 127.0.0.1:`target_port`, `one_way` seconds each way; puts
    {name: port}, then {name: bytes through it so far} for each "count" on `requests`, until
    "stop"."""
    from pqzk.runtime.transports.proxy import TcpProxy

    async def main():
        proxies = {n: await TcpProxy(("127.0.0.1", target_port), up_delay=one_way, down_delay=one_way).start()
                   for n in names}
        ports.put({n: p.port for n, p in proxies.items()})
        while True:
            try:
                req = requests.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            counts.put({n: p.bytes_up + p.bytes_down for n, p in proxies.items()})
            if req == "stop":
                break
        for p in proxies.values():
            await p.close()
    asyncio.run(main())


class ProxyFarm:
    """Delay proxies between each party and the broker (this kernel has no netem), in a process
    of their own; they also count the bytes each party exchanges with the broker (NATS protocol,
    JetStream acknowledgements and pull requests included)."""

    def __init__(self, target_port: int, names: list, one_way: float) -> None:
        self.ports_q, self.counts_q, self.requests = CTX.Queue(), CTX.Queue(), CTX.Queue()
        self.proc = CTX.Process(target=proxy_main, args=(target_port, list(names), one_way, self.ports_q,
                                                         self.requests, self.counts_q), daemon=True)
        self.proc.start()
        self.ports = self.ports_q.get(timeout=60)

    def url(self, name) -> str:
        return f"nats://127.0.0.1:{self.ports[name]}"

    def counts(self) -> dict:
        """{name: bytes both ways through its proxy so far}."""
        self.requests.put("count")
        return self.counts_q.get(timeout=30)

    def close(self) -> None:
        self.requests.put("stop")
        try:
            self.counts_q.get(timeout=30)
        except queue.Empty:
            pass
        self.proc.join(15)
        if self.proc.is_alive():
            self.proc.kill()


# ---- node processes ------------------------------------------------------------------------------
def _quiet() -> None:
    for name in ("nats", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


async def _until(stop) -> None:
    while not stop.is_set():
        await asyncio.sleep(0.05)


def nats_config(url: str):
    from pqzk.runtime.transports.nats import NatsConfig
    return NatsConfig(servers=(url,), reconnect_wait=0.1)


def node_main(home: str, committee_json: str, url: str, ready, stop) -> None:
    """A policy node process: its home opened (committee verified and pinned), served over NATS
    until `stop`; puts its id on `ready` (or "error: ...")."""
    _quiet()
    from pqzk.node.committee import Committee
    from pqzk.node.home import NodeHome
    from pqzk.node.run import run_node

    async def main():
        event = asyncio.Event()
        watch = asyncio.get_running_loop().create_task(_until(stop))
        watch.add_done_callback(lambda _: event.set())
        with NodeHome(home).open(PASS, Committee.from_json(committee_json)) as node:
            await run_node(node, nats_config(url), stop=event, timeout=0.5, clock=lambda: NOW,
                           ready=lambda d: ready.put(node.identity.node_id))
    _profiled(main, f"node-{Path(home).name}", ready)


def _profiled(main, name: str, ready) -> None:
    """asyncio.run(main()); under cProfile into $PQZK_BENCH_PROFILE/<name>.prof when that is set."""
    where = os.environ.get("PQZK_BENCH_PROFILE")
    prof = None
    if where:
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
    try:
        asyncio.run(main())
    except Exception as exc:      # noqa: BLE001 - reported to the parent
        ready.put(f"error: {type(exc).__name__}: {exc}")
    finally:
        if prof is not None:
            prof.disable()
            prof.dump_stats(str(Path(where) / f"{name}.prof"))


@dataclass
class FrostKeys:
    """Identities, channel keys and FROST keys of nodes 1..n and the coordinator, derived from
    `seed` (each process derives the same ones). `mode`: the channel's — hybrid (composite
    ML-DSA-44 + Ed25519 identities, X-Wing) or classical (Ed25519, X25519)."""
    n: int
    t: int
    seed: bytes
    mode: str

    def __post_init__(self) -> None:
        from pqzk.math.rand import DeterministicRNG
        from pqzk.runtime.channel import HYBRID, generate_kem_keys
        from pqzk.runtime.identity import COMPOSITE, ED25519, generate_keyrings
        from pqzk.threshold import frost
        self.ids = list(range(1, self.n + 1))
        everyone = [COORDINATOR, *self.ids]
        scheme = COMPOSITE if self.mode == HYBRID else ED25519
        self.rings = generate_keyrings(everyone, scheme=scheme, rng=DeterministicRNG(self.seed + b"/id"))
        self.kems = generate_kem_keys(everyone, self.mode, rng=DeterministicRNG(self.seed + b"/kem"))
        self.kps, self.pkp = frost.trusted_dealer_keygen(frost.get_ciphersuite(SUITE), self.t, self.n,
                                                         rng=DeterministicRNG(self.seed + b"/k"))

    @property
    def committee(self) -> bytes:
        return b"bench-frost-" + hashlib.sha256(self.seed).digest()[:8].hex().encode()

    def channel(self, pid):
        from pqzk.runtime.channel import Channel
        return Channel(pid, self.committee, self.kems[pid])


def frost_node_main(url: str, n: int, t: int, seed: bytes, mode: str, pid: int, nonce_dir: str, ready, stop) -> None:
    """A plain FROST signer node process: one `FrostSigner` (nonces in a FileNonceStore) serving
    every session addressed to it, a Driver per session; puts its id on `ready`."""
    _quiet()
    from pqzk.runtime.driver import Driver
    from pqzk.runtime.frost_parties import FrostSigner
    from pqzk.runtime.transports.nats import NatsNode
    from pqzk.tokens.nonces import FileNonceStore

    keys = FrostKeys(n, t, seed, mode)
    signer = FrostSigner(keys.kps[pid], keys.rings[pid],
                         nonce_store=FileNonceStore(nonce_dir, SUITE, hashlib.sha256(seed + b"%d" % pid).digest()))
    channel = keys.channel(pid)

    async def main():
        node = await NatsNode.connect(nats_config(url), keys.committee, pid)
        event = asyncio.Event()
        watch = asyncio.get_running_loop().create_task(_until(stop))
        watch.add_done_callback(lambda _: event.set())

        async def handler(session, view):
            await Driver(signer, channel, view, timeout=0.5, idle_limit=2).run(start=False)
        serving = asyncio.get_running_loop().create_task(node.serve(handler, stop=event, poll=0.2))
        ready.put(pid)
        await serving
        await node.close()
    _profiled(main, f"frost-{pid}", ready)


class Processes:
    """Node processes started with `start(i, target, args)`, stopped together."""

    def __init__(self) -> None:
        self.ready, self.stop = CTX.Queue(), CTX.Event()
        self.procs: dict = {}

    def start(self, i, target, args: tuple) -> None:
        p = CTX.Process(target=target, args=(*args, self.ready, self.stop), daemon=True)
        p.start()
        self.procs[i] = p

    def wait_ready(self, count: int) -> None:
        got, deadline = [], time.monotonic() + READY_LIMIT
        while len(got) < count and time.monotonic() < deadline:
            try:
                got.append(self.ready.get(timeout=1.0))
            except queue.Empty:
                continue
        bad = [g for g in got if isinstance(g, str)]
        if bad or len(got) != count:
            self.close()
            raise RuntimeError(f"node processes did not start: {bad or got}")

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs.values()]

    def close(self) -> None:
        self.stop.set()
        for p in self.procs.values():
            p.join(20)
            if p.is_alive():
                p.kill()
                p.join(5)
        self.procs.clear()
        self.ready, self.stop = CTX.Queue(), CTX.Event()


# ---- committees --------------------------------------------------------------------------------
def _identity(home):
    from pqzk.node.identity import IDENTITY_KEY_ID, IDENTITY_SUITE, NodeIdentity
    from pqzk.tokens import open_store
    cfg = home.config()
    with open_store(cfg["store"], PASS) as store, store.get(IDENTITY_KEY_ID, ciphersuite=IDENTITY_SUITE) as u:
        return NodeIdentity.from_record(cfg["id"], bytes(u.value))


def request_for(tag: bytes, k: int):
    from pqzk.policy.request import AuthorizationRequest
    h = hashlib.sha256(tag + b"/%d" % k).digest()
    return AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), NOW, 1, 10 + k % 1000,
                                DESTINATIONS[k % len(DESTINATIONS)])


def quorum(k: int, n: int, t: int) -> list[int]:
    """The k-th signature's signers: a window of t nodes moving round the committee (the load
    spread evenly)."""
    return sorted((k + j) % n + 1 for j in range(t))


class Coordinator:
    """The coordinator's side, on a `LoopThread`: one NatsNode (sessions as views), a runner
    per session (`NetworkRunner`, with a channel that counts bytes per node)."""

    def __init__(self, loop: LoopThread, committee_id: bytes, me, channel, keyring) -> None:
        self.loop, self.committee_id, self.me = loop, committee_id, me
        self.channel, self.keyring = channel, keyring
        self.node = None
        self.url = None

    def connect(self, url: str) -> None:
        from pqzk.runtime.transports.nats import NatsNode

        async def go():
            if self.node is not None:
                await self.node.close()
            self.node = await NatsNode.connect(nats_config(url), self.committee_id, self.me, discard_unrouted=True)
        self.loop.run(go())
        self.url = url

    def close(self) -> None:
        if self.node is not None:
            self.loop.run(self.node.close())
            self.node = None

    async def session(self, party, session: bytes, *, timeout: float = 5.0, idle_limit: int = 6) -> Sample:
        """Run one session of `party` (a coordinator); its latency and bytes per node."""
        from pqzk.node.run import NetworkRunner
        counting = CountingChannel(self.channel)
        runner = NetworkRunner(self.node, counting, timeout=timeout, idle_limit=idle_limit, deadline=60.0)
        timed = ResultClock(party)
        t0 = time.perf_counter()
        await runner.run_async([timed], timed.start(), session)
        if party.result is None or timed.at is None:
            raise RuntimeError(f"session {session!r} failed: {party.error!r}")
        return Sample(timed.at - t0, {k: v for k, v in counting.bytes.items() if k is not None},
                      tuple(getattr(party, "signers", ())), counting.frames)

    async def preprocess(self, suite, signers, count: int, tag: bytes):
        """A pool of `count` preprocessed commitments per signer (batches of at most 1000)."""
        from pqzk.runtime.frost_parties import MAX_BATCH, CommitmentPool, FrostPreprocessor
        pool = CommitmentPool()
        left, k = count, 0
        while left > 0:
            size = min(left, MAX_BATCH)
            pre = FrostPreprocessor(suite, signers, size, self.keyring, session=b"%s-pre-%d" % (tag, k))
            await self.session(pre, pre.session, timeout=5.0, idle_limit=6)
            pool.add(pre.result)
            left, k = left - size, k + 1
        return pool

    def series(self, make, count: int, *, concurrency: int = 1, meter: CpuMeter | None = None,
               warmup: int = 2) -> Run:
        """`count` sessions (`make(k)` -> (party, session)), `concurrency` at a time."""
        async def go():
            for k in range(warmup):
                await self.session(*make(-1 - k))
            run = Run(load=os.getloadavg())
            nxt = iter(range(count))

            async def worker():
                for k in nxt:
                    run.samples.append(await self.session(*make(k)))
            if meter is not None:
                meter.start()
            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            run.wall = time.perf_counter() - t0
            if meter is not None:
                run.cpu = meter.stop()
                run.cpu_system, run.others_cores = meter.system, meter.others_cores
            return run
        return self.loop.run(go())


class ProcessCommittee:
    """What `PolicyCommittee` and `FrostCommittee` share: node processes (one per id in `ids`),
    optionally behind delay proxies, and the coordinator in this process. A subclass says how one
    node process starts (`_start_node`)."""
    ids: list
    server: object
    procs: "Processes"
    coordinator: "Coordinator"
    proxies: "ProxyFarm | None" = None
    net: tuple | None = None          # (one_way, coordinator_far) the processes run in

    def _start_node(self, i, url: str) -> None:
        raise NotImplementedError

    def start(self, *, one_way: float = 0.0, coordinator_far: bool = False) -> None:
        """(Re)start the node processes, through delay proxies of `one_way` seconds if non-zero;
        the coordinator connects directly, or through a proxy too (`coordinator_far`)."""
        self.stop_nodes()
        url = {i: self.server.url for i in [COORDINATOR, *self.ids]}
        if one_way:
            self.proxies = ProxyFarm(self.server.port, [COORDINATOR, *self.ids], one_way)
            url = {i: self.proxies.url(i) for i in url}
            if not coordinator_far:
                url[COORDINATOR] = self.server.url
        for i in self.ids:
            self._start_node(i, url[i])
        self.procs.wait_ready(len(self.ids))
        self.coordinator.connect(url[COORDINATOR])
        self.net = (one_way, coordinator_far)

    def ensure(self, *, one_way: float = 0.0, coordinator_far: bool = False) -> None:
        """Running in this network setting (restarted only if it is another)."""
        if self.net != (one_way, coordinator_far) or not self.procs.procs:
            self.start(one_way=one_way, coordinator_far=coordinator_far)

    def stop_nodes(self) -> None:
        """Stop the node processes and their proxies (and the coordinator's connection when it
        runs through one: closing it later, on a dead proxy, fails)."""
        self.procs.close()
        if self.proxies is not None:
            if self.coordinator.url != self.server.url:
                self.coordinator.close()
            self.proxies.close()
        self.proxies = None
        self.net = None


class PolicyCommittee(ProcessCommittee):
    """n policy nodes in a directory (homes with file stores, a committee file signed by every
    node), their processes, and a coordinator. `dkg()` gives the committee its key."""

    def __init__(self, root: Path, n: int, t: int, server) -> None:
        from pqzk.node.committee import Committee
        from pqzk.node.home import NodeHome
        self.root, self.n, self.t, self.server = Path(root), n, t, server
        self.ids = list(range(1, n + 1))
        self.homes = {i: NodeHome(self.root / f"n{i}") for i in self.ids}
        pubs = {i: h.create(i, f"file:{self.root / f's{i}'}", PASS) for i, h in self.homes.items()}
        self.coord_home = NodeHome(self.root / "c")
        cpub = self.coord_home.create(COORDINATOR, f"file:{self.root / 'sc'}", PASS)
        c = Committee("bench-" + secrets.token_hex(4), 1, tuple(pubs.values()), (cpub,), SUITE, t, None,
                      policy_document(n, t))
        for h in self.homes.values():
            c = c.sign(_identity(h))
        self.committee = c
        self.procs = Processes()
        self.loop = LoopThread()
        self._stack = ExitStack()
        from pqzk.node.run import channel_for
        co = self._stack.enter_context(self.coord_home.open(PASS, c))
        self.coordinator = Coordinator(self.loop, c.committee_id, COORDINATOR, channel_for(co), co.keyring)
        self.pkp = None
        self.dkg_seconds: float | None = None

    def _start_node(self, i, url: str) -> None:
        self.procs.start(i, node_main, (str(self.homes[i].path), self.committee.to_json(), url))

    def dkg(self) -> float:
        """Invite every node to the DKG; seconds until every node has stored its key."""
        from pqzk.node.service import Invitation, Inviter
        from pqzk.threshold.frost.ciphersuite import get_ciphersuite
        from pqzk.threshold.frost.types import PublicKeyPackage
        inviter = Inviter(Invitation("dkg", tuple(self.ids), self.t), self.coordinator.keyring, session=b"dkg",
                          to=self.ids)
        paths = [h.path / "public_key_package" for h in self.homes.values()]

        async def go():
            t0 = time.perf_counter()
            await self.coordinator.session(inviter, b"dkg", timeout=0.2, idle_limit=1)
            deadline = t0 + 120.0
            while not all(p.exists() for p in paths):
                if time.perf_counter() > deadline:
                    raise RuntimeError("the DKG did not finish in 120 s")
                await asyncio.sleep(0.002)
            return time.perf_counter() - t0
        self.dkg_seconds = self.loop.run(go())
        suite = get_ciphersuite(SUITE)
        stored = {p.read_bytes() for p in paths}
        if len(stored) != 1:
            raise RuntimeError("the nodes disagree on the group key")
        self.pkp = PublicKeyPackage.from_bytes(suite, stored.pop())
        return self.dkg_seconds

    def meter(self) -> CpuMeter:
        groups = {"nodes": self.procs.pids, "coordinator": [os.getpid()], "broker": [self.server.process.pid]}
        if self.proxies is not None:
            groups["proxies"] = [self.proxies.proc.pid]
        return CpuMeter(groups)

    def authorizations(self, tag: bytes, *, pool=None, everyone: bool = True):
        """make(k) for `Coordinator.series`: the k-th authorization session, two rounds to every
        node as a candidate (the first t to accept sign), or one round over the pool's
        commitments of a moving window of t signers. The result goes to every node, or with
        `everyone=False` (one round only) to the signers alone."""
        from pqzk.policy.coordinator import AuthorizationCoordinator
        from pqzk.policy.model import Policy
        from pqzk.policy.state import PolicyState
        state = PolicyState(Policy.from_dict(policy_document(self.n, self.t)))

        def make(k: int):
            session = b"%s-%d" % (tag, k)
            comms = pool.take(quorum(k, self.n, self.t)) if pool is not None else None
            candidates = self.ids if everyone or comms is None else sorted(comms)
            coord = AuthorizationCoordinator(state, self.pkp, request_for(tag, k), candidates, self.coordinator.keyring,
                                             now=NOW, session=session, commitments=comms)
            return coord, session
        return make

    def preprocess(self, count: int, tag: bytes):
        return self.loop.run(self.coordinator.preprocess(self.pkp.suite, self.ids, count, tag))

    def close(self) -> None:
        try:
            self.coordinator.close()
        finally:
            self.stop_nodes()
            self._stack.close()
            self.loop.close()


class FrostCommittee(ProcessCommittee):
    """n plain FROST signer node processes (trusted-dealer keys from a seed) and a coordinator."""

    def __init__(self, root: Path, n: int, t: int, server, mode: str) -> None:
        self.root, self.n, self.t, self.server, self.mode = Path(root), n, t, server, mode
        self.keys = FrostKeys(n, t, secrets.token_bytes(16), mode)
        self.pkp = self.keys.pkp
        self.procs = Processes()
        self.loop = LoopThread()
        self.coordinator = Coordinator(self.loop, self.keys.committee, COORDINATOR, self.keys.channel(COORDINATOR),
                                       self.keys.rings[COORDINATOR])
        self.ids = self.keys.ids

    def _start_node(self, i, url: str) -> None:
        self.procs.start(i, frost_node_main, (url, self.n, self.t, self.keys.seed, self.mode, i,
                                              str(self.root / f"nonces-{i}")))

    def meter(self) -> CpuMeter:
        return CpuMeter({"nodes": self.procs.pids, "coordinator": [os.getpid()],
                         "broker": [self.server.process.pid]})

    def signings(self, tag: bytes, *, pool=None):
        """make(k): the k-th FROST signing by a moving window of t signers, two rounds or one
        (over the pool's commitments)."""
        from pqzk.runtime.frost_parties import FrostCoordinator

        def make(k: int):
            session = b"%s-%d" % (tag, k)
            signers = quorum(k, self.n, self.t)
            comms = pool.take(signers) if pool is not None else None
            return FrostCoordinator(self.pkp, b"message %d" % k, signers, self.keys.rings[COORDINATOR],
                                    session=session, commitments=comms), session
        return make

    def preprocess(self, count: int, tag: bytes):
        return self.loop.run(self.coordinator.preprocess(self.pkp.suite, self.keys.ids, count, tag))

    def close(self) -> None:
        try:
            self.coordinator.close()
        finally:
            self.stop_nodes()
            self.loop.close()


__all__ = ["Coordinator", "CountingChannel", "CpuMeter", "FrostCommittee", "FrostKeys", "LoopThread",
           "PolicyCommittee", "ProcessCommittee", "ProxyFarm", "ResultClock", "Run", "Sample", "load_average", "percentile", "policy_document", "quorum"]
