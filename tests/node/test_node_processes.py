"""Nodes as real processes over a private nats-server: each holds its share and identity in its own
sealed store and decides for itself. A DKG by invitation, one-round and two-round policy signing,
a node killed with SIGKILL (the others still sign), a node restarted (a replayed request never
gets a second signature), a malicious node process (named, and nobody else), a stale committee file."""
from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import multiprocessing
import os
import queue
import secrets
import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
from nats_helpers import config, nats_server  # noqa: E402,F401

from pqzk.errors import PolicyViolation, ProtocolAbort, VerificationError  # noqa: E402
from pqzk.node.committee import Committee  # noqa: E402
from pqzk.node.home import NodeHome  # noqa: E402
from pqzk.node.identity import IDENTITY_KEY_ID, IDENTITY_SUITE, NodeIdentity  # noqa: E402
from pqzk.node.run import NetworkRunner, channel_for  # noqa: E402
from pqzk.node.service import Invitation, Inviter  # noqa: E402
from pqzk.policy.authorization import verify_authorization  # noqa: E402
from pqzk.policy.coordinator import AuthorizationCoordinator  # noqa: E402
from pqzk.policy.model import Policy  # noqa: E402
from pqzk.policy.request import AuthorizationRequest  # noqa: E402
from pqzk.policy.state import PolicyState  # noqa: E402
from pqzk.runtime.frost_parties import CommitmentPool, FrostPreprocessor  # noqa: E402
from pqzk.runtime.transports.nats import NatsNode  # noqa: E402
from pqzk.tokens import open_store  # noqa: E402

CTX = multiprocessing.get_context("spawn")
PASS = "node passphrase"
NODES = [1, 2, 3]
POLICY = {"version": 1, "name": "procs", "quorum": {"min_signers": 2},
          "signers": {str(i): {"roles": ["ops"]} for i in NODES}, "post_quantum": {"required_above": 1000}}
NOW = 2_000_000_000


def _identity(home: NodeHome) -> NodeIdentity:
    cfg = home.config()
    with open_store(cfg["store"], PASS) as store, store.get(IDENTITY_KEY_ID, ciphersuite=IDENTITY_SUITE) as u:
        return NodeIdentity.from_record(cfg["id"], bytes(u.value))


def _fast_kdf():
    from pqzk.tokens.passphrase import KdfParams
    KdfParams.default = classmethod(lambda cls: KdfParams.fast_for_tests())


def node_main(home: str, committee_json: str, url: str, ready, stop, adversary: str | None = None) -> None:
    """One node process: open the home (committee verified and pinned), serve until `stop`."""
    import logging
    logging.getLogger("nats").setLevel(logging.CRITICAL)
    _fast_kdf()
    from pqzk.node.run import run_node
    from pqzk.runtime.frost_parties import FrostSigner
    cls = FrostSigner
    if adversary == "wrong-share":
        from pqzk.runtime.adversary import WrongShareSigner as cls
    committee = Committee.from_json(committee_json)

    async def main():
        event = asyncio.Event()

        async def watch():
            while not stop.is_set():
                await asyncio.sleep(0.05)
            event.set()
        asyncio.get_running_loop().create_task(watch())
        with NodeHome(home).open(PASS, committee) as node:
            await run_node(node, config(url), stop=event, timeout=0.2, clock=lambda: NOW,
                           ready=lambda d: ready.put(node.identity.node_id), frost_signer_cls=cls)
    try:
        asyncio.run(main())
    except Exception as exc:      # noqa: BLE001 - reported to the parent
        ready.put(f"error: {type(exc).__name__}: {exc}")


