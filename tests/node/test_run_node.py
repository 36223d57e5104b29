"""`run_node`, a node process's life: it serves until stopped, survives a frame the broker did not
store, and ends — raising what killed it — when its driver dies, so that a supervisor sees the
process go instead of a live process answering nothing."""
from __future__ import annotations

import asyncio

import pytest

from pqzk.errors import TransportError
from pqzk.math.rand import DeterministicRNG
from pqzk.node.committee import Committee
from pqzk.node.home import NodeHome
from pqzk.node.run import channel_for, run_node
from pqzk.runtime.frost_parties import FrostPreprocessor
from pqzk.runtime.transports.nats import NatsNode
from pqzk.threshold import frost

PASS = "run node passphrase"
SUITE = "FROST-ED25519-SHA512-v1"
POLICY = {"version": 1, "name": "run", "quorum": {"min_signers": 2}, "signers": {"1": {}, "2": {}}}


@pytest.fixture
def world(tmp_path, fast_kdf):
    nodes = {i: NodeHome(tmp_path / f"n{i}") for i in (1, 2)}
    pubs = [h.create(i, f"file:{tmp_path / f's{i}'}", PASS) for i, h in nodes.items()]
    coord = NodeHome(tmp_path / "c")
    cpub = coord.create("coordinator", f"file:{tmp_path / 'sc'}", PASS)
    kps, pkp = frost.trusted_dealer_keygen(SUITE, 2, 2, rng=DeterministicRNG(b"run"))
    c = Committee("run", 1, tuple(pubs), (cpub,), SUITE, 2, pkp.to_bytes(), POLICY)
    for h in nodes.values():
        c = c.sign(h.identity(PASS))
    with nodes[1].open(PASS, c) as n:
        n.keep(kps[1], pkp)
    with coord.open(PASS, c) as co:
        chan = channel_for(co)
        inbox = [(s, chan.wrap(m)[1]) for s in (b"pre-1", b"pre-2")
                 for m in FrostPreprocessor(pkp.suite, [1], 1, co.keyring, session=s).start()]
    return nodes[1], c, inbox


class Broker:
    """A node's view of the broker, scripted: `inbox` frames to deliver, then a receive error or
    silence; the first `send` fails if `fail_send`."""

    def __init__(self, inbox, *, fail_send=False, die=False):
        self.inbox, self.fail_send, self.die = list(inbox), fail_send, die
        self.sent = []

    async def receive(self, timeout):
        if self.inbox:
            return self.inbox.pop(0)
        if self.die:
            raise TransportError("the connection to the broker is gone")
        await asyncio.sleep(timeout)
        return None

    async def send(self, session, to, frame):
        if self.fail_send:
            self.fail_send = False
            raise TransportError("a frame was not stored by the broker")
        self.sent.append(frame)

    async def close(self):
        return None


def _run(home, committee, broker, monkeypatch, *, wait=2.0):
    async def connect(cls, *a, **k):
        return broker
    monkeypatch.setattr(NatsNode, "connect", classmethod(connect))

    async def main():
        stop = asyncio.Event()
        with home.open(PASS, committee) as n:
            task = asyncio.create_task(run_node(n, None, stop=stop, timeout=0.05))
            deadline = asyncio.get_running_loop().time() + wait
            while not task.done() and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            ended_alone = task.done()
            stop.set()
            try:
                await asyncio.wait_for(task, 5)
                error = None
            except TransportError as exc:
                error = exc
            return ended_alone, error
    return asyncio.run(main())


def test_a_node_whose_driver_dies_ends_with_its_error(world, monkeypatch):
    home, c, inbox = world
    ended, error = _run(home, c, Broker(inbox, die=True), monkeypatch)
    assert ended and isinstance(error, TransportError) and "broker is gone" in str(error)


def test_a_node_keeps_serving_after_a_frame_the_broker_did_not_store(world, monkeypatch):
    home, c, inbox = world
    broker = Broker(inbox, fail_send=True)
    ended, error = _run(home, c, broker, monkeypatch, wait=1.0)
    assert not ended and error is None
    assert len(broker.sent) == 1                      # the first answer was lost, the second went out
