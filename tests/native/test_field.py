"""The native Montgomery field core against Python integers, for every instance."""
import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidParameter
from pqzk.math.native_field import FIELD_IDS, native_field

PRIMES = {
    "bls12_381_fp": 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB,
    "bls12_381_fr": 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001,
    "p256_p": 2**256 - 2**224 + 2**192 + 2**96 - 1,
    "p256_n": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "curve25519_p": 2**255 - 19,
    "ed25519_l": 2**252 + 27742317777372353535851937790883648493,
    "ed448_p": 2**448 - 2**224 - 1,
    "ed448_q": 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885,
    "secp256k1_p": 2**256 - 2**32 - 977,
    "secp256k1_n": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
}
NAMES = sorted(FIELD_IDS)


def elements(p):
    # edge values near 0 and p, plus uniform ones
    return st.one_of(st.integers(0, 3), st.integers(p - 3, p - 1), st.integers(0, p - 1))


@st.composite
def field_and_pair(draw):
    name = draw(st.sampled_from(NAMES))
    p = PRIMES[name]
    return name, draw(elements(p)), draw(elements(p))


def test_moduli_match():
    for name in NAMES:
        assert native_field(name).p == PRIMES[name]


@given(field_and_pair())
def test_ring_ops(case):
    name, a, b = case
    F, p = native_field(name), PRIMES[name]
    assert F.add(a, b) == (a + b) % p
    assert F.sub(a, b) == (a - b) % p
    assert F.mul(a, b) == a * b % p
    assert F.neg(a) == -a % p
    assert F.sqr(a) == a * a % p


@given(field_and_pair())
@settings(max_examples=25)
def test_inv_pow(case):
    name, a, b = case
    F, p = native_field(name), PRIMES[name]
    assert F.inv(a) == (pow(a, -1, p) if a else 0)
    assert F.pow(a, b) == pow(a, b, p)


@given(field_and_pair())
@settings(max_examples=25)
def test_sqrt(case):
    name, a, _ = case
    F, p = native_field(name), PRIMES[name]
    sq = a * a % p
    r = F.sqrt(sq)
    assert r is not None and r * r % p == sq
    is_square = a == 0 or pow(a, (p - 1) // 2, p) == 1
    r = F.sqrt(a)
    if is_square:
        assert r is not None and r * r % p == a
    else:
        assert r is None


@given(st.sampled_from(NAMES), st.data())
@settings(max_examples=20)
def test_batch_inv(name, data):
    F, p = native_field(name), PRIMES[name]
    xs = data.draw(st.lists(elements(p), max_size=9))
    assert F.batch_inv(xs) == [pow(x, -1, p) if x else 0 for x in xs]


def test_rejects_non_canonical_and_unknown():
    F = native_field("curve25519_p")
    with pytest.raises(InvalidParameter):
        F.add(F.p, 1)
    with pytest.raises(InvalidParameter):
        F.from_bytes(F.p.to_bytes(32, "big"))
    with pytest.raises(InvalidParameter):
        native_field("no_such_field")
    # the C ABI itself refuses a non-canonical input and a bad field id
    from pqzk import _native
    out = _native.ffi.new("uint8_t[32]")
    assert _native.lib.pqzk_fe_add(4, out, F.p.to_bytes(32, "big"), bytes(32)) == -1
    assert _native.lib.pqzk_fe_add(99, out, bytes(32), bytes(32)) == -1


@pytest.mark.parametrize("args, inc", [([], "field_consts.inc"), (["curves"], "curve_consts.inc"),
                                       (["bls"], "bls_consts.inc")])
def test_committed_constants_match_generator(args, inc, monkeypatch, capsys):
    import importlib.util
    import sys
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("gen_fc", Path(__file__).parents[2] / "native" / "gen_field_consts.py")
    if spec is None or not Path(spec.origin).exists():
        pytest.skip("native sources not beside the tests (installed elsewhere)")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    monkeypatch.setattr(sys, "argv", ["gen_field_consts.py", *args])
    gen.main()
    assert capsys.readouterr().out == (Path(spec.origin).parent / inc).read_text()
