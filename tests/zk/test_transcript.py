"""Transcript: framing is injective, challenges depend on everything before them."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pqzk.errors import InvalidParameter
from pqzk.groups import get_group
from pqzk.zk.transcript import Transcript

G = get_group("secp256k1")


def _chal(ops, label=b"proto"):
    t = Transcript(label)
    for lab, msg in ops:
        t.append_message(lab, msg)
    return t.challenge_bytes(b"c", 32)


def test_deterministic_and_label_separated():
    assert _chal([(b"a", b"1")]) == _chal([(b"a", b"1")])
    assert _chal([(b"a", b"1")]) != _chal([(b"a", b"1")], label=b"other")
    assert _chal([(b"a", b"1")]) != _chal([(b"b", b"1")])


def test_framing_is_injective():
    # the same concatenated bytes split differently between label and message, or between appends
    assert _chal([(b"ab", b"c")]) != _chal([(b"a", b"bc")])
    assert _chal([(b"a", b"bc")]) != _chal([(b"a", b"b"), (b"a", b"c")])
    assert _chal([(b"a", b"")]) != _chal([])


def test_challenges_chain():
    t1, t2 = Transcript(b"p"), Transcript(b"p")
    assert t1.challenge_bytes(b"x", 32) == t2.challenge_bytes(b"x", 32)
    # a second challenge differs from the first and depends on it
    c1 = t1.challenge_bytes(b"x", 32)
    assert c1 != t1.challenge_bytes(b"x", 32)
    # asking a different length is a different transcript
    t3, t4 = Transcript(b"p"), Transcript(b"p")
    assert t3.challenge_bytes(b"x", 32) != t4.challenge_bytes(b"x", 64)[:32]


def test_challenge_scalar_in_range_and_element_appends():
    t = Transcript(b"p")
    t.append_element(b"P", G.generator())
    t.append_element(b"O", G.identity())      # identity has its own marker, no exception
    k = t.challenge_scalar(b"k", G)
    assert 0 <= k < G.order
    u = Transcript(b"p")
    u.append_element(b"P", G.generator())
    u.append_element(b"O", G.generator())
    assert u.challenge_scalar(b"k", G) != k


def test_fork_is_independent():
    t = Transcript(b"p")
    a, b = t.fork(b"one"), t.fork(b"two")
    assert a.challenge_bytes(b"c", 16) != b.challenge_bytes(b"c", 16)


def test_witness_rng_depends_on_witness():
    t = Transcript(b"p")
    fixed = lambda n: bytes(n)  # noqa: E731  (a broken rng)
    r1 = t.witness_rng([b"w1"], fixed)
    r2 = t.witness_rng([b"w2"], fixed)
    assert r1(32) != r2(32)
    assert "redacted" in repr(r1)


def test_bad_inputs():
    t = Transcript(b"p")
    with pytest.raises(InvalidParameter):
        t.append_message(b"a", 5)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter):
        t.append_u64(b"a", 2**64)
    with pytest.raises(InvalidParameter):
        t.challenge_bytes(b"c", 0)


@given(st.lists(st.tuples(st.binary(max_size=8), st.binary(max_size=8)), max_size=4),
       st.lists(st.tuples(st.binary(max_size=8), st.binary(max_size=8)), max_size=4))
def test_distinct_sequences_distinct_challenges(a, b):
    if a != b:
        assert _chal(a) != _chal(b)


def test_construction_matches_specification():
    """Re-derive a challenge with hashlib alone, following the framing in the module docstring."""
    import hashlib

    from pqzk.zk.transcript import DOMAIN

    def frame(op, label, data):
        return op + len(label).to_bytes(4, "big") + label + len(data).to_bytes(8, "big") + data

    h = hashlib.shake_256()
    h.update(frame(b"D", DOMAIN, b"proto"))
    h.update(frame(b"M", b"msg", b"hello"))
    h.update(frame(b"C", b"c", (48).to_bytes(8, "big")))
    expected1 = h.copy().digest(48)
    h.update(frame(b"R", b"", expected1))
    h.update(frame(b"C", b"c2", (16).to_bytes(8, "big")))
    expected2 = h.copy().digest(16)

    t = Transcript(b"proto")
    t.append_message(b"msg", b"hello")
    c1 = t.challenge_bytes(b"c", 48)
    assert c1 == expected1
    assert t.challenge_bytes(b"c2", 16) == expected2
    # challenge_scalar is the wide reduction of 48 bytes (32 + 16) for a 256-bit order
    u = Transcript(b"proto")
    u.append_message(b"msg", b"hello")
    assert u.challenge_scalar(b"c", G) == int.from_bytes(expected1, "big") % G.order
