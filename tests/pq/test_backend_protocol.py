"""pqzk.pq.backend: every backend satisfies the ML-DSA / ML-KEM Protocols, what each supports
(and what `pqzk info` reports) is derived from the methods it implements, one function selects a
backend, and the ML-DSA / ML-KEM keys share one base (checks, equality, redacted repr)."""
from __future__ import annotations

import hmac
import inspect
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pq_probes import fresh_probes, require_backend  # noqa: F401 - a fixture
from typer.testing import CliRunner

from pqzk.errors import BackendUnavailable, InvalidEncoding, InvalidParameter
from pqzk.pq import backend_registry as B
from pqzk.pq import keys, mldsa, mlkem
from pqzk.pq.backend import base
from pqzk.pq.params import MLDSA, MLKEM

PROTOCOLS = {"mldsa": (base.MLDSABackend, base.MLDSAOptional), "mlkem": (base.MLKEMBackend, base.MLKEMOptional)}


def _families():
    for name, b in B.BACKENDS.items():
        for kind in ("mldsa", "mlkem"):
            fam = b.family(kind)
            if fam is not None:
                yield pytest.param(name, kind, fam, id=f"{name}-{kind}")


def _protocol_methods(proto) -> dict[str, inspect.Signature]:
    return {n: inspect.signature(f) for n, f in vars(proto).items()
            if inspect.isfunction(f) and not n.startswith("_")}


def _params(sig: inspect.Signature) -> list[str]:
    return [p for p in sig.parameters if p != "self"]


@pytest.mark.parametrize("name, kind, fam", list(_families()))
def test_every_backend_satisfies_its_protocol(name, kind, fam):
    """Structurally (runtime_checkable isinstance) and by signature: each method the Protocols
    name that the backend has takes exactly the Protocol's parameters (names, order, defaults)."""
    required, optional = PROTOCOLS[kind]
    assert isinstance(fam, required), (name, kind)
    assert not isinstance(fam, PROTOCOLS["mlkem" if kind == "mldsa" else "mldsa"][0])
    assert fam.name == name and fam.kind == kind
    checked = 0
    for proto in (required, optional):
        for method, sig in _protocol_methods(proto).items():
            if not fam.has(method):
                assert proto is optional, f"{name}.{kind} lacks required {method}"
                continue
            got = inspect.signature(getattr(fam, method))
            assert list(got.parameters) == _params(sig), (name, kind, method, got)
            assert [p.default for p in got.parameters.values()] == \
                   [sig.parameters[p].default for p in _params(sig)], (name, kind, method)
            checked += 1
    assert checked >= 4


def test_a_backend_missing_a_method_does_not_satisfy_the_protocol():
    class NoVerify(base.MLDSAOperations):
        def sign(self, params, handle, public_key, message, ctx, rnd=None):
            return b""

    fam = NoVerify(B.BACKENDS["numpy"])
    assert not isinstance(fam, base.MLDSABackend)
    assert fam.supports("sign", MLDSA["ML-DSA-44"]) and not fam.supports("verify", MLDSA["ML-DSA-44"])
    assert not fam.supports("sign_mu") and not fam.supports("keygen") and not fam.supports("sign_rnd")
    assert not fam.supports("no_such_op")


@pytest.mark.parametrize("name, kind, fam", list(_families()))
def test_supports_is_what_the_methods_and_parameter_sets_are(name, kind, fam):
    """An operation that is a method is supported exactly where the method exists (for the
    sets it covers); the few others follow from methods and the backend's stated facts."""
    sets = MLDSA if kind == "mldsa" else MLKEM
    for op in base.OPS[kind]:
        for p in sets.values():
            s = fam.supports(op, p)
            assert s == B.BACKENDS[name].supports(f"{kind}.{op}", p)
            if s:
                assert p.name in fam.parameter_sets
            if op in ("sign", "verify", "encaps", "decaps", "keygen_seed", "sign_mu", "verify_mu",
                      "sign_internal", "verify_internal", "sign_prehash", "verify_prehash"):
                assert not s or fam.has(op), (name, op)
                if fam.has(op) and p.name in fam.parameter_sets and name != "liboqs":
                    assert s, (name, op, p.name)      # liboqs narrows the μ operations (extmu sets)
    assert fam.supports("sign_rnd" if kind == "mldsa" else "encaps_derand") == \
           (bool(getattr(fam, "takes_rnd", False) or getattr(fam, "takes_m", False)) and bool(fam.parameter_sets))


