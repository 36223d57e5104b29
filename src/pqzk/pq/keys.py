"""The common shape of ML-DSA and ML-KEM keys: a parameter set's name and checked bytes, equality
and hashing (constant-time on private material), a repr that never shows private bytes, and the
standard encodings (raw bytes, SubjectPublicKeyInfo, PKCS#8). `mldsa` and `mlkem` subclass these
with their parameter sets and their FIPS 204 / FIPS 203 checks."""
from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..math.rand import random_bytes
from . import pkcs8
from .backend_registry import select_backend

P = TypeVar("P", bound="PQPublicKey")
K = TypeVar("K", bound="PQPrivateKey")


def sized(data: bytes, size: int, what: str) -> bytes:
    """`data` as bytes of exactly `size` bytes, else InvalidEncoding naming `what`."""
    data = as_bytes(data, what)
    if len(data) != size:
        raise InvalidEncoding(f"{what} must be {size} bytes, got {len(data)}")
    return data


@dataclass(frozen=True, eq=False, repr=False)
class PQPublicKey:
    """A public key of one parameter set (`params`, its name) and its standard encoding (`key`)."""
    params: str
    key: bytes
    _handles: dict = field(default_factory=dict, compare=False)   # backend name -> its parsed key

    FAMILY: ClassVar[str] = ""                        # "ML-DSA", "ML-KEM"
    PARAMETER_SETS: ClassVar[Mapping[str, Any]] = {}  # name -> parameter set (with .oid)
    lookup: ClassVar[Callable[[Any], Any]]            # name -> parameter set, InvalidParameter if unknown

    def __post_init__(self) -> None:
        p = type(self).lookup(self.params)
        object.__setattr__(self, "params", p.name)
        object.__setattr__(self, "key", self._checked(p, self.key))

    def _checked(self, p: Any, key: bytes) -> bytes:  # pragma: no cover - each family checks its keys
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.params, self.key) == (other.params, other.key)

    def __hash__(self) -> int:
        return hash((self.params, self.key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params}, {self.key[:8].hex()}…)"

    def to_bytes(self) -> bytes:
        """The raw public-key encoding (FIPS 204 pkEncode / FIPS 203 ek), as `from_bytes` reads it."""
        return self.key

    @classmethod
    def from_bytes(cls: type[P], params: str, data: bytes) -> P:
        """The key of parameter set `params` from its raw encoding (checked)."""
        return cls(cls.lookup(params).name, data)

    def to_spki(self) -> bytes:
        """SubjectPublicKeyInfo with the parameter set's OID, parameters absent (RFC 9881 / RFC 9935 §4)."""
        return pkcs8.encode_spki(type(self).lookup(self.params).oid, self.key)

    @classmethod
    def from_spki(cls: type[P], der: bytes) -> P:
        """The key from a SubjectPublicKeyInfo whose OID names one of this family's parameter sets;
        InvalidEncoding for malformed DER or another OID."""
        oids = cls.oid_to_params()
        oid, key = pkcs8.decode_spki(der, oids, cls.FAMILY)
        return cls(oids[oid], key)

    @classmethod
    def oid_to_params(cls) -> dict[str, str]:
        """This family's parameter-set OIDs (dotted) to their names, what `from_spki` accepts."""
        return {p.oid: p.name for p in cls.PARAMETER_SETS.values()}


