"""NIST ACVP ML-DSA sigGen / sigVer cases (tests/vectors/acvp, see its README) on every backend.

Each case names the interface it exercises — internal (Sign_internal / Verify_internal on M'),
external μ, or external/pure with a context — and the capabilities that takes. A backend that
declares them must give NIST's answer (the same signature bytes; the same verdict); a backend that
does not must refuse the call with InvalidParameter, so what `pqzk info` says a backend cannot do
is tested too. liboqs skips when its library is absent (the one optional backend).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pqzk.errors import InvalidParameter, VerificationError
from pqzk.pq import backend_registry as B
from pqzk.pq import mldsa
from pqzk.pq.params import MLDSA

from pq_probes import require_backend

ACVP = Path(__file__).resolve().parents[1] / "vectors" / "acvp"
BACKENDS = ("numpy", "reference", "openssl", "pqclean", "liboqs")
h = bytes.fromhex


@dataclass(frozen=True)
class Case:
    """One ACVP test case, normalised: which operation, on what interface, with what inputs."""
    id: str
    mode: str                      # "sigGen" | "sigVer"
    interface: str                 # "internal" | "mu" | "pure"
    params: str
    data: dict = field(compare=False)

    @property
    def caps(self) -> tuple[str, ...]:
        op = {"sigGen": {"internal": "mldsa.sign_internal", "mu": "mldsa.sign_mu", "pure": "mldsa.sign"},
              "sigVer": {"internal": "mldsa.verify_internal", "mu": "mldsa.verify_mu", "pure": "mldsa.verify"}}
        caps = (op[self.mode][self.interface],)
        if self.mode == "sigGen":      # ACVP gives rnd (or 0^32) and an expanded key
            caps += ("mldsa.sign_rnd", "mldsa.sign_from_expanded")
        return caps


def _kat_blocks(path: Path) -> list[dict]:
    out = []
    for block in path.read_text().strip().split("\n\n"):
        out.append({k.strip(): v.strip() for k, _, v in (line.partition("=") for line in block.splitlines())})
    return out


def _cases() -> list[Case]:
    cases = []
    src = "nist-65370b8"
    for mode in ("sigGen", "sigVer"):
        doc = json.loads((ACVP / src / f"ML-DSA-{mode}-FIPS204.json").read_text())
        for g in doc["testGroups"]:
            for t in g["tests"]:
                data = {"message": t["message"], "pk": g.get("pk"), "sk": t.get("sk"),
                        "rnd": t.get("rnd", "00" * 32), "signature": t["signature"],
                        "passed": t.get("testPassed", True)}
                cases.append(Case(f"{src}-{mode}-tc{t['tcId']}", mode, "internal", g["parameterSet"], data))
    for path in sorted((ACVP / "nist-awslc-kat").glob("*.txt")):
        lv = path.name.split("_")[-3]
        mode = "sigGen" if path.name.endswith("sigGen.txt") else "sigVer"
        pre = "siggen_" if mode == "sigGen" else "sigver_"
        for blk in _kat_blocks(path):
            mu = blk[pre + "mu"]
            data = {"message": blk[pre + "msg"], "mu": mu, "pk": blk[pre + "pk"], "sk": blk.get("siggen_sk"),
                    "rnd": blk.get("siggen_rnd"), "signature": blk[pre + "sig"],
                    "passed": blk.get("sigver_result", "True") == "True"}
            cases.append(Case(f"nist-awslc-{mode}-tc{blk['count']}", mode, "mu" if mu else "internal",
                              f"ML-DSA-{lv}", data))
    for path in sorted((ACVP / "demo").glob("*.json")):
        doc = json.loads(path.read_text())
        for g in doc["testGroups"]:
            for t in g["tests"]:
                iface = "pure" if g.get("signatureInterface") == "external" else "mu" if g.get("externalMu") else "internal"
                data = {"message": t.get("message", ""), "mu": t.get("mu", ""), "context": t.get("context", ""),
                        "sk": t["sk"], "rnd": t.get("rnd", "00" * 32), "signature": t["signature"], "passed": True}
                cases.append(Case(f"demo-{doc['vsId']}-{doc['mode']}-tc{t['tcId']}", doc["mode"], iface,
                                  g["parameterSet"], data))
    return cases


CASES = _cases()


def test_the_subset_covers_every_interface_and_parameter_set():
    kinds = {(c.mode, c.interface, c.params) for c in CASES}
    for p in MLDSA:
        for mode in ("sigGen", "sigVer"):
            for iface in ("internal", "mu"):
                assert (mode, iface, p) in kinds
        assert ("sigGen", "pure", p) in kinds
    assert any(not c.data["passed"] for c in CASES) and len(CASES) >= 45


def _key(case: Case) -> mldsa.MLDSAPrivateKey:
    return mldsa.MLDSAPrivateKey.from_expanded(case.params, h(case.data["sk"]))


def _run(case: Case, backend: str):
    d = case.data
    if case.mode == "sigGen":
        sk = _key(case)
        if d.get("pk"):
            assert sk.public_key.key == h(d["pk"])        # the key NIST gave is the key recomputed
        rnd = h(d["rnd"])
        if case.interface == "internal":
            return mldsa.sign_internal(case.params, sk, h(d["message"]), rnd=rnd, backend=backend)
        if case.interface == "mu":
            return mldsa.sign_mu(case.params, sk, h(d["mu"]), rnd=rnd, backend=backend)
        return mldsa.sign(case.params, sk, h(d["message"]), h(d["context"]), backend=backend, rnd=rnd)
    pk, sig = h(d["pk"]), h(d["signature"])
    try:
        if case.interface == "internal":
            mldsa.verify_internal(case.params, pk, h(d["message"]), sig, backend=backend)
        elif case.interface == "mu":
            mldsa.verify_mu(case.params, pk, h(d["mu"]), sig, backend=backend)
        else:
            mldsa.verify(case.params, pk, h(d["message"]), sig, h(d["context"]), backend=backend)
    except VerificationError:
        return False
    return True


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_acvp_case_on_backend(case: Case, backend: str):
    require_backend(backend)
    b = B.BACKENDS[backend]
    p = MLDSA[case.params]
    if not all(b.supports(c, p) for c in case.caps):
        with pytest.raises(InvalidParameter):        # declared as missing: refused, never attempted
            _run(case, backend)
        return
    got = _run(case, backend)
    if case.mode == "sigGen":
        assert got.hex().upper() == case.data["signature"].upper()
    else:
        assert got is case.data["passed"]


# Which backend passes which interface here (docs/pq_cli.md states the same table).
EXPECTED = {
    "numpy": {"sigGen internal", "sigGen mu", "sigGen pure", "sigVer internal", "sigVer mu"},
    "reference": {"sigGen internal", "sigGen mu", "sigGen pure", "sigVer internal"},
    "openssl": {"sigVer internal", "sigVer mu"},
    "pqclean": set(),
}


@pytest.mark.parametrize("backend", sorted(EXPECTED))
def test_declared_interfaces_are_the_documented_ones(backend: str):
    require_backend(backend)
    b = B.BACKENDS[backend]
    runs = {f"{c.mode} {c.interface}" for c in CASES if all(b.supports(x, MLDSA[c.params]) for x in c.caps)}
    assert runs == EXPECTED[backend]


@pytest.mark.parametrize("prehash", sorted(B.PREHASH))
def test_hashml_dsa_agrees_across_implementations(prehash: str):
    """No NIST pre-hash group could be kept (README): HashML-DSA is checked across independent
    implementations instead — numpy and dilithium-py byte for byte, PQClean and OpenSSL verify."""
    sk = mldsa.keygen("ML-DSA-44", seed=bytes(range(32)))
    sigs = {b: mldsa.sign("ML-DSA-44", sk, b"pre-hashed", b"ctx", backend=b, prehash=prehash, deterministic=True)
            for b in ("numpy", "reference")}
    assert sigs["numpy"] == sigs["reference"]
    for v in ("numpy", "reference", "openssl", "pqclean"):
        mldsa.verify("ML-DSA-44", sk.public_key, b"pre-hashed", sigs["numpy"], b"ctx", backend=v, prehash=prehash)
        with pytest.raises(VerificationError):
            mldsa.verify("ML-DSA-44", sk.public_key, b"pre-hashed", sigs["numpy"], b"ctx", backend=v,
                         prehash="SHA2-256" if prehash != "SHA2-256" else "SHA2-512")
