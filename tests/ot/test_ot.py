"""pqzk.ot on its own: endemic base OT, KOS15 extension with its correlation check, and the
DKLs23 random VOLE — correctness, and rejection of malformed or dishonest messages."""
import functools

import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.groups import get_group
from pqzk.math.bits import get_bit
from pqzk.math.rand import DeterministicRNG
from pqzk.ot import OtSetupMessage, PairwiseOt, base, extension, vole

SECP = get_group("secp256k1")
P256 = get_group("p256")


@functools.lru_cache(maxsize=None)
def pair(seed: int = 1):
    a = OtSetupMessage(b"sess", b"A", b"B", rng=DeterministicRNG(seed))
    b = OtSetupMessage(b"sess", b"B", b"A", rng=DeterministicRNG(seed + 1000))
    return a.finish(b.message), b.finish(a.message)


def test_base_ot_delivers_the_chosen_key_only():
    rx = base.BaseOtReceiver(b"s", 16, rng=DeterministicRNG(1))
    tx = base.BaseOtSender(b"s", 16, rng=DeterministicRNG(2))
    got = rx.finish(tx.message())
    pairs = tx.finish(rx.message()).pairs
    for i in range(16):
        c = get_bit(got.choices, i)
        assert got.keys[i] == pairs[i][c] != pairs[i][1 - c]
    assert len(rx.message()) == len(tx.message()) == base.message_size(16)


def test_base_ot_sessions_are_separated():
    rx = base.BaseOtReceiver(b"s1", 8, rng=DeterministicRNG(1))
    tx = base.BaseOtSender(b"s2", 8, rng=DeterministicRNG(2))
    got, pairs = rx.finish(tx.message()), tx.finish(rx.message()).pairs
    assert all(got.keys[i] not in pairs[i] for i in range(8))


@pytest.mark.parametrize("cut", [1, 33, 200])
def test_base_ot_rejects_malformed_messages(cut):
    rx = base.BaseOtReceiver(b"s", 8)
    tx = base.BaseOtSender(b"s", 8)
    with pytest.raises(InvalidEncoding):
        rx.finish(tx.message()[:-cut])
    with pytest.raises(InvalidEncoding):
        tx.finish(rx.message() + b"\x00" * cut)
    bad = bytearray(rx.message())
    bad[0] = 0x05                                 # not a compressed point
    with pytest.raises(InvalidEncoding):
        tx.finish(bytes(bad))
    with pytest.raises(InvalidParameter):
        base.BaseOtSender(b"s", 7)


def test_pairwise_seeds_match_across_the_pair_and_round_trip():
    pa, pb = pair()
    for alice, bob in ((pa, pb), (pb, pa)):
        for i in range(extension.KAPPA):
            assert alice.as_alice.keys[i] == bob.as_bob.pairs[i][get_bit(alice.as_alice.choices, i)]
    data = pa.to_bytes()
    assert len(data) == PairwiseOt.SIZE and PairwiseOt.from_bytes(data) == pa
    with pytest.raises(InvalidEncoding):
        PairwiseOt.from_bytes(data[:-1])
    with pytest.raises(InvalidEncoding):
        PairwiseOt.from_bytes(data + b"\x00")
    assert "redacted" in repr(pa) and "redacted" in repr(pa.as_alice)


def test_setup_rejects_a_message_of_the_wrong_length():
    a = OtSetupMessage(b"s", b"A", b"B")
    with pytest.raises(InvalidEncoding):
        a.finish(a.message[:-1])


@given(st.binary(min_size=8, max_size=8), st.integers(1, 3))
@settings(max_examples=8)
def test_extension_gives_random_ots(choices, width):
    pa, pb = pair()
    m = 64
    msg, out = extension.receive(pb.as_bob, b"x", choices, m, width, SECP.order)
    v0, v1 = extension.send(pa.as_alice, b"x", msg, m, width, SECP.order)
    w = 32 * width
    for j in range(m):
        chosen = v1 if get_bit(choices, j) else v0
        other = v0 if get_bit(choices, j) else v1
        assert out[j * w:(j + 1) * w] == chosen[j * w:(j + 1) * w] != other[j * w:(j + 1) * w]
    assert len(msg) == extension.message_size(m)


