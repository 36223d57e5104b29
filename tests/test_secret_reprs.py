"""Every secret-holding type of the finished areas keeps its secret out of repr() and str()
(design principle 7). Each object is built around known secret values, then its repr and str
are searched for those values in decimal, hex (both cases) and, for byte strings, repr form."""
from __future__ import annotations

import pytest

from pqzk.dkg import pedersen
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.pq import composite, mldsa, mlkem, xwing
from pqzk.runtime.dkg_parties import DkgParticipant
from pqzk.runtime.frost_parties import FrostSigner
from pqzk.runtime.identity import generate_keyrings
from pqzk.sharing import bytes_shamir, shamir, slip39, vss
from pqzk.threshold import frost
from pqzk.threshold.frost import core

G = get_group("secp256k1")
# large, distinctive secrets: a coincidental substring match is out of the question
S1 = 0x5EC2E7_0123456789ABCDEF_FEDCBA9876543210_0F1E2D3C4B5A6978_8796A5B4C3D2E1F0 % G.order
S2 = 0x0B1D1A6_1122334455667788_99AABBCCDDEEFF00_1234123412341234_ABCDABCDABCDABCD % G.order
SEED = bytes(range(0xA0, 0xC0))          # 32 bytes


def _forms(secret) -> list[str]:
    if isinstance(secret, (bytes, bytearray)):
        return [secret.hex(), secret.hex().upper(), repr(bytes(secret))[2:-1], str(list(secret))[1:-1]]
    return [str(secret), format(secret, "x"), format(secret, "X")]


def _assert_hidden(obj, *secrets) -> None:
    for text in (repr(obj), str(obj)):
        for s in secrets:
            for form in _forms(s):
                assert form not in text, f"{type(obj).__name__} shows a secret in {text!r}"


def _sharing_objects():
    yield "Share", shamir.Share(3, S1), [S1]
    yield "PedersenShare", vss.PedersenShare(3, S1, S2), [S1, S2]
    yield "BytesShare", bytes_shamir.BytesShare(3, SEED), [SEED]
    yield "Slip39Share", slip39.Slip39Share(7, True, 1, 0, 1, 1, 0, 1, SEED[:16]), [SEED[:16]]
    shares = shamir.split(S1, 2, 3, G, rng=DeterministicRNG(b"s"))
    yield "split() list", shares, [S1] + [s.value for s in shares]


def _dkg_objects():
    params = pedersen.DkgParameters(G, 2, 2, frost.get_ciphersuite("FROST-secp256k1-SHA256-v1").hdkg)
    sec1, pkg1 = pedersen.part1(params, 1, coefficients=[S1, S2])
    sec2b, pkg2 = pedersen.part1(params, 2, rng=DeterministicRNG(b"d"))
    yield "Round1Secret", sec1, [S1, S2]
    r2sec, out = pedersen.part2(params, sec1, {2: pkg2})
    yield "Round2Package", out[2], [out[2].share]
    yield "Round2Secret", r2sec, [r2sec.own_share]
    r2sec_b, out_b = pedersen.part2(params, sec2b, {1: pkg1})
    result = pedersen.part3(params, r2sec, {2: out_b[1]})
    yield "DkgResult", result, [result.signing_share]


def _frost_objects():
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, _ = frost.trusted_dealer_keygen(suite, 2, 3, secret=S1 % suite.group.order,
                                         rng=DeterministicRNG(b"f"))
    kp = kps[1]
    yield "KeyPackage", kp, [kp.signing_share]
    nonces, _ = core.commit(suite, 1, kp.signing_share, DeterministicRNG(b"n"))
    yield "SigningNonces", nonces, [nonces.hiding, nonces.binding]
    rings = generate_keyrings([1, 2, 3], rng=DeterministicRNG(b"k"))
    yield "FrostSigner", FrostSigner(kp, rings[1]), [kp.signing_share]
    yield "DkgParticipant", DkgParticipant(suite, 1, [1, 2, 3], 2, rings[1]), []
    yield "Keyring", rings[1], [rings[1].signing_key._key.private_bytes_raw()]


