"""What a post-quantum backend is: the ML-DSA and ML-KEM operations as Protocols, and the bases
that derive what a backend supports from the methods and parameter sets it implements.

A backend (`PQBackend`: a name, a status probe, how to enable it) carries up to two families of
operations, `backend.mldsa` (an `MLDSABackend`) and `backend.mlkem` (an `MLKEMBackend`). An
operation is supported for a parameter set when the family implements its method for that set:
`supports("sign_mu", p)` asks whether there is a `sign_mu` and `p` is among its sets. A few
operations are facts about the implementation rather than methods: which private-key form its
handles take (`key_form`: "seed" or "expanded"), whether it takes the caller's signing rnd
(`takes_rnd`) or encapsulation randomness m (`takes_m`). `pqzk info` reports what each backend
can and cannot do from the same answers (`FEATURES`, `PQBackend.report`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol, runtime_checkable

from ...errors import BackendUnavailable
from ..params import MLDSA, MLKEM, MLDSAParams, MLKEMParams
from .messages import external_mu, message_prime, mu

KeyForm = Literal["seed", "expanded"]
Params = MLDSAParams | MLKEMParams


@runtime_checkable
class MLDSABackend(Protocol):
    """The ML-DSA operations every ML-DSA backend has (FIPS 204 ML-DSA.Sign / Verify on handles
    of its own for the keys); `MLDSAOptional` lists those a backend may add."""
    name: str
    key_form: KeyForm          # the private-key form `private_handle` takes
    takes_rnd: bool            # signs with a caller's rnd (deterministic / known-answer signing)
    max_context: int           # longest context string it accepts (FIPS 204 allows 255)
    parameter_sets: frozenset[str]

    def supports(self, op: str, params: MLDSAParams | None = None) -> bool:
        """Whether operation `op` (one of `OPS["mldsa"]`) is done for `params` (None: for some
        parameter set); False, never an error, for an operation it lacks or an unknown name."""
        ...

    def private_handle(self, params: MLDSAParams, key: bytes) -> object:
        """The backend's object for a private key given in its `key_form` (32-byte seed or expanded
        encoding), which `sign` and the other signing methods take; callers cache it on the key."""
        ...

    def public_handle(self, params: MLDSAParams, public_key: bytes) -> object:
        """The backend's object for an encoded public key, which `verify` and the other verifying
        methods take; raises InvalidEncoding if the library rejects the key."""
        ...

    def sign(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes, ctx: bytes,
             rnd: bytes | None = None) -> bytes:
        """ML-DSA.Sign (FIPS 204 Algorithm 2): the signature of `message` under context `ctx` (at
        most `max_context` bytes) with the key behind `handle`; `rnd` None signs hedged with fresh
        randomness, a 32-byte `rnd` is used as given (BackendUnavailable unless `takes_rnd`)."""
        ...

    def verify(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes, signature: bytes,
               ctx: bytes) -> bool:
        """ML-DSA.Verify (FIPS 204 Algorithm 3) against the public key behind `handle`: True or
        False; an invalid signature is False, not an error."""
        ...


class MLDSAOptional(Protocol):
    """The ML-DSA operations a backend may implement (each one `supports` reports by its name)."""
    def keygen(self, params: MLDSAParams) -> tuple[bytes, bytes]:
        """ML-DSA.KeyGen (FIPS 204 Algorithm 1) with the library's own randomness: (public key,
        expanded private key); for backends that cannot derive a key from a seed."""
        ...

    def keygen_seed(self, params: MLDSAParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-DSA.KeyGen_internal(ξ) (FIPS 204 Algorithm 6) from a 32-byte seed: (public key,
        expanded private key or None if the library does not give it, private handle)."""
        ...

    def sign_prehash(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes, ctx: bytes,
                     prehash: str, rnd: bytes | None = None) -> bytes:
        """HashML-DSA.Sign (FIPS 204 Algorithm 4): sign PH(`message`) with pre-hash `prehash` (a
        `messages.PREHASH` name; InvalidParameter otherwise); `rnd` as in `sign`."""
        ...

    def verify_prehash(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes,
                       signature: bytes, ctx: bytes, prehash: str) -> bool:
        """HashML-DSA.Verify (FIPS 204 Algorithm 5): True or False, as `verify`."""
        ...

    def sign_internal(self, params: MLDSAParams, handle: object, public_key: bytes, message_prime: bytes,
                      rnd: bytes | None = None) -> bytes:
        """ML-DSA.Sign_internal (FIPS 204 Algorithm 7) on a caller-built M' (no context or
        domain separation added), for protocols that format M' themselves; `rnd` as in `sign`."""
        ...

    def verify_internal(self, params: MLDSAParams, handle: object, public_key: bytes, message_prime: bytes,
                        signature: bytes) -> bool:
        """ML-DSA.Verify_internal (FIPS 204 Algorithm 8) on a caller-built M': True or False."""
        ...

    def sign_mu(self, params: MLDSAParams, handle: object, mu_: bytes, rnd: bytes | None = None) -> bytes:
        """Sign_internal (FIPS 204 Algorithm 7) with an external 64-byte μ = H(H(pk) || M') given
        rather than computed, so a signer never sees the message; `rnd` as in `sign`."""
        ...

    def verify_mu(self, params: MLDSAParams, handle: object, public_key: bytes, mu_: bytes,
                  signature: bytes) -> bool:
        """Verify_internal (FIPS 204 Algorithm 8) with an external 64-byte μ given rather than
        computed from M': True or False."""
        ...


