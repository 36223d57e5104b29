"""Share stores (issue 8 §6): seal and unseal latency per backend, sign-inside-token latency
(ECDSA P-256, Ed25519), and the latency a FROST round 2 adds when its share comes from a store.

Backends: sealed file (default KDF: Argon2id m=19 MiB t=2 p=1, or scrypt N=2^15 r=8 p=1 — the KDF
dominates), SoftHSM2 2.6 via python-pkcs11 (token in a temp dir), TPM 2.0 via tpm2-pytss on swtpm
(started here on local TCP ports). Missing backends are skipped here (the tests fail in CI instead).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from pqzk.discovery import find_softhsm, probe_softhsm, probe_tpm
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost
from pqzk.threshold.frost import core
from pqzk.tokens import ShareMetadata, heldkeys, open_store
from pqzk.tokens.frost import put_key_package, sign_round2

PIN = "1234"
PASSPHRASE = "benchmark passphrase"
SUITE = "FROST-ED25519-SHA512-v1"
MSG = b"message to sign"
TMP = Path(tempfile.mkdtemp(prefix="pqzk-bench-tokens-"))
SHARE = bytes(range(1, 131))   # the size of an ed25519 FROST KeyPackage
META = ShareMetadata("bench", 1, b"\x02" * 32, SUITE, 2)


def _softhsm_uri() -> str:
    if not probe_softhsm().available or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 not available")
    conf = TMP / "softhsm2.conf"
    if not conf.exists():
        (TMP / "tokens").mkdir()
        conf.write_text(f"directories.tokendir = {TMP / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
        os.environ["SOFTHSM2_CONF"] = str(conf)
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "bench", "--so-pin", "5678",
                        "--pin", PIN], check=True, capture_output=True)
    return f"pkcs11:token=bench?module-path={find_softhsm()}"


class _Swtpm:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        state = TMP / f"swtpm{self.port}"
        state.mkdir()
        self.proc = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}",
                                      "--server", f"type=tcp,port={self.port},bindaddr=127.0.0.1",
                                      "--ctrl", f"type=tcp,port={self.port + 1},bindaddr=127.0.0.1",
                                      "--flags", "not-need-init,startup-clear"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("swtpm did not start")


@pytest.fixture(scope="module")
def swtpm():
    if not probe_tpm().available:
        pytest.skip("swtpm + tpm2-pytss not available")
    sim = _Swtpm()
    yield sim
    sim.proc.terminate()
    sim.proc.wait()


def _open(kind: str, request):
    if kind == "file":
        return open_store(f"file:{TMP / 'file-store'}", PASSPHRASE, create=True)
    if kind == "pkcs11":
        return open_store(_softhsm_uri(), PIN, create=True)
    sim = request.getfixturevalue("swtpm")
    return open_store(f"tpm:{TMP / f'tpm-store{sim.port}'}?tcti=swtpm:host=127.0.0.1,port={sim.port}",
                      PIN, create=True)


_stores: dict = {}


@pytest.fixture(params=["file", "pkcs11", "tpm"])
def store(request):
    if request.param not in _stores:
        _stores[request.param] = _open(request.param, request)
    return _stores[request.param]


ROUNDS = 15


def test_seal(benchmark, store):
    benchmark.group = "share store: seal (put, overwrite)"
    benchmark.pedantic(store.put, args=(SHARE, META), kwargs={"overwrite": True}, rounds=ROUNDS, iterations=1)


def test_unseal(benchmark, store):
    benchmark.group = "share store: unseal (get, one use)"
    store.put(SHARE, META, overwrite=True)

    def unseal():
        with store.get("bench") as u:
            return u.value
    assert benchmark.pedantic(unseal, rounds=ROUNDS, iterations=1) == SHARE


@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "ed25519"])
def test_sign_with_held_key(benchmark, store, algorithm):
    benchmark.group = f"share store: sign with held key, {algorithm} (pkcs11: inside the token)"
    key_id = f"held-{algorithm}"
    try:
        pk = store.held_public_key(key_id)
    except Exception:  # noqa: BLE001 — first run: create it
        pk = store.generate_held_key(key_id, algorithm)
    sig = benchmark.pedantic(store.sign_with_held_key, args=(key_id, MSG), rounds=ROUNDS, iterations=1)
    heldkeys.verify(algorithm, pk, MSG, sig)


_frost: dict = {}


def _frost_setup():
    if not _frost:
        suite = frost.get_ciphersuite(SUITE)
        rng = DeterministicRNG(b"bench-tokens")
        kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
        r1 = {i: core.commit(suite, i, kps[i].signing_share, rng) for i in (1, 2)}
        _frost.update(suite=suite, kps=kps, pkp=pkp, r1=r1, cl=[c for _, c in r1.values()])
    return _frost


def test_frost_round2_share_in_memory(benchmark):
    f = _frost_setup()
    benchmark.group = "frost ed25519 2-of-3 round 2: share from memory vs store"
    benchmark.pedantic(core.sign, args=(f["suite"], 1, f["kps"][1].signing_share, f["pkp"].verifying_key,
                                        f["r1"][1][0], MSG, f["cl"]), rounds=ROUNDS, iterations=1)


def test_frost_round2_share_from_store(benchmark, store):
    f = _frost_setup()
    benchmark.group = "frost ed25519 2-of-3 round 2: share from memory vs store"
    put_key_package(store, "frost-1", f["kps"][1], overwrite=True)
    share = benchmark.pedantic(sign_round2, args=(store, "frost-1", f["suite"], f["r1"][1][0], MSG, f["cl"]),
                               rounds=ROUNDS, iterations=1)
    expected = core.sign(f["suite"], 1, f["kps"][1].signing_share, f["pkp"].verifying_key, f["r1"][1][0], MSG, f["cl"])
    assert share == expected


def test_file_store_unlock(benchmark):
    """Opening a sealed-file store and unsealing once: the one passphrase KDF run per session."""
    benchmark.group = "share store: sealed file, open + first unseal (default KDF)"
    uri = f"file:{TMP / 'file-unlock'}"
    open_store(uri, PASSPHRASE, create=True).put(SHARE, META, overwrite=True)

    def unlock():
        with open_store(uri, PASSPHRASE).get("bench") as u:
            return u.value
    assert benchmark.pedantic(unlock, rounds=5, iterations=1) == SHARE


_pve: dict = {}


def _pve_setup():
    if not _pve:
        from pqzk.groups import get_group
        from pqzk.tokens import pve
        from pqzk.tokens.recipient import generate
        g = get_group("secp256k1")
        rec = generate("xwing")
        x = 123456789
        _pve.update(g=g, rec=rec, x=x, X=g.base_mult(x).to_bytes(),
                    proof=pve.prove(g, x, rec.public_key(), b"bench"))
    return _pve


def test_pve_prove_kappa128(benchmark):
    """Verifiable backup (stretch): cut-and-choose, κ = 128, X-Wing (derandomized encaps)."""
    from pqzk.tokens import pve
    p = _pve_setup()
    benchmark.group = "verifiable backup (PVE, kappa=128, X-Wing)"
    benchmark.pedantic(pve.prove, args=(p["g"], p["x"], p["rec"].public_key(), b"bench"), rounds=2, iterations=1)


def test_pve_verify_kappa128(benchmark):
    from pqzk.tokens import pve
    p = _pve_setup()
    benchmark.group = "verifiable backup (PVE, kappa=128, X-Wing)"
    benchmark.extra_info["proof_bytes"] = len(p["proof"].to_bytes())
    benchmark.pedantic(pve.verify, args=(p["proof"], p["rec"].public_key(), p["X"], b"bench"), rounds=2, iterations=1)
