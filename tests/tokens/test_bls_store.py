"""Threshold BLS (2-of-3) with partial signatures made from shares kept in share stores."""
from __future__ import annotations

import json

import pytest
from token_stores import FileBackend, Pkcs11Backend

from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import bls
from pqzk.tokens import WrongGroup
from pqzk.tokens.bls import bls_partial_sign, put_bls_share

MSG = b"attest block 812"


def test_threshold_bls_from_stores(tmp_path):
    shares, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"tokens-bls"))
    file_store = FileBackend(tmp_path).open()
    token = Pkcs11Backend().open()
    try:
        put_bls_share(file_store, "bls-1", shares[1], key)
        put_bls_share(token, "bls-2", shares[2], key)
        partials = [bls_partial_sign(file_store, "bls-1", MSG, key), bls_partial_sign(token, "bls-2", MSG, key)]
        for p in partials:
            bls.verify_partial(key, MSG, p)
        sig = bls.combine(key, MSG, partials)
        bls.verify(key.group_public_key, MSG, sig)
        _, other = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"other"))
        with pytest.raises(WrongGroup):
            bls_partial_sign(token, "bls-2", MSG, other)
    finally:
        token.close()


def test_cli_bls_sign_from_a_store(tmp_path, monkeypatch):
    """`pqzk token import` a BLS share, `pqzk token bls-sign` it; the partials combine and verify."""
    from typer.testing import CliRunner
    from pqzk.cli.main import app
    from pqzk.math.rand import DeterministicRNG
    from pqzk.threshold import bls
    runner = CliRunner()
    monkeypatch.setenv("PQZK_TEST_PASS", "store passphrase")
    shares, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(4))
    uri, pin = f"file:{tmp_path / 'store'}", ["--pin-env", "PQZK_TEST_PASS"]
    assert runner.invoke(app, ["token", "init", uri, *pin]).exit_code == 0
    partials = []
    for i in (1, 3):
        f = tmp_path / f"share{i}.hex"
        f.write_text(shares[i].to_bytes(key.suite.K).hex())
        res = runner.invoke(app, ["token", "import", uri, "--key-id", f"bls-{i}", "--share-file", str(f),
                                  "--party", str(i), "--group-public-key", key.group_public_key.hex(),
                                  "--ciphersuite", key.suite.name, "--threshold", "2", *pin])
        assert res.exit_code == 0, (res.output, res.exception)
        res = runner.invoke(app, ["token", "bls-sign", uri, f"bls-{i}", "-m", "hello", "--json", *pin])
        assert res.exit_code == 0, (res.output, res.exception)
        out = json.loads(res.output)
        partials.append(bls.PartialSignature(out["identifier"], bytes.fromhex(out["partial_signature"])))
    bls.verify(key.group_public_key, b"hello", bls.combine(key, b"hello", partials))
    other = bls.threshold_keygen(2, 3, rng=DeterministicRNG(5))[1]
    res = runner.invoke(app, ["token", "bls-sign", uri, "bls-1", "-m", "hello",
                              "--group-public-key", other.group_public_key.hex(), *pin])
    assert res.exit_code != 0
