"""pqzk.pq.fips204, the FIPS 204 internals behind threshold ML-DSA: byte-for-byte against
dilithium-py (KeyGen_internal, Sign_internal), the rounding and hint lemmas the threshold
combiner relies on, and strict decoding of signatures."""
from __future__ import annotations

import numpy as np
import pytest
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
from hypothesis import given
from hypothesis import strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.math.rand import DeterministicRNG
from pqzk.pq import fips204 as F
from pqzk.pq.params import MLDSA

REF = {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}
NAMES = sorted(REF)


@pytest.mark.parametrize("name", NAMES)
def test_sizes_agree_with_the_kit_parameter_table(name):
    p, q = F.params(name), MLDSA[name]
    assert (p.public_key_size, p.private_key_size, p.signature_size) == \
        (q.public_key_size, q.expanded_key_size, q.signature_size)


@pytest.mark.parametrize("name", NAMES)
def test_keygen_and_sign_byte_identical_to_dilithium_py(name):
    p, ref = F.params(name), REF[name]
    rng = DeterministicRNG(b"fips204-kat-" + name.encode())
    for i in range(3):
        xi, msg, rnd = rng(32), rng(7 + 31 * i), rng(32)
        pk, sk = F.keygen_internal(xi, p)
        assert (pk, sk) == ref.key_derive(xi)
        sig = F.sign_internal(sk, msg, rnd, p)
        assert sig == ref._sign_internal(sk, msg, rnd)
        assert F.verify_internal(pk, msg, sig, p)
        assert not F.verify_internal(pk, msg + b"x", sig, p)