@runtime_checkable
class MLKEMBackend(Protocol):
    """The ML-KEM operations every ML-KEM backend has (FIPS 203 Encaps / Decaps); `MLKEMOptional`
    lists those a backend may add."""
    name: str
    key_form: KeyForm          # the decapsulation-key form `private_handle` takes
    takes_m: bool              # encapsulates with the caller's randomness m (Encaps_internal)
    parameter_sets: frozenset[str]

    def supports(self, op: str, params: MLKEMParams | None = None) -> bool:
        """Whether operation `op` (one of `OPS["mlkem"]`) is done for `params` (None: for some
        parameter set); False, never an error, for an operation it lacks or an unknown name."""
        ...

    def private_handle(self, params: MLKEMParams, key: bytes) -> object:
        """The backend's object for a decapsulation key given in its `key_form` (64-byte seed
        d || z or the expanded dk, already checked per FIPS 203 §7.3), which `decaps` takes."""
        ...

    def encaps(self, params: MLKEMParams, public_key: bytes, m: bytes | None = None) -> tuple[bytes, bytes]:
        """ML-KEM.Encaps (FIPS 203 Algorithm 20) to encapsulation key `public_key`: (shared secret,
        ciphertext). `m` None: fresh randomness; a 32-byte `m` is Encaps_internal's (only when
        `takes_m`). Raises InvalidEncoding for a key failing the §7.2 modulus check."""
        ...

    def decaps(self, params: MLKEMParams, handle: object, ciphertext: bytes) -> bytes:
        """ML-KEM.Decaps (FIPS 203 Algorithm 21): the 32-byte shared secret; a wrong ciphertext of
        the right length gives a pseudorandom secret (implicit rejection), not an error."""
        ...


