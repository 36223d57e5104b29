"""Trusted-dealer key generation for threshold ML-DSA, and the key types with strict encodings.

The dealer (eprint 2026/013, the paper's setting: a trusted dealer) draws a short secret per set
of N - T + 1 parties (`sharing`), adds them up into the ML-DSA secret (s1, s2), and publishes the
standard FIPS 204 public key pk = (ρ, t1) of t = A·s1 + s2. Each party gets the secrets of the
sets it belongs to (`KeyShare`). Seed expansion follows the authors' implementation, so that a
seed gives the same key there and here: SHAKE256(seed ‖ k ‖ l) yields ρ, then N per-party 32-byte
values their scheme does not use (skipped here), then one 64-byte seed per set in increasing
bitmask order, each expanded by FIPS 204 ExpandS.

`ThresholdPublicKey` also carries t_u = A·s1_u + s2_u for every set u, at full precision. This is
an addition of this kit, not of the paper: it lets a combiner check one party's response and name
a party whose response is wrong (`signing.check_responses`). Each t_u is an MLWE sample, as the
public key itself is before rounding; their sum is t, which decoding checks against pk.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ...encoding import ByteReader, as_bytes
from ...errors import InvalidEncoding, InvalidParameter
from ...math.rand import random_bytes
from ...pq import fips204 as F
from ...pq.mldsa import MLDSAPublicKey
from . import sharing
from .params import ThresholdParams, get_params

SEED_SIZE = 32
_PK_MAGIC = b"PQZK-TMLDSA-PK\x01"
_SHARE_MAGIC = b"PQZK-TMLDSA-SHARE\x01"
_SET_IDS = {"ML-DSA-44": 44, "ML-DSA-65": 65, "ML-DSA-87": 87}
_SET_NAMES = {v: k for k, v in _SET_IDS.items()}


def _tr(obj) -> bytes:
    """tr = H(pk, 64), cached on the key object."""
    tr = obj._cache.get("tr")
    if tr is None:
        tr = obj._cache["tr"] = F.shake256(obj.public_key, 64)
    return tr


def _header(p: ThresholdParams) -> bytes:
    return bytes([_SET_IDS[p.name], p.T, p.N])


def _open(data: bytes, magic: bytes, what: str) -> tuple[ByteReader, ThresholdParams]:
    """A reader over `data` past its magic and (set, T, N) header, and the parameters they name:
    the opening both formats (public key and key share) share, strictly checked."""
    r = ByteReader(data, what)
    r.expect(magic, "wrong magic or version")
    set_id, T, N = r.uint(1), r.uint(1), r.uint(1)
    if set_id not in _SET_NAMES:
        raise InvalidEncoding(f"{what}: unknown ML-DSA parameter set {set_id}")
    try:
        return r, get_params(_SET_NAMES[set_id], T, N)
    except InvalidParameter as exc:
        raise InvalidEncoding(f"{what}: {exc}") from None


def _full_precision(data: bytes, count: int, what: str) -> np.ndarray:
    """`count` polynomials of 23-bit coefficients, each < q."""
    v = F.unpack_bits(data, F.Q_BITS, count * F.N)
    if (v >= F.Q).any():
        raise InvalidEncoding(f"{what}: coefficient not reduced mod q")
    return v.reshape(count, F.N)


@dataclass(frozen=True, eq=False)
class ThresholdPublicKey:
    """The committee's public data: the FIPS 204 public key and the sets' public values t_u."""
    params: ThresholdParams
    public_key: bytes
    share_keys: Mapping[int, np.ndarray] = field(repr=False)     # set bitmask -> t_u (k, 256)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        sets = sharing.share_sets(self.params.T, self.params.N)
        if sorted(self.share_keys) != list(sets):
            raise InvalidParameter("share keys must be given for every set of N - T + 1 parties")
        rho, t1 = F.pk_decode(self.public_key, self.params.base)
        total = np.mod(sum(self.share_keys[u] for u in sets), F.Q)
        if not np.array_equal(F.power2round(total)[0], t1):
            raise InvalidEncoding("threshold public key: the share keys do not add up to the public key")
        object.__setattr__(self, "public_key", bytes(self.public_key))

    @property
    def rho(self) -> bytes:
        """ρ: the seed of the public matrix A."""
        return self.public_key[:32]

    @property
    def tr(self) -> bytes:
        """tr = H(pk), as FIPS 204 hashes into μ."""
        return _tr(self)

    @property
    def t1(self) -> np.ndarray:
        """t1 decoded from the public key (cached)."""
        t1 = self._cache.get("t1")
        if t1 is None:
            t1 = self._cache["t1"] = F.pk_decode(self.public_key, self.params.base)[1]
        return t1

    def mldsa_public_key(self) -> MLDSAPublicKey:
        """The standard ML-DSA public key (SPKI, verification with any FIPS 204 library)."""
        return MLDSAPublicKey(self.params.name, self.public_key)

    def to_bytes(self) -> bytes:
        """The committee's public key: header, FIPS 204 public key and each share set's public key."""
        sets = sharing.share_sets(self.params.T, self.params.N)
        return (_PK_MAGIC + _header(self.params) + self.public_key
                + b"".join(F.pack_bits(self.share_keys[u], F.Q_BITS) for u in sets))

    @classmethod
    def from_bytes(cls, data: bytes) -> ThresholdPublicKey:
        """A committee public key from its binary form, strictly checked."""
        r, p = _open(data, _PK_MAGIC, "threshold ML-DSA public key")
        pk = r.take(p.base.public_key_size)
        size = p.base.k * F.N * F.Q_BITS // 8
        keys = {u: _full_precision(r.take(size), p.base.k, "share key")
                for u in sharing.share_sets(p.T, p.N)}
        r.end()
        return cls(p, pk, keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ThresholdPublicKey) and self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.public_key)

    def __repr__(self) -> str:
        return f"ThresholdPublicKey({self.params}, {self.public_key[:8].hex()}…)"


@dataclass(frozen=True, eq=False)
class KeyShare:
    """One party's share sets: the short secrets (s1_u, s2_u) of every set u it belongs to.
    Secret: the repr is redacted and no method prints them."""
    params: ThresholdParams
    party: int
    public_key: bytes
    secrets: Mapping[int, tuple[np.ndarray, np.ndarray]] = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = self.params
        if not isinstance(self.party, int) or not 1 <= self.party <= p.N:
            raise InvalidParameter(f"party must be in 1..{p.N}")
        if sorted(self.secrets) != list(sharing.held_by(self.party, p.T, p.N)):
            raise InvalidParameter(f"party {self.party} must hold exactly the sets it belongs to")
        F.pk_decode(self.public_key, p.base)
        object.__setattr__(self, "public_key", bytes(self.public_key))

    @property
    def tr(self) -> bytes:
        """tr = H(pk), as FIPS 204 hashes into μ."""
        return _tr(self)

    def partial_secret_ntt(self, sets: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """NTT of the sum of the given sets' secrets (what this party signs with in a quorum)."""
        key = ("partial", sets)
        hit = self._cache.get(key)
        if hit is None:
            s1 = np.mod(sum(self.secrets[u][0] for u in sets), F.Q)
            s2 = np.mod(sum(self.secrets[u][1] for u in sets), F.Q)
            hit = self._cache[key] = (F.ntt(s1), F.ntt(s2))
        return hit

    def check(self, public: ThresholdPublicKey) -> None:
        """InvalidParameter unless these secrets match the committee's public share keys."""
        if public.params != self.params or public.public_key != self.public_key:
            raise InvalidParameter("key share and public key are of different committees")
        a_hat = F.expand_a(public.rho, self.params.base)
        for u, (s1, s2) in self.secrets.items():
            if not np.array_equal(F.t_from_s(a_hat, s1, s2), public.share_keys[u]):
                raise InvalidParameter(f"party {self.party}: the secret of set {sharing.members(u)} "
                                       "does not match its public share key")

    def to_bytes(self) -> bytes:
        """The key share's binary form (secret): header, party, public key and its secret shares."""
        eta = self.params.base.eta
        body = b"".join(F.bit_pack(s1, eta, eta) + F.bit_pack(s2, eta, eta)
                        for _, (s1, s2) in sorted(self.secrets.items()))
        return _SHARE_MAGIC + _header(self.params) + bytes([self.party]) + self.public_key + body

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyShare:
        """A key share from its binary form, strictly checked; `InvalidEncoding` naming what is wrong."""
        r, p = _open(data, _SHARE_MAGIC, "threshold ML-DSA key share")
        party = r.uint(1)
        if not 1 <= party <= p.N:
            raise InvalidEncoding(f"threshold ML-DSA key share: party {party} outside 1..{p.N}")
        pk = r.take(p.base.public_key_size)
        b = p.base
        size = 32 * b.eta_bits
        secrets = {}
        for u in sharing.held_by(party, p.T, p.N):
            s1 = F.bit_unpack(r.take(b.l * size), b.eta, b.eta, b.l * F.N).reshape(b.l, F.N)
            s2 = F.bit_unpack(r.take(b.k * size), b.eta, b.eta, b.k * F.N).reshape(b.k, F.N)
            if F.inf_norm(s1) > b.eta or F.inf_norm(s2) > b.eta:
                raise InvalidEncoding("threshold ML-DSA key share: a secret coefficient exceeds η")
            secrets[u] = (s1, s2)
        r.end()
        return cls(p, party, pk, secrets)

    def __eq__(self, other: object) -> bool:
        import hmac
        return isinstance(other, KeyShare) and hmac.compare_digest(self.to_bytes(), other.to_bytes())

    def __hash__(self) -> int:
        return hash((self.public_key, self.party))

    def __repr__(self) -> str:
        return f"KeyShare({self.params}, party {self.party}, {len(self.secrets)} sets, <redacted>)"

    __str__ = __repr__


