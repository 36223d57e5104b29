"""Every threshold signature is a standard ECDSA signature: libsecp256k1 (coincurve) and OpenSSL
(`cryptography`) verify it; on secp256k1 coincurve's recovery returns the group (or child) key,
whose Ethereum address (Keccak-256 from pycryptodome) and Bitcoin addresses are checked; derived
keys and xpubs equal those of the `bip32` library from the same xpub."""
import hashlib

import coincurve
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.threshold import ecdsa
from pqzk.threshold.ecdsa import addresses

from conftest import require_component
from ecdsa_helpers import shares

try:
    import bip32
    from Crypto.Hash import keccak
except ImportError:                          # make test installs both ([dev]): CI fails instead of skipping
    bip32 = keccak = None


@pytest.fixture(autouse=True)
def _oracles():
    require_component(bip32 is not None and keccak is not None, "the bip32 and pycryptodome oracles",
                      "pip install bip32 pycryptodome (both in the [dev] extra)")

CURVES = {"secp256k1": ec.SECP256K1(), "p256": ec.SECP256R1()}


def openssl_verify(curve, key, digest, sig):
    pub = ec.EllipticCurvePublicKey.from_encoded_point(CURVES[curve], key.to_bytes())
    pub.verify(sig.to_der(), digest, ec.ECDSA(Prehashed(hashes.SHA256())))


@pytest.mark.parametrize("curve", ["secp256k1", "p256"])
@pytest.mark.parametrize("signers", [[1, 2], [2, 3], [1, 2, 3]])
def test_signatures_verify_with_openssl_and_libsecp256k1(curve, signers):
    keys = shares(curve)
    digest = hashlib.sha256(b"interop %s %r" % (curve.encode(), signers)).digest()
    sig = ecdsa.sign_locally(keys, signers, digest)
    key = keys[1].public.verifying_key
    assert sig.s <= key.group.order // 2                       # low s
    ecdsa.verify(curve, key, digest, sig)
    openssl_verify(curve, key, digest, sig)
    assert ecdsa.recover(curve, digest, sig) == key
    if curve == "secp256k1":
        pub = coincurve.PublicKey(key.to_bytes())
        assert pub.verify(sig.to_der(), digest, hasher=None)
        rec = coincurve.PublicKey.from_signature_and_message(sig.to_recoverable(), digest, hasher=None)
        assert rec.format() == key.to_bytes()
    bad = hashlib.sha256(b"another message").digest()
    with pytest.raises(VerificationError):
        ecdsa.verify(curve, key, bad, sig)
    with pytest.raises(InvalidSignature):
        openssl_verify(curve, key, bad, sig)


def eth_address_oracle(key):
    raw = coincurve.PublicKey(key.to_bytes()).format(compressed=False)[1:]
    h = keccak.new(digest_bits=256, data=raw).digest()
    return "0x" + h[-20:].hex()


def test_recovered_key_gives_the_ethereum_address():
    keys = shares("secp256k1")
    path = "m/44/60/0/0/5"
    child, _ = keys[1].public_key.derive(path)
    tx_hash = keccak.new(digest_bits=256, data=b"an ethereum transaction").digest()
    sig = ecdsa.sign_locally(keys, [1, 3], tx_hash, path=path)
    rec = coincurve.PublicKey.from_signature_and_message(sig.to_recoverable(), tx_hash, hasher=None)
    assert rec.format() == child.to_bytes()
    assert addresses.ethereum(child).lower() == eth_address_oracle(child)
    assert addresses.ethereum(keys[1].public.verifying_key) != addresses.ethereum(child)


def test_ethereum_address_checksum_and_bitcoin_addresses():
    """EIP-55 and the address encodings against known vectors."""
    # EIP-55 test vector (mixed-case checksum of a known address)
    assert addresses.eip55("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    # BIP-173 / BIP-350 vectors: the P2WPKH of key 0279BE66... and the P2TR of the BIP-86 first key
    g = ecdsa.signature.curve_group("secp256k1")
    assert addresses.p2wpkh(g.generator()) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    xonly = bytes.fromhex("a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c")
    assert addresses.p2tr_from_xonly(xonly) == "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"
    with pytest.raises(InvalidParameter):
        addresses.p2wpkh(ecdsa.signature.curve_group("p256").generator())


def test_xpub_and_children_match_the_bip32_library():
    keys = shares("secp256k1")
    xpub = keys[1].public_key.extended().xpub()
    oracle = bip32.BIP32.from_xpub(xpub)
    assert oracle.get_xpub() == xpub
    for path in ["m/0", "m/1/2", "m/44/60/0/0/5", "m/2147483647/7"]:
        node, tweak = keys[1].public_key.extended().derive(path)
        assert node.key.to_bytes() == oracle.get_pubkey_from_path(path)
        assert node.xpub() == oracle.get_xpub_from_path(path)
        assert node.key == keys[1].public.verifying_key + node.key.group.base_mult(tweak)
    assert ecdsa.parse_xpub(xpub).xpub() == xpub


@given(st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=4))
@settings(max_examples=15)
def test_derivation_matches_bip32_for_any_path(path):
    keys = shares("secp256k1")
    oracle = bip32.BIP32.from_xpub(keys[1].public_key.extended().xpub())
    text = "m/" + "/".join(map(str, path))
    node, _ = keys[1].public_key.extended().derive(text)
    assert node.xpub() == oracle.get_xpub_from_path(text)


def test_signing_under_a_derived_key():
    keys = shares("secp256k1", 3, 5)
    path = "m/44/60/0/0/5"
    child, _ = keys[1].public_key.derive(path)
    digest = hashlib.sha256(b"derived").digest()
    sig = ecdsa.sign_locally(keys, [1, 4, 5], digest, path=path)
    coincurve.PublicKey(child.to_bytes()).verify(sig.to_der(), digest, hasher=None)
    with pytest.raises(VerificationError):
        ecdsa.verify("secp256k1", keys[1].public.verifying_key, digest, sig)


@pytest.mark.parametrize("path", ["m/44'/60/0", "m/0h", "m/2147483648", [2**31]])
def test_hardened_derivation_is_refused(path):
    keys = shares("secp256k1")
    with pytest.raises(InvalidParameter, match="hardened"):
        keys[1].public_key.derive(path)


@pytest.mark.parametrize("path", ["", "44/60", "m//1", "m/01", "m/-1", "m/x", 7])
def test_malformed_paths_are_refused(path):
    with pytest.raises(InvalidParameter):
        ecdsa.parse_path(path)


@pytest.mark.parametrize("bad", ["", "xpub", "0OIl", None])
def test_bad_xpubs_are_refused(bad):
    with pytest.raises(InvalidEncoding):
        ecdsa.parse_xpub(bad)


def test_xpub_checksum_is_checked():
    xpub = shares("secp256k1")[1].public_key.extended().xpub()
    flipped = xpub[:-1] + ("a" if xpub[-1] != "a" else "b")
    with pytest.raises(InvalidEncoding):
        ecdsa.parse_xpub(flipped)
