"""Nodes killed (SIGKILL) and restarted in the middle of a ceremony, as real processes over a
private nats-server: the kill lands after a node has received the request and answered with its
commitment, before the session completes (a hook in the coordinator's party fires on that
answer; for the DKG, a watch on the broker's subjects fires on the node's first frame). With a
quorum left the signing completes with the others; without one it aborts naming no honest node
(no culprit, the live nodes not even unresponsive); a node restarted from its home mid-session
never commits twice for one request nor signs with a used nonce, and is excluded, never blamed.
A DKG that loses a node mid-ceremony aborts naming nobody, and nobody keeps a key."""
from __future__ import annotations

import asyncio
import dataclasses
import hashlib

import pytest
from test_node_processes import (NODES, PASS, POLICY, Cluster, _group_key, _request, cluster, config,  # noqa: F401
                                 nats_server)

from pqzk.errors import NonceReuse, PolicyViolation, ProtocolAbort
from pqzk.node.run import NetworkRunner, channel_for
from pqzk.node.service import Invitation, Inviter
from pqzk.policy.authorization import verify_authorization
from pqzk.policy.coordinator import AuthorizationCoordinator
from pqzk.policy.messages import AuthAccept, AuthShare
from pqzk.policy.model import Policy
from pqzk.policy.request import AuthorizationRequest
from pqzk.policy.state import PolicyState
from pqzk.runtime.messages import Kind
from pqzk.runtime.nonces import FRESH
from pqzk.runtime.transports.nats import NatsNode

NOW = 2_000_000_000
TIMEOUT = 1.5          # the coordinator's quiet period: a loaded shared machine still answers within it


async def _with_coordinator(c: Cluster, job):
    with c.coord.open(PASS, c.committee) as co:
        node = await NatsNode.connect(config(c.url), c.committee.committee_id, "coordinator")
        try:
            return await job(co, NetworkRunner(node, channel_for(co), timeout=TIMEOUT, idle_limit=6, deadline=60))
        finally:
            await node.close()


def _setup(c: Cluster):
    for i in NODES:
        c.start(i)
    c.wait_ready(3)

    async def dkg(co, runner):
        inviter = Inviter(Invitation("dkg", tuple(NODES), 2), co.keyring, session=b"dkg", to=NODES)
        await runner.run_async([inviter], inviter.start(), b"dkg")
    asyncio.run(_with_coordinator(c, dkg))
    pkp = _group_key(c, 1)
    assert all(_group_key(c, i) == pkp for i in NODES)
    return pkp


def _hooked(co, pkp, request, candidates, session, on_message):
    """A coordinator whose every incoming message is first shown to `on_message` (which may kill
    or restart node processes), and recorded in `seen`."""
    coord = AuthorizationCoordinator(PolicyState(Policy.from_dict(POLICY)), pkp, request, candidates, co.keyring,
                                     now=NOW, session=session, roster=co.committee.roster())
    coord.seen = []
    receive = coord.receive

    def hooked(msg):
        coord.seen.append(msg)
        on_message(msg)
        return receive(msg)
    coord.receive = hooked
    return coord


async def _ceremony(co, runner, pkp, tag: bytes, candidates, on_message, attempts: int = 2):
    """Sign one transaction; a session that aborts with nobody to blame is retried (a new session)
    among the committee's nodes it has not found unresponsive, while they can still make a quorum.
    The retry is a new request (a new request id) for the same transaction: a signer that released
    a share for a request never signs that request again — it cannot know whether the signature
    was made. Returns the coordinators of every attempt."""
    out, excluded = [], set()
    for k in range(attempts):
        coord = _hooked(co, pkp, _attempt(tag, k), candidates, tag + b"-%d" % k, on_message)
        await runner.run_async([coord], coord.start(), coord.session)
        out.append(coord)
        if coord.result is not None or not isinstance(coord.error, ProtocolAbort) or coord.error.culprits:
            break
        excluded |= set(coord.error.unresponsive)
        candidates = [i for i in NODES if i not in excluded]
        if len(candidates) < 2:
            break
    return out


def _attempt(tag: bytes, k: int) -> AuthorizationRequest:
    """Attempt `k` at authorizing the transaction of `_request(tag)`: its own request id."""
    base = _request(tag)
    return dataclasses.replace(base, request_id=hashlib.sha256(base.request_id + bytes([k])).digest()[:16]) \
        if k else base


