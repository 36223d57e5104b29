"""Network faults with a real broker on loopback (issue 16, section 5, the broker's part): a broker
restart mid-ceremony with JetStream (nothing lost), a 3-server cluster losing its stream leader
mid-ceremony, a broker-in-the-middle that alters a frame (detected, never blamed on the sender),
a frame replayed from an earlier session (refused), TLS with per-node credentials (a client
without them is refused)."""
from __future__ import annotations

import asyncio

import pytest

from nats_helpers import (Committee, SignerNodes, close_links, config, fresh_committee, nats_server,  # noqa: F401
                          open_links, private_server, require_nats_server, run_dkg_over, sign_over, stored_frames,
                          until)
from pqzk.errors import NonceReuse, TransportError
from pqzk.runtime import COORDINATOR
from pqzk.runtime.transports import nats as nt
from pqzk.runtime.transports.nats_server import NatsCluster, NatsServer, make_tls, make_users
from pqzk.runtime.transports.proxy import NatsPublishTamper, TcpProxy
from pqzk.threshold import frost

MSG = b"faults over NATS"


def run(coro, limit: float = 120.0):
    return asyncio.run(asyncio.wait_for(coro, limit))


def _after_publishes(link: nt.NatsLink, count: int, action) -> list:
    """Run `action()` (in a thread: it may block on a process) just before `link`'s `count`-th
    frame goes out; returns a list that gets True once it ran."""
    done: list = []
    sent = [0]
    send = link.send

    async def hooked(subj, frame):
        sent[0] += 1
        if not done and sent[0] >= count:
            done.append(True)
            await asyncio.to_thread(action)
        await send(subj, frame)
    link.send = hooked
    return done


def _same_result(parties) -> None:
    assert all(p.error is None and p.result is not None for p in parties), [p.error for p in parties]
    assert len({p.result[1].to_bytes() for p in parties}) == 1


def test_broker_restart_mid_dkg_loses_nothing(tmp_path):
    """The broker stops and starts again (same port, same JetStream store) while a DKG is under
    way: clients reconnect, publishes are retried, durable consumers resume, and the DKG
    completes with every participant — nothing sent before or during the restart is lost."""
    server = private_server(directory=tmp_path)
    pids = []
    try:
        com = Committee(4, 3, b"restart", fresh_committee())

        def restart():
            pids.append(server.process.pid)
            server.restart(crash=False)
            pids.append(server.process.pid)

        async def main():
            links = await open_links({i: config(server.url) for i in com.ids}, com.committee)
            done = _after_publishes(links[1], 3, restart)          # after round 1 and the echo
            parties, drivers, _ = await run_dkg_over(links, com, b"dkg-restart", 3, timeout=3.0, idle_limit=6)
            reconnects = [links[i].nc.stats["reconnects"] for i in com.ids]
            await close_links(links)
            return parties, drivers, done, reconnects
        parties, drivers, done, reconnects = run(main())
    finally:
        server.close()
    assert done and len(pids) == 2 and pids[0] != pids[1]
    assert all(r >= 1 for r in reconnects)
    _same_result(parties)


def test_cluster_loses_its_stream_leader_mid_dkg():
    """Three servers, the committee's stream replicated on all three; the server leading the
    stream is killed (SIGKILL) in the middle of a DKG. Clients fail over to the others, the
    stream elects a new leader, and the DKG completes."""
    require_nats_server()
    killed = []
    with NatsCluster(3) as cluster:
        com = Committee(4, 3, b"cluster", fresh_committee())
        cfg = config(*cluster.urls, replicas=3)

        async def main():
            links = await open_links({i: cfg for i in com.ids}, com.committee)
            info = await links[1].js.stream_info(links[1].stream)
            leader = next(s for s in cluster.servers if s.name == info.cluster.leader)

            def kill():
                killed.append(leader.name)
                leader.kill()
            done = _after_publishes(links[2], 3, kill)
            parties, _, _ = await run_dkg_over(links, com, b"dkg-cluster", 3, timeout=4.0, idle_limit=6,
                                               deadline=90.0)
            await close_links(links)
            return parties, done
        parties, done = run(main())
        alive = [s.running for s in cluster.servers]
    assert done and killed and alive.count(False) == 1
    _same_result(parties)


@pytest.mark.parametrize("what", ["signing-commitment", "dkg-broadcast"])
def test_a_broker_in_the_middle_altering_a_frame_is_detected_and_blames_nobody(nats_server, what):
    """A proxy between party 2 and the broker flips one byte in the payload of one of party 2's
    publishes (the NATS protocol stays intact: only the frame lies). The receivers drop the frame
    (a sealed frame does not open; a signed broadcast does not verify) and name nobody a culprit:
    in signing, party 2 is at worst unresponsive and the others still sign; in the DKG, the echoes
    carry party 2's round 1 and the DKG completes."""
    com = Committee(5, 3, b"tamper-" + what.encode(), fresh_committee())
    session = b"session-" + what.encode()
    if what == "signing-commitment":
        target = nt.subject("pqzk", com.committee, session, COORDINATOR, 2)
    else:
        target = nt.subject("pqzk", com.committee, session, None, 2)
    tamper = NatsPublishTamper(lambda s: s == target, count=1, offset=-40)

    async def main():
        async with TcpProxy(("127.0.0.1", nats_server.port), tamper=tamper) as proxy:
            cfgs = {i: config(proxy.url if i == 2 else nats_server.url) for i in [COORDINATOR, *com.ids]}
            links = await open_links(cfgs, com.committee)
            if what == "dkg-broadcast":
                com.ids = [1, 2, 3, 4]
                parties, _, channels = await run_dkg_over(links, com, session, 3, timeout=0.5)
                out = parties, channels
            else:
                nodes = await SignerNodes(com, links, [1, 2, 3, 4]).start()
                coord, _ = await sign_over(links[COORDINATOR], com, MSG, [1, 2, 3], session, timeout=1.0)
                retry, _ = await sign_over(links[COORDINATOR], com, MSG, [1, 3, 4], session + b"-retry")
                await nodes.close()
                out = coord, retry
            await close_links(links)
            return out
    out = run(main())
    assert tamper.flipped == [target]
    if what == "signing-commitment":
        coord, retry = out
        assert coord.result is None and coord.error.culprits == [] and coord.error.unresponsive == [2]
        frost.verify(com.pkp.suite, com.pkp.verifying_key, MSG, retry.result)
    else:
        parties, channels = out
        _same_result(parties)