class Cluster:
    def __init__(self, tmp_path: Path, url: str) -> None:
        self.tmp, self.url = tmp_path, url
        self.homes = {i: NodeHome(tmp_path / f"n{i}") for i in NODES}
        pubs = {i: h.create(i, f"file:{tmp_path / f's{i}'}", PASS) for i, h in self.homes.items()}
        self.coord = NodeHome(tmp_path / "c")
        cpub = self.coord.create("coordinator", f"file:{tmp_path / 'sc'}", PASS)
        c = Committee("procs-" + secrets.token_hex(4), 1, tuple(pubs.values()), (cpub,), "FROST-ED25519-SHA512-v1",
                      2, None, POLICY)
        for h in self.homes.values():
            c = c.sign(_identity(h))
        self.committee = c
        self.ready, self.stop = CTX.Queue(), CTX.Event()
        self.procs: dict[int, multiprocessing.Process] = {}

    def start(self, i: int, adversary: str | None = None) -> None:
        p = CTX.Process(target=node_main, args=(str(self.homes[i].path), self.committee.to_json(), self.url,
                                                self.ready, self.stop, adversary))
        p.start()
        self.procs[i] = p

    def wait_ready(self, count: int, limit: float = 60.0) -> None:
        got, deadline = [], time.monotonic() + limit
        while len(got) < count and time.monotonic() < deadline:
            try:
                got.append(self.ready.get(timeout=1.0))
            except queue.Empty:
                continue
        assert all(isinstance(g, int) for g in got) and len(got) == count, got

    def kill(self, i: int) -> None:
        os.kill(self.procs[i].pid, signal.SIGKILL)
        self.procs[i].join(10)

    def close(self) -> None:
        self.stop.set()
        for p in self.procs.values():
            p.join(15)
            if p.is_alive():
                p.kill()
                p.join(5)


@pytest.fixture
def cluster(tmp_path, nats_server, fast_kdf):  # noqa: F811 - the pytest fixture
    # fast KDF parameters for the homes built here (undone after the test; node processes set their own)
    c = Cluster(tmp_path, nats_server.url)
    try:
        yield c
    finally:
        c.close()


async def _coordinate(c: Cluster, job):
    with c.coord.open(PASS, c.committee) as co:
        node = await NatsNode.connect(config(c.url), c.committee.committee_id, "coordinator")
        try:
            return await job(co, node, NetworkRunner(node, channel_for(co), timeout=0.5, idle_limit=6))
        finally:
            await node.close()


async def _dkg(c: Cluster, co, node, runner):
    inviter = Inviter(Invitation("dkg", tuple(NODES), 2), co.keyring, session=b"dkg", to=NODES)
    await runner.run_async([inviter], inviter.start(), b"dkg")


def _request(tag: bytes, amount: int = 10) -> AuthorizationRequest:
    h = hashlib.sha256(tag).digest()
    return AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), NOW, 1, amount, "alice")


async def _authorize(co, runner, pkp, request, candidates, session, commitments=None):
    coord = AuthorizationCoordinator(PolicyState(Policy.from_dict(POLICY)), pkp, request, candidates, co.keyring,
                                     now=NOW, session=session, commitments=commitments,
                                     roster=co.committee.roster())
    await runner.run_async([coord], coord.start(), session)
    return coord


def _group_key(c: Cluster, i: int):
    from pqzk.threshold.frost.types import PublicKeyPackage
    from pqzk.threshold.frost.ciphersuite import get_ciphersuite
    path = c.homes[i].path / "public_key_package"
    for _ in range(200):
        if path.exists():
            return PublicKeyPackage.from_bytes(get_ciphersuite("FROST-ED25519-SHA512-v1"), path.read_bytes())
        time.sleep(0.05)
    raise AssertionError(f"node {i} holds no key")


def test_nodes_sign_over_nats_and_survive_a_killed_node(cluster):
    for i in NODES:
        cluster.start(i)
    cluster.wait_ready(3)
    asyncio.run(_coordinate(cluster, lambda co, node, runner: _dkg(cluster, co, node, runner)))
    pkp = _group_key(cluster, 1)
    assert all(_group_key(cluster, i) == pkp for i in NODES)
    policy = Policy.from_dict(POLICY)

    async def sign(co, node, runner):
        pre = FrostPreprocessor(pkp.suite, NODES, 2, co.keyring, session=b"pre")
        await runner.run_async([pre], pre.start(), b"pre")
        pool = CommitmentPool()
        pool.add(pre.result)
        one = await _authorize(co, runner, pkp, _request(b"one"), NODES, b"auth-1", pool.take([1, 3]))
        cluster.kill(2)                                            # SIGKILL: node 2 is gone
        two = await _authorize(co, runner, pkp, _request(b"two"), NODES, b"auth-2")    # two rounds, 1 and 3
        big = await _authorize(co, runner, pkp, _request(b"big", 5000), NODES, b"auth-3")  # + ML-DSA evidence
        return one, two, big

    one, two, big = asyncio.run(_coordinate(cluster, sign))
    verify_authorization(one.result, _request(b"one"), policy, pkp)
    verify_authorization(two.result, _request(b"two"), policy, pkp)
    assert sorted(two.result.signers) == [1, 3]
    verify_authorization(big.result, _request(b"big", 5000), policy, pkp, roster=cluster.committee.roster())
    assert len(big.result.pq_signatures) == 2                     # each signer's ML-DSA-44 evidence


