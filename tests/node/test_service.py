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
        self.nodes = {i: self.service(i) for i in NODES}

    def service(self, i, key_package=None, public_key_package=None):
        return NodeService(self.committee, keyring(i), key_package=key_package, public_key_package=public_key_package,
                           audit=lambda k, b, i=i: self.journal[i].append((k, b)),
                           keep=lambda kp, pkp, i=i: self.kept[i].append((kp, pkp)))

    def new_version(self, **changes):
        """The committee file's next version, signed by every node; the nodes restart with it (keeping
        what they hold)."""
        from dataclasses import replace
        ids, c = world()
        c = replace(self.committee, version=self.committee.version + 1, signatures={}, **changes)
        for i in NODES:
            c = c.sign(ids[i])
        c.verify_successor(self.committee)
        self.committee = c
        self.nodes = {i: self.service(i, n.kp, n.pkp) for i, n in self.nodes.items()}

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
    asyncio.run(c.run(Invitation("refresh", tuple(NODES), 3, key=pkp.key_version()), b"refresh-1"))
    assert all(n.pkp.verifying_key == pkp.verifying_key and n.kp != kps[i] for i, n in c.nodes.items())
    sign({i: n.kp for i, n in c.nodes.items()}, c.nodes[1].pkp, [2, 3, 4])
    lost = c.nodes[4].kp
    c.nodes[4].kp = None                                      # node 4 lost its share
    asyncio.run(c.run(Invitation("repair", (1, 2, 3), 3, target=4, key=c.nodes[1].pkp.key_version()), b"repair-1"))
    assert c.nodes[4].kp == lost
    c.new_version(threshold=2)                                # a new committee file: threshold 2, then the reshare
    asyncio.run(c.run(Invitation("reshare", (1, 2, 3), 3, new_threshold=2, new_members=(1, 2, 3, 4),
                                 key=c.nodes[1].pkp.key_version()), b"reshare-1"))
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
    key = c.nodes[1].pkp.key_version()
    rep = asyncio.run(_ceremony(c, Invitation("repair", (1, 2, 4), 3, target=3, key=key), b"rep", to=[1, 2, 3, 4],
                                patience=8, absent=[4]))       # node 4 is gone: the repair of 3 by 1, 2, 4 stalls
    assert rep.result is None and rep.error.culprits == [] and 4 in rep.error.unresponsive
    assert not rep.error.stopped_by                           # the others joined: it stalled, nobody refused


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


# ---- every key ceremony follows from the committee file and the key the node holds ----
@functools.lru_cache(maxsize=None)
def dealt():
    return frost.trusted_dealer_keygen(frost.get_ciphersuite("FROST-ED25519-SHA512-v1"), 3, 4,
                                       rng=DeterministicRNG(b"svc-dealt"))


def keyed_cluster() -> Cluster:
    c = Cluster()
    kps, pkp = dealt()
    c.nodes = {i: c.service(i, kps[i], pkp) for i in NODES}
    return c


def _key():
    return dealt()[1].key_version()


@pytest.mark.parametrize("invitation,why", [
    (lambda k: Invitation("reshare", (1, 2, 3), 3, new_threshold=2, new_members=(3, 4), key=k),
     "committee file's nodes"),                                              # to a coalition below the threshold
    (lambda k: Invitation("reshare", (1, 2, 3), 3, new_threshold=2, new_members=(1, 2, 3, 4), key=k),
     "with its threshold (3)"),                                              # a lower threshold
    (lambda k: Invitation("reshare", (1, 2), 3, new_threshold=3, new_members=(1, 2, 3, 4), key=k),
     "at least 3 holders"),                                                  # too few dealers
    (lambda k: Invitation("refresh", (1, 2, 3), 3, key=k), "every holder"),  # node 4 cut off the key
    (lambda k: Invitation("refresh", (1, 2, 3, 4), 2, key=k), "threshold 2 is not the key's"),
    (lambda k: Invitation("refresh", (1, 2, 3, 4), 3, key=bytes(32)), "another version of the key"),
    (lambda k: Invitation("refresh", (1, 2, 3, 4), 3), "another version of the key"),
    (lambda k: Invitation("repair", (1, 2), 3, target=4, key=k), "at least 3 holders"),
    (lambda k: Invitation("repair", (1, 2, 3), 3, target=4, new_members=(1, 2, 3, 4), key=k), "no new members"),
    (lambda k: Invitation("dkg", tuple(NODES), 3), "already has a key"),
])
def test_key_ceremonies_that_do_not_follow_from_the_committee_file_are_refused(invitation, why):
    """The coordinator is not trusted with the key: a node joins only what the committee file and
    the key it holds allow, and every node keeps its share when it refuses."""
    c = keyed_cluster()
    kps, _ = dealt()
    from pqzk.node.coordinate import involved
    inv = invitation(_key())
    asyncio.run(c.run(inv, b"bad"))
    for i in NODES:
        reason = c.nodes[i].refused.get(b"bad", "")
        assert why in reason or (i not in involved(inv) and "not a participant" in reason), (i, reason)
        assert c.nodes[i].kp == kps[i] and not c.kept[i]