def trusted_dealer_keygen(name: str, T: int, N: int, *, seed: bytes | None = None,
                          rng: Callable[[int], bytes] | None = None) -> tuple[ThresholdPublicKey, dict[int, KeyShare]]:
    """A T-of-N threshold ML-DSA key: the public package and one KeyShare per party 1..N.

    The dealer sees the whole key; in the paper's model it is trusted and erases everything
    after handing the shares out. `seed` (32 bytes) makes the key reproducible."""
    p = get_params(name, T, N)
    b = p.base
    seed = random_bytes(SEED_SIZE, rng) if seed is None else as_bytes(seed, "the dealer seed")
    if len(seed) != SEED_SIZE:
        raise InvalidParameter(f"the dealer seed is {SEED_SIZE} bytes, got {len(seed)}")
    sets = sharing.share_sets(T, N)
    stream = F.shake256(seed + bytes([b.k, b.l]), 32 + 32 * N + 64 * len(sets))
    rho = stream[:32]
    off = 32 + 32 * N                           # the implementation's per-party values: unused
    secrets = {}
    for u in sets:
        secrets[u] = F.expand_s(stream[off:off + 64], b)
        off += 64
    a_hat = F.expand_a(rho, b)
    s1 = np.stack([secrets[u][0] for u in sets])
    s2 = np.stack([secrets[u][1] for u in sets])
    t_sets = np.mod(F.intt(F.mat_vec_ntt(a_hat, F.ntt(s1))) + s2, F.Q)
    t1, _ = F.power2round(np.mod(t_sets.sum(axis=0), F.Q))
    pk = F.pk_encode(rho, t1)
    public = ThresholdPublicKey(p, pk, {u: t_sets[i] for i, u in enumerate(sets)})
    shares = {i: KeyShare(p, i, pk, {u: secrets[u] for u in sharing.held_by(i, T, N)}) for i in range(1, N + 1)}
    return public, shares
