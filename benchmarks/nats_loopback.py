"""FROST-Ed25519 3-of-5 over a private NATS broker on loopback: latency p50/p99 per signature
and frames/bytes through the coordinator, for the hybrid and classical channel modes, with the
signer nodes in this process or in five processes, and with an emulated round-trip time between
every party and the broker (`pqzk.runtime.transports.proxy.TcpProxy`).

    cd benchmarks && PYTHONPATH=../src python nats_loopback.py [--signatures 40] [--rtt-ms 50]

It drives the same harness as the NATS tests (tests/runtime/nats_helpers.py: signer nodes serving
every session addressed to them, a coordinator on one node receiver). The figures in
docs/network.md come from it.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests" / "runtime"),
                str(Path(__file__).resolve().parents[1] / "tests")]

from nats_helpers import (COORDINATOR, Committee, SignerNodes, close_links, config, fresh_committee,  # noqa: E402
                          open_links, sign_over, signer_node_process)
from pqzk.math.rand import DeterministicRNG  # noqa: E402
from pqzk.runtime.channel import CLASSICAL, HYBRID, generate_kem_keys  # noqa: E402
from pqzk.runtime.transports.nats_server import NatsServer  # noqa: E402
from pqzk.runtime.transports.proxy import TcpProxy  # noqa: E402

QUORUMS = ([1, 2, 3], [2, 4, 5], [1, 3, 5])


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


async def _sign_many(cnode, com: Committee, count: int):
    lat, frames, nbytes = [], 0, 0
    for k in range(count):
        t = time.perf_counter()
        coord, d = await sign_over(cnode, com, b"message %d" % k, QUORUMS[k % 3], b"bench-%d" % k, timeout=2.0)
        lat.append(time.perf_counter() - t)
        if coord.result is None:
            raise SystemExit(f"signature {k} failed: {coord.error}")
        frames += d.stats.frames_out + d.stats.frames_in
        nbytes += d.stats.bytes_out + d.stats.bytes_in
    return lat, frames / count, nbytes / count


async def in_process(server: NatsServer, count: int, mode: str, rtt: float = 0.0):
    com = Committee(5, 3, b"bench", fresh_committee())
    if mode == CLASSICAL:
        com.kems = generate_kem_keys([COORDINATOR, *com.ids], CLASSICAL, rng=DeterministicRNG(b"classical"))
    proxies, urls = [], {}
    for pid in [COORDINATOR, *com.ids]:
        if rtt:
            proxies.append(await TcpProxy(("127.0.0.1", server.port), up_delay=rtt / 2, down_delay=rtt / 2).start())
        urls[pid] = proxies[-1].url if rtt else server.url
    links = await open_links({p: config(u) for p, u in urls.items()}, com.committee)
    nodes = await SignerNodes(com, links, com.ids, timeout=0.5, idle_limit=2).start()
    cnode = await links[COORDINATOR].node(COORDINATOR, discard_unrouted=True)
    try:
        return await _sign_many(cnode, com, count)
    finally:
        await nodes.close()
        await cnode.close()
        await close_links(links)
        for p in proxies:
            await p.close()


def processes(server: NatsServer, count: int):
    ctx = multiprocessing.get_context("spawn")
    committee, seed = fresh_committee(), b"bench-processes"
    com = Committee(5, 3, seed, committee)
    ready, stop = ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=signer_node_process, args=(server.url, committee, seed, 5, 3, i, ready, stop, 600))
             for i in com.ids]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            ready.get(timeout=120)

        async def main():
            links = await open_links({COORDINATOR: config(server.url)}, committee)
            cnode = await links[COORDINATOR].node(COORDINATOR, discard_unrouted=True)
            t0 = time.perf_counter()
            out = await _sign_many(cnode, com, count)
            rate = count / (time.perf_counter() - t0)
            await cnode.close()
            await close_links(links)
            return out, rate
        return asyncio.run(main())
    finally:
        stop.set()
        for p in procs:
            p.join(30)
            if p.is_alive():
                p.kill()


def report(what: str, lat, frames, nbytes, extra: str = "") -> None:
    print(f"{what:58s} p50 {percentile(lat, .5) * 1e3:7.1f} ms  p99 {percentile(lat, .99) * 1e3:7.1f} ms  "
          f"{frames:.0f} frames, {nbytes / 1000:.1f} kB through the coordinator{extra}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signatures", type=int, default=40)
    ap.add_argument("--rtt-ms", type=float, default=50.0)
    args = ap.parse_args()
    with NatsServer() as server:
        for mode in (HYBRID, CLASSICAL):
            report(f"in-process nodes, {mode} channel", *asyncio.run(in_process(server, args.signatures, mode)))
        (lat, frames, nbytes), rate = processes(server, args.signatures)
        report("5 node processes, hybrid channel", lat, frames, nbytes, f", {rate:.0f} signatures/s one after another")
        report(f"in-process nodes, {args.rtt_ms:.0f} ms RTT to the broker",
               *asyncio.run(in_process(server, max(5, args.signatures // 4), HYBRID, args.rtt_ms / 1000)))


if __name__ == "__main__":
    main()