@given(st.integers(0, extension.message_size(64) * 8 - 1))
@settings(max_examples=20)
def test_extension_check_catches_any_altered_receiver_message(bit):
    """Flipping any bit of u, x~ or t~ fails the KOS check: the receiver is to blame."""
    pa, pb = pair()
    msg, _ = extension.receive(pb.as_bob, b"x", bytes(8), 64, 1, SECP.order)
    bad = bytearray(msg)
    bad[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(VerificationError):
        extension.send(pa.as_alice, b"x", bytes(bad), 64, 1, SECP.order)


def test_extension_check_catches_inconsistent_choices():
    """A receiver that uses different choice bits in different base-OT columns (the selective
    failure attack KOS guards against) fails the check."""
    pa, pb = pair()
    msg, _ = extension.receive(pb.as_bob, b"x", bytes(8), 64, 1, SECP.order)
    u = bytearray(msg)
    row = (64 + extension.EXTRA) // 8
    u[5 * row] ^= 1                            # choice bit 0 flipped in column 5 only
    with pytest.raises(VerificationError):
        extension.send(pa.as_alice, b"x", bytes(u), 64, 1, SECP.order)


def test_extension_rejects_bad_lengths_and_setups():
    pa, pb = pair()
    msg, _ = extension.receive(pb.as_bob, b"x", bytes(8), 64, 1, SECP.order)
    for bad in (msg[:-1], msg + b"\x00", b""):
        with pytest.raises(InvalidEncoding):
            extension.send(pa.as_alice, b"x", bad, 64, 1, SECP.order)
    with pytest.raises(InvalidParameter):
        extension.receive(pb.as_bob, b"x", bytes(7), 64, 1, SECP.order)
    with pytest.raises(InvalidParameter):
        extension.receive(base.SenderSeeds(pb.as_bob.pairs[:64]), b"x", bytes(8), 64, 1, SECP.order)


@pytest.mark.parametrize("group", [SECP, P256], ids=["secp256k1", "p256"])
def test_vole_shares_add_up(group):
    pa, pb = pair()
    rng = DeterministicRNG(b"vole")
    for _ in range(2):
        bob = vole.VoleReceiver(pb.as_bob, b"v", group, rng)
        a = [group.random_scalar(rng), group.random_scalar(rng)]
        msg, c = vole.send(pa.as_alice, b"v", group, a, bob.message, rng)
        d = bob.finish(msg)
        assert [(ci + di) % group.order for ci, di in zip(c, d)] == [x * bob.b % group.order for x in a]
        assert (len(bob.message), len(msg)) == vole.message_sizes(group.order)


@given(st.data())
@settings(max_examples=10)
def test_vole_check_catches_an_altered_alice_message(data):
    pa, pb = pair()
    bob = vole.VoleReceiver(pb.as_bob, b"v", SECP)
    msg, _ = vole.send(pa.as_alice, b"v", SECP, [3, 5], bob.message)
    pos = data.draw(st.integers(0, len(msg) - 1))
    bad = bytearray(msg)
    bad[pos] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises((VerificationError, InvalidEncoding)):
        bob.finish(bytes(bad))


def test_vole_check_catches_inconsistent_alice_inputs():
    """Alice using another a in some rows (to probe Bob's bits) fails the mu check."""
    pa, pb = pair()
    bob = vole.VoleReceiver(pb.as_bob, b"v", SECP)
    msg, _ = vole.send(pa.as_alice, b"v", SECP, [3, 5], bob.message)
    bad = bytearray(msg)
    first = int.from_bytes(bad[:32], "big")
    bad[:32] = ((first + 1) % SECP.order).to_bytes(32, "big")
    with pytest.raises(VerificationError):
        bob.finish(bytes(bad))


def test_vole_rejects_malformed_messages():
    pa, pb = pair()
    bob = vole.VoleReceiver(pb.as_bob, b"v", SECP)
    msg, _ = vole.send(pa.as_alice, b"v", SECP, [3, 5], bob.message)
    with pytest.raises(InvalidEncoding):
        bob.finish(msg[:-1])
    unreduced = b"\xff" * 32 + msg[32:]
    with pytest.raises(InvalidEncoding):
        bob.finish(unreduced)
    with pytest.raises(InvalidParameter):
        vole.send(pa.as_alice, b"v", SECP, [3], bob.message)
    with pytest.raises(VerificationError):
        vole.send(pa.as_alice, b"other session", SECP, [3, 5], bob.message)
