"""The channel (frames, sealing, replay refusal), the driver and the in-process hub: the runtime's
network seam, exercised with the same parties the simulator runs."""
from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import InvalidParameter, ProtocolAbort
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import COORDINATOR, FrostCoordinator, FrostSigner, Kind, Message, generate_keyrings
from pqzk.runtime.channel import CLASSICAL, HYBRID, Channel, generate_kem_keys
from pqzk.runtime.dkg_parties import DkgParticipant
from pqzk.runtime.driver import Driver
from pqzk.runtime.frost_parties import CommitmentPool, FrostPreprocessor
from pqzk.runtime.transports.inprocess import Hub
from pqzk.threshold import frost

SUITE = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
IDS = [1, 2, 3]
RINGS = generate_keyrings([COORDINATOR, *IDS], rng=DeterministicRNG(b"channel"))


@pytest.fixture(scope="module", params=[HYBRID, CLASSICAL])
def kems(request):
    return generate_kem_keys([COORDINATOR, *IDS], request.param, rng=DeterministicRNG(b"kem" + request.param.encode()))


def _private(sender=1, recipient=2, payload=b"a secret share", session=b"s"):
    return RINGS[sender].sign(Message(sender, recipient, Kind.DKG_ROUND2, payload, session))


def test_private_frames_are_sealed_and_open_only_for_their_recipient(kems):
    a, b, c = (Channel(i, b"com", kems[i]) for i in (1, 2, 3))
    msg = _private()
    to, frame = a.wrap(msg)
    assert to == 2 and b"a secret share" not in frame
    assert b.unwrap(frame) == msg
    assert c.unwrap(frame) is None and "another party" in c.rejected[-1]
    assert b.unwrap(frame) is None and "replayed" in b.rejected[-1]          # the same frame again


def test_broadcast_frames_are_signed_not_sealed(kems):
    a, b = Channel(1, b"com", kems[1]), Channel(2, b"com", kems[2])
    msg = RINGS[1].sign(Message(1, None, Kind.DKG_ROUND1, b"commitment", b"s", broadcast=True))
    to, frame = a.wrap(msg)
    assert to is None and b"commitment" in frame
    assert b.unwrap(frame) == replace(msg, recipient=2)


def test_every_altered_byte_of_a_private_frame_is_refused(kems):
    a, b = Channel(1, b"com", kems[1]), Channel(2, b"com", kems[2])
    frame = a.wrap(_private())[1]
    for pos in range(0, len(frame), 7):
        fresh = Channel(2, b"com", kems[2])
        bad = bytearray(frame)
        bad[pos] ^= 0x01
        assert fresh.unwrap(bytes(bad)) is None
    assert b.unwrap(frame) is not None


def test_frames_of_another_committee_or_version_are_refused(kems):
    a, b = Channel(1, b"com-a", kems[1]), Channel(2, b"com-b", kems[2])
    assert b.unwrap(a.wrap(_private())[1]) is None and "another committee" in b.rejected[-1]
    for junk in (b"", b"PQZF", b"PQZF\x02", b"\x00" * 64, "text", None):
        assert b.unwrap(junk) is None


def test_a_frame_cannot_be_readdressed_inside_its_seal(kems):
    """The frame header and the signed message inside must agree: a broker that re-labels a
    frame's session or kind gets it refused."""
    a, b = Channel(1, b"com", kems[1]), Channel(2, b"com", kems[2])
    frame = a.wrap(_private(session=b"s1"))[1]
    assert b.unwrap(frame.replace(b"\x00\x02s1", b"\x00\x02s2", 1)) is None


def test_channel_arguments():
    k = generate_kem_keys([1, 2])
    with pytest.raises(InvalidParameter):
        Channel(9, b"com", k[1])
    with pytest.raises(InvalidParameter):
        Channel(1, b"", k[1])
    with pytest.raises(InvalidParameter):
        Channel(1, b"com", k[1]).wrap(_private(sender=2, recipient=1))
    with pytest.raises(InvalidParameter):
        generate_kem_keys([1], "rot13")


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=400))
def test_unwrap_never_raises(data):
    k = generate_kem_keys([1, 2], rng=DeterministicRNG(b"u"))
    out = Channel(2, b"com", k[2]).unwrap(b"PQZF\x01\x03com" + data)       # never raises
    assert out is None or (isinstance(out, Message) and out.broadcast)


