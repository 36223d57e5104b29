"""RFC 9591 Appendix E known-answer vectors (the canonical signatures).

The copy in tests/vectors/frost/rfc9591/ is an empty file named 'frost-*.json', so the
Appendix E inputs (group secret key, polynomial coefficient, nonce randomness) and the final
signatures are transcribed here, with one intermediate value per suite (participant 1's binding
factor). Values are the RFC's; the same numbers appear in the test suites of several independent
FROST implementations. Every signature is recomputed from the inputs, not just verified.
"""
from __future__ import annotations

import pytest

from pqzk.threshold import frost
from pqzk.threshold.frost import core

# suite: (group secret key, a_1, {id: (hiding randomness, binding randomness)}, binding factor of 1, sig)
APPENDIX_E = {
    "FROST-ED25519-SHA512-v1": (
        "7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78b3a790c6e13a98304",
        "178199860edd8c62f5212ee91eff1295d0d670ab4ed4506866bae57e7030b204",
        {1: ("0fd2e39e111cdc266f6c0f4d0fd45c947761f1f5d3cb583dfcb9bbaf8d4c9fec",
             "69cd85f631d5f7f2721ed5e40519b1366f340a87c2f6856363dbdcda348a7501"),
         3: ("86d64a260059e495d0fb4fcc17ea3da7452391baa494d4b00321098ed2a0062f",
             "13e6b25afb2eba51716a9a7d44130c0dbae0004a9ef8d7b5550c8a0e07c61775")},
        "f2cb9d7dd9beff688da6fcc83fa89046b3479417f47f55600b106760eb3b5603",
        "36282629c383bb820a88b71cae937d41f2f2adfcc3d02e55507e2fb9e2dd3cbe"
        "bd9d2b0844e49ae0f3fa935161e1419aab7b47d21a37ebeae1f17d4987b3160b"),
    "FROST-ED448-SHAKE256-v1": (
        "6298e1eef3c379392caaed061ed8a31033c9e9e3420726f23b404158a401cd9df24632adfe6b418dc942d8a091817dd8bd70e1c72ba52f3c00",
        "dbd7a514f7a731976620f0436bd135fe8dddc3fadd6e0d13dbd58a1981e587d377d48e0b7ce4e0092967c5e85884d0275a7a740b6abdcd0500",
        {1: ("9cda90c98863ef3141b75f09375757286b4bc323dd61aeb45c07de45e4937bbd",
             "781bf4881ffe1aa06f9341a747179f07a49745f8cd37d4696f226aa065683c0a"),
         3: ("b3adf97ceea770e703ab295babf311d77e956a20d3452b4b3344aa89a828e6df",
             "81dbe7742b0920930299197322b255734e52bbb91f50cfe8ce689f56fadbce31")},
        "71966390dfdbed73cf9b79486f3b70e23b243e6c40638fb55998642a60109daecbfcb879eed9fe7dbbed8d9e47317715a5740f772173342e00",
        "cd642cba59c449dad8e896a78a60e8edfcbd9040df524370891ff8077d47ce721d683874483795f0d85efcbd642c4510614328605a19c6ed80"
        "6ffb773b6956419537cdfdb2b2a51948733de192dcc4b82dc31580a536db6d435e0cb3ce322fbcf9ec23362dda27092c08767e607bf2093600"),
    "FROST-RISTRETTO255-SHA512-v1": (
        "1b25a55e463cfd15cf14a5d3acc3d15053f08da49c8afcf3ab265f2ebc4f970b",
        "410f8b744b19325891d73736923525a4f596c805d060dfb9c98009d34e3fec02",
        {1: ("f595a133b4d95c6e1f79887220c8b275ce6277e7f68a6640e1e7140f9be2fb5c",
             "34dd1001360e3513cb37bebfabe7be4a32c5bb91ba19fbd4360d039111f0fbdc"),
         3: ("daa0cf42a32617786d390e0c7edfbf2efbd428037069357b5173ae61d6dd5d5e",
             "b4387e72b2e4108ce4168931cc2c7fcce5f345a5297368952c18b5fc8473f050")},
        "8967fd70fa06a58e5912603317fa94c77626395a695a0e4e4efc4476662eba0c",
        "fc45655fbc66bbffad654ea4ce5fdae253a49a64ace25d9adb62010dd9fb2555"
        "2164141787162e5b4cab915b4aa45d94655dbb9ed7c378a53b980a0be220a802"),
    "FROST-P256-SHA256-v1": (
        "8ba9bba2e0fd8c4767154d35a0b7562244a4aaf6f36c8fb8735fa48b301bd8de",
        "80f25e6c0709353e46bfbe882a11bdbb1f8097e46340eb8673b7e14556e6c3a4",
        {1: ("ec4c891c85fee802a9d757a67d1252e7f4e5efb8a538991ac18fbd0e06fb6fd3",
             "9334e29d09061223f69a09421715a347e4e6deba77444c8f42b0c833f80f4ef9"),
         3: ("c0451c5a0a5480d6c1f860e5db7d655233dca2669fd90ff048454b8ce983367b",
             "2ba5f7793ae700e40e78937a82f407dd35e847e33d1e607b5c7eb6ed2a8ed799")},
        "7925f0d4693f204e6e59233e92227c7124664a99739d2c06b81cf64ddf90559e",
        "026d8d434874f87bdb7bc0dfd239b2c00639044f9dcb195e9a04426f70bfa4b70d"
        "9620acac6767e8e3e3036815fca4eb3a3caa69992b902bcd3352fc34f1ac192f"),
    "FROST-secp256k1-SHA256-v1": (
        "0d004150d27c3bf2a42f312683d35fac7394b1e9e318249c1bfe7f0795a83114",
        "fbf85eadae3058ea14f19148bb72b45e4399c0b16028acaf0395c9b03c823579",
        {1: ("7ea5ed09af19f6ff21040c07ec2d2adbd35b759da5a401d4c99dd26b82391cb2",
             "47acab018f116020c10cb9b9abdc7ac10aae1b48ca6e36dc15acb6ec9be5cdc5"),
         3: ("e6cc56ccbd0502b3f6f831d91e2ebd01c4de0479e0191b66895a4ffd9b68d544",
             "7203d55eb82a5ca0d7d83674541ab55f6e76f1b85391d2c13706a89a064fd5b9")},
        "3e08fe561e075c653cbfd46908a10e7637c70c74f0a77d5fd45d1a750c739ec6",
        "0205b6d04d3774c8929413e3c76024d54149c372d57aae62574ed74319b5ea14d0"
        "c65dde8492a7471437e6c2fe3da49b90d23f642b5c6dbe7e36089f096dd97324"),
}