def _killer(c: Cluster, victims, when=(Kind.AUTH_ACCEPT, 2)):
    """Kill `victims` (SIGKILL) as soon as the coordinator has the message `when`: (kind, sender)
    or (kind, set of senders: the first of them)."""
    fired = []
    kind, senders = when[0], when[1] if isinstance(when[1], (set, frozenset)) else {when[1]}

    def on_message(msg):
        if not fired and msg.kind == kind and msg.sender in senders:
            fired.append(msg)
            for v in victims:
                c.kill(v)
    return on_message, fired


def test_a_node_killed_mid_round_the_others_complete(cluster):
    """Node 2 answers the request (its commitment is sent) and is killed at once; its answer is the
    last to reach the coordinator (a slow link: held back until 1 and 3 have answered). The
    signers are fixed without it and the session completes with 1 and 3, blaming nobody."""
    pkp = _setup(cluster)
    held = []

    def make(coord):
        receive = coord.receive

        def hooked(msg):
            coord.seen.append(msg)
            if (msg.kind, msg.sender) == (Kind.AUTH_ACCEPT, 2) and not held:
                cluster.kill(2)
                held.append(msg)
                return []
            out = receive(msg)
            if held and held[-1] is not None and {1, 3} <= {m.sender for m in coord.seen
                                                             if m.kind == Kind.AUTH_ACCEPT}:
                out = out + receive(held.pop())            # node 2's answer arrives, late
                held.append(None)
            return out
        coord.receive = hooked

    async def job(co, runner):
        coord = _hooked(co, pkp, _request(b"mid"), NODES, b"mid", lambda m: None)
        make(coord)
        await runner.run_async([coord], coord.start(), coord.session)
        return coord
    coord = asyncio.run(_with_coordinator(cluster, job))
    assert held == [None] and not cluster.procs[2].is_alive()
    assert coord.result is not None, coord.error
    assert sorted(coord.result.signers) == [1, 3]
    verify_authorization(coord.result, _request(b"mid"), Policy.from_dict(POLICY), pkp,
                         roster=cluster.committee.roster())


def test_a_signer_killed_between_its_rounds_is_never_blamed(cluster):
    """Node 2 is in the signer set (candidates 1 and 2) and is killed as soon as its commitment is
    in, before its share: the session aborts with node 2 unresponsive and no culprit. Node 1 has
    released a share for that transaction, so it refuses to sign it again (rule replay: it cannot
    know whether a signature was made); with node 3 alone no quorum remains, and the retry ends
    in that refusal, naming nobody."""
    pkp = _setup(cluster)
    on_message, fired = _killer(cluster, [2])

    async def job(co, runner):
        return await _ceremony(co, runner, pkp, b"between", [1, 2], on_message)
    first, *rest = asyncio.run(_with_coordinator(cluster, job))
    assert fired and not cluster.procs[2].is_alive()
    assert isinstance(first.error, ProtocolAbort) and first.result is None
    assert first.error.culprits == [] and first.error.unresponsive == [2]
    assert first.signers == [1, 2]                       # node 2's kill landed between its rounds
    (again,) = rest
    assert again.result is None and isinstance(again.error, PolicyViolation) and again.error.rule == "replay"
    assert not getattr(again.error, "culprits", [])


def test_nodes_killed_mid_round_without_a_quorum_abort_naming_nobody(cluster):
    """Nodes 2 and 3 are killed as soon as the first commitment of either is in (before the
    coordinator can ask anyone to sign, so neither can have sent a share): only node 1 is left, the
    session aborts, and no honest node is named — no culprit at all, node 1 not even unresponsive."""
    pkp = _setup(cluster)
    on_message, fired = _killer(cluster, [2, 3], when=(Kind.AUTH_ACCEPT, {2, 3}))

    async def job(co, runner):
        return await _ceremony(co, runner, pkp, b"no-quorum", NODES, on_message)
    attempts = asyncio.run(_with_coordinator(cluster, job))
    assert fired
    for a in attempts:
        assert a.result is None and isinstance(a.error, ProtocolAbort), a.error
        assert a.error.culprits == [] and 1 not in a.error.unresponsive
        assert set(a.error.unresponsive) <= {2, 3}
    last = attempts[-1]
    assert last.stage == "failed"


