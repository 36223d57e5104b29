"""`pqzk bls` (threshold BLS from keygen to an aggregate, checked against py_ecc's reference
verifier) and `pqzk slip39` (interchangeable with Trezor's `shamir-mnemonic`, both ways)."""
from __future__ import annotations

import json

import pytest
import shamir_mnemonic
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.threshold import bls

runner = CliRunner()
PW_ENV = "PQZK_TEST_SLIP39_PASSPHRASE"


def run(*args, code: int = 0, env: dict | None = None):
    res = runner.invoke(app, [*map(str, args)], env=env or {})
    assert res.exit_code == code, res.output
    if code:
        assert res.stderr.startswith("error: ") and len(res.stderr.splitlines()) == 1
    return res


@pytest.fixture(scope="module")
def bls_keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("bls")
    run("bls", "keygen", "-t", "2", "-n", "3", "-o", d / "k")
    for i in (1, 2, 3):
        run("bls", "partial-sign", "--share", d / "k" / f"share-{i}.json", "-m", "release v1", "-o", d / f"p{i}.json")
    return d


def test_bls_keygen_partial_sign_combine_verify(bls_keys, tmp_path):
    d = bls_keys
    pub = json.loads((d / "k" / "public.json").read_text())
    assert (pub["threshold"], pub["parties"]) == (2, 3) and (d / "k" / "share-1.json").stat().st_mode & 0o777 == 0o600
    for pair in ((1, 2), (2, 3), (3, 1)):
        out = tmp_path / f"sig{pair}.json"
        run("bls", "combine", "-p", d / "k" / "public.json", *sum((["--partial", d / f"p{i}.json"] for i in pair), []),
            "-m", "release v1", "-o", out)
        doc = json.loads(out.read_text())
        bls.verify(bytes.fromhex(pub["public_key"]), b"release v1", bytes.fromhex(doc["signature"]))
        run("bls", "verify", "-s", out, "-p", d / "k" / "public.json", "-m", "release v1")
        run("bls", "verify", "-s", out, "-m", "release v2", code=1)
    # the signature does not depend on which signers took part: the same group signature each time
    sigs = {json.loads((tmp_path / f"sig{p}.json").read_text())["signature"] for p in ((1, 2), (2, 3), (3, 1))}
    assert len(sigs) == 1


def test_the_reference_implementation_accepts_the_group_signature(bls_keys, tmp_path):
    from py_ecc.bls import G2ProofOfPossession
    d = bls_keys
    run("bls", "combine", "-p", d / "k" / "public.json", "--partial", d / "p1.json", "--partial", d / "p3.json",
        "-m", "release v1", "-o", tmp_path / "s.json")
    pub = json.loads((d / "k" / "public.json").read_text())
    sig = bytes.fromhex(json.loads((tmp_path / "s.json").read_text())["signature"])
    pk = bytes.fromhex(pub["public_key"])
    assert G2ProofOfPossession.Verify(pk, b"release v1", sig)
    assert G2ProofOfPossession.PopVerify(pk, bytes.fromhex(pub["proof_of_possession"]))


def test_bad_partials_are_named_and_foreign_ones_refused(bls_keys, tmp_path):
    d = bls_keys
    run("bls", "partial-sign", "--share", d / "k" / "share-2.json", "-m", "something else", "-o", tmp_path / "bad.json")
    res = run("bls", "combine", "-p", d / "k" / "public.json", "--partial", d / "p1.json", "--partial",
              tmp_path / "bad.json", "-m", "release v1", "-o", tmp_path / "s.json", code=1)
    assert "culprits: 2" in res.stderr and not (tmp_path / "s.json").exists()
    # with a third, good partial the bad one is left out and the signature is made
    run("bls", "combine", "-p", d / "k" / "public.json", "--partial", d / "p1.json", "--partial", tmp_path / "bad.json",
        "--partial", d / "p3.json", "-m", "release v1", "-o", tmp_path / "s.json")
    run("bls", "keygen", "-t", "1", "-n", "1", "-o", tmp_path / "other")
    run("bls", "combine", "-p", tmp_path / "other" / "public.json", "--partial", d / "p1.json", "-m", "release v1",
        "-o", tmp_path / "s2.json", code=2)
    # `pqzk token bls-sign --json` output is read as a partial too
    token_style = {"identifier": 3, "partial_signature": json.loads((d / "p3.json").read_text())["partial_signature"]}
    (tmp_path / "tok.json").write_text(json.dumps(token_style))
    run("bls", "combine", "-p", d / "k" / "public.json", "--partial", d / "p1.json", "--partial", tmp_path / "tok.json",
        "-m", "release v1", "-o", tmp_path / "s3.json")