class MLKEMOptional(Protocol):
    """The ML-KEM key generations a backend may implement (at least one of them)."""
    def keygen(self, params: MLKEMParams) -> tuple[bytes, bytes]:
        """ML-KEM.KeyGen (FIPS 203 Algorithm 19) with the library's own randomness: (encapsulation
        key, expanded decapsulation key); for backends that cannot derive a key from a seed."""
        ...

    def keygen_seed(self, params: MLKEMParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-KEM.KeyGen_internal(d, z) (FIPS 203 Algorithm 16) from a 64-byte seed d || z:
        (encapsulation key, expanded dk or None if the library does not give it, private handle
        or None)."""
        ...


# Operations `supports` answers that are not one method: derived from methods and facts.
_DERIVED = {
    "keygen": lambda f: f.has("keygen") or f.has("keygen_seed"),
    "expand": lambda f: f.has("keygen_seed") and f.key_form == "expanded",   # KeyGen_internal gives the expanded key
    "sign_rnd": lambda f: f.has("sign") and getattr(f, "takes_rnd", False),
    "encaps_derand": lambda f: f.has("encaps") and getattr(f, "takes_m", False),
    "sign_from_seed": lambda f: f.key_form == "seed", "sign_from_expanded": lambda f: f.key_form == "expanded",
    "decaps_from_seed": lambda f: f.key_form == "seed", "decaps_from_expanded": lambda f: f.key_form == "expanded",
}
OPS = {
    "mldsa": ("keygen", "keygen_seed", "sign", "verify", "sign_prehash", "verify_prehash", "sign_internal",
              "verify_internal", "sign_mu", "verify_mu", "sign_rnd", "sign_from_seed", "sign_from_expanded",
              "expand"),
    "mlkem": ("keygen", "keygen_seed", "encaps", "decaps", "encaps_derand", "decaps_from_seed",
              "decaps_from_expanded", "expand"),
}


class Operations:
    """One family of a backend's operations; `supports` is derived from the methods it has."""
    kind: ClassVar[str] = ""
    key_form: KeyForm = "expanded"
    max_context = 255

    def __init__(self, backend: PQBackend) -> None:
        self.backend = backend

    @property
    def name(self) -> str:
        """The backend's name ("openssl", "numpy", ...): a family is named by the backend it belongs to."""
        return self.backend.name

    @property
    def parameter_sets(self) -> frozenset[str]:
        """The parameter-set names this family implements at all (default: every set of its kind);
        backends narrow it to what their library offers."""
        return frozenset(MLDSA if self.kind == "mldsa" else MLKEM)

    def has(self, method: str) -> bool:
        """Whether this family has a callable `method`: what `supports` derives every operation from."""
        return callable(getattr(self, method, None))

    def implements(self, op: str) -> bool:
        """Whether this family has operation `op` at all (`OPS[kind]`), for some parameter set."""
        if op not in OPS[self.kind]:
            return False
        derived = _DERIVED.get(op)
        return derived(self) if derived is not None else self.has(op)

    def sets_for(self, op: str) -> frozenset[str]:
        """The parameter sets this family does `op` for (a backend may narrow some operations)."""
        return self.parameter_sets if self.implements(op) else frozenset()

    def supports(self, op: str, params: Params | None = None) -> bool:
        """Whether `op` (one of `OPS[kind]`) is done for `params` (None: for some parameter set)."""
        sets = self.sets_for(op)
        return params.name in sets if params is not None else bool(sets)

    def unavailable(self, reason: str) -> BackendUnavailable:
        """The BackendUnavailable to raise (not raised here) for `reason`, with the backend's how-to-enable."""
        return self.backend.unavailable(reason)

    def private_handle(self, params: Params, key: bytes) -> object:
        """The backend's object for a private key in `key_form` (default: the bytes themselves)."""
        return key


class MLDSAOperations(Operations):
    """Base of the ML-DSA families: hedged signing, expanded keys, contexts up to 255 bytes."""
    kind = "mldsa"
    takes_rnd = False

    def public_handle(self, params: MLDSAParams, public_key: bytes) -> object:
        """The backend's object for a public key (default: the encoded bytes themselves)."""
        return public_key

    def hedged_only(self, rnd: bytes | None) -> None:
        """A backend that signs with its own randomness refuses a caller's rnd (select_backend
        never picks it for that; this is the last line)."""
        if rnd is not None:
            raise self.unavailable(f"{self.name} signs hedged only (no caller-supplied rnd)")


class MLKEMOperations(Operations):
    """Base of the ML-KEM families: expanded decapsulation keys, randomized encapsulation."""
    kind = "mlkem"
    takes_m = False


class ThroughMu:
    """FIPS 204's internal interface and HashML-DSA from a backend's external-μ operations:
    μ = H(H(pk) || M') is computed here (Algorithm 7, line 6) and the backend signs or verifies it."""

    def sign_internal(self, params: MLDSAParams, handle: object, public_key: bytes, message_prime: bytes,
                      rnd: bytes | None = None) -> bytes:
        """Sign_internal(sk, M', rnd) through the μ signer (rnd None: hedged)."""
        return self.sign_mu(params, handle, mu(public_key, message_prime), rnd)

    def verify_internal(self, params: MLDSAParams, handle: object, public_key: bytes, message_prime: bytes,
                        signature: bytes) -> bool:
        """Verify_internal(pk, M', σ) through the μ verifier."""
        return self.verify_mu(params, handle, public_key, mu(public_key, message_prime), signature)

    def sign_prehash(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes, ctx: bytes,
                     prehash: str, rnd: bytes | None = None) -> bytes:
        """HashML-DSA.Sign (FIPS 204 Algorithm 4) as the μ of its M'."""
        return self.sign_mu(params, handle, external_mu(public_key, message, ctx, prehash), rnd)

    def verify_prehash(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes,
                       signature: bytes, ctx: bytes, prehash: str) -> bool:
        """HashML-DSA.Verify (FIPS 204 Algorithm 5) against the μ of its M'."""
        return self.verify_mu(params, handle, public_key, external_mu(public_key, message, ctx, prehash), signature)


class ThroughInternal:
    """ML-DSA.Sign / Verify and HashML-DSA's as a backend's Sign_internal / Verify_internal on
    the M' that `message_prime` builds (FIPS 204 Algorithms 2–5)."""

    def sign(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes, ctx: bytes,
             rnd: bytes | None = None) -> bytes:
        """ML-DSA.Sign (FIPS 204 Algorithm 2): Sign_internal on M' = 0 || |ctx| || ctx || M."""
        return self.sign_internal(params, handle, public_key, message_prime(message, ctx, None), rnd)

    def verify(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes, signature: bytes,
               ctx: bytes) -> bool:
        """ML-DSA.Verify (FIPS 204 Algorithm 3): Verify_internal on M' = 0 || |ctx| || ctx || M."""
        return self.verify_internal(params, handle, public_key, message_prime(message, ctx, None), signature)

    def sign_prehash(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes, ctx: bytes,
                     prehash: str, rnd: bytes | None = None) -> bytes:
        """HashML-DSA.Sign (FIPS 204 Algorithm 4): Sign_internal on M' = 1 || |ctx| || ctx || OID || PH(M)."""
        return self.sign_internal(params, handle, public_key, message_prime(message, ctx, prehash), rnd)

    def verify_prehash(self, params: MLDSAParams, handle: object, public_key: bytes, message: bytes,
                       signature: bytes, ctx: bytes, prehash: str) -> bool:
        """HashML-DSA.Verify (FIPS 204 Algorithm 5): Verify_internal on M' = 1 || |ctx| || ctx || OID || PH(M)."""
        return self.verify_internal(params, handle, public_key, message_prime(message, ctx, prehash), signature)


# -- what a backend reports --------------------------------------------------------------------

@dataclass(frozen=True)
class PQBackendStatus:
    """A backend's probe: usable or not and why, how to enable it, and what it can and cannot do."""
    name: str
    usable: bool
    detail: str
    reason: str = ""
    how_to_enable: str = ""
    capabilities: tuple[str, ...] = ()   # "kind.op" for every operation it supports (for some set)
    can: tuple[str, ...] = ()        # FEATURES this backend offers (with its parameter sets)
    cannot: tuple[str, ...] = ()     # FEATURES it lacks, each with why


# What `pqzk info` reports per backend: (key, label, family, operations all needed).
FEATURES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("mldsa", "ML-DSA sign/verify", "mldsa", ("sign", "verify")),
    ("hashml-dsa", "HashML-DSA (pre-hash)", "mldsa", ("sign_prehash", "verify_prehash")),
    ("mldsa-rnd", "deterministic / caller-supplied-rnd signing", "mldsa", ("sign_rnd",)),
    ("mldsa-seed", "ML-DSA keygen from a 32-byte seed", "mldsa", ("keygen_seed",)),
    ("mldsa-internal-sign", "FIPS 204 Sign_internal on a given M' (Algorithm 7)", "mldsa", ("sign_internal",)),
    ("mldsa-internal-verify", "FIPS 204 Verify_internal on a given M' (Algorithm 8)", "mldsa", ("verify_internal",)),
    ("mldsa-mu-sign", "signing an external μ", "mldsa", ("sign_mu",)),
    ("mldsa-mu-verify", "verifying against an external μ", "mldsa", ("verify_mu",)),
    ("mlkem", "ML-KEM encaps/decaps", "mlkem", ("encaps", "decaps")),
    ("mlkem-seed", "ML-KEM keygen from a 64-byte seed", "mlkem", ("keygen_seed",)),
    ("mlkem-derand", "derandomized ML-KEM encaps", "mlkem", ("encaps_derand",)),
)
_FAMILY = {"mldsa": MLDSA, "mlkem": MLKEM}


