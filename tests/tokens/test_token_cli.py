"""`pqzk token ...` end to end on a sealed-file store and a SoftHSM2 token; PINs from env/file."""
from __future__ import annotations

import json

import pytest
from token_stores import frost_share
from token_env import USER_PIN, init_softhsm_token, pkcs11_uri, require_softhsm
from typer.testing import CliRunner

from pqzk.cli.token import app
from pqzk.tokens import heldkeys

runner = CliRunner()


def invoke(*args, env=None, ok=True, code=2):
    """Run `pqzk token ARGS`: exit 0 when ok, else `code` with one `error:` line on stderr."""
    res = runner.invoke(app, [str(a) for a in args], env=env)
    if ok:
        assert res.exit_code == 0, (res.output, res.exception)
    else:
        assert res.exit_code == code, (res.exit_code, res.output)
        assert res.stderr.startswith("error: ") and len(res.stderr.splitlines()) == 1, res.stderr
        assert "Traceback" not in res.output
    return res


def test_registered_in_main():
    from pqzk.cli.main import SUBCOMMANDS
    assert ("pqzk.cli.token", "app", "token") in SUBCOMMANDS


def test_file_store_lifecycle(tmp_path, fast_kdf):
    uri = f"file:{tmp_path / 'store'}"
    env = {"STORE_PASS": "a long store passphrase", "REC_PASS": "recovery passphrase"}
    invoke("init", uri, "--pin-env", "STORE_PASS", env=env)
    key_package, group_pk = frost_share(party=1)
    share = tmp_path / "share.hex"
    share.write_text(key_package.hex())
    invoke("import", uri, "--key-id", "alice", "--share-file", share, "--party", 1, "--threshold", 2,
           "--max-signers", 5, "--group-public-key", group_pk.hex(), "--pin-env", "STORE_PASS", env=env)
    out = json.loads(invoke("list", uri, "--pin-env", "STORE_PASS", "--json", env=env).stdout)
    assert [s["key_id"] for s in out["shares"]] == ["alice"] and out["shares"][0]["party_id"] == 1
    assert key_package.hex() not in json.dumps(out)

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
        assert u.value == key_package

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
    assert "--pin-file or --pin-env" in res.stderr
    res = invoke("list", uri, "--pin-env", "NOPE", env={}, ok=False)
    assert "not set" in res.stderr


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
    res = invoke("list", uri, "--pin-file", bad, "--json", ok=False, code=1)
    assert json.loads(res.stdout)["error"]["type"] == "WrongPin" and "0000" not in res.output


@pytest.mark.parametrize("argv", [["list", "pkcs11:token=x?pin-value=1234", "--pin-env", "X"]])
def test_pin_in_uri_is_refused(argv):
    res = invoke(*argv, env={"X": "1"}, ok=False)
    assert "PINs never go in a URI" in res.stderr


def test_import_frost_share_file_then_sign_from_the_store(tmp_path, fast_kdf):
    """A share file from `pqzk frost keygen` moves into a store and signs from there."""
    from pqzk.cli.frost import app as frost_app
    from pqzk.threshold import frost
    from pqzk.threshold.frost import core
    from pqzk.tokens import open_store
    from pqzk.tokens.frost import sign_round2
    res = runner.invoke(frost_app, ["keygen", "--out-dir", str(tmp_path / "k"), "-t", "2", "-n", "3"])
    assert res.exit_code == 0, res.output
    uri = f"file:{tmp_path / 'store'}"
    env = {"P": "store passphrase"}
    invoke("init", uri, "--pin-env", "P", env=env)
    for i in (1, 2):
        invoke("import-frost", uri, tmp_path / "k" / f"share-{i}.json", "--key-id", f"frost-{i}", "--pin-env", "P", env=env)
    pub = json.loads((tmp_path / "k" / "public.json").read_text())
    suite = frost.get_ciphersuite(pub["ciphersuite"])
    pkp = frost.PublicKeyPackage.from_bytes(suite, bytes.fromhex(pub["public_key_package"]))
    store = open_store(uri, env["P"])
    assert [m.party_id for m in store.list()] == [1, 2]
    from pqzk.tokens.frost import load_key_package
    r1 = {}
    for i in (1, 2):
        with load_key_package(store, f"frost-{i}", suite) as kp:
            r1[i] = core.commit(suite, i, kp.signing_share)
    cl = [c for _, c in r1.values()]
    shares = [sign_round2(store, f"frost-{i}", suite, r1[i][0], b"m", cl) for i in (1, 2)]
    sig = core.aggregate_verified(suite, cl, b"m", pkp.verifying_key, shares, pkp.verifying_shares)
    frost.verify(suite, pkp.verifying_key, b"m", sig)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    res = invoke("import-frost", uri, bad, "--key-id", "x", "--pin-env", "P", env=env, ok=False)
    assert "pqzk-frost-share/1" in res.stderr