def test_a_new_committee_version_lets_the_key_be_reshared_to_its_members():
    """A reshare to other members or another threshold goes through a new committee file version
    (approved by the previous version's threshold of nodes), then the nodes deal to exactly it."""
    c = keyed_cluster()
    kps, pkp = dealt()
    c.new_version(threshold=2)
    asyncio.run(c.run(Invitation("reshare", (2, 3, 4), 3, new_threshold=2, new_members=tuple(NODES), key=_key()),
                      b"reshare"))
    assert all(n.pkp.min_signers == 2 and n.pkp.verifying_key == pkp.verifying_key for n in c.nodes.values())
    sig = frost.sign(frost.get_ciphersuite("FROST-ED25519-SHA512-v1"), [c.nodes[1].kp, c.nodes[3].kp], b"m")
    frost.verify("FROST-ED25519-SHA512-v1", pkp.verifying_key, b"m", sig)


class TwoFacedInviter(Inviter):
    """Invites nodes 1, 2 to one ceremony and 3, 4 to another, in one session; both are valid."""

    def __init__(self, first, second, keyring, *, session):
        super().__init__(first, keyring, session=session, to=NODES)
        self.second = second

    def start(self):
        self.result = True
        return [self._send(i, Kind.SESSION_INVITE, (self.invitation if i in (1, 2) else self.second).to_payload())
                for i in self.to]


def test_nodes_given_different_invitations_run_different_ceremonies_and_blame_nobody():
    from pqzk.node.service import ceremony_session
    c = keyed_cluster()
    kps, _ = dealt()
    refresh = Invitation("refresh", tuple(NODES), 3, key=_key())
    reshare = Invitation("reshare", (1, 2, 3), 3, new_threshold=3, new_members=tuple(NODES), key=_key())
    assert ceremony_session(b"s", refresh.to_payload()) != ceremony_session(b"s", reshare.to_payload())
    assert ceremony_session(b"s", refresh.to_payload()) != ceremony_session(b"t", refresh.to_payload())

    async def run():
        hub = Hub()
        drivers = [Driver(n, c.channel(i), hub.connect(i), timeout=0.05, serve=True) for i, n in c.nodes.items()]
        tasks = [asyncio.create_task(d.run(start=False)) for d in drivers]
        inviter = TwoFacedInviter(refresh, reshare, keyring("coordinator"), session=b"two-faced")
        await Driver(inviter, c.channel("coordinator"), hub.connect("coordinator"), timeout=0.05).run()
        for _ in range(300):
            await asyncio.sleep(0.02)
            if all(b"two-faced" in n.finished for n in c.nodes.values()):
                break
        for d in drivers:
            d.stop()
        await asyncio.gather(*tasks)

    asyncio.run(run())
    for i, n in c.nodes.items():
        party = n.finished[b"two-faced"]
        assert party.error is not None and not party.error.culprits, (i, party.error)
        # silent: the other group; or stopped by a peer of its own group that announced that first
        same, other = ({1, 2}, {3, 4}) if i in (1, 2) else ({3, 4}, {1, 2})
        assert set(party.error.unresponsive) & other or set(party.error.stopped_by) & (same - {i}) or i == 4, \
            (i, party.error)
        assert n.kp == kps[i]                                 # nothing changed


def _invite(invitation: Invitation, session: bytes, to=1) -> Message:
    return keyring("coordinator").sign(Message("coordinator", to, Kind.SESSION_INVITE, invitation.to_payload(),
                                               session))


def test_one_key_ceremony_at_a_time_and_a_result_only_for_the_key_it_started_from():
    from pqzk.node.report import Report
    c = keyed_cluster()
    node = c.nodes[1]
    kps, pkp = dealt()
    refresh = Invitation("refresh", tuple(NODES), 3, key=_key())
    out = node.receive(_invite(refresh, b"first"))
    assert out and len(node.sessions) == 1
    refused = node.receive(_invite(refresh, b"second"))
    assert "one at a time" in node.refused[b"second"]
    assert [Report.from_payload(m.payload).outcome for m in refused] == ["refused"]
    assert node.receive(_invite(refresh, b"first")) == []         # the same invitation again: ignored
    (session, party), = node.sessions.items()
    other_kps, other_pkp = frost.trusted_dealer_keygen(frost.get_ciphersuite("FROST-ED25519-SHA512-v1"), 3, 4,
                                                       rng=DeterministicRNG(b"svc-other"))
    node.kp, node.pkp = other_kps[1], other_pkp                   # (another result landed meanwhile)
    party.result = (kps[1], pkp)
    reports = node._after(session, party, [])
    report = Report.from_payload(reports[0].payload)
    assert report.outcome == "aborted" and "changed during the ceremony" in report.reason
    assert node.kp == other_kps[1] and not c.kept[1]
    assert b"first" in node.finished and not node.sessions