# ---- the driver over the hub ----

def _drive(parties, kems, hub, committee=b"com", timeout=0.05):
    drivers = [Driver(p, Channel(p.id, committee, kems[p.id]), hub.connect(p.id), timeout=timeout)
               for p in parties]
    return drivers, asyncio.gather(*(d.run() for d in drivers))


def test_a_dkg_over_the_hub_matches_the_simulator(kems):
    async def main():
        parties = [DkgParticipant(SUITE, i, IDS, 2, RINGS[i], session=b"dkg", rng=DeterministicRNG(i)) for i in IDS]
        hub = Hub()
        drivers, run = _drive(parties, kems, hub)
        await run
        return parties, drivers, hub
    parties, drivers, hub = asyncio.run(main())
    assert all(p.result is not None for p in parties)
    assert len({p.result[1].to_bytes() for p in parties}) == 1
    # per party: three broadcasts (round 1, echo, complaints) of one frame each, and two private shares
    assert [d.stats.frames_out for d in drivers] == [5, 5, 5]
    assert hub.frames == 3 * (3 * 2 + 2)             # each broadcast frame reaches both other parties


def test_lossy_and_corrupting_network_never_blames(kems):
    """Frames lost or altered by the network: the DKG recovers or aborts naming nobody."""
    async def main(seed):
        parties = [DkgParticipant(SUITE, i, IDS, 2, RINGS[i], session=b"dkg-%d" % seed) for i in IDS]
        hub = Hub(drop=0.1, corrupt=0.1, rng=DeterministicRNG(seed))
        _, run = _drive(parties, kems, hub, timeout=0.02)
        await run
        return parties
    for seed in range(6):
        for p in asyncio.run(main(seed)):
            assert p.error is None or p.error.culprits == []


def test_preprocessed_one_round_signing_over_the_hub(kems):
    kps, pkp = frost.trusted_dealer_keygen(SUITE, 2, 3, rng=DeterministicRNG(b"pre"))

    async def main():
        hub = Hub(latency=lambda a, b: 0.01)
        signers = [FrostSigner(kps[i], RINGS[i]) for i in IDS]
        transports = {p.id: hub.connect(p.id) for p in signers}
        serve = [Driver(s, Channel(s.id, b"com", kems[s.id]), transports[s.id], timeout=0.05, serve=True)
                 for s in signers]
        tasks = [asyncio.create_task(d.run()) for d in serve]
        coord_transport = hub.connect(COORDINATOR)
        channel = Channel(COORDINATOR, b"com", kems[COORDINATOR])
        pre = FrostPreprocessor(SUITE, IDS, 3, RINGS[COORDINATOR], session=b"pre")
        await Driver(pre, channel, coord_transport, timeout=0.2).run()
        pool = CommitmentPool()
        pool.add(pre.result)
        sigs = []
        for k in range(3):
            coord = FrostCoordinator(pkp, b"m%d" % k, [1, 3], RINGS[COORDINATOR], session=b"sign-%d" % k,
                                     commitments=pool.take([1, 3]))
            d = Driver(coord, channel, coord_transport, timeout=0.2)
            await d.run()
            sigs.append((coord.result, d.stats.frames_out))
        for d in serve:
            d.stop()
        await asyncio.gather(*tasks)
        return sigs, pool
    sigs, pool = asyncio.run(main())
    for k, (sig, frames_out) in enumerate(sigs):
        frost.verify(SUITE, pkp.verifying_key, b"m%d" % k, sig)
        assert frames_out == 2                    # one round: a signing request to each signer, no round 1
    assert pool.available(1) == 0 and pool.available(2) == 3
    with pytest.raises(InvalidParameter):
        pool.take([1, 3])


def test_a_preprocessed_commitment_signs_once(kems):
    """The same preprocessed commitment named by two requests: the second is refused (NonceReuse)."""
    kps, pkp = frost.trusted_dealer_keygen(SUITE, 2, 3, rng=DeterministicRNG(b"pre2"))
    signers = {i: FrostSigner(kps[i], RINGS[i]) for i in (1, 2)}
    from pqzk.runtime import Simulator
    pre = FrostPreprocessor(SUITE, [1, 2], 1, RINGS[COORDINATOR], session=b"p")
    Simulator([pre, *signers.values()]).run(pre.start())
    comms = {i: b[0] for i, b in pre.result.items()}
    first = FrostCoordinator(pkp, b"one", [1, 2], RINGS[COORDINATOR], session=b"a", commitments=comms)
    Simulator([first, *signers.values()]).run(first.start())
    frost.verify(SUITE, pkp.verifying_key, b"one", first.result)
    second = FrostCoordinator(pkp, b"two", [1, 2], RINGS[COORDINATOR], session=b"b", commitments=comms)
    sim = Simulator([second, *signers.values()])
    sim.run(second.start())
    assert second.result is None and {type(e).__name__ for _, e in sim.refusals} == {"NonceReuse"}
    assert isinstance(second.error, ProtocolAbort) and second.error.culprits == []