def test_tampered_public_and_share_files_are_refused(bls_keys, tmp_path):
    d = bls_keys
    pub = json.loads((d / "k" / "public.json").read_text())
    pub["verification_keys"]["2"] = pub["verification_keys"]["1"]
    (tmp_path / "pub.json").write_text(json.dumps(pub))
    res = run("bls", "combine", "-p", tmp_path / "pub.json", "--partial", d / "p1.json", "--partial", d / "p3.json",
              "-m", "release v1", "-o", tmp_path / "s.json", code=2)
    assert "verification key 2" in res.stderr
    share = json.loads((d / "k" / "share-1.json").read_text())
    share["share"] = json.loads((d / "k" / "share-2.json").read_text())["share"]
    (tmp_path / "share.json").write_text(json.dumps(share))
    res = run("bls", "partial-sign", "--share", tmp_path / "share.json", "-m", "x", "-o", tmp_path / "p.json", code=2)
    assert "identifier" in res.stderr or "verification key" in res.stderr


def test_aggregate_of_one_message_by_several_keys(bls_keys, tmp_path):
    d = bls_keys
    run("bls", "combine", "-p", d / "k" / "public.json", "--partial", d / "p1.json", "--partial", d / "p2.json",
        "-m", "release v1", "-o", tmp_path / "a.json")
    run("bls", "keygen", "-t", "1", "-n", "1", "-o", tmp_path / "solo")
    run("bls", "partial-sign", "--share", tmp_path / "solo" / "share-1.json", "-m", "release v1", "-o", tmp_path / "q.json")
    run("bls", "combine", "-p", tmp_path / "solo" / "public.json", "--partial", tmp_path / "q.json", "-m", "release v1",
        "-o", tmp_path / "b.json")
    res = run("bls", "aggregate", "-s", tmp_path / "a.json", "-s", tmp_path / "b.json", "-o", tmp_path / "agg.json", "--json")
    agg = json.loads(res.stdout)
    keys = [bytes.fromhex(s["public_key"]) for s in agg["signers"]]
    bls.fast_aggregate_verify(keys, b"release v1", bytes.fromhex(agg["signature"]))
    run("bls", "verify", "-s", tmp_path / "agg.json", "-m", "release v1")
    run("bls", "verify", "-s", tmp_path / "agg.json", "-m", "release v2", code=1)
    run("bls", "verify", "-s", tmp_path / "agg.json", "-p", d / "k" / "public.json", "-m", "release v1")
    # another message, the same key twice, or a single file are refused
    run("bls", "partial-sign", "--share", tmp_path / "solo" / "share-1.json", "-m", "v2", "-o", tmp_path / "q2.json")
    run("bls", "combine", "-p", tmp_path / "solo" / "public.json", "--partial", tmp_path / "q2.json", "-m", "v2",
        "-o", tmp_path / "c.json")
    run("bls", "aggregate", "-s", tmp_path / "a.json", "-s", tmp_path / "c.json", "-o", tmp_path / "x.json", code=2)
    run("bls", "aggregate", "-s", tmp_path / "a.json", "-s", tmp_path / "a.json", "-o", tmp_path / "x.json", code=2)
    run("bls", "aggregate", "-s", tmp_path / "a.json", "-o", tmp_path / "x.json", code=2)
    # a signer whose proof of possession is not its key's is refused (rogue-key defence)
    doc = json.loads((tmp_path / "b.json").read_text())
    doc["proof_of_possession"] = json.loads((tmp_path / "a.json").read_text())["proof_of_possession"]
    (tmp_path / "rogue.json").write_text(json.dumps(doc))
    run("bls", "aggregate", "-s", tmp_path / "a.json", "-s", tmp_path / "rogue.json", "-o", tmp_path / "x.json", code=1)


# ---------------------------------------------------------------- SLIP-39

