"""The files transport: bundles of frames carried to and from an air-gapped signer, strictly
decoded; one offline step runs a party exactly as the network would."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import COORDINATOR, FrostCoordinator, FrostSigner, generate_keyrings
from pqzk.runtime.channel import Channel, generate_kem_keys
from pqzk.runtime.frost_parties import FrostPreprocessor
from pqzk.runtime.transports.files import decode_bundle, encode_bundle, read_bundle, step, write_bundle
from pqzk.threshold import frost


@given(st.lists(st.binary(max_size=50), max_size=20))
def test_bundles_round_trip(frames):
    assert decode_bundle(encode_bundle(frames)) == frames


@settings(max_examples=50)
@given(st.binary(max_size=200))
def test_bundles_decode_strictly(data):
    try:
        frames = decode_bundle(data)
    except InvalidEncoding:
        return
    assert encode_bundle(frames) == data


def test_bundle_files(tmp_path):
    write_bundle(tmp_path / "out.bundle", [b"a", b"bc"])
    assert read_bundle(tmp_path / "out.bundle") == [b"a", b"bc"]
    with pytest.raises(InvalidParameter, match="already exists"):
        write_bundle(tmp_path / "out.bundle", [])
    write_bundle(tmp_path / "out.bundle", [], force=True)
    with pytest.raises(InvalidParameter):
        read_bundle(tmp_path / "missing.bundle")
    (tmp_path / "junk").write_bytes(b"PQZKBNDL\x01\xff\xff\xff\xff")
    with pytest.raises(InvalidEncoding):
        read_bundle(tmp_path / "junk")


def test_an_air_gapped_signer_signs_through_bundles(tmp_path):
    """2-of-3 where signer 3 is cold: it preprocesses by bundle, later signs by bundle; signer 1
    is online. The cold signer's state between steps is only its nonce store."""
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"cold"))
    rings = generate_keyrings([COORDINATOR, 1, 3], rng=DeterministicRNG(b"cold-ids"))
    kems = generate_kem_keys([COORDINATOR, 1, 3], rng=DeterministicRNG(b"cold-kem"))
    chan = {p: Channel(p, b"vault", kems[p]) for p in (COORDINATOR, 1, 3)}
    online, cold = FrostSigner(kps[1], rings[1]), FrostSigner(kps[3], rings[3])

    def carry(party_out, to):      # coordinator frames for `to`, through a bundle file
        path = tmp_path / f"to-{to}-{len(list(tmp_path.iterdir()))}.bundle"
        write_bundle(path, [chan[COORDINATOR].wrap(m)[1] for m in party_out if m.recipient == to])
        return read_bundle(path)

    pre = FrostPreprocessor(suite, [1, 3], 1, rings[COORDINATOR], session=b"pre")
    requests = pre.start()
    for signer in (online, cold):
        frames_out, refused = step(signer, chan[signer.id], carry(requests, signer.id))
        assert not refused
        for f in frames_out:
            pre.receive(chan[COORDINATOR].unwrap(f))
    comms = {i: b[0] for i, b in pre.result.items()}
    coord = FrostCoordinator(pkp, b"move 10 BTC to cold storage", [1, 3], rings[COORDINATOR], session=b"s",
                             commitments=comms)
    requests = coord.start()
    for signer in (online, cold):
        frames_out, _ = step(signer, chan[signer.id], carry(requests, signer.id))
        for f in frames_out:
            coord.receive(chan[COORDINATOR].unwrap(f))
    frost.verify(suite, pkp.verifying_key, b"move 10 BTC to cold storage", coord.result)
