"""One API over several ML-DSA / ML-KEM implementations, found rather than assumed.

The backends live one module each in `pqzk.pq.backend` (see its `base` for what a backend is),
in order of preference:
  openssl    the `cryptography` wheel (OpenSSL 3.5+): the default; seed-form keys only,
             hedged signing only (no caller-supplied randomness), ML-KEM-768/1024 only.
  liboqs     `oqs` (liboqs-python), used only when liboqs's shared library is found. `oqs`
             is never imported before that: its import otherwise runs `git clone` + cmake.
             What it can do is read from the library found (see docs/liboqs.md).
  pqclean    `pqcrypto` (PQClean): expanded keys, HashML-DSA, ML-KEM-512/768/1024.
  numpy      pqzk's own FIPS 204 (`pqzk.pq.fips204`, numpy + the native NTT), ML-DSA only: every
             ML-DSA operation, including the FIPS 204 internal interface and external μ.
  reference  dilithium-py / kyber-py (pure Python, slow): every operation, including explicit
             signing randomness, deterministic signing and derandomized encapsulation.

`select_backend` is the one place a backend is chosen: `backend=None` in the public functions
picks the first usable backend whose operations do what was asked (e.g. `deterministic=True`
skips openssl, which cannot). What a backend supports is derived from the methods and parameter
sets it implements; `backends()` and `pqzk info` report it as what each backend can and cannot
do, and why not (`FEATURES`, `missing_because`).

Statuses are cached per environment: a change of OQS_INSTALL_PATH or LD_LIBRARY_PATH (a test's
monkeypatch, a shell that sets it later) is seen by the next call; `refresh()` forgets them all.
"""
from __future__ import annotations

import dataclasses
from typing import Literal

from .. import discovery
from ..errors import BackendUnavailable, InvalidParameter
from .backend import PREFERENCE
from .backend.base import (FEATURES, MLDSAOperations, MLKEMOperations, PQBackend, PQBackendStatus, cached,
                           forget)
from .backend.liboqs import LiboqsBackend, LiboqsFeatures, liboqs_features, liboqs_loadable
from .backend.messages import PREHASH, external_mu, message_prime, mu, prehash_oid_and_digest
from .params import MLDSAParams, MLKEMParams

__all__ = ["BACKENDS", "FEATURES", "PREHASH", "LiboqsBackend", "LiboqsFeatures", "PQBackend", "PQBackendStatus",
           "backends", "describe", "external_mu", "get_backend", "liboqs_features", "liboqs_loadable",
           "message_prime", "mu", "prehash_oid_and_digest", "refresh", "select_backend", "status"]

BACKENDS: dict[str, PQBackend] = {b.name: b for b in (cls() for cls in PREFERENCE)}


def status(name: str) -> PQBackendStatus:
    """The backend's status, probed once per environment (see `backend.base.cached`)."""
    return cached(("status", name), BACKENDS[name].status)


def refresh() -> None:
    """Forget every cached probe: the next call looks again (after installing a backend, say)."""
    forget()


def backends() -> list[PQBackendStatus]:
    """Every post-quantum backend, probed afresh: usable or not, why not, and what each can
    and cannot do (`can` / `cannot`, derived from the operations it implements)."""
    refresh()
    return [status(n) for n in BACKENDS]


def describe(statuses: list[discovery.BackendStatus]) -> list[discovery.BackendStatus]:
    """`pqzk.backends()`: discovery's statuses, with `extra["can"]` / `extra["cannot"]` added for
    the post-quantum backends that are usable (what `pqzk info` prints)."""
    refresh()
    out = []
    for s in statuses:
        if s.name in BACKENDS and status(s.name).usable:
            st = status(s.name)
            s = dataclasses.replace(s, extra={**s.extra, "can": list(st.can), "cannot": list(st.cannot)})
        out.append(s)
    return out


def get_backend(name: str) -> PQBackend:
    """A usable backend by name; BackendUnavailable (with how to enable it) otherwise."""
    if name not in BACKENDS:
        raise InvalidParameter(f"unknown post-quantum backend {name!r}; expected one of {list(BACKENDS)}")
    st = status(name)
    if not st.usable:
        raise BackendUnavailable(name, st.reason, st.how_to_enable)
    return BACKENDS[name]


_SEED_SIZE = {"mldsa": 32, "mlkem": 64}


def _holds(ops: MLDSAOperations | MLKEMOperations, key) -> bool:
    """Whether `ops` can use private key `key`: a seed-form backend needs its seed (an expanded
    key is derived from a seed whenever needed, never the other way)."""
    return ops.key_form != "seed" or key.seed is not None


def select_backend(kind: Literal["mldsa", "mlkem"], op: str, params: MLDSAParams | MLKEMParams,
                   backend: str | None = None, *, also: tuple[str, ...] = (), ctx_len: int = 0,
                   key=None) -> MLDSAOperations | MLKEMOperations:
    """The `kind` operations of the named backend, checked to do `op` (and `also`) for `params`
    with a context of `ctx_len` bytes and private key `key` (its form), or those of the first
    usable backend (in preference order) that can. Naming a backend that cannot: InvalidParameter;
    none can: BackendUnavailable (InvalidParameter when it is the key's form that no backend takes)."""
    ops = (op, *also)
    wanted = ", ".join(f"{kind}.{o}" for o in ops)
    if backend is not None:
        fam = get_backend(backend).family(kind)
        missing = [f"{kind}.{o}" for o in ops if fam is None or not fam.supports(o, params)]
        if missing:
            raise InvalidParameter(f"backend {backend!r} cannot do {', '.join(missing)} for {params.name}")
        if ctx_len > fam.max_context:
            raise InvalidParameter(f"backend {backend!r} accepts contexts of at most {fam.max_context} bytes, got {ctx_len}")
        if key is not None and not _holds(fam, key):
            raise InvalidParameter(f"backend {backend!r} uses only the {_SEED_SIZE[kind]}-byte seed form of a "
                                   "private key; this key holds only the expanded form")
        return fam
    for name, b in BACKENDS.items():
        fam = b.family(kind)
        if (fam is not None and status(name).usable and all(fam.supports(o, params) for o in ops)
                and ctx_len <= fam.max_context and (key is None or _holds(fam, key))):
            return fam
    if key is not None:
        raise InvalidParameter(f"no usable backend can do {wanted} for {params.name} with this key form")
    raise BackendUnavailable("any", f"no usable backend supports {wanted} for {params.name}",
                             "see pqzk.pq.backends() for what each backend needs")