def _mnemonics(path) -> list[str]:
    return [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def test_pqzk_split_is_recovered_by_shamir_mnemonic(tmp_path):
    (tmp_path / "secret.hex").write_text("bb54aac4b89dc868ba37d9cc21b2cece\n")
    run("slip39", "split", "-t", "2", "-n", "3", "--secret-file", tmp_path / "secret.hex", "-o", tmp_path / "s.txt",
        "--passphrase-env", PW_ENV, env={PW_ENV: "TREZOR"})
    assert (tmp_path / "s.txt").stat().st_mode & 0o777 == 0o600
    m = _mnemonics(tmp_path / "s.txt")
    assert len(m) == 3
    for pair in ((m[0], m[1]), (m[1], m[2]), (m[2], m[0])):
        assert shamir_mnemonic.combine_mnemonics(list(pair), b"TREZOR").hex() == "bb54aac4b89dc868ba37d9cc21b2cece"


def test_pqzk_groups_are_recovered_by_shamir_mnemonic(tmp_path):
    run("slip39", "split", "--group", "2/3", "--group", "1/1", "--group", "3/5", "--group-threshold", "2",
        "--strength", "256", "--secret-out", tmp_path / "secret.hex", "-o", tmp_path / "s.txt", "--no-extendable")
    secret = (tmp_path / "secret.hex").read_text().strip()
    text = (tmp_path / "s.txt").read_text()
    groups = [[ln for ln in block.splitlines() if not ln.startswith("#")] for block in text.strip().split("\n\n")]
    assert [len(g) for g in groups] == [3, 1, 5]
    assert shamir_mnemonic.combine_mnemonics(groups[1] + groups[2][:3]).hex() == secret
    assert shamir_mnemonic.combine_mnemonics(groups[0][1:] + groups[1]).hex() == secret


def test_shamir_mnemonic_shares_are_recovered_by_pqzk(tmp_path):
    secret = bytes(range(32))
    groups = shamir_mnemonic.generate_mnemonics(2, [(2, 3), (3, 5)], secret, b"pass phrase", extendable=True,
                                                iteration_exponent=0)
    (tmp_path / "a.txt").write_text("\n".join(groups[0][:2]) + "\n")
    (tmp_path / "b.txt").write_text("# the second group\n" + "\n".join(groups[1][2:]) + "\n\n")
    run("slip39", "combine", "-s", tmp_path / "a.txt", "-s", tmp_path / "b.txt", "-o", tmp_path / "out.hex",
        "--passphrase-env", PW_ENV, env={PW_ENV: "pass phrase"})
    assert (tmp_path / "out.hex").read_text().strip() == secret.hex()
    assert (tmp_path / "out.hex").stat().st_mode & 0o777 == 0o600
    # another passphrase recovers another secret (by design), never an error
    run("slip39", "combine", "-s", tmp_path / "a.txt", "-s", tmp_path / "b.txt", "-o", tmp_path / "o2.hex")
    assert (tmp_path / "o2.hex").read_text().strip() != secret.hex()


def test_slip39_refusals(tmp_path):
    groups = shamir_mnemonic.generate_mnemonics(1, [(2, 3)], bytes(16))
    (tmp_path / "one.txt").write_text(groups[0][0] + "\n")
    run("slip39", "combine", "-s", tmp_path / "one.txt", "-o", tmp_path / "o.hex", code=2)
    words = groups[0][1].split()
    words[3] = "academic" if words[3] != "academic" else "acid"
    (tmp_path / "typo.txt").write_text(groups[0][0] + "\n" + " ".join(words) + "\n")
    res = run("slip39", "combine", "-s", tmp_path / "typo.txt", "-o", tmp_path / "o.hex", code=2)
    assert "mnemonic #2" in res.stderr and groups[0][0].split()[5] not in res.stderr
    run("slip39", "split", "-t", "2", "-n", "3", "--group", "2/3", "--group-threshold", "1", "-o", tmp_path / "s", code=2)
    run("slip39", "split", "--group", "2-of-3", "--group-threshold", "1", "-o", tmp_path / "s", code=2)
    run("slip39", "split", "-t", "1", "-n", "3", "-o", tmp_path / "s", code=2)          # 1-of-n forbidden by SLIP-39
    run("slip39", "split", "-t", "2", "-n", "3", "--strength", "136", "-o", tmp_path / "s", code=2)
    (tmp_path / "odd.hex").write_text("00" * 17 + "\n")
    run("slip39", "split", "-t", "2", "-n", "3", "--secret-file", tmp_path / "odd.hex", "-o", tmp_path / "s", code=2)
    run("slip39", "split", "-t", "2", "-n", "3", "-o", tmp_path / "s", "--passphrase-env", PW_ENV, code=2,
        env={PW_ENV: "naïve"})
    assert not (tmp_path / "s").exists()