def test_capabilities_and_report_follow_a_removed_method(monkeypatch, fresh_probes):
    """Taking `verify_mu` away from the numpy backend takes it out of its capabilities, its
    report, and `pqzk info --json`'s table — nothing lists it by hand."""
    from pqzk.cli.main import app
    numpy = B.BACKENDS["numpy"]
    label = "verifying against an external μ"

    def info() -> dict:
        res = CliRunner().invoke(app, ["info", "--json"])
        assert res.exit_code == 0, res.output
        return {b["name"]: b for b in json.loads(res.stdout)["backends"]}["numpy"]["extra"]

    assert "mldsa.verify_mu" in numpy.capabilities and label in numpy.report()[0]
    assert label in info()["can"]
    monkeypatch.setattr(numpy.mldsa, "verify_mu", None)
    B.refresh()
    assert "mldsa.verify_mu" not in numpy.capabilities
    assert "mldsa.verify_mu" not in B.status("numpy").capabilities
    # Verify_internal is numpy's through μ: it goes as well; Sign_internal stays
    assert numpy.supports("mldsa.verify_internal", MLDSA["ML-DSA-65"])     # the method is still there
    extra = info()
    assert label not in extra["can"]
    assert any(c.startswith(label + ": ") for c in extra["cannot"])
    assert "signing an external μ" in extra["can"]


def test_info_json_table_is_each_backends_report(fresh_probes):
    from pqzk.cli.main import app
    res = CliRunner().invoke(app, ["info", "--json"])
    assert res.exit_code == 0, res.output
    shown = {b["name"]: b for b in json.loads(res.stdout)["backends"]}
    for name, b in B.BACKENDS.items():
        if B.status(name).usable:
            can, cannot = b.report()
            assert shown[name]["extra"]["can"] == list(can)
            assert shown[name]["extra"]["cannot"] == list(cannot)


# -- one selection function --------------------------------------------------------------------

def test_select_backend_names_prefers_and_refuses():
    p = MLDSA["ML-DSA-65"]
    assert B.select_backend("mldsa", "sign", p).name == "openssl"              # the default
    assert B.select_backend("mldsa", "sign", p, also=("sign_rnd",)).name == "numpy"
    assert B.select_backend("mldsa", "sign", p, ctx_len=255).name == "openssl"
    assert B.select_backend("mldsa", "sign", p, "numpy") is B.BACKENDS["numpy"].mldsa
    with pytest.raises(InvalidParameter, match="backend 'openssl' cannot do mldsa.sign_rnd for ML-DSA-65"):
        B.select_backend("mldsa", "sign", p, "openssl", also=("sign_rnd",))
    with pytest.raises(InvalidParameter, match="cannot do mlkem.encaps"):
        B.select_backend("mlkem", "encaps", MLKEM["ML-KEM-768"], "numpy")      # ML-DSA only
    with pytest.raises(InvalidParameter, match="unknown post-quantum backend"):
        B.select_backend("mldsa", "sign", p, "nope")
    with pytest.raises(BackendUnavailable, match="no usable backend supports mldsa.sign, mldsa.sign_rnd for ML-DSA-65"):
        B.select_backend("mldsa", "sign", p, also=("sign_rnd",), ctx_len=256)
    if B.status("pqclean").usable:
        with pytest.raises(InvalidParameter, match="at most 253 bytes, got 254"):
            B.select_backend("mldsa", "sign", p, "pqclean", ctx_len=254)


