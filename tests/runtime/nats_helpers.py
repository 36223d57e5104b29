"""Helpers for the NATS tests (imported by name: a second conftest.py would shadow
tests/conftest.py for `from conftest import ...`): a private broker per test session, and the
parties of a committee wired to it with drivers.

Everything runs on 127.0.0.1 and is bounded: servers stop at the end of the session (or of the
test that made them), drivers give up after their idle limit, every wait has a timeout.
"""
from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

import pytest

from conftest import require_component
from pqzk.discovery import NATS_HOW, find_nats_server
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import COORDINATOR, FrostCoordinator, FrostSigner, generate_keyrings
from pqzk.runtime.channel import Channel, generate_kem_keys
from pqzk.runtime.dkg_parties import DkgParticipant
from pqzk.runtime.driver import Driver
from pqzk.runtime.transports.nats import NatsConfig, NatsLink, NatsNode
from pqzk.runtime.transports.nats_server import NatsServer
from pqzk.threshold import frost

SUITE = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
_SHARED: dict[str, NatsServer] = {}


def require_nats_server() -> str:
    path, why = find_nats_server()
    require_component(path is not None, "nats-server", f"{NATS_HOW} ({why})")
    return path


def private_server(**kw) -> NatsServer:
    """A fresh broker for one test (one that kills or restarts it); the caller closes it."""
    require_nats_server()
    return NatsServer(**kw).start()


@pytest.fixture(scope="session")
def nats_server():
    """The test session's private broker (JetStream in a temp dir, 127.0.0.1, a free port),
    started once per session (per xdist worker) whichever module asks first, stopped at the end."""
    require_nats_server()
    server = _SHARED.get("server")
    if server is None or not server.running:
        server = _SHARED["server"] = NatsServer().start()
    yield server
    if _SHARED.get("server") is server:
        del _SHARED["server"]
        server.close()


async def until(predicate, limit: float = 15.0, step: float = 0.05) -> bool:
    """Wait (bounded) until `predicate()` holds; returns whether it did."""
    deadline = asyncio.get_running_loop().time() + limit
    while not predicate():
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(step)
    return True


def config(*urls: str, **kw) -> NatsConfig:
    """A client configuration for the test brokers. Streams reserve 16 MiB each (the default 256 MiB
    would let a session's broker hold only 16 committees' streams in its 4 GiB JetStream store)."""
    kw.setdefault("reconnect_wait", 0.1)
    kw.setdefault("max_bytes", 16 << 20)
    return NatsConfig(servers=tuple(urls), **kw)


def fresh_committee() -> bytes:
    """A committee id of its own per test, so that tests sharing a broker share no stream."""
    return b"test-committee-" + secrets.token_bytes(8)


@dataclass
class Committee:
    """Identities, KEM keys and FROST keys of parties 1..n and a coordinator (deterministic from
    `seed`, so that separate processes derive the same ones)."""
    n: int
    t: int
    seed: bytes
    committee: bytes

    def __post_init__(self) -> None:
        self.ids = list(range(1, self.n + 1))
        everyone = [COORDINATOR, *self.ids]
        self.rings = generate_keyrings(everyone, rng=DeterministicRNG(self.seed + b"/id"))
        self.kems = generate_kem_keys(everyone, rng=DeterministicRNG(self.seed + b"/kem"))
        self.kps, self.pkp = frost.trusted_dealer_keygen(SUITE, self.t, self.n, rng=DeterministicRNG(self.seed + b"/k"))

    def channel(self, pid) -> Channel:
        return Channel(pid, self.committee, self.kems[pid])


async def drive_session(link_for, parties, channels, session: bytes, *, timeout: float = 0.5,
                        idle_limit: int = 12, deadline: float = 60.0):
    """Run each party over its own NATS session transport until every one finishes; returns the
    drivers. `link_for(pid)` gives the NatsLink a party uses."""
    transports = [await link_for(p.id).transport(session, p.id) for p in parties]
    drivers = [Driver(p, channels[p.id], t, timeout=timeout, idle_limit=idle_limit)
               for p, t in zip(parties, transports)]
    try:
        await asyncio.wait_for(asyncio.gather(*(d.run() for d in drivers)), deadline)
    finally:
        for t in transports:
            await t.close()
    return drivers


async def run_dkg_over(links: dict, com: Committee, session: bytes, min_signers: int, **kw):
    parties = [DkgParticipant(SUITE, i, com.ids, min_signers, com.rings[i], session=session) for i in com.ids]
    channels = {i: com.channel(i) for i in com.ids}
    drivers = await drive_session(lambda pid: links[pid], parties, channels, session, **kw)
    return parties, drivers, channels


