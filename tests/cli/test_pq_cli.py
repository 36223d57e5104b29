"""`pqzk pq`: keys and signatures written by the CLI load and verify in `cryptography` (OpenSSL
3.5+ inside the wheel), and keys and signatures written by `cryptography` load and verify in the
CLI — PEM and DER, plain and encrypted PKCS#8. Composite and X-Wing keys, which OpenSSL does not
know, are checked component by component and against the IETF example and draft vectors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import mldsa as c_mldsa
from cryptography.hazmat.primitives.asymmetric import mlkem as c_mlkem
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.pq import backend_registry as B
from pqzk.pq import composite, keyfiles, pkcs8, xwing

runner = CliRunner()
IETF = Path(__file__).resolve().parents[1] / "vectors" / "ietf-pem"
PW_ENV, PW = "PQZK_TEST_PASSPHRASE", "correct horse battery staple"
C_MLDSA = {"ML-DSA-44": c_mldsa.MLDSA44PrivateKey, "ML-DSA-65": c_mldsa.MLDSA65PrivateKey,
           "ML-DSA-87": c_mldsa.MLDSA87PrivateKey}
C_MLKEM = {"ML-KEM-768": c_mlkem.MLKEM768PrivateKey, "ML-KEM-1024": c_mlkem.MLKEM1024PrivateKey}


@pytest.fixture(autouse=True)
def _fast_pbkdf2(monkeypatch):
    """600 000 PBKDF2 rounds per encrypted key is right for users and slow for tests."""
    monkeypatch.setattr(pkcs8, "DEFAULT_ITERATIONS", 2048)


def pqzk(*args, ok: bool = True, code: int | None = None):
    res = runner.invoke(app, ["pq", *map(str, args)], env={PW_ENV: PW})
    if ok:
        assert res.exit_code == 0, res.output
    elif code is not None:
        assert res.exit_code == code, res.output
        assert res.stderr.startswith("error: ") and len(res.stderr.splitlines()) == 1
    return res


def _load_c_private(path: Path, password: bytes | None = None):
    data = path.read_bytes()
    if data.startswith(b"-----"):
        return ser.load_pem_private_key(data, password)
    return ser.load_der_private_key(data, password)


def _load_c_public(path: Path):
    data = path.read_bytes()
    return ser.load_pem_public_key(data) if data.startswith(b"-----") else ser.load_der_public_key(data)


# ---------------------------------------------------------------- CLI -> cryptography

@pytest.mark.parametrize("alg", sorted(C_MLDSA))
@pytest.mark.parametrize("form", ["pem", "der", "encrypted"])
def test_cli_mldsa_keys_and_signatures_load_in_cryptography(tmp_path, alg, form):
    extra = ["--der"] if form == "der" else ["--passphrase-env", PW_ENV] if form == "encrypted" else []
    pqzk("keygen", alg, "-o", tmp_path / "k", "--public-out", tmp_path / "p", *extra)
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600
    sk = _load_c_private(tmp_path / "k", PW.encode() if form == "encrypted" else None)
    pk = _load_c_public(tmp_path / "p")
    assert isinstance(sk, C_MLDSA[alg]) and pk.public_bytes_raw() == sk.public_key().public_bytes_raw()
    pw = ["--passphrase-env", PW_ENV] if form == "encrypted" else []
    pqzk("sign", "-k", tmp_path / "k", *pw, "-m", "pay 10 to alice", "--context", "app/v1", "-o", tmp_path / "s")
    sig = (tmp_path / "s").read_bytes()
    pk.verify(sig, b"pay 10 to alice", b"app/v1")
    with pytest.raises(InvalidSignature):
        pk.verify(sig, b"pay 10 to alice", b"app/v2")
    # HashML-DSA: OpenSSL checks it through its external-μ interface
    pqzk("sign", "-k", tmp_path / "k", *pw, "-m", "big", "--prehash", "SHA2-512", "-o", tmp_path / "h")
    mu = B.external_mu(pk.public_bytes_raw(), b"big", b"", "SHA2-512")
    pk.verify_mu((tmp_path / "h").read_bytes(), mu)


@pytest.mark.parametrize("alg", sorted(C_MLKEM))
def test_cli_mlkem_keys_interoperate_with_cryptography(tmp_path, alg):
    pqzk("keygen", alg, "-o", tmp_path / "k", "--public-out", tmp_path / "p")
    sk, pk = _load_c_private(tmp_path / "k"), _load_c_public(tmp_path / "p")
    ss, ct = pk.encapsulate()                       # cryptography encapsulates to the CLI's key
    (tmp_path / "ct").write_bytes(ct)
    pqzk("decaps", "-k", tmp_path / "k", "-c", tmp_path / "ct", "--secret-out", tmp_path / "ss")
    assert (tmp_path / "ss").read_bytes() == ss and (tmp_path / "ss").stat().st_mode & 0o777 == 0o600
    pqzk("encaps", "-p", tmp_path / "p", "-o", tmp_path / "ct2", "--secret-out", tmp_path / "ss2")
    assert sk.decapsulate((tmp_path / "ct2").read_bytes()) == (tmp_path / "ss2").read_bytes()


def test_what_openssl_does_not_know_is_refused_there_and_checked_by_parts(tmp_path):
    pqzk("keygen", "MLDSA65-ECDSA-P256-SHA512", "-o", tmp_path / "c", "--public-out", tmp_path / "cp")
    pqzk("keygen", "X-Wing", "-o", tmp_path / "x", "--public-out", tmp_path / "xp")
    pqzk("keygen", "ML-KEM-512", "-o", tmp_path / "m512")
    for f in ("c", "x", "m512"):
        with pytest.raises((UnsupportedAlgorithm, ValueError)):
            _load_c_private(tmp_path / f)
    # composite: the ML-DSA half verifies in OpenSSL on M' with the label as context, the ECDSA half too
    pqzk("sign", "-k", tmp_path / "c", "-m", "hybrid", "--context", "ctx", "-o", tmp_path / "cs")
    pub = keyfiles.load_public((tmp_path / "cp").read_bytes())
    a, sig = pub.algorithm, (tmp_path / "cs").read_bytes()
    m_prime = composite.message_representative(a, b"hybrid", b"ctx")
    n = 3309
    c_mldsa.MLDSA65PublicKey.from_public_bytes(pub.mldsa_key.key).verify(sig[:n], m_prime, a.label)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub.trad_key).verify(sig[n:], m_prime, ec.ECDSA(hashes.SHA256()))
    # X-Wing: the file holds the draft's 32-byte seed, and the key behaves as the draft's vectors say
    sk = keyfiles.load_private((tmp_path / "x").read_bytes())
    assert sk == xwing.keygen(seed=sk.seed) and sk.to_pkcs8().endswith(b"\x04\x20" + sk.seed)


# ---------------------------------------------------------------- cryptography -> CLI

@pytest.mark.parametrize("alg", sorted(C_MLDSA))
@pytest.mark.parametrize("encoding", [ser.Encoding.PEM, ser.Encoding.DER])
def test_cryptography_mldsa_keys_and_signatures_work_in_the_cli(tmp_path, alg, encoding):
    sk = C_MLDSA[alg].generate()
    (tmp_path / "k").write_bytes(sk.private_bytes(encoding, ser.PrivateFormat.PKCS8, ser.NoEncryption()))
    (tmp_path / "ke").write_bytes(sk.private_bytes(encoding, ser.PrivateFormat.PKCS8,
                                                   ser.BestAvailableEncryption(PW.encode())))
    (tmp_path / "p").write_bytes(sk.public_key().public_bytes(encoding, ser.PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "s").write_bytes(sk.sign(b"from openssl", b"c"))
    pqzk("verify", "-p", tmp_path / "p", "-s", tmp_path / "s", "-m", "from openssl", "--context", "c")
    pqzk("verify", "-p", tmp_path / "p", "-s", tmp_path / "s", "-m", "from openssl", ok=False, code=1)
    for key, pw in (("k", []), ("ke", ["--passphrase-env", PW_ENV])):
        pqzk("sign", "-k", tmp_path / key, *pw, "-m", "from pqzk", "-o", tmp_path / f"s-{key}")
        sk.public_key().verify((tmp_path / f"s-{key}").read_bytes(), b"from pqzk")


@pytest.mark.parametrize("alg", sorted(C_MLKEM))
def test_cryptography_mlkem_keys_work_in_the_cli(tmp_path, alg):
    sk = C_MLKEM[alg].generate()
    (tmp_path / "k").write_bytes(sk.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8,
                                                  ser.BestAvailableEncryption(PW.encode())))
    (tmp_path / "p").write_bytes(sk.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo))
    pqzk("encaps", "-p", tmp_path / "p", "-o", tmp_path / "ct", "--secret-out", tmp_path / "ss")
    assert sk.decapsulate((tmp_path / "ct").read_bytes()) == (tmp_path / "ss").read_bytes()
    pqzk("decaps", "-k", tmp_path / "k", "--passphrase-env", PW_ENV, "-c", tmp_path / "ct", "--secret-out", tmp_path / "ss2")
    assert (tmp_path / "ss2").read_bytes() == (tmp_path / "ss").read_bytes()


@pytest.mark.parametrize("lv", ["44", "65", "87"])
def test_the_rfc_9881_example_keys(tmp_path, lv):
    """lamps-wg's example PEM files: the seed 00..1f and its public key, read and re-written alike."""
    priv, pub = (IETF / f"ML-DSA-{lv}-seed.priv").read_bytes(), (IETF / f"ML-DSA-{lv}.pub").read_bytes()
    sk = keyfiles.load_private(priv)
    assert sk.seed == bytes(range(32)) and keyfiles.dump_private(sk) == priv
    assert keyfiles.load_public(pub) == sk.public_key and keyfiles.dump_public(sk.public_key) == pub
    pqzk("sign", "-k", IETF / f"ML-DSA-{lv}-seed.priv", "-m", "x", "-o", tmp_path / "s")
    pqzk("verify", "-p", IETF / f"ML-DSA-{lv}.pub", "-s", tmp_path / "s", "-m", "x")