def _pq_objects():
    sk = mldsa.keygen("ML-DSA-44", seed=SEED)
    yield "MLDSAPrivateKey", sk, [SEED]
    kem = mlkem.keygen("ML-KEM-768", seed=SEED + SEED)
    yield "MLKEMPrivateKey", kem, [SEED + SEED]
    yield "XWingPrivateKey", xwing.keygen(seed=SEED), [SEED]
    for alg in ("id-MLDSA44-Ed25519-SHA512", "id-MLDSA44-ECDSA-P256-SHA256"):
        csk = composite.keygen(alg, rng=DeterministicRNG(b"c"))
        yield f"CompositePrivateKey[{alg}]", csk, [csk.to_bytes()[:32], csk.trad_key]
    yield "DeterministicRNG", DeterministicRNG(SEED), [SEED]


def _ecdsa_objects():
    import hashlib
    from pqzk.ot import base, vole
    from pqzk.runtime.ecdsa_parties import EcdsaSigner
    from pqzk.threshold import ecdsa
    shares = ecdsa.keygen_local("secp256k1", 2, [1, 2], rng=DeterministicRNG(b"e"))
    sh = shares[1]
    seeds = sh.ot[2]
    yield "EcdsaKeyShare", sh, [sh.key_package.signing_share]
    yield "PairwiseOt", seeds, [seeds.as_alice.keys[0], seeds.as_bob.pairs[0][0], seeds.as_alice.choices]
    yield "ReceiverSeeds", seeds.as_alice, [seeds.as_alice.keys[0], seeds.as_alice.choices]
    yield "SenderSeeds", seeds.as_bob, [seeds.as_bob.pairs[0][1]]
    rx = base.BaseOtReceiver(b"s", 8, rng=DeterministicRNG(b"o"))
    yield "BaseOtReceiver", rx, [rx._a[0], rx._choices]
    tx = base.BaseOtSender(b"s", 8, rng=DeterministicRNG(b"o"))
    yield "BaseOtSender", tx, [tx._b[0]]
    bob = vole.VoleReceiver(seeds.as_bob, b"v", G, DeterministicRNG(b"v"))
    yield "VoleReceiver", bob, [bob.b, bob._beta]
    signer = ecdsa.Dkls23Signer(sh, [1, 2], hashlib.sha256(b"m").digest(), session=b"s")
    yield "Dkls23Signer", signer, [signer._sk, signer._r, signer._phi]
    rings = generate_keyrings([1, 2], rng=DeterministicRNG(b"k"))
    yield "EcdsaSigner", EcdsaSigner(sh, [1, 2], bytes(32), rings[1], session=b"s"), [sh.key_package.signing_share]


def _threshold_mldsa_objects():
    from pqzk.runtime.tmldsa_parties import TMLDSASigner
    from pqzk.threshold import mldsa as tm
    pub, shares = tm.trusted_dealer_keygen("ML-DSA-44", 2, 3, seed=SEED)
    share = shares[1]
    secret_bytes = share.to_bytes()[-96:]                 # the packed secrets of its last set
    yield "threshold KeyShare", share, [secret_bytes]
    yield "threshold shares dict", shares, [secret_bytes]
    rho = bytes(range(0x40, 0x80))
    nonce, _, _ = tm.commit(share, b"b", lambda n: rho)
    yield "threshold SignerNonce", nonce, [rho]
    rings = generate_keyrings([1, "coordinator"], rng=DeterministicRNG(b"t"))
    yield "TMLDSASigner", TMLDSASigner(share, rings[1]), [secret_bytes]


OBJECTS = {name: (obj, secrets) for gen in (_sharing_objects, _dkg_objects, _frost_objects, _pq_objects,
                                            _ecdsa_objects, _threshold_mldsa_objects)
           for name, obj, secrets in gen()}


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_secret_not_in_repr_or_str(name):
    obj, secrets = OBJECTS[name]
    _assert_hidden(obj, *secrets)


def test_the_check_itself_catches_a_leak():
    class Leaky:
        def __repr__(self):
            return f"Leaky({S1:x})"
    with pytest.raises(AssertionError):
        _assert_hidden(Leaky(), S1)
    with pytest.raises(AssertionError):
        _assert_hidden([SEED], SEED)
