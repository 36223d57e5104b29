"""SLIP-39: the 45 reference vectors, round trips, and a cross-check with shamir-mnemonic."""
import pytest
import shamir_mnemonic  # independent implementation (trezor/python-shamir-mnemonic), tests only
from hypothesis import given, settings, strategies as st

from conftest import load_vectors
from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError, VerificationError
from pqzk.math import DeterministicRNG
from pqzk.sharing import slip39
from pqzk.sharing.slip39 import Slip39Share, combine_mnemonics, generate_mnemonics

VECTORS = load_vectors("slip39/vectors.json")

# what each invalid vector must be rejected as (the reason, not just "some error")
EXPECTED_ERRORS = {
    "invalid checksum": (InvalidEncoding, "checksum"),
    "invalid padding": (InvalidEncoding, "padding"),
    "Basic sharing 2-of-3": (InvalidParameter, "expected"),
    "different identifiers": (InvalidParameter, "same set"),
    "different iteration exponents": (InvalidParameter, "same set"),
    "mismatching group thresholds": (InvalidParameter, "same set"),
    "mismatching group counts": (InvalidParameter, "same set"),
    "greater group threshold": (InvalidEncoding, "group threshold exceeds"),
    "duplicate member indices": (InvalidParameter, "duplicate member index"),
    "mismatching member thresholds": (InvalidParameter, "member threshold"),
    "invalid digest": (VerificationError, "digest"),
    "Insufficient number of groups": (InvalidParameter, "insufficient groups"),
    "insufficient number of members": (InvalidParameter, "expected"),
    "insufficient length": (InvalidEncoding, "at least 20"),
    "invalid master secret length": (InvalidEncoding, "length"),
}


def test_vector_count():
    assert len(VECTORS) == 45
    assert sum(1 for v in VECTORS if v[2]) == 15


@pytest.mark.parametrize("name, mnemonics, secret, xprv", VECTORS, ids=[v[0][:60] for v in VECTORS])
def test_vector(name, mnemonics, secret, xprv):
    if secret:
        assert combine_mnemonics(mnemonics, b"TREZOR").hex() == secret
        return
    kind, match = next(v for k, v in EXPECTED_ERRORS.items() if k in name)
    with pytest.raises(kind, match=match):
        combine_mnemonics(mnemonics, b"TREZOR")


def test_valid_vectors_decode_and_reencode_exactly():
    for _, mnemonics, secret, _ in VECTORS:
        if secret:
            for m in mnemonics:
                assert Slip39Share.from_mnemonic(m).mnemonic() == m


def test_wordlist_is_the_one_shamir_mnemonic_ships():
    words, index = slip39.wordlist()
    assert list(words) == shamir_mnemonic.wordlist.WORDLIST and len(index) == 1024


def test_generate_and_recover_with_groups_round_trip():
    rng = DeterministicRNG(b"slip39")
    secret = rng(16)
    groups = generate_mnemonics(2, [(1, 1), (2, 3), (3, 5)], secret, b"pw",
                                iteration_exponent=0, rng=rng)
    assert [len(g) for g in groups] == [1, 3, 5]
    assert combine_mnemonics(groups[0] + groups[1][1:], b"pw") == secret
    assert combine_mnemonics(groups[2][:3] + groups[1][:2], b"pw") == secret
    # a wrong passphrase gives another secret (by design), no error
    assert combine_mnemonics(groups[0] + groups[1][1:], b"other") != secret
    with pytest.raises(InvalidParameter, match="insufficient groups"):
        combine_mnemonics(groups[2][:3], b"pw")


@settings(max_examples=10)
@given(st.binary(min_size=4, max_size=4), st.sampled_from([16, 32]), st.booleans(),
       st.integers(2, 4), st.integers(0, 1))
def test_cross_check_with_shamir_mnemonic(seed, size, extendable, n, exp):
    """Our mnemonics recover with the independent implementation, and theirs with ours."""
    rng = DeterministicRNG(seed)
    secret = rng(size)
    ours = generate_mnemonics(1, [(2, n)], secret, b"TREZOR", iteration_exponent=exp,
                              extendable=extendable, rng=rng)[0]
    assert shamir_mnemonic.combine_mnemonics(ours[:2], b"TREZOR") == secret
    theirs = shamir_mnemonic.generate_mnemonics(1, [(2, n)], secret, b"TREZOR",
                                                extendable=extendable, iteration_exponent=exp)[0]
    assert combine_mnemonics(theirs[-2:], b"TREZOR") == secret