# ---------------------------------------------------------------- the rest of the commands

def test_seal_and_open_a_file(tmp_path):
    pqzk("keygen", "X-Wing", "-o", tmp_path / "x", "--public-out", tmp_path / "xp", "--der")
    (tmp_path / "plain").write_bytes(bytes(range(256)) * 100)
    pqzk("seal", "-p", tmp_path / "xp", "--in", tmp_path / "plain", "-o", tmp_path / "sealed", "--label", "backup 1")
    pqzk("open", "-k", tmp_path / "x", "--in", tmp_path / "sealed", "-o", tmp_path / "out", "--label", "backup 1")
    assert (tmp_path / "out").read_bytes() == (tmp_path / "plain").read_bytes()
    pqzk("open", "-k", tmp_path / "x", "--in", tmp_path / "sealed", "-o", tmp_path / "o2", "--label", "backup 2",
         ok=False, code=1)
    pqzk("keygen", "X-Wing", "-o", tmp_path / "y")
    pqzk("open", "-k", tmp_path / "y", "--in", tmp_path / "sealed", "-o", tmp_path / "o3", "--label", "backup 1",
         ok=False, code=1)
    assert not (tmp_path / "o2").exists() and not (tmp_path / "o3").exists()


def test_composite_sign_verify_and_wrong_inputs(tmp_path):
    pqzk("keygen", "MLDSA44-Ed25519-SHA512", "-o", tmp_path / "c", "--public-out", tmp_path / "cp",
         "--passphrase-env", PW_ENV)
    pqzk("sign", "-k", tmp_path / "c", "--passphrase-env", PW_ENV, "--message-hex", "00ff", "-o", tmp_path / "s")
    pqzk("verify", "-p", tmp_path / "cp", "-s", tmp_path / "s", "--message-hex", "00ff")
    pqzk("verify", "-p", tmp_path / "cp", "-s", tmp_path / "s", "--message-hex", "00fe", ok=False, code=1)
    pqzk("sign", "-k", tmp_path / "c", "-m", "x", "-o", tmp_path / "s2", ok=False, code=2)          # no passphrase
    res = runner.invoke(app, ["pq", "sign", "-k", str(tmp_path / "c"), "--passphrase-env", "WRONG", "-m", "x",
                              "-o", str(tmp_path / "s3")], env={"WRONG": "not it"})
    assert res.exit_code == 1 and "passphrase does not decrypt" in res.stderr and "not it" not in res.output
    pqzk("sign", "-k", tmp_path / "c", "--passphrase-env", PW_ENV, "-m", "x", "--prehash", "SHA2-256",
         "-o", tmp_path / "s4", ok=False, code=2)
    pqzk("encaps", "-p", tmp_path / "cp", "-o", tmp_path / "ct", "--secret-out", tmp_path / "ss", ok=False, code=2)
    pqzk("verify", "-p", tmp_path / "c", "-s", tmp_path / "s", "-m", "x", ok=False, code=2)       # a private key
    pqzk("sign", "-k", tmp_path / "cp", "-m", "x", "-o", tmp_path / "s5", ok=False, code=2)       # a public key
    pqzk("keygen", "ML-DSA-44", "-o", tmp_path / "c", ok=False, code=2)                            # exists
    pqzk("keygen", "RSA-2048", "-o", tmp_path / "new", ok=False, code=2)
    res = pqzk("keygen", "ML-DSA-44", "-o", tmp_path / "c", "--force", "--json")
    assert json.loads(res.stdout)["oid"] == "2.16.840.1.101.3.4.3.17"