def test_a_restarted_node_never_signs_twice(cluster):
    for i in NODES:
        cluster.start(i)
    cluster.wait_ready(3)
    asyncio.run(_coordinate(cluster, lambda co, node, runner: _dkg(cluster, co, node, runner)))
    pkp = _group_key(cluster, 1)

    async def first(co, node, runner):
        pre = FrostPreprocessor(pkp.suite, [1, 2], 1, co.keyring, session=b"pre")
        await runner.run_async([pre], pre.start(), b"pre")
        comms = {i: b[0] for i, b in pre.result.items()}
        done = await _authorize(co, runner, pkp, _request(b"once"), [1, 2], b"auth-a", comms)
        return done, comms

    done, comms = asyncio.run(_coordinate(cluster, first))
    assert done.result is not None
    cluster.kill(1)
    cluster.start(1)                                              # node 1 restarts from its home
    cluster.wait_ready(1)

    async def again(co, node, runner):                             # the same commitments, another request
        return await _authorize(co, runner, pkp, _request(b"twice"), [1, 2], b"auth-b", comms)

    second = asyncio.run(_coordinate(cluster, again))
    assert second.result is None and isinstance(second.error, PolicyViolation)
    assert second.error.rule == "signing_request"


def test_a_malicious_node_process_is_named_and_nobody_else(cluster):
    cluster.start(1)
    cluster.start(2, adversary="wrong-share")
    cluster.start(3)
    cluster.wait_ready(3)
    asyncio.run(_coordinate(cluster, lambda co, node, runner: _dkg(cluster, co, node, runner)))
    pkp = _group_key(cluster, 1)

    async def sign(co, node, runner):
        bad = await _authorize(co, runner, pkp, _request(b"bad"), [1, 2], b"auth-x")      # 2 must sign
        retry = await _authorize(co, runner, pkp, _request(b"retry"), [1, 3], b"auth-y")  # without it
        return bad, retry

    bad, retry = asyncio.run(_coordinate(cluster, sign))
    assert isinstance(bad.error, ProtocolAbort) and bad.error.culprits == [2] and bad.error.unresponsive == []
    verify_authorization(retry.result, _request(b"retry"), Policy.from_dict(POLICY), pkp)


def test_a_node_refuses_a_stale_committee_file(cluster, tmp_path):
    newer = dataclasses.replace(cluster.committee, version=2, signatures={})
    for h in cluster.homes.values():
        newer = newer.sign(_identity(h))
    with cluster.homes[1].open(PASS, newer):
        pass
    cluster.ready = CTX.Queue()
    cluster.start(1)                                              # started with the old (version 1) file
    got = cluster.ready.get(timeout=60)
    assert isinstance(got, str) and "older than version 2" in got
    with pytest.raises(VerificationError):
        with cluster.homes[1].open(PASS, cluster.committee):
            pass


def test_a_restarted_node_remembers_what_it_signed(cluster):
    """The same request (same id, same transaction) asked again after a restart: the restarted
    node's policy signer refuses it (rule replay) — it re-read what it signed from its audit log."""
    for i in NODES:
        cluster.start(i)
    cluster.wait_ready(3)
    asyncio.run(_coordinate(cluster, lambda co, node, runner: _dkg(cluster, co, node, runner)))
    pkp = _group_key(cluster, 1)

    async def sign(session):
        async def job(co, node, runner):
            return await _authorize(co, runner, pkp, _request(b"only once"), [1, 2], session)
        return await _coordinate(cluster, job)

    assert asyncio.run(sign(b"auth-first")).result is not None
    for i in (1, 2):
        cluster.kill(i)
        cluster.start(i)
    cluster.wait_ready(2)
    again = asyncio.run(sign(b"auth-again"))
    assert again.result is None and isinstance(again.error, PolicyViolation) and again.error.rule == "replay"
