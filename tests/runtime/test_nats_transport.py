"""The NATS transport against a real private nats-server on loopback: subjects, durable delivery,
no echo, sealed private frames on the stream, and the runtime's parties (DKG, FROST signing in
all six ciphersuites) driven over it in one process."""
from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nats_helpers import (Committee, SignerNodes, close_links, config, fresh_committee, nats_server,  # noqa: F401
                          open_links, run_dkg_over, sign_over, stored_frames)
from pqzk.errors import InvalidParameter, TransportError, VerificationError
from pqzk.runtime import COORDINATOR, Kind, Message
from pqzk.runtime.channel import PRIVATE
from pqzk.runtime.transports import nats as nt
from pqzk.threshold import frost

MSG = b"signed over NATS"


def run(coro, limit: float = 90.0):
    return asyncio.run(asyncio.wait_for(coro, limit))


# ---- names and configuration --------------------------------------------------------------------
party_ids = st.one_of(st.integers(1, 2**64), st.from_regex(r"[A-Za-z0-9_.:-]{1,64}", fullmatch=True))


@settings(max_examples=60)
@given(session=st.binary(max_size=255), recipient=st.one_of(st.none(), party_ids), sender=party_ids,
       committee=st.binary(min_size=1, max_size=255))
def test_subjects_are_safe_tokens_and_parse_back(session, recipient, sender, committee):
    subj = nt.subject("pqzk", committee, session, recipient, sender)
    tokens = subj.split(".")
    assert len(tokens) == 5 and all(tokens) and all(t.isalnum() or t == "_" for t in tokens)
    parsed = nt.parse_subject("pqzk", committee, subj)
    assert parsed == (session, nt.BROADCAST_TOKEN if recipient is None else nt.party_token(recipient),
                      nt.party_token(sender))


@pytest.mark.parametrize("subj", [
    "pqzk.636f6d.73.all", "pqzk.636f6d.73.all.01.02", "other.636f6d.73.all.0101", "pqzk.636f6e.73.all.0101",
    "pqzk.636f6d.7.all.0101", "pqzk.636f6d.ZZ.all.0101", "pqzk.636f6d.73.everyone.0101", "pqzk.636f6d.73.all.",
    "pqzk.636f6d.73.all.0G", "pqzk.636f6d.7A.all.0101"])
def test_malformed_subjects_are_not_parsed(subj):
    assert nt.parse_subject("pqzk", b"com", subj) is None


@pytest.mark.parametrize("kw", [
    {"servers": ()}, {"servers": ("http://127.0.0.1:4222",)}, {"servers": ("nats://a b",)}, {"prefix": "a.b"},
    {"prefix": ""}, {"replicas": 0}, {"user": "u"}, {"password": "p"}, {"ack_wait": 0}, {"max_deliver": 0},
    {"cert_file": "c.pem"}])
def test_bad_configs_are_refused(kw):
    with pytest.raises(InvalidParameter):
        nt.NatsConfig(**kw)


def test_config_hides_the_password_and_names_are_checked():
    cfg = nt.NatsConfig(servers="nats://127.0.0.1:1", user="node-1", password="s3cret-pw")
    assert cfg.servers == ("nats://127.0.0.1:1",) and "s3cret-pw" not in repr(cfg)
    for bad in (b"", b"x" * 256, "text"):
        with pytest.raises(InvalidParameter):
            nt.committee_token(bad)
    with pytest.raises(InvalidParameter):
        nt.session_token(b"x" * 256)
    with pytest.raises(InvalidParameter):
        nt.party_token(0)


def test_no_broker_is_a_clear_transport_error():
    from pqzk.runtime.transports.nats_server import free_port
    cfg = config(f"nats://127.0.0.1:{free_port()}", connect_timeout=1.0)
    with pytest.raises(TransportError, match="cannot connect to NATS"):
        run(nt.NatsLink.open(cfg, b"com"), 20)


# ---- frames over the broker ---------------------------------------------------------------------
def test_frames_reach_their_recipient_and_broadcasts_are_not_echoed(nats_server):
    com = fresh_committee()

    async def main():
        links = await open_links({i: config(nats_server.url) for i in (1, 2, 3)}, com)
        t = {i: await links[i].transport(b"s1", i) for i in (1, 2, 3)}
        await t[1].send(None, b"to everyone")
        await t[1].send(2, b"to two")
        got = {i: [] for i in (1, 2, 3)}
        for i in (1, 2, 3):
            while (f := await t[i].receive(0.4)) is not None:
                got[i].append(f)
        other = await links[3].transport(b"s2", 3)          # another session sees nothing of s1
        none = await other.receive(0.3)
        for x in (*t.values(), other):
            await x.close()
        await close_links(links)
        return got, none
    got, none = run(main())
    assert got[1] == []                                     # not its own broadcast
    assert sorted(got[2]) == [b"to everyone", b"to two"]
    assert got[3] == [b"to everyone"]
    assert none is None


