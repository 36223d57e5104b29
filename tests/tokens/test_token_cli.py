"""`pqzk token ...` end to end on a sealed-file store and a SoftHSM2 token; PINs from env/file."""
from __future__ import annotations

import json

import pytest
from token_stores import GROUP_PK
from token_env import USER_PIN, init_softhsm_token, pkcs11_uri, require_softhsm
from typer.testing import CliRunner

from pqzk.cli.token import app
from pqzk.tokens import heldkeys

runner = CliRunner()


def invoke(*args, env=None, ok=True):
    res = runner.invoke(app, [str(a) for a in args], env=env)
    if ok:
        assert res.exit_code == 0, (res.output, res.exception)
    return res


def test_registered_in_main():
    from pqzk.cli.main import SUBCOMMANDS
    assert ("pqzk.cli.token", "app", "token") in SUBCOMMANDS


def test_file_store_lifecycle(tmp_path, monkeypatch):
    from pqzk.tokens.passphrase import KdfParams
    monkeypatch.setattr(KdfParams, "default", classmethod(lambda cls: KdfParams.fast_for_tests()))
    uri = f"file:{tmp_path / 'store'}"
    env = {"STORE_PASS": "a long store passphrase", "REC_PASS": "recovery passphrase"}
    invoke("init", uri, "--pin-env", "STORE_PASS", env=env)
    share = tmp_path / "share.hex"
    share.write_text(bytes(range(64)).hex())
    invoke("import", uri, "--key-id", "alice", "--share-file", share, "--party", 1, "--threshold", 2,
           "--group-public-key", GROUP_PK.hex(), "--pin-env", "STORE_PASS", env=env)
    out = json.loads(invoke("list", uri, "--pin-env", "STORE_PASS", "--json", env=env).stdout)
    assert [s["key_id"] for s in out["shares"]] == ["alice"] and out["shares"][0]["party_id"] == 1
    assert bytes(range(64)).hex() not in json.dumps(out)

    invoke("recovery-keygen", "--out", tmp_path / "rec.key", "--public-out", tmp_path / "rec.pub",
           "--pin-env", "REC_PASS", env=env)
    invoke("export-backup", uri, "alice", "--recovery-public", tmp_path / "rec.pub", "--out",
           tmp_path / "alice.bkp", "--pin-env", "STORE_PASS", env=env)
    uri2 = f"file:{tmp_path / 'store2'}"
    invoke("init", uri2, "--pin-env", "STORE_PASS", env=env)
    invoke("import", uri2, "--backup", tmp_path / "alice.bkp", "--recovery-key", tmp_path / "rec.key",
           "--recovery-pin-env", "REC_PASS", "--pin-env", "STORE_PASS", env=env)
    from pqzk.tokens import open_store
    with open_store(uri2, env["STORE_PASS"]).get("alice") as u:
        assert u.value == bytes(range(64))

    msg = tmp_path / "msg"
    msg.write_bytes(b"approve transfer #7")
    pk = json.loads(invoke("keygen", uri, "sig", "--algorithm", "ed25519", "--pin-env", "STORE_PASS",
                           "--json", env=env).stdout)["public_key"]
    sig = json.loads(invoke("sign", uri, "sig", "--message-file", msg, "--pin-env", "STORE_PASS",
                            "--json", env=env).stdout)["signature"]
    heldkeys.verify("ed25519", bytes.fromhex(pk), msg.read_bytes(), bytes.fromhex(sig))


def test_wrong_passphrase_and_missing_pin(tmp_path):
    uri = f"file:{tmp_path / 'store'}"
    res = invoke("list", uri, ok=False)      # not a terminal, no --pin-file/--pin-env
    assert res.exit_code != 0 and "--pin-file or --pin-env" in str(res.exception)
    res = invoke("list", uri, "--pin-env", "NOPE", env={}, ok=False)
    assert "not set" in str(res.exception)


def test_pkcs11_sign_with_pin_file(tmp_path):
    require_softhsm()
    label = init_softhsm_token("pqzk-cli")
    pin = tmp_path / "pin"
    pin.write_text(USER_PIN + "\n")
    uri = pkcs11_uri(label)
    out = json.loads(invoke("init", uri, "--pin-file", pin, "--json").stdout)
    assert "cannot sign ml-dsa" in out["mechanisms"]
    pk = json.loads(invoke("keygen", uri, "p", "--algorithm", "ecdsa-p256", "--pin-file", pin, "--json").stdout)["public_key"]
    msg = tmp_path / "msg"
    msg.write_bytes(b"hello")
    sig = invoke("sign", uri, "p", "--message-file", msg, "--pin-file", pin).stdout.strip()
    heldkeys.verify("ecdsa-p256", bytes.fromhex(pk), b"hello", bytes.fromhex(sig))
    bad = tmp_path / "bad"
    bad.write_text("0000")
    res = invoke("list", uri, "--pin-file", bad, ok=False)
    assert type(res.exception).__name__ == "WrongPin" and "0000" not in str(res.exception)


@pytest.mark.parametrize("argv", [["list", "pkcs11:token=x?pin-value=1234", "--pin-env", "X"]])
def test_pin_in_uri_is_refused(argv):
    res = invoke(*argv, env={"X": "1"}, ok=False)
    assert "PINs never go in a URI" in str(res.exception)