def test_a_frame_the_transport_fails_to_send_is_lost_not_fatal(kems):
    """A broker that did not store one frame (TransportError from send) costs that frame, as a
    lossy network would: the driver logs it and goes on; the DKG recovers or aborts naming nobody."""
    from pqzk.errors import TransportError

    class Flaky:
        def __init__(self, inner, fail_at):
            self.inner, self.fail_at, self.sends = inner, fail_at, 0

        async def send(self, to, frame, session=None):
            self.sends += 1
            if self.sends == self.fail_at:
                raise TransportError("a frame was not stored by the broker")
            await self.inner.send(to, frame, session)

        async def receive(self, timeout):
            return await self.inner.receive(timeout)

        async def close(self):
            await self.inner.close()

    async def main():
        parties = [DkgParticipant(SUITE, i, IDS, 2, RINGS[i], session=b"flaky", rng=DeterministicRNG(i)) for i in IDS]
        hub = Hub()
        drivers = [Driver(p, Channel(p.id, b"com", kems[p.id]), Flaky(hub.connect(p.id), 2 if p.id == 1 else 0),
                          timeout=0.05) for p in parties]
        await asyncio.wait_for(asyncio.gather(*(d.run() for d in drivers)), 30)
        return parties, drivers
    parties, drivers = asyncio.run(main())
    assert [len(d.send_errors) for d in drivers] == [1, 0, 0]
    assert all(p.result is not None or (p.error is not None and not p.error.culprits) for p in parties)


# ---- replay memory: a window per sender epoch, constant memory however long the channel runs ----
def test_replays_are_refused_within_and_below_the_window(kems):
    a = Channel(1, b"com", kems[1])
    b = Channel(2, b"com", kems[2], replay_window=8)
    frames = [a.wrap(_private(payload=b"share %d" % k))[1] for k in range(20)]
    order = [3, 0, 1, 2, 5, 4, 9, 6, 7, 8, 19]                 # reordered, within the window
    assert all(b.unwrap(frames[k]) is not None for k in order)
    assert all(b.unwrap(frames[k]) is None for k in order)      # every one of them replayed: refused
    assert b.unwrap(frames[12]) is not None                     # not seen yet and within 8 of 19
    assert b.unwrap(frames[10]) is None                         # never seen, but older than the window
    assert "older than the window" in b.rejected[-1]
    assert len(b._replay[1]) == 1 and b._replay[1][a._epoch].top == 20


def test_a_new_epoch_per_sender_process_and_a_bounded_number_of_them(kems):
    from pqzk.runtime.channel import MAX_EPOCHS
    b = Channel(2, b"com", kems[2])
    senders = [Channel(1, b"com", kems[1]) for _ in range(MAX_EPOCHS + 3)]     # sender 1 restarted many times
    first = senders[0].wrap(_private())[1]
    assert b.unwrap(first) is not None
    for s in senders[1:]:
        assert b.unwrap(s.wrap(_private())[1]) is not None
    assert len(b._replay[1]) == MAX_EPOCHS


def test_with_the_directory_only_frames_their_sender_signed_count(kems):
    from pqzk.runtime.identity import Directory
    directory = Directory({p: RINGS[p].signing_key.public_key for p in [COORDINATOR, *IDS]})
    a = Channel(1, b"com", kems[1])
    b = Channel(2, b"com", kems[2], directory=directory)
    forged = a.wrap(Message(1, 2, Kind.DKG_ROUND2, b"x", b"s", signature=b"\x00" * 64))[1]
    assert b.unwrap(forged) is None and "not signed by its sender" in b.rejected[-1]
    assert not b._replay                                          # a forgery takes no room in the replay memory
    assert b.unwrap(a.wrap(_private())[1]) is not None
