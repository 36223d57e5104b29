"""The node service: nodes join only ceremonies a committee coordinator invites them to, that match
the committee file and their state; they run them over the runtime's driver and keep the result."""
from __future__ import annotations

import asyncio
import functools

import pytest

from pqzk.math.rand import DeterministicRNG
from pqzk.node.committee import Committee
from pqzk.node.identity import NodeIdentity
from pqzk.node.service import Invitation, Inviter, NodeService
from pqzk.runtime import Kind, Message
from pqzk.runtime.channel import Channel
from pqzk.runtime.driver import Driver
from pqzk.runtime.identity import Keyring
from pqzk.runtime.transports.inprocess import Hub
from pqzk.threshold import frost

NODES = [1, 2, 3, 4]


@functools.lru_cache(maxsize=None)
def world():
    ids = {i: NodeIdentity.generate(i, rng=DeterministicRNG(b"svc%d" % i)) for i in NODES}
    ids["coordinator"] = NodeIdentity.generate("coordinator", rng=DeterministicRNG(b"svc-c"))
    c = Committee("svc", 1, tuple(ids[i].public for i in NODES), (ids["coordinator"].public,),
                  "FROST-ED25519-SHA512-v1", 3)
    for i in NODES:
        c = c.sign(ids[i])
    return ids, c


def keyring(i):
    ids, c = world()
    return Keyring(i, ids[i].signer, c.directory())


class Cluster:
    """Four node services and a coordinator on one hub; a journal per node."""

    def __init__(self):
        ids, self.committee = world()
        self.journal = {i: [] for i in NODES}
        self.kept = {i: [] for i in NODES}
        self.nodes = {i: NodeService(self.committee, keyring(i), audit=lambda k, b, i=i: self.journal[i].append((k, b)),
                                     keep=lambda kp, pkp, i=i: self.kept[i].append((kp, pkp))) for i in NODES}

    def channel(self, i):
        ids, c = world()
        return Channel(i, c.committee_id, ids[i].kem_keys(c.kem_public()))

    async def run(self, invitation: Invitation, session: bytes, to=None):
        hub = Hub()
        drivers = [Driver(n, self.channel(i), hub.connect(i), timeout=0.05, serve=True) for i, n in self.nodes.items()]
        tasks = [asyncio.create_task(d.run(start=False)) for d in drivers]
        inviter = Inviter(invitation, keyring("coordinator"), session=session, to=to or NODES)
        await Driver(inviter, self.channel("coordinator"), hub.connect("coordinator"), timeout=0.05).run()
        for _ in range(200):
            await asyncio.sleep(0.02)
            if all(session in n.finished or session in n.refused for n in self.nodes.values()):
                break
        for d in drivers:
            d.stop()
        await asyncio.gather(*tasks)


def test_dkg_then_refresh_then_repair_then_reshare_between_node_services():
    c = Cluster()
    asyncio.run(c.run(Invitation("dkg", tuple(NODES), 3), b"dkg-1"))
    pkp = c.nodes[1].pkp
    assert all(n.pkp == pkp and n.kp is not None for n in c.nodes.values())
    kps = {i: n.kp for i, n in c.nodes.items()}

    def sign(kps, pkp, signers):
        sig = frost.sign(frost.get_ciphersuite("FROST-ED25519-SHA512-v1"), [kps[i] for i in signers], b"m")
        frost.verify("FROST-ED25519-SHA512-v1", pkp.verifying_key, b"m", sig)

    sign(kps, pkp, [1, 2, 4])
    asyncio.run(c.run(Invitation("refresh", tuple(NODES), 3), b"refresh-1"))
    assert all(n.pkp.verifying_key == pkp.verifying_key and n.kp != kps[i] for i, n in c.nodes.items())
    sign({i: n.kp for i, n in c.nodes.items()}, c.nodes[1].pkp, [2, 3, 4])
    lost = c.nodes[4].kp
    c.nodes[4].kp = None                                      # node 4 lost its share
    asyncio.run(c.run(Invitation("repair", (1, 2, 3), 3, target=4), b"repair-1"))
    assert c.nodes[4].kp == lost
    asyncio.run(c.run(Invitation("reshare", (1, 2, 3), 3, new_threshold=2, new_members=(1, 2, 3, 4)), b"reshare-1"))
    assert all(n.pkp.min_signers == 2 for n in c.nodes.values())
    sign({i: n.kp for i, n in c.nodes.items()}, c.nodes[1].pkp, [1, 4])
    kinds = [b["event"] for k, b in c.journal[1]]
    assert kinds.count("invitation accepted") == 4 and kinds.count("session finished") == 4
    assert len(c.kept[4]) == 4


@pytest.mark.parametrize("invitation,why", [
    (Invitation("dkg", (1, 2, 3), 3), "every node"),
    (Invitation("dkg", tuple(NODES), 2), "threshold"),
    (Invitation("refresh", tuple(NODES), 3), "holds no key"),
    (Invitation("dkg", (1, 2, 3, 4, 9), 3), "not nodes of the committee"),
])
def test_invitations_that_do_not_match_are_refused_and_journaled(invitation, why):
    c = Cluster()
    asyncio.run(c.run(invitation, b"bad"))
    for i in NODES:
        assert b"bad" in c.nodes[i].refused and why in c.nodes[i].refused[b"bad"]
        assert c.journal[i][-1][1]["allowed"] is False