@dataclass(frozen=True, eq=False, repr=False)
class PQPrivateKey:
    """A private key of one parameter set: its seed and/or expanded form, plus its public key.
    The repr names the form only; equality compares the private material in constant time."""
    params: str
    public_key: PQPublicKey
    seed: bytes | None = None
    expanded: bytes | None = None
    _handles: dict = field(default_factory=dict, compare=False)   # backend name -> its key object

    PUBLIC: ClassVar[type[PQPublicKey]]
    SEED_SIZE: ClassVar[int]

    def __post_init__(self) -> None:
        public = self.PUBLIC
        p = public.lookup(self.params)
        object.__setattr__(self, "params", p.name)
        if not isinstance(self.public_key, public) or self.public_key.params != p.name:
            raise InvalidParameter(f"an {p.name} private key needs its {p.name} {public.__name__}")
        if self.seed is None and self.expanded is None:
            raise InvalidParameter(f"an {public.FAMILY} private key needs its seed or its expanded form")
        if self.seed is not None:
            object.__setattr__(self, "seed", sized(self.seed, self.SEED_SIZE, f"{p.name} seed"))
        if self.expanded is not None:
            object.__setattr__(self, "expanded", self._checked_expanded(p, self.expanded))

    def _checked_expanded(self, p: Any, expanded: bytes) -> bytes:  # pragma: no cover - per family
        raise NotImplementedError

    def __repr__(self) -> str:
        form = "seed" if self.seed is not None else "expanded"
        return f"{type(self).__name__}({self.params}, {form} form, <redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or self.public_key != other.public_key:
            return False
        same_seed = hmac.compare_digest(self.seed or b"", other.seed or b"")
        if self.seed is not None or other.seed is not None:
            return same_seed
        return hmac.compare_digest(self.expanded or b"", other.expanded or b"")

    def __hash__(self) -> int:
        return hash(self.public_key)

    def to_pkcs8(self) -> bytes:
        """OneAsymmetricKey v0 (RFC 9881 / RFC 9935 §6): the seed form [0] when the seed is known
        (what OpenSSL writes), else the expandedKey form."""
        return pkcs8.encode_pkcs8(self.PUBLIC.lookup(self.params).oid,
                                  pkcs8.encode_seed_or_expanded(self.seed, self.expanded))


def as_public_key(cls: type[P], p: Any, pk: Any, what: str = "public key") -> P:
    """`pk` as a `cls` key of parameter set `p`: a `cls` of that set as is, bytes parsed (and checked)
    as one; InvalidParameter naming `what` for another set or another type."""
    if isinstance(pk, cls):
        if pk.params != p.name:
            raise InvalidParameter(f"{what} is {pk.params} but {p.name} was requested")
        return pk
    if isinstance(pk, (bytes, bytearray, memoryview)):
        return cls(p.name, pk)
    raise InvalidParameter(f"{what} must be {cls.__name__} or bytes, got {type(pk).__name__}")


def generate(cls: type[K], kind: Literal["mldsa", "mlkem"], p: Any, seed: bytes | None, backend: str | None,
             rng: Callable[[int], bytes] | None, seed_parts: str = "") -> K:
    """KeyGen for ML-DSA and ML-KEM alike: KeyGen_internal from `seed` (checked to be `cls.SEED_SIZE`
    bytes; `seed_parts` names its parts in the error), from a fresh seed (drawn from `rng` if given) on
    seed-capable backends, else the backend's own expanded-only keygen (which cannot use `rng`)."""
    size = cls.SEED_SIZE
    if seed is not None:
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != size:
            got = len(seed) if isinstance(seed, (bytes, bytearray)) else type(seed).__name__
            raise InvalidEncoding(f"{p.name} seed must be {size} bytes{seed_parts}, got {got}")
        b = select_backend(kind, "keygen_seed", p, backend)
    else:
        b = select_backend(kind, "keygen", p, backend)
    if b.supports("keygen_seed", p):
        seed = bytes(seed) if seed is not None else random_bytes(size, rng)
        pk, expanded, handle = b.keygen_seed(p, seed)
        sk = cls(p.name, cls.PUBLIC(p.name, pk), seed=seed, expanded=expanded)
        if handle is not None:
            sk._handles[b.name] = handle
        return sk
    if rng is not None:
        raise InvalidParameter(f"backend {b.name!r} draws its own keygen randomness; it cannot use rng")
    pk, expanded = b.keygen(p)
    return cls(p.name, cls.PUBLIC(p.name, pk), expanded=expanded)


def expanded_form(kind: Literal["mldsa", "mlkem"], sk: PQPrivateKey, p: Any) -> bytes:
    """The expanded private key of `sk`: its own, or derived once from its seed by a backend that
    can expand and cached on the key."""
    if sk.expanded is not None:
        return sk.expanded
    cached = sk._handles.get("_expanded")
    if cached is None:
        _, cached, _ = select_backend(kind, "expand", p).keygen_seed(p, sk.seed)
        sk._handles["_expanded"] = cached
    return cached
