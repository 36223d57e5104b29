"""`pqzk ecdsa keygen | sign | verify | address` and `pqzk frost sign --path` end to end: files,
derivation, exit codes, and the refusals (hardened paths, wrong messages, mixed keys)."""
from __future__ import annotations

import json

import coincurve
from typer.testing import CliRunner

from pqzk.cli.main import app

runner = CliRunner()


def _run(*args, code=0):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == code, (args, res.output)
    return res


def test_ecdsa_keygen_sign_verify_address(tmp_path):
    keys = tmp_path / "keys"
    _run("ecdsa", "keygen", "-t", "2", "-n", "3", "-o", keys)
    pub = json.loads((keys / "public.json").read_text())
    assert pub["format"] == "pqzk-ecdsa-public/1" and pub["xpub"].startswith("xpub")
    assert oct((keys / "share-2.json").stat().st_mode)[-3:] == "600"
    sig_file = tmp_path / "sig.json"
    _run("ecdsa", "sign", "--share", keys / "share-2.json", "--share", keys / "share-3.json", "-m", "pay",
         "--hash", "keccak256", "--path", "m/44/60/0/0/5", "-o", sig_file)
    sig = json.loads(sig_file.read_text())
    rec = coincurve.PublicKey.from_signature_and_message(
        bytes.fromhex(sig["signature"]) + bytes([sig["recovery_id"]]), bytes.fromhex(sig["digest"]), hasher=None)
    assert rec.format().hex() == sig["public_key"]
    _run("ecdsa", "verify", "-p", keys / "public.json", "--signature", sig_file, "-m", "pay")
    _run("ecdsa", "verify", "-p", keys / "public.json", "--signature", sig_file, "-m", "pax", code=1)
    res = _run("ecdsa", "address", "-p", keys / "public.json", "--path", "m/44/60/0/0/5", "--json")
    out = json.loads(res.stdout)
    assert out["public_key"] == sig["public_key"] and out["ethereum"].startswith("0x")
    assert out["p2wpkh"].startswith("bc1q") and out["p2tr"].startswith("bc1p")
    # refusals: hardened step, existing output, a share given twice
    res = _run("ecdsa", "sign", "--share", keys / "share-2.json", "--share", keys / "share-3.json", "-m", "x",
               "--path", "m/44'/0", "-o", tmp_path / "s2.json", code=2)
    assert "hardened" in res.stderr
    _run("ecdsa", "sign", "--share", keys / "share-2.json", "--share", keys / "share-3.json", "-m", "x",
         "-o", sig_file, code=2)
    _run("ecdsa", "sign", "--share", keys / "share-2.json", "--share", keys / "share-2.json", "-m", "x",
         "-o", tmp_path / "s3.json", code=2)


def test_frost_taproot_sign_with_a_path(tmp_path):
    keys = tmp_path / "fk"
    _run("frost", "keygen", "-s", "secp256k1-tr", "-o", keys)
    sig = tmp_path / "sig.json"
    _run("frost", "sign", "--share", keys / "share-1.json", "--share", keys / "share-2.json", "-m", "hi",
         "--path", "m/86/0/0/0/1", "-o", sig)
    doc = json.loads(sig.read_text())
    xonly = bytes.fromhex(doc["verifying_key"])[1:]
    assert coincurve.PublicKeyXOnly(xonly).verify(bytes.fromhex(doc["signature"]), b"hi")
    _run("frost", "verify", "-p", keys / "public.json", "--signature", sig, "-m", "hi")
    res = _run("frost", "sign", "--share", keys / "share-1.json", "--share", keys / "share-2.json", "-m", "hi",
               "--path", "m/86'/0", "-o", tmp_path / "s2.json", code=2)
    assert "hardened" in res.stderr