@pytest.mark.parametrize("name", list(APPENDIX_E))
def test_rfc9591_appendix_e(name):
    suite = frost.get_ciphersuite(name)
    g = suite.group
    sk_hex, a1_hex, randomness, rho1_hex, sig_hex = APPENDIX_E[name]
    sk = g.scalar_decode(bytes.fromhex(sk_hex))
    a1 = g.scalar_decode(bytes.fromhex(a1_hex))
    PK = g.base_mult(sk)
    msg = b"test"
    shares = dict(core.secret_share_shard(suite, sk, [a1], 3))
    nonces, commitments = {}, []
    for i, (hr, br) in randomness.items():
        chunks = [bytes.fromhex(hr), bytes.fromhex(br)]
        nonces[i], c = core.commit(suite, i, shares[i], lambda n: chunks.pop(0))
        commitments.append(c)
    rho = core.compute_binding_factors(suite, PK, commitments, msg)
    assert g.scalar_encode(rho[1]).hex() == rho1_hex
    sig_shares = [core.sign(suite, i, shares[i], PK, nonces[i], msg, commitments) for i in randomness]
    sig = core.aggregate_verified(suite, commitments, msg, PK, sig_shares, {i: g.base_mult(s) for i, s in shares.items()})
    assert sig.to_bytes().hex() == sig_hex
    frost.verify(suite, PK, msg, bytes.fromhex(sig_hex))