def test_select_backend_follows_the_key_form(monkeypatch, fresh_probes):
    p = MLDSA["ML-DSA-44"]
    seeded = mldsa.keygen(p.name, seed=bytes(32))
    expanded_only = mldsa.MLDSAPrivateKey.from_expanded(p.name, mldsa._expanded(seeded, p))
    assert B.select_backend("mldsa", "sign", p, key=seeded).name == "openssl"
    assert B.select_backend("mldsa", "sign", p, key=expanded_only).key_form == "expanded"
    with pytest.raises(InvalidParameter, match="seed form"):
        B.select_backend("mldsa", "sign", p, "openssl", key=expanded_only)
    # with only seed-form ML-DSA backends usable, nothing can sign an expanded-only key
    usable = {n: B.status(n).usable and B.BACKENDS[n].mldsa is not None and B.BACKENDS[n].mldsa.key_form == "seed"
              for n in B.BACKENDS}
    monkeypatch.setattr(B, "status", lambda n: B.PQBackendStatus(n, usable[n], ""))
    with pytest.raises(InvalidParameter, match="no usable backend can do mldsa.sign for ML-DSA-44 with this key form"):
        B.select_backend("mldsa", "sign", p, key=expanded_only)
    assert B.select_backend("mldsa", "sign", p, key=seeded).name == "openssl"
    with pytest.raises(BackendUnavailable, match="no usable backend supports mldsa.sign, mldsa.sign_rnd"):
        B.select_backend("mldsa", "sign", p, also=("sign_rnd",))


def test_mldsa_and_mlkem_select_through_select_backend(monkeypatch):
    calls = []
    real = B.select_backend

    def spy(kind, op, params, backend=None, **kw):
        calls.append((kind, op, kw.get("also", ())))
        return real(kind, op, params, backend, **kw)

    monkeypatch.setattr(mldsa, "select_backend", spy)
    monkeypatch.setattr(mlkem, "select_backend", spy)
    monkeypatch.setattr(keys, "select_backend", spy)   # keygen and expand, shared by both families
    sk = mldsa.keygen("ML-DSA-44")
    sig = mldsa.sign("ML-DSA-44", sk, b"m", deterministic=True)
    mldsa.verify("ML-DSA-44", sk.public_key, b"m", sig)
    k = mlkem.keygen("ML-KEM-768")
    enc = mlkem.encaps("ML-KEM-768", k.public_key)
    assert mlkem.decaps("ML-KEM-768", k, enc.ciphertext) == enc.shared_secret
    # numpy signs deterministically: it takes the expanded key, expanded once (by numpy, first)
    assert calls == [("mldsa", "keygen", ()), ("mldsa", "sign", ("sign_rnd",)), ("mldsa", "expand", ()),
                     ("mldsa", "verify", ()),
                     ("mlkem", "keygen", ()), ("mlkem", "encaps", ()), ("mlkem", "decaps", ())]


# -- one base for the keys ---------------------------------------------------------------------

def _dsa_key(seed: bytes) -> mldsa.MLDSAPrivateKey:
    return mldsa.keygen("ML-DSA-44", seed=seed)


def _kem_key(seed: bytes) -> mlkem.MLKEMPrivateKey:
    return mlkem.keygen("ML-KEM-768", seed=seed)


@pytest.mark.parametrize("make, size", [(_dsa_key, 32), (_kem_key, 64)])
def test_private_keys_share_the_base(make, size, monkeypatch):
    a, a2, b = make(bytes(size)), make(bytes(size)), make(b"\x01" * size)
    assert isinstance(a, keys.PQPrivateKey) and isinstance(a.public_key, keys.PQPublicKey)
    assert a == a2 and hash(a) == hash(a2) and a != b and a != a.public_key and a.public_key != a
    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(keys.hmac, "compare_digest", lambda x, y: compared.append(1) or real(x, y))
    assert a == a2 and compared, "private material is compared in constant time"
    for text in (repr(a), str(a)):
        assert "<redacted>" in text and a.seed.hex() not in text and a.seed.hex()[:16] not in text
    cls = type(a)
    with pytest.raises(InvalidEncoding, match=f"seed must be {size} bytes, got {size - 1}"):
        cls(a.params, a.public_key, seed=a.seed[:-1])
    with pytest.raises(InvalidParameter, match="needs its seed or its expanded form"):
        cls(a.params, a.public_key)
    with pytest.raises(InvalidParameter, match="needs its"):
        cls(a.params, b"not a key", seed=a.seed)
    assert cls.from_pkcs8(a.to_pkcs8()) == a