def test_a_frame_replayed_from_an_earlier_session_is_refused(nats_server):
    """Whoever can publish (the broker, a peer) re-sends the coordinator's signing request of a
    finished session to signer 1, into that session and into a new one. The node refuses both
    (its channel has accepted that frame already); so does a restarted node with a fresh channel
    but its persisted nonce state (the nonce is used). Signer 1 answers with no second share."""
    com = Committee(3, 2, b"replay", fresh_committee())

    async def main():
        links = await open_links({i: config(nats_server.url) for i in [COORDINATOR, 1, 2]}, com.committee)
        nodes = await SignerNodes(com, links, [1, 2]).start()
        coord, _ = await sign_over(links[COORDINATOR], com, MSG, [1, 2], b"session-A")
        stored = await _frames(links[COORDINATOR], nt.subject("pqzk", com.committee, b"session-A", 1, COORDINATOR))
        request = stored[-1]                                   # the signing package to signer 1
        for target in (b"session-A", b"session-B"):
            await links[COORDINATOR].publish(nt.subject("pqzk", com.committee, target, 1, COORDINATOR), request)
        await until(lambda: len(nodes.channels[1].rejected) >= 2)
        await asyncio.sleep(0.3)                               # and nothing more comes of it
        first_rejections = list(nodes.channels[1].rejected)
        await nodes.close()
        # signer 1 restarts: a fresh channel, the same (persisted) nonce store
        again = SignerNodes(com, links, [1])
        again.parties[1] = nodes.parties[1]
        await again.start()
        await links[COORDINATOR].publish(nt.subject("pqzk", com.committee, b"session-C", 1, COORDINATOR), request)
        await until(lambda: any(d.refusals for d in again.drivers))
        await asyncio.sleep(0.3)
        await again.close()
        shares = await _frames(links[COORDINATOR], f"pqzk.{nt.committee_token(com.committee)}.*."
                                                   f"{nt.party_token(COORDINATOR)}.{nt.party_token(1)}")
        await close_links(links)
        return coord, first_rejections, again, shares
    coord, first_rejections, again, shares = run(main())
    frost.verify(com.pkp.suite, com.pkp.verifying_key, MSG, coord.result)
    assert len(first_rejections) == 2 and all("replayed" in r for r in first_rejections)
    refusals = [e for d in again.drivers for _, e in d.refusals]
    assert [type(e) for e in refusals] == [NonceReuse]
    assert len(shares) == 2                        # signer 1's commitment and its one signature share


async def _frames(link: nt.NatsLink, subj: str) -> list[bytes]:
    return [data for _, data in await stored_frames(link, subj)]


def test_tls_and_per_node_credentials(tmp_path):
    """A broker that speaks only TLS (a throwaway CA) and admits only its nodes' users: a signing
    runs with each party's own user and password; a client without credentials, with a wrong
    password, on plain nats:// without the CA (the server insists on TLS) or not trusting the CA
    is refused at once with a TransportError."""
    require_nats_server()
    tls = make_tls(tmp_path / "pki")
    com = Committee(3, 2, b"tls", fresh_committee())
    users = make_users(["coordinator", "node-1", "node-2"])
    with NatsServer(tmp_path, tls=tls, users=users).start() as server:
        assert server.url.startswith("tls://")

        def cfg(user, **kw):
            base = dict(user=user, password=users[user], ca_file=str(tls.ca))
            return config(server.url, **{**base, **kw})

        async def main():
            links = await open_links({COORDINATOR: cfg("coordinator"), 1: cfg("node-1"), 2: cfg("node-2")},
                                     com.committee)
            nodes = await SignerNodes(com, links, [1, 2]).start()
            coord, _ = await sign_over(links[COORDINATOR], com, MSG, [1, 2], b"tls-session")
            await nodes.close()
            await close_links(links)
            refused = []
            for bad in (config(server.url, ca_file=str(tls.ca), connect_timeout=1.0),
                        cfg("node-1", password="not-the-password", connect_timeout=1.0),
                        config(server.url.replace("tls://", "nats://"), user="node-1", password=users["node-1"],
                               connect_timeout=1.0),
                        cfg("node-1", ca_file=None, connect_timeout=1.0)):
                try:
                    link = await nt.NatsLink.open(bad, com.committee)
                except TransportError as exc:
                    refused.append(str(exc))
                else:
                    await link.close()
            return coord, refused
        coord, refused = run(main())
    frost.verify(com.pkp.suite, com.pkp.verifying_key, MSG, coord.result)
    assert len(refused) == 4 and all("cannot connect to NATS" in r for r in refused)
    assert ["Authorization Violation" in r for r in refused] == [True, True, False, False]
    assert all("CERTIFICATE_VERIFY_FAILED" in r for r in refused[2:])
    assert not any(p in r for p in users.values() for r in refused)          # no password in a message