def test_file_store_checks_the_passphrase_on_every_command(tmp_path, fast_kdf):
    """`token list` with a wrong passphrase and `token init` of an existing store with another
    passphrase are refused: one try, "wrong passphrase", the passphrase never echoed."""
    uri = f"file:{tmp_path / 'store'}"
    env = {"GOOD": "the store passphrase", "BAD": "not-the-store-passphrase"}
    invoke("init", uri, "--pin-env", "GOOD", env=env)
    for argv in (["list", uri], ["init", uri], ["keygen", uri, "k"]):
        res = invoke(*argv, "--pin-env", "BAD", env=env, ok=False, code=1)     # WrongPin: a failed check
        assert "wrong passphrase" in res.stderr and env["BAD"] not in res.output
        assert "store ready" not in res.output
    assert "store ready" in invoke("init", uri, "--pin-env", "GOOD", env=env).output
    assert json.loads(invoke("list", uri, "--pin-env", "GOOD", "--json", env=env).stdout)["shares"] == []


def test_legacy_file_store_needs_the_explicit_upgrade(tmp_path):
    from pqzk.tokens.sealed_file import MARKER
    d = tmp_path / "old"
    d.mkdir()
    (d / MARKER).write_text("pqzk share store v1\nsealer=passphrase\n")
    uri, env = f"file:{d}", {"P": "old store passphrase"}
    res = invoke("list", uri, "--pin-env", "P", env=env, ok=False)
    assert f"pqzk token init {uri} --upgrade" in res.stderr
    res = invoke("init", uri, "--pin-env", "P", env=env, ok=False)            # init alone does not adopt it
    assert "--upgrade" in res.stderr
    invoke("init", uri, "--upgrade", "--pin-env", "P", env=env)
    invoke("list", uri, "--pin-env", "P", env=env)
    res = invoke("list", uri, "--pin-env", "Q", env={"Q": "another"}, ok=False, code=1)
    assert "wrong passphrase" in res.stderr


def test_import_of_a_malformed_share_is_refused_before_the_store_is_opened(tmp_path, fast_kdf):
    """The probe of issue 15: a 1-byte share, party 0, threshold 0, group key 00 — and each field
    wrong on its own; nothing reaches the store."""
    uri, env = f"file:{tmp_path / 'store'}", {"P": "store passphrase"}
    invoke("init", uri, "--pin-env", "P", env=env)
    kp, gpk = frost_share(party=2)
    other_gpk = frost_share(party=2, seed=b"another group")[1]

    def attempt(share: bytes, party=2, t=2, group=gpk, *extra):
        f = tmp_path / "share.hex"
        f.write_text(share.hex())
        return invoke("import", uri, "--key-id", "k", "--share-file", f, "--party", party, "--threshold", t,
                      "--group-public-key", group.hex(), *extra, "--pin-env", "P", env=env, ok=False)

    cases = {     # party 0 and threshold 0 are now refused by the options' ranges, before any check
        "issue probe": (attempt(b"\x01", 0, 0, b"\x00"), "--party"),
        "party 0": (attempt(kp, 0), "--party"),
        "threshold 0": (attempt(kp, 2, 0), "--threshold"),
        "group key 00": (attempt(kp, 2, 2, b"\x00"), "group public key"),
        "1-byte share": (attempt(b"\x01"), "key package"),
        "other party": (attempt(kp, 3), "participant 2's, not party 3's"),
        "other threshold": (attempt(kp, 2, 3), "min_signers"),
        "other group": (attempt(kp, 2, 2, other_gpk), "another group"),
        "t > n": (attempt(kp, 2, 2, gpk, "--max-signers", "1"), "above the number of signers"),
        "unknown suite": (attempt(kp, 2, 2, gpk, "--ciphersuite", "NOPE"), "unknown ciphersuite"),
    }
    for name, (res, words) in cases.items():
        assert words in res.stderr, (name, res.stderr)
        assert kp.hex() not in res.output
    assert json.loads(invoke("list", uri, "--pin-env", "P", "--json", env=env).stdout)["shares"] == []
