"""ristretto255 against RFC 9496 appendix A (generator multiples, element derivation), RFC 9497
(hash-to-group inside OPRF vectors), and the coset structure on edwards25519."""
from __future__ import annotations

import hashlib

import pytest
from _groups import group
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.groups.ed25519 import decode_xy
from pqzk.groups.ristretto255 import (D, INVSQRT_A_MINUS_D, ONE_MINUS_D_SQ, P, SQRT_AD_MINUS_ONE,
                                      SQRT_M1, D_MINUS_ONE_SQ, _encode_affine, sqrt_ratio_m1)
from pqzk.math.ec import EDWARDS25519_CURVE as C

# RFC 9496 appendix A.1: encodings of 0·B .. 15·B
MULTIPLES = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
]

# RFC 9496 appendix A.3: element derivation; the inputs are SHA-512 of these labels
DERIVATION = [
    ("Ristretto is traditionally a short shot of espresso coffee",
     "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46"),
    ("made with the normal amount of ground coffee but extracted with",
     "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b"),
    ("about half the amount of water in the same amount of time",
     "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826"),
    ("by using a finer grind.",
     "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a"),
    ("This produces a concentrated shot of coffee per volume.",
     "ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179"),
    ("Just pulling a normal shot short will produce a weaker shot",
     "e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628"),
    ("and is not a Ristretto as some believe.",
     "80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065"),
]
FIRST_INPUT = ("5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c1"
               "4d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6")

# RFC 9496 appendix A.3: non-canonical field inputs that all derive the same element
NONCANONICAL_INPUTS = [
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "1200000000000000000000000000000000000000000000000000000000000000",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "0000000000000000000000000000000000000000000000000000000000000080"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000"
    "1200000000000000000000000000000000000000000000000000000000000080",
]
NONCANONICAL_OUTPUT = "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f"


def test_constants():
    # RFC 9496 section 4.1
    assert SQRT_M1 * SQRT_M1 % P == P - 1 and SQRT_M1 % 2 == 0
    assert SQRT_AD_MINUS_ONE ** 2 % P == (-D - 1) % P
    assert INVSQRT_A_MINUS_D ** 2 * (-1 - D) % P == 1
    assert ONE_MINUS_D_SQ == (1 - D * D) % P and D_MINUS_ONE_SQ == (D - 1) ** 2 % P


def test_sqrt_ratio_m1():
    assert sqrt_ratio_m1(0, 0) == (True, 0)
    assert sqrt_ratio_m1(0, 1) == (True, 0)
    assert sqrt_ratio_m1(1, 0) == (False, 0)
    assert sqrt_ratio_m1(4, 1) == (True, 2)
    ok, r = sqrt_ratio_m1(2, 1)  # 2 is not a square mod p: r = sqrt(2i)
    assert not ok and r * r % P == 2 * SQRT_M1 % P and r % 2 == 0


@pytest.mark.parametrize("k", range(16))
def test_generator_multiples(k):
    G = group("ristretto255")
    enc = bytes.fromhex(MULTIPLES[k])
    assert G.base_mult(k).to_bytes() == enc
    assert (k * G.generator()).to_bytes() == enc
    P_ = G.decode(enc, allow_identity=True)
    assert P_ == G.base_mult(k) and P_.to_bytes() == enc
    if k:
        assert (G.decode(bytes.fromhex(MULTIPLES[k - 1]), allow_identity=True) + G.generator()).to_bytes() == enc


@pytest.mark.parametrize("label,out", DERIVATION)
def test_element_derivation(label, out):
    G = group("ristretto255")
    h = hashlib.sha512(label.encode()).digest()
    assert G.from_uniform_bytes(h).to_bytes().hex() == out


def test_element_derivation_first_input_and_noncanonical():
    G = group("ristretto255")
    assert hashlib.sha512(DERIVATION[0][0].encode()).hexdigest() == FIRST_INPUT
    for h in NONCANONICAL_INPUTS:
        assert G.from_uniform_bytes(bytes.fromhex(h)).to_bytes().hex() == NONCANONICAL_OUTPUT


def test_hash_to_element_rfc9497():
    # RFC 9497 appendix A.1.1, OPRF(ristretto255, SHA-512) mode 0: BlindedElement = Blind·HashToGroup(Input)
    G = group("ristretto255")
    dst = b"HashToGroup-OPRFV1-\x00-ristretto255-SHA512"
    blind = G.scalar_decode(bytes.fromhex("64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706"))
    for inp, blinded in (("00", "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c"),
                         ("5a" * 17, "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418")):
        assert (blind * G.hash_to_element(bytes.fromhex(inp), dst)).to_bytes().hex() == blinded
    assert G.hash_to_element(b"x", b"a") != G.hash_to_element(b"x", b"b")


@settings(max_examples=20)
@given(k=st.integers(1, C.n - 1), j=st.integers(0, 3))
def test_encoding_is_constant_on_cosets(k, j):
    # ENCODE(P + T) == ENCODE(P) for every 4-torsion T: computed on the pure-Python curve,
    # independently of the libsodium representative
    G = group("ristretto255")
    Pt = C.mul(k, C.generator())
    T4 = C.from_affine(SQRT_M1, 0)
    Q = C.add(Pt, C.mul(j, T4))
    assert _encode_affine(*C.to_affine(Q)) == G.base_mult(k).to_bytes()
    # and the element's representative is the prime-order point k·B
    assert decode_xy(G.base_mult(k).raw) == C.to_affine(Pt)
