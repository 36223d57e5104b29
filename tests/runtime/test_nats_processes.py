"""Parties in separate OS processes, talking only through a private nats-server on loopback: a DKG
of three processes, and FROST 3-of-5 signing by five signer nodes in five processes with the
coordinator in this one."""
from __future__ import annotations

import asyncio
import multiprocessing
import queue
import time

from nats_helpers import (Committee, close_links, config, dkg_process, fresh_committee, nats_server,  # noqa: F401
                          open_links, sign_over, signer_node_process)
from pqzk.runtime import COORDINATOR
from pqzk.threshold import frost

CTX = multiprocessing.get_context("spawn")


def _collect(results, count: int, limit: float) -> dict:
    out, deadline = {}, time.monotonic() + limit
    while len(out) < count and time.monotonic() < deadline:
        try:
            pid, value = results.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        out[pid] = value
    return out


def _reap(procs) -> None:
    for p in procs:
        p.join(15)
        if p.is_alive():
            p.kill()
            p.join(5)


def test_dkg_across_three_processes(nats_server):
    committee, seed = fresh_committee(), b"dkg-processes"
    results = CTX.Queue()
    procs = [CTX.Process(target=dkg_process, args=(nats_server.url, committee, seed, 3, i, 2, b"dkg-p", results))
             for i in (1, 2, 3)]
    for p in procs:
        p.start()
    try:
        got = _collect(results, 3, 90)
    finally:
        _reap(procs)
    assert sorted(got) == [1, 2, 3], got
    assert all(isinstance(v, bytes) for v in got.values()), got
    assert len(set(got.values())) == 1
    assert all(p.exitcode == 0 for p in procs)


def test_frost_signing_by_five_node_processes(nats_server):
    """Five signer nodes, each its own process serving every session addressed to it; the
    coordinator (here) signs three messages 3-of-5 with different quorums."""
    committee, seed = fresh_committee(), b"sign-processes"
    com = Committee(5, 3, seed, committee)
    ready, stop = CTX.Queue(), CTX.Event()
    procs = [CTX.Process(target=signer_node_process, args=(nats_server.url, committee, seed, 5, 3, i, ready, stop))
             for i in com.ids]
    for p in procs:
        p.start()
    try:
        assert sorted(_collect(ready, 5, 90)) == com.ids

        async def main():
            links = await open_links({COORDINATOR: config(nats_server.url)}, committee)
            out = []
            for k, quorum in enumerate(([1, 2, 3], [2, 4, 5], [1, 3, 5])):
                coord, driver = await sign_over(links[COORDINATOR], com, b"message %d" % k, quorum, b"proc-%d" % k)
                out.append((coord.result, driver.stats))
            await close_links(links)
            return out
        signed = asyncio.run(asyncio.wait_for(main(), 90))
    finally:
        stop.set()
        _reap(procs)
    for k, (sig, stats) in enumerate(signed):
        frost.verify(com.pkp.suite, com.pkp.verifying_key, b"message %d" % k, sig)
        assert stats.frames_out == 6 and stats.frames_in == 6
    assert all(p.exitcode == 0 for p in procs)