def test_a_node_restarted_mid_ceremony_does_not_join_it_again():
    """It lost its polynomial: dealing a second one would be equivocation. Its record of the
    ceremonies it joined (on disk on a real node) makes it refuse the redelivered invitation."""
    from pqzk.node.answers import Answers
    c = keyed_cluster()
    kps, pkp = dealt()
    answers = Answers()
    first = NodeService(c.committee, keyring(1), key_package=kps[1], public_key_package=pkp, answers=answers)
    refresh = Invitation("refresh", tuple(NODES), 3, key=_key())
    assert first.receive(_invite(refresh, b"r"))
    again = NodeService(c.committee, keyring(1), key_package=kps[1], public_key_package=pkp, answers=answers)
    again.receive(_invite(refresh, b"r"))
    assert "before it restarted" in again.refused[b"r"] and not again.sessions
    fresh = NodeService(c.committee, keyring(1), key_package=kps[1], public_key_package=pkp, answers=Answers())
    assert fresh.receive(_invite(refresh, b"r")) and fresh.sessions


def test_early_messages_are_kept_only_when_a_committee_node_signed_them_and_within_bounds():
    c = Cluster()
    node = c.nodes[1]

    def early(sender, session, to=1, payload=b"round 1", sign=True):
        m = Message(sender, None, Kind.DKG_ROUND1, payload, session, True)
        if sign:
            m = keyring(sender).sign(m)
        return Message(sender, to, m.kind, m.payload, m.session, True, m.signature)

    node.receive(early(2, b"unsigned", sign=False))
    node.receive(early("coordinator", b"from-the-coordinator"))
    node.receive(Message(2, 1, Kind.DKG_ROUND1, b"x", b"forged", True, early(3, b"forged").signature))
    assert len(node.early) == 0 and len(node.rejected) >= 2
    for k in range(20):                                           # node 2 opens at most 8 boxes
        node.receive(early(2, b"junk-%d" % k))
    assert len(node.early) == 8
    node.receive(early(3, b"genuine"))
    assert b"genuine" in node.early
    for k in range(40):                                           # so do nodes 3 and 4: the genuine box stays
        node.receive(early(3 if k % 2 else 4, b"more-%d" % k))
    assert len(node.early) == 24 and b"genuine" in node.early
    for _ in range(30):
        node.on_idle()                                            # unclaimed boxes expire
    assert len(node.early) == 0


def test_early_boxes_are_bounded_per_sender_and_in_bytes():
    from pqzk.node.early import EarlyBoxes
    boxes = EarlyBoxes(opened=100)
    for k in range(40):                                           # 32 sessions at most: the oldest go
        assert boxes.keep(Message(2 + k % 5, 1, Kind.DKG_ROUND1, b"x", b"s-%d" % k, True, b""))
    assert len(boxes) == 32 and b"s-7" not in boxes and b"s-8" in boxes
    boxes = EarlyBoxes(max_bytes=10_000, per_sender=3)
    for k in range(5):
        boxes.keep(Message(2, 1, Kind.DKG_ROUND1, b"x" * 100, b"s", True, b"sig%d" % k))
    assert len(boxes.pop(b"s")) == 3                               # three from one sender in one session
    assert boxes.keep(Message(3, 1, Kind.DKG_ROUND1, b"x" * 4000, b"a", True, b"")) \
        and boxes.keep(Message(3, 1, Kind.DKG_ROUND1, b"x" * 4000, b"b", True, b""))
    assert boxes.keep(Message(4, 1, Kind.DKG_ROUND1, b"x" * 4000, b"c", True, b""))
    assert b"a" not in boxes and b"b" in boxes and b"c" in boxes and boxes.size <= 10_000
    assert not boxes.keep(Message(4, 1, Kind.DKG_ROUND1, b"x" * 20_000, b"d", True, b""))


def test_a_node_new_to_the_key_joins_it_by_a_reshare_to_the_committees_new_version():
    """Nodes 1-3 hold a 2-of-3 key; version 2 of the committee file carries that key and says 3 of
    nodes 1-4. Node 4, which holds nothing, learns the key from the file and receives a share."""
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"svc-new-member"))
    c = Cluster()
    c.nodes = {i: c.service(i, kps.get(i), pkp if i in kps else None) for i in NODES}
    c.new_version(public_key_package=pkp.to_bytes())          # threshold 3 of 1-4, the key in the file
    c.nodes[4].pkp = c.committee.pkp()                         # (what OpenNode.key() gives a node without one)
    asyncio.run(c.run(Invitation("reshare", (1, 2, 3), 2, new_threshold=3, new_members=tuple(NODES),
                                 key=pkp.key_version()), b"join"))
    assert all(n.kp is not None and n.pkp.min_signers == 3 and n.pkp.verifying_key == pkp.verifying_key
               for n in c.nodes.values())
    sig = frost.sign(suite, [c.nodes[i].kp for i in (2, 3, 4)], b"m")
    frost.verify(suite, pkp.verifying_key, b"m", sig)