def test_a_dkg_with_a_node_killed_mid_ceremony_aborts_naming_nobody(cluster):
    """Node 3 is killed during the DKG as soon as its first DKG frame reaches the broker (watched
    on the committee's subjects, as an eavesdropper would): the DKG cannot finish among all three;
    the outcome is an abort with no culprit, node 3 (never 1 or 2) unresponsive, and no node keeps
    a key."""
    from pqzk.node.service import CeremonyCoordinator
    from pqzk.runtime.transports.nats.subjects import committee_token, party_token
    for i in NODES:
        cluster.start(i)
    cluster.wait_ready(3)
    seen = []

    async def dkg(co, runner):
        coord = CeremonyCoordinator(Invitation("dkg", tuple(NODES), 2), co.keyring, session=b"dkg-kill", to=NODES,
                                    suite=cluster.committee.suite, patience=12)
        link = runner.nats_node.link
        prefix = f"{link.config.prefix}.{committee_token(link.committee)}"

        async def watch(m):              # a frame sent by node 3 (the subject's last token: the sender)
            if not seen and m.subject.split(".")[-1] == party_token(3):
                seen.append(m.subject)
                cluster.kill(3)
        sub = await link.nc.subscribe(prefix + ".>", cb=watch)
        fast = NetworkRunner(runner.nats_node, runner.channel, timeout=0.5, idle_limit=20, deadline=60)
        try:
            await fast.run_async([coord], coord.start(), b"dkg-kill")
        finally:
            await sub.unsubscribe()
        return coord
    coord = asyncio.run(_with_coordinator(cluster, dkg))
    assert seen and not cluster.procs[3].is_alive()
    assert coord.result is None and isinstance(coord.error, ProtocolAbort), (coord.result, coord.error)
    assert coord.error.culprits == [] and 3 in coord.error.unresponsive
    assert not {1, 2} & set(coord.error.unresponsive)
    for i in (1, 2):
        assert not (cluster.homes[i].path / "public_key_package").exists()


def _accepts_and_shares(coord, sender, suite):
    accepts = {AuthAccept.from_payload(m.payload, suite).commitment.to_bytes()
               for m in coord.seen if m.kind == Kind.AUTH_ACCEPT and m.sender == sender}
    shares = [AuthShare.from_payload(m.payload, suite).share for m in coord.seen
              if m.kind == Kind.AUTH_SHARE and m.sender == sender]
    return accepts, shares


def test_a_node_restarted_mid_round_never_reuses_a_nonce(cluster):
    """Node 2 commits, is killed, and restarts from its home while the session goes on (it catches
    up on what was addressed to it): it never sends a second commitment for the request, never a
    share over a used nonce; the session ends with a signature or an abort naming nobody, and the
    ceremony completes. Its commitment's nonce is no longer usable."""
    pkp = _setup(cluster)
    fired = []

    def restart(msg):
        if not fired and (msg.kind, msg.sender) == (Kind.AUTH_ACCEPT, 2):
            fired.append(msg)
            cluster.kill(2)
            cluster.start(2)                                # the same home: its nonce store and answers
            cluster.wait_ready(1)

    async def job(co, runner):
        return await _ceremony(co, runner, pkp, b"restart", [1, 2], restart, attempts=1)
    attempts = asyncio.run(_with_coordinator(cluster, job))
    assert fired
    first = attempts[0]
    accepts, shares = _accepts_and_shares(first, 2, pkp.suite)
    assert len(accepts) == 1                                # one commitment for the request, ever
    assert len({s.to_bytes() for s in shares}) <= 1         # at most one share over it
    if first.result is None:                                # excluded: it has no session to sign in
        assert isinstance(first.error, ProtocolAbort) and first.error.culprits == [], first.error
        assert first.error.unresponsive == [2]
    else:                                                   # or it resumed over its persisted nonce
        verify_authorization(first.result, first.request, Policy.from_dict(POLICY), pkp,
                             roster=cluster.committee.roster())
    # node 2's nonce store agrees: the nonce behind its commitment is marked used exactly when a
    # share over it left (then it can never sign again), and is otherwise still unused
    (commitment,) = accepts
    cluster.close()
    with cluster.homes[2].open(PASS, cluster.committee) as node:
        store = node.nonce_store()
        if shares:
            assert store.kind(commitment) is None
            with pytest.raises(NonceReuse):
                store.take(commitment)
        else:
            assert store.kind(commitment) == FRESH