@pytest.mark.parametrize("name", NAMES)
def test_verify_internal_rejects_every_single_bit_flip_sampled(name):
    p = F.params(name)
    rng = DeterministicRNG(b"flip-" + name.encode())
    pk, sk = F.keygen_internal(rng(32), p)
    sig = F.sign_internal(sk, b"m", bytes(32), p)
    for pos in range(0, len(sig), max(1, len(sig) // 40)):
        bad = bytearray(sig)
        bad[pos] ^= 1 << (pos % 8)
        assert not F.verify_internal(pk, b"m", bytes(bad), p)
        assert not REF[name]._verify_internal(pk, b"m", bytes(bad))
    assert not F.verify_internal(pk, b"m", sig[:-1], p)
    assert not F.verify_internal(pk, b"m", sig + b"\x00", p)


def _hint_sig(p, positions_per_poly):
    """A signature-shaped byte string whose hint field is built by hand."""
    y = bytearray(p.omega + p.k)
    idx = 0
    for i, pos in enumerate(positions_per_poly):
        for j in pos:
            y[idx] = j
            idx += 1
        y[p.omega + i] = idx
    return bytes(p.ctilde_bytes + 32 * p.l * p.z_bits) + bytes(y)


def test_hint_decoding_is_strict():
    p = F.params("ML-DSA-44")
    ok = _hint_sig(p, [[1, 5], [], [0], []])
    assert F.sig_decode(ok, p) is not None
    assert F.sig_decode(_hint_sig(p, [[5, 1], [], [], []]), p) is None      # not increasing
    assert F.sig_decode(_hint_sig(p, [[3, 3], [], [], []]), p) is None      # repeated
    bad = bytearray(ok)
    bad[-1] = p.omega + 1                                                   # count above ω
    assert F.sig_decode(bytes(bad), p) is None
    bad = bytearray(ok)
    bad[p.ctilde_bytes + 32 * p.l * p.z_bits + 10] = 7                      # padding not zero
    assert F.sig_decode(bytes(bad), p) is None
    bad = bytearray(ok)
    off = p.ctilde_bytes + 32 * p.l * p.z_bits + p.omega
    bad[off + 1], bad[off] = 1, 2                                           # counts decrease
    assert F.sig_decode(bytes(bad), p) is None
    with pytest.raises(InvalidParameter):
        F.hint_bit_pack(np.ones((p.k, 256), dtype=np.int64), p)


def test_public_key_decode_checks_length_and_parameters():
    p = F.params("ML-DSA-65")
    with pytest.raises(InvalidEncoding):
        F.pk_decode(bytes(p.public_key_size - 1), p)
    with pytest.raises(InvalidParameter):
        F.params("ML-DSA-99")


@given(st.lists(st.integers(0, F.Q - 1), min_size=256, max_size=256), st.sampled_from([95232, 261888]))
def test_decompose_and_hint_lemmas(coeffs, gamma2):
    r = np.array(coeffs, dtype=np.int64)
    r1, r0 = F.decompose(r, gamma2)
    assert np.array_equal(np.mod(r1 * 2 * gamma2 + r0, F.Q), r)
    assert np.abs(r0).max() <= gamma2
    t1, t0 = F.power2round(r)
    assert np.array_equal(t1 * (1 << F.D) + t0, r)
    # FIPS 204 Lemma: if ||z||∞ ≤ γ2 then UseHint(MakeHint(z, r), r) = HighBits(r + z)
    z = np.mod(np.array(coeffs[::-1], dtype=np.int64), 2 * gamma2 + 1) - gamma2
    h = F.make_hint(z, r, gamma2)
    assert np.array_equal(F.use_hint(h, r, gamma2), F.high_bits(r + z, gamma2))


@given(st.sampled_from([3, 4, 6, 10, 13, 18, 20, 23]), st.integers(1, 40), st.data())
def test_bit_packing_roundtrip(bits, groups, data):
    count = 8 * groups
    values = np.array(data.draw(st.lists(st.integers(0, (1 << bits) - 1), min_size=count, max_size=count)))
    packed = F.pack_bits(values, bits)
    assert len(packed) == count * bits // 8
    assert np.array_equal(F.unpack_bits(packed, bits, count), values)
    # the bit string is the little-endian one of FIPS 204 (Algorithm 16): compare with a naive build
    naive = int("".join(format(int(v), f"0{bits}b")[::-1] for v in values)[::-1] or "0", 2)
    assert packed == naive.to_bytes(len(packed), "little")


def test_long_and_short_packing_paths_agree():
    values = np.arange(8192, dtype=np.int64) * 977 % F.Q
    long = F.pack_bits(values, 23)
    short = b"".join(F.pack_bits(values[i:i + 1024], 23) for i in range(0, 8192, 1024))
    assert long == short


def test_sampling_shapes():
    c = F.sample_in_ball(b"\x01" * 32, 39)
    assert np.count_nonzero(c) == 39 and set(np.unique(F.centred(c))) <= {-1, 0, 1}
    a = F.rej_ntt_poly(b"seed" + bytes([0, 0]))
    assert a.shape == (256,) and a.max() < F.Q
    for eta in (2, 4):
        s = F.centred(F.rej_bounded_poly(b"x" * 66, eta))
        assert np.abs(s).max() <= eta
    with pytest.raises(InvalidParameter):
        F.rej_bounded_poly(b"x", 3)


@pytest.mark.parametrize("lookup, table, what", [
    ("pqzk.pq.fips204:params", "ML-DSA-65", "ML-DSA"),
    ("pqzk.pq.params:mldsa_params", "ML-DSA-87", "ML-DSA"),
    ("pqzk.pq.params:mlkem_params", "ML-KEM-768", "ML-KEM"),
])
def test_parameter_lookups_take_a_name_or_a_set_and_name_the_known_ones(lookup, table, what):
    import importlib
    module, name = lookup.split(":")
    fn = getattr(importlib.import_module(module), name)
    p = fn(table)
    assert p.name == table and fn(p) is p
    for bad in ("ML-DSA-99", None, 65, "ml-dsa-65"):
        with pytest.raises(InvalidParameter, match=f"unknown {what} parameter set .*expected one of .*{table}"):
            fn(bad)
