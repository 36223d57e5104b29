"""ML-KEM through every backend: Wycheproof vectors (seed keygen, decaps incl. implicit
rejection, bad lengths), cross-backend encaps/decaps, derandomized encaps, redaction."""
from __future__ import annotations

import pytest
from conftest import load_vectors, require_component
from pq_probes import liboqs_or_skip

from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError
from pqzk.pq import backend_registry as B
from pqzk.pq import mlkem
from pqzk.pq.params import MLKEM

USABLE = [n for n in B.BACKENDS if B.status(n).usable]
SETS = ["512", "768", "1024"]


def _need_derandomized_encaps() -> None:
    """ML-KEM encaps with given randomness (X-Wing's eseed) comes from kyber-py (reference backend)."""
    from pqzk.pq import backend_registry as _B
    from pqzk.pq.params import MLKEM as _K
    ok = any(_B.status(n).usable and _B.BACKENDS[n].supports("mlkem.encaps_derand", _K["ML-KEM-768"]) for n in _B.BACKENDS)
    require_component(ok, "derandomized ML-KEM encapsulation (kyber-py)", "pip install kyber-py")


def _decapsulators(p):
    return [n for n in USABLE if B.BACKENDS[n].supports("mlkem.decaps", MLKEM[p])]


def _cases():
    # every backend on every set it supports; the slow pure-Python reference on ML-KEM-768 only;
    # liboqs, where absent, stays in the list and skips with how to enable it
    absent = ["liboqs"] if not B.status("liboqs").usable else []
    return [pytest.param(b, lv, id=f"{b}-{lv}") for b in [*USABLE, *absent] for lv in SETS
            if (b in absent or B.BACKENDS[b].supports("mlkem.decaps", MLKEM[f"ML-KEM-{lv}"]))
            and (b != "reference" or lv == "768")]


@pytest.mark.parametrize("backend,level", _cases())
def test_wycheproof_mlkem(backend, level):
    if not B.status(backend).usable:
        liboqs_or_skip()
    p = f"ML-KEM-{level}"
    b = B.BACKENDS[backend]
    data = load_vectors(f"wycheproof/mlkem_{level}_test.json")
    checked = 0
    for g in data["testGroups"]:
        for t in g["tests"]:
            seed, c = bytes.fromhex(t["seed"]), bytes.fromhex(t["c"])
            if t["result"] == "invalid":
                with pytest.raises(PqzkError):
                    sk = mlkem.keygen(p, seed=seed)
                    mlkem.decaps(p, sk, c, backend=backend)
                checked += 1
                continue
            kg = backend if b.supports("mlkem.keygen_seed", MLKEM[p]) else None
            sk = mlkem.keygen(p, seed=seed, backend=kg)
            assert sk.public_key.key.hex() == t["ek"], t["tcId"]
            assert mlkem.decaps(p, sk, c, backend=backend).hex() == t["K"], t["tcId"]
            checked += 1
    assert checked == data["numberOfTests"]


@pytest.mark.parametrize("p", list(MLKEM))
def test_cross_backend_encaps_decaps(p):
    sk = mlkem.keygen(p, seed=bytes(range(64)))
    encappers = [n for n in USABLE if B.BACKENDS[n].supports("mlkem.encaps", MLKEM[p])]
    assert len(encappers) >= 2
    for e in encappers:
        ss, ct = mlkem.encaps(p, sk.public_key, backend=e)
        assert len(ct) == MLKEM[p].ciphertext_size and len(ss) == 32
        for d in _decapsulators(p):
            assert mlkem.decaps(p, sk, ct, backend=d) == ss, (e, d)


def test_seed_keygen_identical_across_backends():
    for p in MLKEM:
        keys = [mlkem.keygen(p, seed=bytes([3]) * 64, backend=n) for n in USABLE
                if B.BACKENDS[n].supports("mlkem.keygen_seed", MLKEM[p])]
        assert len(keys) >= 1 and len({k.public_key.key for k in keys}) == 1


def test_derandomized_encaps_is_reproducible_and_decapsulates():
    _need_derandomized_encaps()
    sk = mlkem.keygen("ML-KEM-768", seed=bytes(64))
    a = mlkem.encaps("ML-KEM-768", sk.public_key, m=bytes([9]) * 32)
    assert a == mlkem.encaps("ML-KEM-768", sk.public_key, m=bytes([9]) * 32)
    assert mlkem.decaps("ML-KEM-768", sk, a.ciphertext, backend="openssl") == a.shared_secret
    with pytest.raises(InvalidParameter):
        mlkem.encaps("ML-KEM-768", sk.public_key, backend="openssl", m=bytes(32))


def test_implicit_rejection_and_bad_inputs():
    p = "ML-KEM-768"
    sk = mlkem.keygen(p)
    ss, ct = mlkem.encaps(p, sk.public_key)
    bad = bytearray(ct)
    bad[5] ^= 1
    assert mlkem.decaps(p, sk, bytes(bad)) != ss       # implicit rejection: a key, not an error
    with pytest.raises(InvalidEncoding, match="1088 bytes"):
        mlkem.decaps(p, sk, ct[:-1])
    with pytest.raises(InvalidEncoding, match="encapsulation key"):
        mlkem.encaps(p, sk.public_key.key + b"\x00")
    with pytest.raises(InvalidEncoding):
        # coefficients ≥ q fail the FIPS 203 §7.2 modulus check
        mlkem.encaps(p, b"\xff" * 1152 + sk.public_key.key[1152:])
    with pytest.raises(InvalidEncoding, match="64 bytes"):
        mlkem.keygen(p, seed=bytes(32))
    with pytest.raises(InvalidParameter):
        mlkem.decaps("ML-KEM-512", sk, ct)


def test_secret_repr_redacted():
    sk = mlkem.keygen("ML-KEM-768", seed=bytes([0xCD]) * 64)
    assert "cdcd" not in repr(sk).lower() and "redacted" in repr(sk)


@pytest.mark.parametrize("family", ["mlkem", "mldsa"])
def test_expanded_only_keygen_refuses_rng(family):
    """A backend that draws its own keygen randomness (pqclean) refuses a caller's rng for either
    family (pqzk.pq.keys.generate), rather than silently not using it."""
    require_component("pqclean" in USABLE, "pqclean backend (pqcrypto)", "pip install pqcrypto")
    from pqzk.pq import mldsa
    module, params = (mlkem, "ML-KEM-768") if family == "mlkem" else (mldsa, "ML-DSA-44")
    with pytest.raises(InvalidParameter, match="cannot use rng"):
        module.keygen(params, backend="pqclean", rng=lambda n: bytes(n))
    sk = module.keygen(params, backend="pqclean")
    assert sk.seed is None and sk.expanded is not None
