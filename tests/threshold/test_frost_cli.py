"""`pqzk frost keygen | sign | verify` on files, and the FROST demo chapter."""
from __future__ import annotations

import json
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typer.testing import CliRunner

from pqzk.cli.frost import app

runner = CliRunner()


def _ok(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, (res.output, res.exception)
    return res


def _fails(args, code: int, error_type: str) -> None:
    """Exit `code` with one `error:` line on stderr; with --json the error's type on stdout."""
    res = runner.invoke(app, args)
    assert res.exit_code == code, (res.exit_code, res.output)
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and not res.stdout, res.output
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == code and json.loads(res.stdout)["error"]["type"] == error_type, res.output


@pytest.mark.parametrize("suite", ["ed25519", "secp256k1-tr", "p256"])
def test_keygen_sign_verify_files(tmp_path, suite):
    res = _ok(["keygen", "--suite", suite, "-t", "2", "-n", "3", "-o", str(tmp_path), "--json"])
    public = json.loads(res.output)
    assert public["min_signers"] == 2 and sorted(public["verifying_shares"]) == ["1", "2", "3"]
    share1 = tmp_path / "share-1.json"
    assert stat.S_IMODE(os.stat(share1).st_mode) == 0o600
    sig = tmp_path / "sig.json"
    res = _ok(["sign", "--share", str(share1), "--share", str(tmp_path / "share-3.json"),
               "-m", "hello files", "-o", str(sig), "--json"])
    assert json.loads(res.output)["signers"] == [1, 3]
    res = _ok(["verify", "-p", str(tmp_path / "public.json"), "--signature", str(sig), "-m", "hello files", "--json"])
    assert json.loads(res.output)["verified"] is True
    _ok(["verify", "-p", str(tmp_path / "public.json"), "--signature", str(sig),
         "--message-hex", b"hello files".hex()])
    _fails(["verify", "-p", str(tmp_path / "public.json"), "--signature", str(sig), "-m", "hello filez"],
           1, "VerificationError")
    if suite == "ed25519":   # the file's signature is a plain Ed25519 signature
        doc = json.loads(sig.read_text())
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public["verifying_key"])).verify(
            bytes.fromhex(doc["signature"]), b"hello files")


def test_cli_rejects_bad_files(tmp_path):
    _ok(["keygen", "-s", "secp256k1", "-o", str(tmp_path)])
    share = tmp_path / "share-2.json"
    doc = json.loads(share.read_text())
    doc["key_package"] = doc["key_package"][:-2]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    out = ["-o", str(tmp_path / "sig.json")]
    _fails(["sign", "--share", str(bad), "--share", str(share), "-m", "x", *out], 2, "InvalidEncoding")
    _fails(["sign", "--share", str(tmp_path / "public.json"), "-m", "x", *out], 2, "InvalidEncoding")
    _fails(["sign", "--share", str(share), "-m", "x", *out], 2, "InvalidParameter")     # below threshold
    _fails(["sign", "--share", str(share), "--share", str(tmp_path / "share-1.json"), *out],
           2, "InvalidParameter")                                                       # no message given
    assert not (tmp_path / "sig.json").exists()


def test_help_documents_the_file_formats():
    res = _ok(["--help"])
    for cmd in ("keygen", "sign", "verify"):
        assert cmd in res.output
    from pqzk.cli import frost as cli_frost
    assert "public.json" in cli_frost.__doc__ and "hex" in cli_frost.__doc__


def test_demo_chapter_json_mode():
    from pqzk.cli.demo_frost import chapter
    from pqzk.cli.narrate import Narrator
    n = Narrator(json_mode=True)
    chapter(n)
    facts = n.facts["FROST threshold signature (RFC 9591)"]
    sig = facts["signature (64 bytes, Ed25519)"]
    Ed25519PublicKey.from_public_bytes(facts["group public key (Ed25519)"]).verify(sig, b"pay 10 to alice")


def test_sign_with_shares_from_a_store(tmp_path, monkeypatch):
    """`pqzk frost sign --store URI --key-id ...`: shares unsealed from a share store, not files."""
    from pqzk.cli.main import app as main_app
    monkeypatch.setenv("PQZK_TEST_PASS", "correct horse battery staple")
    _ok(["keygen", "--suite", "ed25519", "-t", "2", "-n", "3", "-o", str(tmp_path)])
    uri = f"file:{tmp_path / 'store'}"
    pin = ["--pin-env", "PQZK_TEST_PASS"]
    for args in (["token", "init", uri, *pin],
                 ["token", "import-frost", uri, str(tmp_path / "share-1.json"), "--key-id", "alice", *pin],
                 ["token", "import-frost", uri, str(tmp_path / "share-3.json"), "--key-id", "carol", *pin]):
        res = runner.invoke(main_app, args)
        assert res.exit_code == 0, (res.output, res.exception)
    sig = tmp_path / "sig.json"
    res = runner.invoke(main_app, ["frost", "sign", "--store", uri, "--key-id", "alice", "--key-id", "carol",
                                   *pin, "-m", "from the store", "-o", str(sig), "--json"])
    assert res.exit_code == 0, (res.output, res.exception)
    assert json.loads(res.output)["signers"] == [1, 3]
    _ok(["verify", "-p", str(tmp_path / "public.json"), "--signature", str(sig), "-m", "from the store"])
    monkeypatch.setenv("PQZK_TEST_PASS", "wrong passphrase")
    res = runner.invoke(main_app, ["frost", "sign", "--store", uri, "--key-id", "alice", "--key-id", "carol",
                                   *pin, "-m", "x", "-o", str(tmp_path / "sig2.json")])
    assert res.exit_code == 1 and "correct horse" not in (res.output or "")      # WrongPin: a failed check
    assert not (tmp_path / "sig2.json").exists()
    _fails(["sign", "--share", str(tmp_path / "share-2.json"), "--store", uri, "-m", "x"], 2, "InvalidParameter")