def test_generate_refuses_bad_parameters():
    s = bytes(16)
    for kwargs in [dict(master_secret=bytes(15)), dict(master_secret=bytes(17)),
                   dict(groups=[(1, 2)]), dict(group_threshold=2), dict(group_threshold=0),
                   dict(groups=[(3, 2)]), dict(groups=[(1, 1)] * 17),
                   dict(passphrase="pw"), dict(passphrase=b"\x00")]:
        args = dict(group_threshold=1, groups=[(2, 3)], master_secret=s, passphrase=b"")
        args.update(kwargs)
        with pytest.raises(InvalidParameter):
            generate_mnemonics(**args)
    with pytest.raises(InvalidParameter):
        generate_mnemonics(1, [(2, 3)], s, iteration_exponent=16)


def test_mnemonic_decoding_negative_cases():
    m = generate_mnemonics(1, [(2, 3)], bytes(range(16)), iteration_exponent=0,
                           rng=DeterministicRNG(5))[0][0]
    words = m.split()
    with pytest.raises(InvalidEncoding, match="word 3 is not in"):
        Slip39Share.from_mnemonic(" ".join(words[:2] + ["bitcoin"] + words[3:]))
    with pytest.raises(InvalidEncoding, match="checksum"):
        Slip39Share.from_mnemonic(" ".join(words[:-1] + [words[0] if words[-1] != words[0] else words[1]]))
    i = next(k for k in range(4, 15) if words[k] != words[k + 1])
    swapped = words[:i] + [words[i + 1], words[i]] + words[i + 2:]
    with pytest.raises(InvalidEncoding, match="checksum"):
        Slip39Share.from_mnemonic(" ".join(swapped))  # two words transposed
    with pytest.raises(InvalidEncoding, match="at least 20"):
        Slip39Share.from_mnemonic(" ".join(words[:5] + words[6:]))  # a word missing
    with pytest.raises(InvalidEncoding):
        Slip39Share.from_mnemonic(words)  # type: ignore[arg-type]
    assert Slip39Share.from_mnemonic(m.upper()).mnemonic() == m
    with pytest.raises(InvalidParameter, match="not one string"):
        combine_mnemonics(m)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match="no mnemonics"):
        combine_mnemonics([])
    with pytest.raises(InvalidParameter, match="passphrase must be bytes"):
        combine_mnemonics([m], "TREZOR")  # type: ignore[arg-type]


def test_share_repr_is_redacted():
    m = generate_mnemonics(1, [(1, 1)], bytes(16), iteration_exponent=0)[0][0]
    s = Slip39Share.from_mnemonic(m)
    assert "redacted" in repr(s) and s.value.hex() not in repr(s)


# valid mnemonics, and the same with one word replaced: random word lists never pass the RS1024
# checksum, so without these the round-trip assertion below would never run
_VALID_MNEMONICS = [m.split() for g in generate_mnemonics(2, [(2, 3), (1, 1)], bytes(range(16)),
                                                         iteration_exponent=0, rng=DeterministicRNG(b"s39"))
                    for m in g]
_WORDS = slip39.wordlist()[0]
_MUTATED = st.tuples(st.sampled_from(_VALID_MNEMONICS), st.integers(0, 100), st.sampled_from(_WORDS)).map(
    lambda t: t[0][:t[1] % len(t[0])] + [t[2]] + t[0][t[1] % len(t[0]) + 1:])


@given(st.one_of(st.lists(st.sampled_from(_WORDS[:64]), min_size=0, max_size=40),
                 st.sampled_from(_VALID_MNEMONICS), _MUTATED))
def test_from_mnemonic_fuzz_raises_only_pqzk_errors(words):
    try:
        s = Slip39Share.from_mnemonic(" ".join(words))
    except PqzkError:
        assert words not in _VALID_MNEMONICS
        return
    assert s.mnemonic() == " ".join(words)