def test_a_late_or_restarted_receiver_catches_up_and_unacked_frames_come_back(nats_server):
    """Frames published before the receiver existed are delivered (durable delivery); a frame a
    receiver took but never acknowledged (it 'crashed') is redelivered to its next incarnation,
    while acknowledged ones are not."""
    com = fresh_committee()

    async def main():
        cfg = config(nats_server.url, ack_wait=1.0)
        links = await open_links({1: cfg, 2: cfg}, com)
        sender = await links[1].transport(b"s", 1)
        for k in range(3):
            await sender.send(2, b"frame %d" % k)
        first = await links[2].transport(b"s", 2)           # joins after the frames were sent
        a = await first.receive(2)
        b = await first.receive(2)                          # acknowledges a; b is in hand, unacked
        await first._receiver.close()                       # "crash": no ack for b, consumer kept
        again = await links[2].transport(b"s", 2)           # restart: resumes at the durable cursor
        rest = [await again.receive(3), await again.receive(3)]
        tail = await again.receive(0.3)
        await again.close(delete=False)
        replay = await links[2].transport(b"s", 2, resume=False)   # a party that lost its state
        everything = [await replay.receive(2) for _ in range(3)]
        for x in (sender, replay):
            await x.close()
        await close_links(links)
        return [a, b], rest, tail, everything
    before, rest, tail, everything = run(main())
    assert before == [b"frame 0", b"frame 1"]
    assert sorted(rest) == [b"frame 1", b"frame 2"] and tail is None
    assert everything == [b"frame 0", b"frame 1", b"frame 2"]


def test_frames_are_bounded_in_size(nats_server):
    async def main():
        link = await nt.NatsLink.open(config(nats_server.url), fresh_committee())
        t = await link.transport(b"s", 1)
        try:
            for bad in (b"", b"x" * (nt.MAX_FRAME + 1), "text"):
                with pytest.raises(InvalidParameter):
                    await t.send(2, bad)
        finally:
            await t.close()
            await link.close()
    run(main())


# ---- the runtime's parties over NATS, one process -----------------------------------------------
def _stream_frames(url: str, committee: bytes) -> list[tuple[str, bytes]]:
    async def main():
        link = await nt.NatsLink.open(config(url), committee)
        out = await stored_frames(link)
        await link.close()
        return out
    return run(main())


def test_dkg_then_frost_signing_over_nats_in_one_process(nats_server):
    """A 3-of-4 DKG of four parties over the broker, then FROST signing by three of them running
    as nodes (each serving every session addressed to it); private frames on the stream are sealed:
    no share's plaintext is visible to the broker."""
    com = Committee(4, 3, b"one-process", fresh_committee())
    in_clear: list[bytes] = []                 # every private payload, as its sender wrapped it

    def spy(channel):
        wrap = channel.wrap

        def recording(msg):
            if not msg.broadcast:
                in_clear.append(msg.payload)
            return wrap(msg)
        channel.wrap = recording
        return channel
    com.channel = lambda pid, _c=com.channel: spy(_c(pid))

    async def main():
        links = await open_links({i: config(nats_server.url) for i in [COORDINATOR, *com.ids]}, com.committee)
        parties, drivers, channels = await run_dkg_over(links, com, b"dkg-1", 3)
        kps = {p.id: p.result[0] for p in parties}
        pkp = parties[0].result[1]
        com.kps, com.pkp = kps, pkp
        nodes = await SignerNodes(com, links, [1, 2, 4]).start()
        coord, cdriver = await sign_over(links[COORDINATOR], com, MSG, [1, 2, 4], b"sign-1")
        await nodes.close()
        await close_links(links)
        return parties, drivers, channels, coord, cdriver, nodes
    parties, drivers, channels, coord, cdriver, nodes = run(main())
    assert all(p.result is not None and p.error is None for p in parties)
    assert len({p.result[1].to_bytes() for p in parties}) == 1
    assert all(not ch.rejected for ch in channels.values())      # nothing echoed, nothing altered
    # each participant: three broadcasts and one private share per other participant
    assert [d.stats.frames_out for d in drivers] == [3 + 3] * 4
    assert [d.stats.frames_in for d in drivers] == [3 * 3 + 3] * 4
    frost.verify(com.pkp.suite, com.pkp.verifying_key, MSG, coord.result)
    assert cdriver.stats.frames_out == 6 and cdriver.stats.frames_in == 6
    # the broker's view: private frames are sealed, so no share (and no signing share) is in clear
    stored = _stream_frames(nats_server.url, com.committee)
    private = [data for _, data in stored if data[4 + 1 + 1 + len(com.committee)] == PRIVATE]
    assert len(private) == 4 * 3 + 3 * 4     # DKG shares; requests, commitments, signing packages, shares
    secret = [p for p in in_clear if p]                  # all but the three empty round 1 requests
    assert len(secret) == 4 * 3 + 3 * 3 and all(len(p) >= 32 for p in secret)
    assert not any(p in data for p in secret for _, data in stored)