@pytest.mark.parametrize("cls, sets", [(mldsa.MLDSAPublicKey, MLDSA), (mlkem.MLKEMPublicKey, MLKEM)])
def test_public_keys_share_the_base(cls, sets):
    name = next(iter(sets))
    size = getattr(sets[name], "public_key_size", None) or sets[name].encaps_key_size
    with pytest.raises(InvalidEncoding, match=f"must be {size} bytes, got {size + 1}"):
        cls.from_bytes(name, bytes(size + 1))
    with pytest.raises(InvalidParameter, match="unknown"):
        cls.from_bytes("ML-XX-1", bytes(size))
    with pytest.raises(InvalidParameter, match="must be bytes"):
        cls.from_bytes(name, "00" * size)
    key = cls.from_bytes(name, bytes(size))
    assert key == cls(name, bytes(size)) and hash(key) == hash(cls(name, bytes(size)))
    assert repr(key) == f"{cls.__name__}({name}, {bytes(8).hex()}…)"
    assert cls.from_spki(key.to_spki()) == key and key.to_bytes() == bytes(size)
    other = mlkem.MLKEMPublicKey.from_bytes("ML-KEM-512", bytes(800)) if cls is mldsa.MLDSAPublicKey \
        else mldsa.MLDSAPublicKey.from_bytes("ML-DSA-44", bytes(1312))
    assert key != other


@settings(max_examples=15, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), other=st.binary(min_size=32, max_size=32))
def test_dsa_key_equality_is_the_seeds(seed, other):
    ka, kb = _dsa_key(seed), _dsa_key(other)
    assert (ka == kb) == (seed == other)
    expanded = mldsa._expanded(ka, MLDSA["ML-DSA-44"])
    only = mldsa.MLDSAPrivateKey.from_expanded("ML-DSA-44", expanded)
    assert only == mldsa.MLDSAPrivateKey.from_expanded("ML-DSA-44", expanded) and only != ka
    assert "expanded form, <redacted>" in repr(only) and expanded[:8].hex() not in repr(only)


@pytest.mark.parametrize("name", ["openssl", "pqclean"])
def test_hedged_only_backends_refuse_a_callers_rnd_when_called_directly(name):
    """select_backend never picks them for rnd; called directly, they refuse rather than ignore it."""
    require_backend(name)
    p = MLDSA["ML-DSA-44"]
    sk = mldsa.keygen(p.name, seed=bytes(32))
    fam = B.BACKENDS[name].mldsa
    handle = mldsa._private_handle(fam, sk, p)
    assert not fam.takes_rnd and not fam.supports("sign_rnd", p)
    with pytest.raises(BackendUnavailable, match="signs hedged only"):
        fam.sign(p, handle, sk.public_key.key, b"m", b"", bytes(32))
    sig = fam.sign(p, handle, sk.public_key.key, b"m", b"")                     # hedged: fine
    mldsa.verify(p.name, sk.public_key, b"m", sig, backend="numpy")
    if fam.has("sign_mu"):
        with pytest.raises(BackendUnavailable, match="signs hedged only"):
            fam.sign_mu(p, handle, bytes(64), bytes(32))


def test_public_key_arguments_are_checked_alike_for_both_families():
    """keys.as_public_key: a key of another parameter set or of another type is refused, naming
    what it is; bytes are parsed as a key of the requested set (and checked)."""
    dsa = mldsa.keygen("ML-DSA-44", seed=bytes(32))
    sig = mldsa.sign("ML-DSA-44", dsa, b"m", deterministic=True)
    mldsa.verify("ML-DSA-44", dsa.public_key.to_bytes(), b"m", sig)          # bytes are accepted
    with pytest.raises(InvalidParameter, match="public key is ML-DSA-44 but ML-DSA-65 was requested"):
        mldsa.verify("ML-DSA-65", dsa.public_key, b"m", sig)
    with pytest.raises(InvalidParameter, match="public key must be MLDSAPublicKey or bytes, got str"):
        mldsa.verify("ML-DSA-44", "key", b"m", sig)
    with pytest.raises(InvalidEncoding):
        mldsa.verify("ML-DSA-44", dsa.public_key.to_bytes()[:-1], b"m", sig)
    kem = mlkem.keygen("ML-KEM-768", seed=bytes(64))
    enc = mlkem.encaps("ML-KEM-768", kem.public_key.to_bytes())
    assert mlkem.decaps("ML-KEM-768", kem, enc.ciphertext) == enc.shared_secret
    with pytest.raises(InvalidParameter, match="encapsulation key is ML-KEM-768 but ML-KEM-512 was requested"):
        mlkem.encaps("ML-KEM-512", kem.public_key)
    with pytest.raises(InvalidParameter, match="encapsulation key must be MLKEMPublicKey or bytes, got int"):
        mlkem.encaps("ML-KEM-768", 7)
