"""Predicting signing latency beyond one machine: the node services of a committee in one process,
over the in-process hub with a per-link latency model, on a virtual clock.

The model. Every party (the coordinator and each node) is a machine of its own and the broker is
in the middle: a frame from s to r takes rtt(s)/2 + rtt(r)/2, rtt(p) being p's round-trip time
to the broker (the coordinator sits at the broker: 0, unless told otherwise). The parties are
the real ones — each node a `NodeService` with its policy signer, composite identity, X-Wing
channel, sealed nonces on disk and an audit log; the coordinator an `AuthorizationCoordinator` —
driven by real `Driver`s over a `Hub`. Time is virtual (`VirtualLoop`): it advances only while
every party waits, so the parties, which in fact take turns on this machine, behave as if each
had a processor of its own. What a party spends handling one frame (unwrap, decide, wrap: the
CPU time of its turn, plus the time its `fsync`s wait — nonces and the audit log's head file
are made durable before a share leaves) is measured and charged to it: its answers leave that
much later, and it takes its next frame no earlier (a busy coordinator queues). CPU time, not
wall time, so that other work on this machine does not inflate the prediction; SQLite's own
fsync in each audit append is not seen (about 0.3 ms on this disk when idle).

Identical pure computations are made once (`SharedWork`): when t signers each decode the same
signing package and compute the same binding factors and group commitment, the first computes
them and every other is charged the measured time without computing them again — what makes
667-of-1000 take seconds instead of minutes on one machine.

Each party's frames leave through an uplink of 1 Gbit/s, one after another (the coordinator
sends every signer its own sealed copy of the signing package, which grows with t: the
coordinator of 667 signers sends about 90 MB per signature).

Limits: the broker's own processing, queueing and fan-out, downlinks, NATS framing, jitter and
loss are not modelled; per-link delays are constant; times measured on one machine stand for
every machine. `bench_network.py` puts the prediction for the small committees next to their
measurement over NATS, which shows what is missing.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import selectors
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

SUITE = "FROST-ED25519-SHA512-v1"
NOW = 2_000_000_000
COORDINATOR = "coordinator"
GBIT = 125e6                 # bytes/s: every party's uplink in the model
cpu_clock = time.thread_time  # a party's work: CPU of this thread (other load on the machine does not count)


# ---- a virtual clock -----------------------------------------------------------------------------
class _Selector(selectors.DefaultSelector):
    """Never sleeps: a wait for `timeout` seconds advances the loop's virtual clock instead."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualLoop | None = None

    def select(self, timeout=None):
        ready = super().select(0)
        if ready:
            return ready
        if timeout is None:
            raise RuntimeError("simulation stalled: nothing scheduled and nothing to do")
        if timeout > 0:
            self.loop.now += timeout
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock moves only when everything waits (no real I/O may be used)."""

    def __init__(self) -> None:
        sel = _Selector()
        super().__init__(sel)
        sel.loop = self
        self.now = 0.0

    def time(self) -> float:
        return self.now


# ---- identical work done once, charged to everyone ------------------------------------------------
class SharedWork:
    """Memoizes pure functions; a hit charges the time the first computation took (`charged`,
    seconds), so each party still pays for the work it would do. Keys are the inputs' identities
    (the signers' copies of a signing package are one decoded object, see `installed`) or their
    bytes; the inputs are kept alive with the result, and the time spent making a key is refunded
    (it is the simulation's, not the party's)."""

    def __init__(self) -> None:
        self.charged = 0.0
        self.hits = 0
        self._cache: dict = {}

    def wrap(self, fn, key_of):
        def shared(*args, **kw):
            t0 = cpu_clock()
            key = (fn.__qualname__, key_of(*args, **kw))
            got = self._cache.get(key)
            keying = cpu_clock() - t0
            if got is not None:
                self.charged += got[1] - keying
                self.hits += 1
                return got[0]
            t0 = cpu_clock()
            out = fn(*args, **kw)
            self._cache[key] = (out, cpu_clock() - t0, args)
            self.charged -= keying
            return out
        return shared

    def waiting(self, fn):
        """`fn` with the time it waits (wall time not spent on this thread's CPU) charged."""
        def waited(*args, **kw):
            w0, c0 = time.perf_counter(), cpu_clock()
            try:
                return fn(*args, **kw)
            finally:
                self.charged += max(0.0, (time.perf_counter() - w0) - (cpu_clock() - c0))
        return waited

    @contextmanager
    def installed(self):
        """Patch (restored on exit) the signing path's pure functions — decoding a signing
        package (`AuthSign`, `AuthDirect`: the same payload for every signer), the binding
        factors and the group commitment of one commitment list — and `os.fsync`, whose wait
        is charged to the party that waits."""
        from pqzk.policy import messages
        from pqzk.threshold.frost import core

        def ids(cl):
            return tuple(map(id, cl))

        patches = [
            (os, "fsync", self.waiting(os.fsync)),
            (core, "compute_binding_factors", self.wrap(
                core.compute_binding_factors,
                lambda suite, pk, cl, msg: (suite.name, ids(cl), pk.to_bytes(), bytes(msg)))),
            (core, "compute_group_commitment", self.wrap(
                core.compute_group_commitment,
                lambda suite, cl, bf: (suite.name, ids(cl), tuple(sorted(bf.items()))))),
        ]
        for cls in (messages.AuthSign, messages.AuthDirect):
            fn = cls.from_payload.__func__
            decode = self.wrap(lambda payload, suite=None, _c=cls, _f=fn: _f(_c, payload, suite),
                               lambda payload, suite=None: (bytes(payload), getattr(suite, "name", None)))
            decode.__qualname__ = f"{cls.__name__}.from_payload"
            patches.append((cls, "from_payload", staticmethod(decode)))
        saved = [(obj, name, obj.__dict__.get(name)) for obj, name, _ in patches]   # None: inherited
        try:
            for obj, name, new in patches:
                setattr(obj, name, new)
            yield self
        finally:
            for obj, name, old in saved:
                if old is None:
                    delattr(obj, name)
                else:
                    setattr(obj, name, old)


# ---- parties as machines on the hub -------------------------------------------------------------
class MachineTransport:
    """A party's `Transport` on the hub that charges it for its work: the wall time since it
    took its last frame (plus shared work charged meanwhile) delays what it sends and when it
    can take the next frame. Frames leave one after another through an uplink of `bandwidth`
    bytes/s (None: unlimited)."""

    def __init__(self, hub, me, shared: SharedWork, bandwidth: float | None = None) -> None:
        self.hub, self.me, self.shared, self.bandwidth = hub, me, shared, bandwidth
        self.uplink_free = 0.0
        self.queue = hub.queues.setdefault(me, asyncio.Queue())
        self.busy_total = 0.0
        self.bytes_out = 0
        self.frames_out = 0
        self.start: float | None = None         # None: idle (not yet begun: nothing to charge)

    def begin(self) -> None:
        """This party starts working now (it took a frame, or is told to start)."""
        self.start = asyncio.get_running_loop().time()
        self.mark = cpu_clock()
        self.charged_mark = self.shared.charged

    def busy(self) -> float:
        if self.start is None:
            return 0.0
        return cpu_clock() - self.mark + self.shared.charged - self.charged_mark

    def now(self) -> float:
        """The virtual time at which this party's current work is done."""
        if self.start is None:
            return asyncio.get_running_loop().time()
        return self.start + self.busy()

    async def send(self, to, frame: bytes, session: bytes | None = None) -> None:
        loop = asyncio.get_running_loop()
        ready = self.now()
        targets = [p for p in self.hub.queues if p != self.me] if to is None else [to]
        for p in targets:
            if self.bandwidth:
                self.uplink_free = max(ready, self.uplink_free) + len(frame) / self.bandwidth
                ready_at = self.uplink_free
            else:
                ready_at = ready
            loop.call_later(ready_at - loop.time(), self.hub._deliver, self.me, p, frame)
            self.bytes_out += len(frame)
            self.frames_out += 1

    async def receive(self, timeout: float) -> bytes | None:
        busy = self.busy()
        self.busy_total += busy
        free = self.now() - asyncio.get_running_loop().time()
        if free > 0:
            await asyncio.sleep(free)
        try:
            frame = await asyncio.wait_for(self.queue.get(), timeout)
        except (asyncio.TimeoutError, TimeoutError):
            frame = None
        self.begin()
        return frame

    async def close(self) -> None:
        return None


def three_regions(rtts=(0.020, 0.080, 0.150)):
    """Node i's round-trip time to the broker: the regions in turn (1 -> first, 2 -> second, ...)."""
    return lambda i: rtts[(i - 1) % len(rtts)]


@dataclass
class Prediction:
    n: int
    t: int
    rounds: int
    seconds: float               # virtual: from the coordinator's start to its result
    coordinator_busy: float      # of which the coordinator worked
    signer_busy: float           # mean time a signer worked in this signature
    signers_rtt: float           # the slowest chosen signer's round-trip time
    bytes_out_coordinator: int
    wall: float                  # real seconds the simulation took
    shared_hits: int


class SimCommittee:
    """n node services with trusted-dealer keys (no DKG), composite identities, X-Wing channels,
    sealed nonces and audit logs in a temporary directory; `sign()` predicts one authorization."""

    def __init__(self, n: int, t: int, rtt, *, coordinator_rtt: float = 0.0, bandwidth: float | None = GBIT,
                 seed: bytes = b"sim") -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from pqzk.math.rand import DeterministicRNG
        from pqzk.node.committee import Committee
        from pqzk.node.identity import NodePublic
        from pqzk.policy.audit import AuditLog
        from pqzk.policy.model import Policy
        from pqzk.runtime.channel import Channel, generate_kem_keys
        from pqzk.runtime.identity import COMPOSITE, generate_keyrings
        from pqzk.threshold import frost
        from net_harness import policy_document

        self.n, self.t, self.rtt, self.coordinator_rtt, self.bandwidth = n, t, rtt, coordinator_rtt, bandwidth
        self.ids = list(range(1, n + 1))
        everyone = [COORDINATOR, *self.ids]
        self.rings = generate_keyrings(everyone, scheme=COMPOSITE, rng=DeterministicRNG(seed + b"/id"))
        kems = generate_kem_keys(everyone, rng=DeterministicRNG(seed + b"/kem"))
        self.channels = {p: Channel(p, b"sim", kems[p]) for p in everyone}
        suite = frost.get_ciphersuite(SUITE)
        self.kps, self.pkp = frost.trusted_dealer_keygen(suite, t, n, rng=DeterministicRNG(seed + b"/k"))
        self.policy = Policy.from_dict(policy_document(n, t))
        from pqzk.pq import mldsa
        self.pq = {p: mldsa.keygen("ML-DSA-44", rng=DeterministicRNG(seed + b"/pq/" + str(p).encode())) for p in everyone}
        pub = {p: NodePublic(p, self.rings[p].signing_key.public_key, kems[p].public[p], self.pq[p].public_key)
               for p in everyone}
        self.committee = Committee("sim", 1, tuple(pub[i] for i in self.ids), (pub[COORDINATOR],), SUITE, t,
                                   None, policy_document(n, t))
        self._stack = ExitStack()
        self.dir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="pqzk-sim-")))
        self.audits = {i: self._stack.enter_context(AuditLog(self.dir / f"audit-{i}.db", Ed25519PrivateKey.from_private_bytes(
            hashlib.sha256(seed + b"audit %d" % i).digest()))) for i in self.ids}
        self.services = {i: self._service(i) for i in self.ids}
        self.count = 0

    def _service(self, i: int):
        from pqzk.node.service import NodeService
        from pqzk.policy.signer import PolicySigner
        from pqzk.policy.state import PolicyState
        from pqzk.runtime.frost_parties import FrostSigner
        from pqzk.tokens.nonces import FileNonceStore
        ring = self.rings[i]
        store = FileNonceStore(self.dir / f"nonces-{i}", SUITE, hashlib.sha256(b"nonce key %d" % i).digest())

        def policy_signer(kp, pkp):         # as pqzk.node.run builds it
            frost = FrostSigner(kp, ring, coordinator=COORDINATOR, nonce_store=store)
            return PolicySigner(kp, PolicyState(self.policy), ring, public_key_package=pkp, clock=lambda: NOW,
                                frost_signer=frost, coordinator=COORDINATOR, pq_key=self.pq[i],
                                roster=self.committee.roster())
        return NodeService(self.committee, ring, key_package=self.kps[i], public_key_package=self.pkp,
                           audit=self.audits[i].append, policy_factory=policy_signer)

    def _latency(self, s, r) -> float:
        def rtt(p):
            return self.coordinator_rtt if p == COORDINATOR else self.rtt(p)
        return rtt(s) / 2 + rtt(r) / 2

    def nearest(self) -> list[int]:
        """The t nodes nearest the broker (what a coordinator that knows the latencies picks)."""
        return sorted(sorted(self.ids, key=lambda i: (self.rtt(i), i))[:self.t])

    def sign(self, *, one_round: bool) -> Prediction:
        """One authorization: two rounds with every node a candidate (the first t to accept
        sign), or one round over preprocessed commitments of the t nearest nodes."""
        from pqzk.policy.coordinator import AuthorizationCoordinator
        from pqzk.policy.state import PolicyState
        from pqzk.runtime.driver import Driver
        from pqzk.runtime.frost_parties import CommitmentPool, FrostPreprocessor
        from pqzk.runtime.transports.inprocess import Hub
        from net_harness import ResultClock, request_for

        self.count += 1
        tag = b"sim-%d" % self.count
        shared = SharedWork()
        wall = time.perf_counter()

        async def main():
            hub = Hub(latency=self._latency)
            nodes = {i: MachineTransport(hub, i, shared, self.bandwidth) for i in self.ids}
            drivers = [Driver(self.services[i], self.channels[i], nodes[i], timeout=5.0, serve=True) for i in self.ids]
            tasks = [asyncio.get_running_loop().create_task(d.run(start=False)) for d in drivers]
            coord_t = MachineTransport(hub, COORDINATOR, shared, self.bandwidth)
            comms = None
            if one_round:
                pre = FrostPreprocessor(self.pkp.suite, self.nearest(), 1, self.rings[COORDINATOR],
                                        session=tag + b"-pre")
                coord_t.begin()
                await Driver(pre, self.channels[COORDINATOR], coord_t, timeout=5.0).run()
                pool = CommitmentPool()
                pool.add(pre.result)
                comms = pool.take(self.nearest())
            coord = AuthorizationCoordinator(PolicyState(self.policy), self.pkp, request_for(tag, 0), self.ids,
                                             self.rings[COORDINATOR], now=NOW, session=tag, commitments=comms)
            for tr in (coord_t, *nodes.values()):
                tr.busy_total = 0.0
            coord_t.bytes_out = 0
            coord_t.begin()
            t0 = coord_t.start
            timed = ResultClock(coord, coord_t.now)
            await Driver(timed, self.channels[COORDINATOR], coord_t, timeout=5.0, idle_limit=2).run()
            coord_busy = coord_t.busy_total + coord_t.busy()
            done = timed.at
            if coord.result is None or done is None:
                raise RuntimeError(f"simulated signing failed: {coord.error!r}")
            for d in drivers:
                d.stop()
            await asyncio.sleep(10.0)          # virtual: the nodes notice the stop and finish
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            signers = list(coord.signers)
            return Prediction(self.n, self.t, 1 if one_round else 2, done - t0, coord_busy,
                              sum(nodes[i].busy_total for i in signers) / len(signers),
                              max(self.rtt(i) for i in signers), coord_t.bytes_out, 0.0, shared.hits)

        loop = VirtualLoop()
        try:
            with shared.installed():
                pred = loop.run_until_complete(main())
        finally:
            loop.close()
        pred.wall = time.perf_counter() - wall
        return pred

    def close(self) -> None:
        self._stack.close()


__all__ = ["MachineTransport", "Prediction", "SharedWork", "SimCommittee", "VirtualLoop", "three_regions"]