def test_only_a_committee_coordinator_can_invite():
    c = Cluster()
    node = c.nodes[1]
    forged = keyring(2).sign(Message(2, 1, Kind.SESSION_INVITE, Invitation("dkg", tuple(NODES), 3).to_payload(), b"x"))
    assert node.receive(forged) == [] and not node.sessions and not c.journal[1]


def test_invitation_payloads_decode_strictly():
    from pqzk.errors import InvalidEncoding
    good = Invitation("repair", (1, 2, 3), 3, target=4)
    assert Invitation.from_payload(good.to_payload()) == good
    for bad in (b"", b"[]", b'{"protocol": "dkg"}', good.to_payload().replace(b'"repair"', b'"mint"'),
                good.to_payload().replace(b"[1,2,3]", b"[1,1,3]"), good.to_payload().replace(b'"target":4', b'"target":true')):
        with pytest.raises(InvalidEncoding):
            Invitation.from_payload(bad)


# ---- reports: how a ceremony ended, told to the coordinator that invited the nodes ----
async def _ceremony(c: Cluster, invitation: Invitation, session: bytes, *, to=None, patience: int = 15, absent=()):
    from pqzk.node.service import CeremonyCoordinator
    hub = Hub()
    for i in absent:                                          # on the network, but not answering
        hub.connect(i)
    drivers = [Driver(n, c.channel(i), hub.connect(i), timeout=0.05, serve=True) for i, n in c.nodes.items()
               if i not in absent]
    tasks = [asyncio.create_task(d.run(start=False)) for d in drivers]
    party = CeremonyCoordinator(invitation, keyring("coordinator"), session=session, to=to or NODES,
                                suite="FROST-ED25519-SHA512-v1", patience=patience)
    await Driver(party, c.channel("coordinator"), hub.connect("coordinator"), timeout=0.05,
                 idle_limit=patience + 2).run()
    for d in drivers:
        d.stop()
    await asyncio.gather(*tasks)
    return party


def test_the_coordinator_learns_the_key_and_failures_from_the_nodes_reports():
    c = Cluster()
    dkg = asyncio.run(_ceremony(c, Invitation("dkg", tuple(NODES), 3), b"dkg-r"))
    assert dkg.error is None and dkg.result == c.nodes[1].pkp
    assert {i: r.outcome for i, r in dkg.reports.items()} == {i: "finished" for i in NODES}
    assert all(r.holds_share for r in dkg.reports.values())
    again = asyncio.run(_ceremony(c, Invitation("dkg", tuple(NODES), 3), b"dkg-again"))
    assert again.result is None and again.error.stopped_by == NODES and again.error.culprits == []
    assert "already has a key" in str(again.error)
    rep = asyncio.run(_ceremony(c, Invitation("repair", (1, 2, 4), 3, target=3), b"rep", to=[1, 2, 3, 4],
                                patience=8, absent=[4]))       # node 4 is gone: the repair of 3 by 1, 2, 4 stalls
    assert rep.result is None and rep.error.culprits == [] and 4 in rep.error.unresponsive


def test_reports_decode_strictly_and_a_minority_cannot_blame():
    from pqzk.errors import InvalidEncoding
    from pqzk.node.report import Report
    from pqzk.node.service import CeremonyCoordinator
    good = Report("dkg", "aborted", None, False, "party 2: bad share", (2,), ())
    assert Report.from_payload(good.to_payload()) == good
    for bad in (b"", b"[]", good.to_payload().replace(b'"aborted"', b'"won"'),
                good.to_payload().replace(b'"culprits":[2]', b'"culprits":[0]'),
                good.to_payload().replace(b'"holds_share":false', b'"holds_share":1'),
                good.to_payload().replace(b'"public_key_package":null', b'"public_key_package":"zz"')):
        with pytest.raises(InvalidEncoding):
            Report.from_payload(bad)
    inv = Invitation("dkg", tuple(NODES), 3)
    party = CeremonyCoordinator(inv, keyring("coordinator"), session=b"s", to=NODES, suite="FROST-ED25519-SHA512-v1")

    def report(i, culprits):
        r = Report("dkg", "aborted", None, False, "stopped", tuple(culprits), ())
        return keyring(i).sign(Message(i, "coordinator", Kind.SESSION_REPORT, r.to_payload(), b"s"))
    party.receive(report(1, [3]))                              # node 1 alone names 3; 2 and 4 name 1
    party.receive(report(2, [1]))
    party.receive(report(3, []))
    party.receive(report(4, [1]))
    assert party.error is not None and party.error.culprits == []      # two of four is not more than half
    party = CeremonyCoordinator(inv, keyring("coordinator"), session=b"s", to=NODES, suite="FROST-ED25519-SHA512-v1")
    for i in (1, 2, 3):
        party.receive(report(i, [4]))
    party.receive(report(4, [1]))
    assert party.error.culprits == [4]
    forged = keyring(1).sign(Message(1, "coordinator", Kind.SESSION_REPORT, good.to_payload(), b"other-session"))
    assert party.receive(forged) == []