def test_private_payloads_never_appear_on_the_stream(nats_server):
    """Point-to-point payloads travel sealed: a known secret payload sent through the channel and
    the transport is absent from what the broker stored; a broadcast is signed, in clear."""
    com = Committee(2, 2, b"sealed", fresh_committee())
    secret = b"THE-SECRET-SHARE-" + bytes(range(32))

    async def main():
        links = await open_links({1: config(nats_server.url), 2: config(nats_server.url)}, com.committee)
        a, b = await links[1].transport(b"s", 1), await links[2].transport(b"s", 2)
        ch1, ch2 = com.channel(1), com.channel(2)
        private = com.rings[1].sign(Message(1, 2, Kind.DKG_ROUND2, secret, b"s"))
        public = com.rings[1].sign(Message(1, None, Kind.DKG_ROUND1, b"PUBLIC-COMMITMENT", b"s", broadcast=True))
        for msg in (private, public):
            to, frame = ch1.wrap(msg)
            await a.send(to, frame)
        got = sorted([ch2.unwrap(await b.receive(2)), ch2.unwrap(await b.receive(2))], key=lambda m: m.broadcast)
        for x in (a, b):
            await x.close()
        await close_links(links)
        return got, private
    got, private = run(main())
    assert got[0] == private and got[1].payload == b"PUBLIC-COMMITMENT"
    stored = b"".join(data for _, data in _stream_frames(nats_server.url, com.committee))
    assert secret not in stored and secret[:17] not in stored and b"PUBLIC-COMMITMENT" in stored


@pytest.mark.parametrize("suite", frost.ciphersuite_names())
def test_dkg_and_frost_signing_over_nats_for_every_suite(nats_server, suite):
    """Every FROST ciphersuite over the broker: a 2-of-3 DKG, each participant driven over its own
    NATS transport, then signing by two of them serving as nodes; the signature verifies."""
    from nats_helpers import drive_session
    from pqzk.runtime.dkg_parties import DkgParticipant
    com = Committee(3, 2, b"suite/" + suite.encode(), fresh_committee())

    async def main():
        links = await open_links({i: config(nats_server.url) for i in [COORDINATOR, *com.ids]}, com.committee)
        try:
            parties = [DkgParticipant(suite, i, com.ids, 2, com.rings[i], session=b"dkg") for i in com.ids]
            await drive_session(lambda pid: links[pid], parties, {i: com.channel(i) for i in com.ids}, b"dkg",
                                timeout=1.0, idle_limit=8)
            assert all(p.error is None and p.result is not None for p in parties), [p.error for p in parties]
            com.kps, com.pkp = {p.id: p.result[0] for p in parties}, parties[0].result[1]
            nodes = await SignerNodes(com, links, [1, 3], timeout=1.0).start()
            try:
                coord, _ = await sign_over(links[COORDINATOR], com, MSG, [1, 3], b"sign", timeout=1.0)
            finally:
                await nodes.close()
            return parties, coord
        finally:
            await close_links(links)
    parties, coord = run(main())
    assert len({p.result[1].to_bytes() for p in parties}) == 1
    assert com.pkp.suite.name == suite and coord.error is None
    frost.verify(suite, com.pkp.verifying_key, MSG, coord.result)
    with pytest.raises(VerificationError):
        frost.verify(suite, com.pkp.verifying_key, MSG + b"!", coord.result)