class PQBackend:
    """One implementation (a library): its name, how to enable it, a status probe, and its
    operations, `mldsa` and/or `mlkem` (None: not offered). `missing_because` says why a FEATURES
    entry is missing (prose: what the library lacks)."""
    name: ClassVar[str] = ""
    how_to_enable: ClassVar[str] = ""
    missing_because: ClassVar[dict[str, str]] = {}
    mldsa: MLDSAOperations | None = None
    mlkem: MLKEMOperations | None = None

    def status(self) -> PQBackendStatus:  # pragma: no cover - each backend probes its library
        """Probe this backend's library: usable or not and why, how to enable it, and (if usable)
        what it can and cannot do. Never raises for a missing library: that is an unusable status."""
        raise NotImplementedError

    def family(self, kind: str) -> MLDSAOperations | MLKEMOperations | None:
        """This backend's operations of `kind` ("mldsa" or "mlkem"), or None."""
        return {"mldsa": self.mldsa, "mlkem": self.mlkem}[kind]

    def supports(self, capability: str, params: Params | None = None) -> bool:
        """Whether "kind.op" (e.g. "mldsa.sign_mu") is done for `params` (None: for some set)."""
        kind, _, op = capability.partition(".")
        fam = self.family(kind) if kind in OPS else None
        return fam is not None and fam.supports(op, params)

    @property
    def capabilities(self) -> frozenset[str]:
        """Every "kind.op" this backend supports for some parameter set, derived from its methods."""
        return frozenset(f"{kind}.{op}" for kind, ops in OPS.items() for op in ops
                         if self.supports(f"{kind}.{op}"))

    @property
    def max_context(self) -> int:
        """The longest ML-DSA context string this backend accepts (255 per FIPS 204 unless its library refuses
        more)."""
        return self.mldsa.max_context if self.mldsa is not None else 255

    def report(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(can, cannot): every FEATURES entry, with the parameter sets it covers or why it is missing."""
        can, cannot = [], []
        for key, label, kind, ops in FEATURES:
            sets = [p for p in _FAMILY[kind].values() if all(self.supports(f"{kind}.{o}", p) for o in ops)]
            if not sets:
                cannot.append(f"{label}: {self.missing_because.get(key, 'not offered by this backend')}")
            elif len(sets) == len(_FAMILY[kind]):
                can.append(label)
            else:
                can.append(f"{label} ({', '.join(p.name for p in sets)} only)")
        if any(self.supports("mldsa.sign", p) for p in MLDSA.values()):
            (can if self.max_context == 255 else cannot).append(
                "ML-DSA context strings up to 255 bytes" if self.max_context == 255
                else f"ML-DSA context strings of {self.max_context + 1}-255 bytes: "
                     f"{self.missing_because.get('context', 'refused by this backend')}")
        return tuple(can), tuple(cannot)

    def usable_status(self, detail: str) -> PQBackendStatus:
        """The status of a backend found usable: its capabilities and report, derived."""
        can, cannot = self.report()
        return PQBackendStatus(self.name, True, detail, capabilities=tuple(sorted(self.capabilities)),
                               can=can, cannot=cannot)

    def probed_status(self, probe) -> PQBackendStatus:
        """The status for discovery's probe of this backend's library (a `discovery.BackendStatus`)."""
        if not probe.available:
            return PQBackendStatus(self.name, False, probe.detail, probe.reason, probe.how_to_enable)
        return self.usable_status(probe.detail)

    def unavailable(self, reason: str) -> BackendUnavailable:
        """The BackendUnavailable to raise (not raised here) for `reason`, naming this backend and how to enable
        it."""
        return BackendUnavailable(self.name, reason, self.how_to_enable)


# -- probes, cached per environment ------------------------------------------------------------

# What discovery depends on that a process (or a test's monkeypatch) may change.
_ENVIRONMENT = ("OQS_INSTALL_PATH", "LD_LIBRARY_PATH")
_CACHE: dict[tuple, tuple[tuple, object]] = {}


def cached(key: tuple, compute):
    """compute(), remembered until one of the _ENVIRONMENT variables changes (or `forget()`):
    a status probed under one OQS_INSTALL_PATH is never served under another."""
    env = tuple(os.environ.get(v) for v in _ENVIRONMENT)
    hit = _CACHE.get(key)
    if hit is None or hit[0] != env:
        hit = _CACHE[key] = (env, compute())
    return hit[1]


def forget() -> None:
    """Forget every cached probe."""
    _CACHE.clear()


def fresh_randomness(rnd: bytes | None) -> bytes:
    """The caller's rnd, or 32 fresh bytes (hedged signing, FIPS 204 Algorithm 2 line 5)."""
    return rnd if rnd is not None else os.urandom(32)
