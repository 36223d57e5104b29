"""The liboqs backend where liboqs is present (built from source: docs/liboqs.md). Everywhere
else, CI included (no registry ships liboqs), these tests skip with the how-to.

What liboqs can do is read from the library found; the tests check it against what `oqs`
itself reports, and run every mode the backend declares against the other backends."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pq_probes import liboqs_or_skip

from pqzk.errors import InvalidParameter, VerificationError
from pqzk.pq import backend_registry as B
from pqzk.pq import mldsa, mlkem
from pqzk.pq.params import MLDSA, MLKEM

pytestmark = pytest.mark.liboqs
SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_status_survives_a_test_that_unsets_OQS_INSTALL_PATH(monkeypatch):
    """Issue 15: one test unset OQS_INSTALL_PATH and liboqs stayed 'not found' for every test
    after it. Here the variable is removed and restored inside one test."""
    liboqs_or_skip()
    with monkeypatch.context() as m:
        m.delenv("OQS_INSTALL_PATH", raising=False)
        m.setenv("HOME", "/nonexistent")
        if B.liboqs_loadable()[0] is None:          # not also on the system library path
            assert not B.status("liboqs").usable
    assert B.status("liboqs").usable
    sk = mldsa.keygen("ML-DSA-44", backend="liboqs")
    mldsa.verify("ML-DSA-44", sk.public_key, b"m", mldsa.sign("ML-DSA-44", sk, b"m", backend="liboqs"))


def test_declared_sets_are_what_oqs_reports():
    b = liboqs_or_skip()
    oqs = b.oqs()
    f = b.features()
    assert f.version == oqs.oqs_version()
    assert f.mldsa == {n for n in MLDSA if oqs.is_sig_enabled(n)}
    assert f.mlkem == {n for n in MLKEM if oqs.is_kem_enabled(n)}
    assert f.mldsa_extmu == {n for n in MLDSA if oqs.is_sig_enabled(f"{n}-extmu")}
    for n in f.mldsa:   # context strings, as declared (max_context 255)
        assert oqs.sig_supports_context(n)


def test_hashml_dsa_exactly_where_the_build_has_external_mu():
    b = liboqs_or_skip()
    f = b.features()
    for name, p in MLDSA.items():
        if name not in f.mldsa:
            continue
        sk = mldsa.keygen(name, seed=bytes([5]) * 32)
        if name in f.mldsa_extmu:
            assert b.supports("mldsa.sign_prehash", p) and b.supports("mldsa.verify_prehash", p)
            for ph in ("SHA2-256", "SHAKE256"):
                sig = mldsa.sign(name, sk, b"msg", b"ctx", backend="liboqs", prehash=ph)
                for v in ("openssl", "pqclean", "reference"):
                    if B.status(v).usable:
                        mldsa.verify(name, sk.public_key, b"msg", sig, b"ctx", backend=v, prehash=ph)
                other = mldsa.sign(name, sk, b"msg", b"ctx", backend="openssl", prehash=ph)
                mldsa.verify(name, sk.public_key, b"msg", other, b"ctx", backend="liboqs", prehash=ph)
                with pytest.raises(VerificationError):
                    mldsa.verify(name, sk.public_key, b"msg!", other, b"ctx", backend="liboqs", prehash=ph)
                with pytest.raises(VerificationError):   # HashML-DSA is not pure ML-DSA
                    mldsa.verify(name, sk.public_key, b"msg", other, b"ctx", backend="liboqs")
        else:
            assert not b.supports("mldsa.sign_prehash", p)
            with pytest.raises(InvalidParameter, match="cannot do mldsa.sign_prehash"):
                mldsa.sign(name, sk, b"msg", backend="liboqs", prehash="SHA2-256")
    can, cannot = b.report()
    assert any(c.startswith("HashML-DSA") for c in (can if f.mldsa_extmu else cannot))


def test_context_strings_and_hedged_signing_against_the_others():
    liboqs_or_skip()
    sk = mldsa.keygen("ML-DSA-65", backend="liboqs")
    assert sk.seed is None and sk.expanded is not None       # liboqs has no ML-DSA seed keygen
    for ctx in (b"", b"c", b"c" * 255):
        a, b = (mldsa.sign("ML-DSA-65", sk, b"m", ctx, backend="liboqs") for _ in range(2))
        assert a != b                                          # hedged
        for v in ("openssl", "pqclean", "reference", "liboqs"):
            st = B.status(v)
            if st.usable and len(ctx) <= B.BACKENDS[v].max_context:
                mldsa.verify("ML-DSA-65", sk.public_key, b"m", a, ctx, backend=v)
    with pytest.raises(InvalidParameter, match="liboqs.*cannot do mldsa.sign_rnd"):
        mldsa.sign("ML-DSA-65", sk, b"m", backend="liboqs", deterministic=True)
    seeded = mldsa.keygen("ML-DSA-65", seed=bytes(32))           # expanded by the reference for liboqs
    mldsa.verify("ML-DSA-65", seeded.public_key, b"m", mldsa.sign("ML-DSA-65", seeded, b"m", backend="liboqs"))


def test_mlkem_seed_keys_and_encapsulation_interoperate():
    b = liboqs_or_skip()
    for name in sorted(b.features().mlkem):
        sk = mlkem.keygen(name, seed=bytes(range(64)), backend="liboqs")
        others = [n for n in ("openssl", "pqclean", "reference") if B.status(n).usable
                  and B.BACKENDS[n].supports("mlkem.keygen_seed", MLKEM[name])]
        for n in others:
            assert mlkem.keygen(name, seed=bytes(range(64)), backend=n).public_key == sk.public_key
        ss, ct = mlkem.encaps(name, sk.public_key, backend="liboqs")
        assert mlkem.decaps(name, sk, ct, backend="liboqs") == ss
        assert mlkem.decaps(name, sk, ct) == ss


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_importing_oqs_prints_nothing_on_stdout():
    """oqs logs a line to stdout when imported; `pqzk ... --json` output must stay JSON."""
    liboqs_or_skip()
    out = _run("from pqzk.pq import mldsa\n"
               "sk = mldsa.keygen('ML-DSA-44', backend='liboqs')\n"
               "mldsa.sign('ML-DSA-44', sk, b'm', backend='liboqs')\n"
               "import sys; print('oqs' in sys.modules)")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "True\n"


def test_pqzk_info_reports_what_liboqs_can_and_cannot_do():
    liboqs_or_skip()
    out = _run("from typer.testing import CliRunner\n"
               "from pqzk.cli.main import app\n"
               "r = CliRunner().invoke(app, ['info', '--json'])\n"
               "print(r.stdout)")
    assert out.returncode == 0, out.stderr
    info = {b["name"]: b for b in json.loads(out.stdout)["backends"]}
    lib = info["liboqs"]
    assert lib["available"] and lib["detail"].startswith("liboqs ")
    assert "ML-DSA sign/verify" in lib["extra"]["can"]
    assert "ML-DSA context strings up to 255 bytes" in lib["extra"]["can"]
    assert any(c.startswith("deterministic / caller-supplied-rnd signing: ") for c in lib["extra"]["cannot"])
    hashml = [c for c in lib["extra"]["can"] + lib["extra"]["cannot"] if c.startswith("HashML-DSA")]
    assert len(hashml) == 1