def test_algorithms_lists_every_key_type_with_its_oid():
    rows = json.loads(pqzk("algorithms", "--json").stdout)["algorithms"]
    names = {r["name"]: r["oid"] for r in rows}
    assert names["ML-DSA-65"] == "2.16.840.1.101.3.4.3.18" and names["ML-KEM-1024"] == "2.16.840.1.101.3.4.4.3"
    assert names["X-Wing"] == "1.3.6.1.4.1.62253.25722" and names["MLDSA87-Ed448-SHAKE256"] == "1.3.6.1.5.5.7.6.51"
    assert len(rows) == 3 + 3 + 1 + len(composite.ALGORITHMS)


def test_deterministic_signing_from_the_cli_is_fips_204_deterministic(tmp_path):
    pqzk("keygen", "ML-DSA-44", "-o", tmp_path / "k")
    for out in ("s1", "s2"):
        pqzk("sign", "-k", tmp_path / "k", "-m", "same", "--deterministic", "-o", tmp_path / out)
    sk = keyfiles.load_private((tmp_path / "k").read_bytes())
    from pqzk.pq import mldsa
    assert (tmp_path / "s1").read_bytes() == (tmp_path / "s2").read_bytes() \
        == mldsa.sign_internal("ML-DSA-44", sk, b"\x00\x00same", rnd=bytes(32), backend="reference")


def test_info_reports_the_fips_204_interfaces_per_backend():
    res = runner.invoke(app, ["info", "--json"])
    assert res.exit_code == 0
    pq = {b["name"]: b for b in json.loads(res.stdout)["backends"] if b["name"] in ("openssl", "numpy", "reference", "pqclean")}
    assert "verifying against an external μ" in pq["numpy"]["extra"]["can"]
    assert any(c.startswith("verifying against an external μ: dilithium-py") for c in pq["reference"]["extra"]["cannot"])
    assert any(c.startswith("deterministic / caller-supplied-rnd signing") for c in pq["openssl"]["extra"]["cannot"])
    assert any(c.startswith("FIPS 204 Sign_internal") for c in pq["pqclean"]["extra"]["cannot"])
