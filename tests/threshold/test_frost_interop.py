"""FROST signatures checked by verifiers nobody here wrote: OpenSSL, libsodium, libsecp256k1."""
from __future__ import annotations

import csv

import coincurve
import nacl.exceptions
import nacl.signing
import pytest
from conftest import VECTORS
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey, Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from frost_helpers import run_dkg, suite_for

from pqzk.errors import InvalidEncoding, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost
from pqzk.threshold.frost.taproot import bip340_sign, bip340_verify

MESSAGES = [b"", b"interop", bytes(range(200))]


def _frost_sig(name, t, n, msg, seed, quorum=None):
    suite = suite_for(name)
    rng = DeterministicRNG(seed)
    kps, pkp = frost.trusted_dealer_keygen(suite, t, n, rng=rng)
    quorum = quorum or list(range(n - t + 1, n + 1))
    return pkp, frost.sign(suite, [kps[i] for i in quorum], msg, rng)


@pytest.mark.parametrize("msg", MESSAGES)
def test_frost_ed25519_verifies_with_openssl_and_libsodium(msg):
    pkp, sig = _frost_sig("ed25519", 3, 5, msg, b"ed" + msg)
    pk = pkp.verifying_key.to_bytes()
    Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
    nacl.signing.VerifyKey(pk).verify(msg, sig)
    with pytest.raises(InvalidSignature):
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg + b"x")
    with pytest.raises(nacl.exceptions.BadSignatureError):
        nacl.signing.VerifyKey(pk).verify(msg + b"x", sig)


def test_openssl_ed25519_signature_verifies_with_frost_verify():
    sk = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    pk = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    sig = sk.sign(b"reverse direction")
    frost.verify("ed25519", pk, b"reverse direction", sig)
    with pytest.raises(VerificationError):
        frost.verify("ed25519", pk, b"reverse directioN", sig)


@pytest.mark.parametrize("msg", MESSAGES)
def test_frost_ed448_verifies_with_openssl(msg):
    pkp, sig = _frost_sig("ed448", 2, 3, msg, b"448" + msg)
    pub = Ed448PublicKey.from_public_bytes(pkp.verifying_key.to_bytes())
    pub.verify(sig, msg)
    with pytest.raises(InvalidSignature):
        pub.verify(sig, msg + b"x")
    sk = Ed448PrivateKey.from_private_bytes(bytes(57))
    frost.verify("ed448", sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw), msg, sk.sign(msg))


@pytest.mark.parametrize("msg", MESSAGES)
def test_frost_secp256k1_tr_verifies_with_libsecp256k1(msg):
    # several keys so that odd-y group keys and odd-y group commitments both occur
    for seed in range(6):
        pkp, sig = _frost_sig("secp256k1-tr", 2, 3, msg, seed.to_bytes(2, "big") + msg)
        xonly = pkp.verifying_key.to_bytes()[1:]
        assert coincurve.PublicKeyXOnly(xonly).verify(sig, msg)
        assert not coincurve.PublicKeyXOnly(xonly).verify(sig, msg + b"x")
        bip340_verify(xonly, msg, sig)
        frost.verify("secp256k1-tr", xonly, msg, sig)


def test_frost_secp256k1_tr_after_dkg_and_tweak_verifies_with_libsecp256k1():
    suite = suite_for("secp256k1-tr")
    rng = DeterministicRNG(b"tr-dkg")
    kps, pkps = run_dkg(suite, 3, 2, rng)
    pkp = pkps[-1]
    sig = frost.sign(suite, [kps[1], kps[3]], b"taproot", rng)
    assert coincurve.PublicKeyXOnly(pkp.verifying_key.to_bytes()[1:]).verify(sig, b"taproot")
    # a script-path tweak on top
    from pqzk.threshold.frost.taproot import taproot_tweak_key_package, taproot_tweak_public_key_package
    root = bytes(range(32))
    tk = {i: taproot_tweak_key_package(kp, root) for i, kp in kps.items()}
    tp = taproot_tweak_public_key_package(pkp, root)
    sig2 = frost.sign(suite, [tk[2], tk[3]], b"script", rng)
    assert coincurve.PublicKeyXOnly(tp.verifying_key.to_bytes()[1:]).verify(sig2, b"script")


def _bip340_rows():
    with open(VECTORS / "bip340" / "test-vectors.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_bip340_vector_file_is_complete():
    # an empty file would parametrize the vector test over nothing (a silent skip)
    rows = _bip340_rows()
    assert [int(r["index"]) for r in rows] == list(range(len(rows))) and len(rows) >= 19
    assert {r["verification result"] for r in rows} == {"TRUE", "FALSE"}


@pytest.mark.parametrize("row", _bip340_rows(), ids=lambda r: r["index"])
def test_bip340_vectors(row):
    pk = bytes.fromhex(row["public key"])
    msg = bytes.fromhex(row["message"])
    sig = bytes.fromhex(row["signature"])
    valid = row["verification result"] == "TRUE"
    if row["secret key"]:
        sk = int(row["secret key"], 16)
        assert bip340_sign(sk, msg, bytes.fromhex(row["aux_rand"])) == sig
    if valid:
        bip340_verify(pk, msg, sig)
        assert coincurve.PublicKeyXOnly(pk).verify(sig, msg)
    else:
        with pytest.raises((VerificationError, InvalidEncoding)):
            bip340_verify(pk, msg, sig)