class SignerNodes:
    """FROST signers as nodes: each serves every session addressed to it (`NatsNode.serve`),
    one Driver per session over the node's session transport, one channel per node."""

    def __init__(self, com: Committee, links: dict, signers, *, timeout: float = 0.3, idle_limit: int = 3) -> None:
        self.com, self.links, self.ids = com, links, list(signers)
        self.parties = {i: FrostSigner(com.kps[i], com.rings[i]) for i in self.ids}
        self.channels = {i: com.channel(i) for i in self.ids}
        self.drivers: list[Driver] = []
        self.timeout, self.idle_limit = timeout, idle_limit
        self.stop = asyncio.Event()
        self.nodes: dict[int, NatsNode] = {}
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> "SignerNodes":
        for i in self.ids:
            self.nodes[i] = node = await self.links[i].node(i)

            async def handler(session, transport, i=i):
                d = Driver(self.parties[i], self.channels[i], transport, timeout=self.timeout,
                           idle_limit=self.idle_limit)
                self.drivers.append(d)
                await d.run(start=False)
            self.tasks.append(asyncio.get_running_loop().create_task(node.serve(handler, stop=self.stop, poll=0.2)))
        return self

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for node in self.nodes.values():
            await node.close()


async def sign_over(link, com: Committee, message: bytes, signers, session: bytes, *,
                    timeout: float = 1.0, idle_limit: int = 4, deadline: float = 30.0):
    """The coordinator's side of one FROST signing over NATS: (coordinator, driver). `link` is a
    NatsLink (a transport of the session's own) or the coordinator's NatsNode (a session view)."""
    coord = FrostCoordinator(com.pkp, message, list(signers), com.rings[COORDINATOR], session=session)
    transport = link.session(session) if isinstance(link, NatsNode) else await link.transport(session, COORDINATOR)
    driver = Driver(coord, com.channel(COORDINATOR), transport, timeout=timeout, idle_limit=idle_limit)
    try:
        await asyncio.wait_for(driver.run(), deadline)
    finally:
        await transport.close()
    return coord, driver


async def stored_frames(link: NatsLink, subj: str | None = None) -> list[tuple[str, bytes]]:
    """(subject, frame) of every frame the broker stored on `subj` (wildcards allowed; default:
    the link's whole committee), in stream order — what an eavesdropping broker sees."""
    from pqzk.runtime.transports.nats import committee_token
    subj = subj or f"{link.config.prefix}.{committee_token(link.committee)}.>"
    sub = await link.js.pull_subscribe(subj, stream=link.stream)
    out = []
    while True:
        try:
            msgs = await sub.fetch(100, timeout=0.5)
        except asyncio.TimeoutError:
            break
        out += [(m.subject, m.data) for m in msgs]
    await sub.unsubscribe()
    return out


async def open_links(cfgs: dict, committee: bytes) -> dict:
    """One NatsLink per party: {pid: link} from {pid: NatsConfig}."""
    return {pid: await NatsLink.open(cfg, committee) for pid, cfg in cfgs.items()}


async def close_links(links: dict) -> None:
    for link in links.values():
        await link.close()


# ---- parties in their own OS processes (multiprocessing, spawn) ---------------------------------
def process_gone(pid: int) -> bool:
    """No process has this pid any more (it exited and was reaped)."""
    import os
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _quiet_child() -> None:
    import logging
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    logging.getLogger("nats").setLevel(logging.CRITICAL)


def signer_node_process(url: str, committee: bytes, seed: bytes, n: int, t: int, pid: int, ready, stop,
                        limit: float = 60.0) -> None:
    """A FROST signer node in its own process: derives the committee's keys from `seed`, serves
    every session addressed to it until `stop` is set (or `limit` seconds pass)."""
    _quiet_child()
    com = Committee(n, t, seed, committee)

    async def main():
        links = await open_links({pid: config(url)}, committee)
        nodes = await SignerNodes(com, links, [pid]).start()
        ready.put((pid, True))
        deadline = asyncio.get_running_loop().time() + limit
        while not stop.is_set() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        await nodes.close()
        await close_links(links)
    asyncio.run(main())


def dkg_process(url: str, committee: bytes, seed: bytes, n: int, pid: int, min_signers: int, session: bytes,
                results) -> None:
    """One DKG participant in its own process; puts (pid, public key package bytes or error)."""
    _quiet_child()
    com = Committee(n, min_signers, seed, committee)

    async def main():
        link = await NatsLink.open(config(url), committee)
        party = DkgParticipant(SUITE, pid, com.ids, min_signers, com.rings[pid], session=session)
        await drive_session(lambda _: link, [party], {pid: com.channel(pid)}, session, timeout=2.0, idle_limit=8)
        await link.close()
        return party
    try:
        party = asyncio.run(main())
        results.put((pid, party.result[1].to_bytes() if party.result else f"error: {party.error}"))
    except Exception as exc:      # noqa: BLE001 - reported to the parent, which fails the test
        results.put((pid, f"error: {type(exc).__name__}: {exc}"))
