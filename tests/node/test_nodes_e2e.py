"""Nodes end to end, in one process over the in-process hub: homes with file stores, a committee
file signed by every node, a DKG by invitation, one-round policy signing over preprocessed
commitments — and one node cold, reached only by frame bundles."""
from __future__ import annotations

import asyncio
import hashlib

import pytest

from pqzk.node.committee import Committee
from pqzk.node.home import NodeHome
from pqzk.node.identity import IDENTITY_KEY_ID, IDENTITY_SUITE, NodeIdentity
from pqzk.node.run import channel_for, serve, step
from pqzk.node.service import Invitation, Inviter
from pqzk.policy.audit import records
from pqzk.policy.authorization import verify_authorization
from pqzk.policy.coordinator import AuthorizationCoordinator
from pqzk.policy.model import Policy
from pqzk.policy.request import AuthorizationRequest
from pqzk.policy.state import PolicyState
from pqzk.runtime.driver import Driver
from pqzk.runtime.frost_parties import CommitmentPool, FrostPreprocessor
from pqzk.runtime.transports.files import read_bundle, write_bundle
from pqzk.runtime.transports.inprocess import Hub
from pqzk.tokens import open_store

PASS = "node passphrase"
POLICY = {"version": 1, "name": "e2e", "quorum": {"min_signers": 2},
          "signers": {"1": {"roles": ["ops"]}, "2": {"roles": ["ops"]}, "3": {"roles": ["ops"]}}}
NOW = 2_000_000_000


pytestmark = pytest.mark.usefixtures("fast_kdf")   # tests/conftest.py


def _identity(home: NodeHome) -> NodeIdentity:
    cfg = home.config()
    with open_store(cfg["store"], PASS) as store, store.get(IDENTITY_KEY_ID, ciphersuite=IDENTITY_SUITE) as u:
        return NodeIdentity.from_record(cfg["id"], bytes(u.value))


def _setup(tmp_path):
    homes = {i: NodeHome(tmp_path / f"n{i}") for i in (1, 2, 3)}
    pubs = {i: h.create(i, f"file:{tmp_path / f's{i}'}", PASS) for i, h in homes.items()}
    coord = NodeHome(tmp_path / "c")
    cpub = coord.create("coordinator", f"file:{tmp_path / 'sc'}", PASS)
    c = Committee("e2e", 1, tuple(pubs.values()), (cpub,), "FROST-ED25519-SHA512-v1", 2, None, POLICY)
    for h in homes.values():
        c = c.sign(_identity(h))
    return homes, coord, c


async def _online(homes, coordinator_home, committee, jobs):
    """Nodes 1 and 2 served on a hub; the coordinator runs `jobs(coordinator, transport)`."""
    hub = Hub()
    drivers = []
    with homes[1].open(PASS, committee) as n1, homes[2].open(PASS, committee) as n2, \
            coordinator_home.open(PASS, committee) as co:
        tasks = [asyncio.create_task(serve(n, hub.connect(i), timeout=0.05, clock=lambda: NOW,
                                           ready=drivers.append)) for i, n in ((1, n1), (2, n2))]
        await asyncio.sleep(0)
        result = await jobs(co, hub.connect("coordinator"))
        for d in drivers:
            d.stop()
        await asyncio.gather(*tasks)
    return result


def test_dkg_then_one_round_signing_with_a_cold_node(tmp_path):
    homes, coord_home, committee = _setup(tmp_path)
    # the DKG with every node online; afterwards node 3 goes cold
    inv = Invitation("dkg", (1, 2, 3), 2)

    async def dkg_all():
        hub = Hub()
        drivers = []
        with homes[1].open(PASS, committee) as n1, homes[2].open(PASS, committee) as n2, \
                homes[3].open(PASS, committee) as n3, coord_home.open(PASS, committee) as co:
            tasks = [asyncio.create_task(serve(n, hub.connect(i), timeout=0.05, clock=lambda: NOW,
                                               ready=drivers.append)) for i, n in ((1, n1), (2, n2), (3, n3))]
            await asyncio.sleep(0)
            await Driver(Inviter(inv, co.keyring, session=b"dkg", to=[1, 2, 3]), channel_for(co),
                         hub.connect("coordinator"), timeout=0.05).run()
            for _ in range(300):
                await asyncio.sleep(0.02)
                if all(n.key()[0] is not None for n in (n1, n2, n3)):
                    break
            for d in drivers:
                d.stop()
            await asyncio.gather(*tasks)
            return n1.key()[1]

    pkp = asyncio.run(dkg_all())
    assert pkp is not None and pkp.min_signers == 2

    # node 3 goes cold: it preprocesses by bundle, then signs by bundle
    with coord_home.open(PASS, committee) as co:
        pre = FrostPreprocessor(pkp.suite, [3], 2, co.keyring, session=b"pre-cold")
        out = tmp_path / "to-3.bundle"
        write_bundle(out, [channel_for(co).wrap(m)[1] for m in pre.start()])
    with homes[3].open(PASS, committee) as n3:
        frames, refused = step(n3, read_bundle(out), clock=lambda: NOW)
        assert not refused
        write_bundle(tmp_path / "from-3.bundle", frames)
    with coord_home.open(PASS, committee) as co:
        chan = channel_for(co)
        for f in read_bundle(tmp_path / "from-3.bundle"):
            pre.receive(chan.unwrap(f))
    assert pre.result is not None and len(pre.result[3]) == 2
    pool = CommitmentPool()
    pool.add(pre.result)

    # node 1 online preprocesses over the hub; then the coordinator signs with {1, 3} in one round
    request = AuthorizationRequest(hashlib.sha256(b"rid").digest()[:16], hashlib.sha256(b"tx").digest(), NOW, 1,
                                   5, "alice")

    async def sign(co, transport):
        chan = channel_for(co)
        pre1 = FrostPreprocessor(pkp.suite, [1], 1, co.keyring, session=b"pre-1")
        await Driver(pre1, chan, transport, timeout=0.2).run()
        pool.add(pre1.result)
        coordinator = AuthorizationCoordinator(PolicyState(Policy.from_dict(POLICY)), pkp, request, [1, 3],
                                               co.keyring, now=NOW, session=b"sign-1",
                                               commitments=pool.take([1, 3]))
        return coordinator, chan, coordinator.start()

    coordinator, chan, first = asyncio.run(_online(homes, coord_home, committee, sign))
    # node 1's share arrives over the hub in a real run; here both go by bundle to keep one event loop simple
    for node_id in (1, 3):
        with homes[node_id].open(PASS, committee) as n:
            frames, refused = step(n, [chan.wrap(m)[1] for m in first if m.recipient == node_id], clock=lambda: NOW)
            assert not refused
            for f in frames:
                coordinator.receive(chan.unwrap(f))
    verify_authorization(coordinator.result, request, Policy.from_dict(POLICY), pkp)
    # the cold node journaled its decisions
    events = [r.body.get("event") for r in records(tmp_path / "n3" / "audit.db")]
    assert "invitation accepted" in events and "session finished" in events and "signed" in events
