"""FIPS 204 (ML-DSA) internal algorithms on numpy arrays: the blocks a signer that is not a
single ML-DSA key (the threshold signer of `pqzk.threshold.mldsa`) needs to build signatures any
FIPS 204 verifier accepts.

Names follow FIPS 204 §7 (ExpandA, ExpandS, ExpandMask, SampleInBall, Power2Round, Decompose,
HighBits, LowBits, MakeHint, UseHint and the encodings of §7.1–7.2). `keygen_internal`,
`sign_internal` and `verify_internal` (Algorithms 6–8, and `sign_mu` / `verify_mu` for an external
μ) are checked byte for byte against dilithium-py and NIST's ACVP vectors; they are also the
"numpy" backend of `pqzk.pq.mldsa`, which stays the API for ordinary keys. Vectors of polynomials are int64 arrays of shape (..., 256) with canonical
coefficients in [0, q); products go through the native batch NTT of `pqzk.math.ntt`.
Python integer and numpy arithmetic is not constant time: this module is for prototypes and
interoperability, not for keys that must resist timing attacks.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..math import ntt as _ntt
from .params import lookup_params

Q = _ntt.MLDSA_Q
N = _ntt.N
D = 13                              # dropped bits of t (FIPS 204 Table 1)
Q_BITS = (Q - 1).bit_length()       # 23


@dataclass(frozen=True)
class Params:
    """One FIPS 204 parameter set (Table 1); sizes derived as in Table 2."""
    name: str
    k: int
    l: int
    eta: int
    tau: int
    lam: int            # collision strength λ: c~ has λ/4 bytes
    gamma1: int
    gamma2: int
    omega: int

    @property
    def beta(self) -> int:
        """β = τ·η, the bound FIPS 204 subtracts from γ1 and γ2 in its rejection checks."""
        return self.tau * self.eta

    @property
    def ctilde_bytes(self) -> int:
        """The length of the commitment hash c̃ (λ/4 bytes)."""
        return self.lam // 4

    @property
    def z_bits(self) -> int:
        """Bits per coefficient of z in a signature."""
        return 1 + (self.gamma1 - 1).bit_length()

    @property
    def w1_bits(self) -> int:
        """Bits per coefficient of w1 when it is encoded for hashing."""
        return ((Q - 1) // (2 * self.gamma2) - 1).bit_length()

    @property
    def eta_bits(self) -> int:
        """Bits per coefficient of s1 and s2 in a private key."""
        return (2 * self.eta).bit_length()

    @property
    def public_key_size(self) -> int:
        """The public key's length in bytes."""
        return 32 + 32 * self.k * (Q_BITS - D)

    @property
    def private_key_size(self) -> int:
        """The expanded private key's length in bytes."""
        return 128 + 32 * ((self.k + self.l) * self.eta_bits + D * self.k)

    @property
    def signature_size(self) -> int:
        """The signature's length in bytes."""
        return self.ctilde_bytes + 32 * self.l * self.z_bits + self.omega + self.k


PARAMS = {p.name: p for p in (
    Params("ML-DSA-44", 4, 4, 2, 39, 128, 1 << 17, (Q - 1) // 88, 80),
    Params("ML-DSA-65", 6, 5, 4, 49, 192, 1 << 19, (Q - 1) // 32, 55),
    Params("ML-DSA-87", 8, 7, 2, 60, 256, 1 << 19, (Q - 1) // 32, 75),
)}


def params(name: str | Params) -> Params:
    """FIPS 204's parameter set named (or given)."""
    return lookup_params(PARAMS, name, "ML-DSA")


# ---- modular helpers (FIPS 204 §2.3: mod± and the infinity norm) ----

def mod_pm(a: np.ndarray, m: int) -> np.ndarray:
    """r mod± m: the representative in (-m/2, m/2] (m even) or [-(m-1)/2, (m-1)/2] (m odd)."""
    r = np.mod(a, m)
    return np.where(r > m // 2, r - m, r)


def centred(a: np.ndarray) -> np.ndarray:
    """Coefficients mod q as representatives in [-(q-1)/2, (q-1)/2]."""
    return mod_pm(a, Q)


def inf_norm(a: np.ndarray, axis=None):
    """||a||∞ of values mod q (over `axis`, or all)."""
    return np.abs(centred(a)).max(axis=axis)


# ---- arithmetic in R_q on the native NTT ----

def ntt(a: np.ndarray) -> np.ndarray:
    """The NTT of a polynomial mod q (FIPS 204 Algorithm 41), through the shared ring code."""
    return _ntt.ntt(a, Q).astype(np.int64)


def intt(a_hat: np.ndarray) -> np.ndarray:
    """The inverse NTT (FIPS 204 Algorithm 42)."""
    return _ntt.intt(a_hat, Q).astype(np.int64)


def mat_vec_ntt(a_hat: np.ndarray, v_hat: np.ndarray) -> np.ndarray:
    """A ∘ v in the NTT domain: A is (k, l, 256), v is (..., l, 256); returns (..., k, 256)."""
    prod = np.mod(a_hat * v_hat[..., None, :, :], Q)       # (..., k, l, 256), each < q²
    return np.mod(prod.sum(axis=-2), Q)


def scale_ntt(c_hat: np.ndarray, v_hat: np.ndarray) -> np.ndarray:
    """c ∘ v_i for a polynomial c (..., 256) and vectors v (..., m, 256)."""
    return np.mod(c_hat[..., None, :] * v_hat, Q)


# ---- rounding (FIPS 204 §7.4) ----

def power2round(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Algorithm 35: (r1, r0) with r = r1·2^d + r0, r0 = r mod± 2^d."""
    rp = np.mod(r, Q)
    r0 = mod_pm(rp, 1 << D)
    return (rp - r0) >> D, r0


def decompose(r: np.ndarray, gamma2: int) -> tuple[np.ndarray, np.ndarray]:
    """Algorithm 36: (r1, r0) with r = r1·2γ2 + r0 mod q (the q-1 corner folded into r1 = 0)."""
    rp = np.mod(r, Q)
    r0 = mod_pm(rp, 2 * gamma2)
    corner = (rp - r0) == Q - 1
    r1 = np.where(corner, 0, (rp - r0) // (2 * gamma2))
    return r1, np.where(corner, r0 - 1, r0)


def high_bits(r: np.ndarray, gamma2: int) -> np.ndarray:
    """HighBits (FIPS 204 Algorithm 37) of each coefficient."""
    return decompose(r, gamma2)[0]


def low_bits(r: np.ndarray, gamma2: int) -> np.ndarray:
    """LowBits (FIPS 204 Algorithm 38) of each coefficient."""
    return decompose(r, gamma2)[1]


def make_hint(z: np.ndarray, r: np.ndarray, gamma2: int) -> np.ndarray:
    """Algorithm 39: 1 where adding z to r changes its high bits."""
    return (high_bits(r, gamma2) != high_bits(np.add(r, z), gamma2)).astype(np.int64)


def use_hint(h: np.ndarray, r: np.ndarray, gamma2: int) -> np.ndarray:
    """Algorithm 40: the high bits of r + z, recovered from the hint and r alone."""
    m = (Q - 1) // (2 * gamma2)
    r1, r0 = decompose(r, gamma2)
    adj = np.where(r0 > 0, 1, -1)
    return np.where(h != 0, np.mod(r1 + adj, m), r1)


# ---- sampling (FIPS 204 §7.3) ----

def _shake128(data: bytes, n: int) -> bytes:
    return hashlib.shake_128(data).digest(n)


def shake256(data: bytes, n: int) -> bytes:
    """SHAKE256 of `data` to `n` bytes (FIPS 204's H)."""
    return hashlib.shake_256(data).digest(n)


def rej_ntt_poly(seed: bytes) -> np.ndarray:
    """Algorithm 30: a polynomial uniform mod q (NTT domain) from SHAKE128(seed) by rejection."""
    n = 840                                     # five SHAKE128 blocks: 280 candidates
    while True:
        raw = np.frombuffer(_shake128(seed, n), dtype=np.uint8).astype(np.int64).reshape(-1, 3)
        cand = raw[:, 0] | (raw[:, 1] << 8) | ((raw[:, 2] & 0x7F) << 16)
        ok = cand[cand < Q]
        if len(ok) >= N:
            return ok[:N]
        n += 168 * 4


def rej_bounded_poly(seed: bytes, eta: int) -> np.ndarray:
    """Algorithm 31: coefficients in [-η, η] (mod q) from the half-bytes of SHAKE256(seed)."""
    n = 272 if eta == 2 else 136 * 3
    while True:
        raw = np.frombuffer(shake256(seed, n), dtype=np.uint8)
        half = np.empty(2 * len(raw), dtype=np.int64)
        half[0::2], half[1::2] = raw & 0x0F, raw >> 4
        if eta == 2:
            half = half[half < 15]
            vals = 2 - np.mod(half, 5)
        elif eta == 4:
            vals = 4 - half[half < 9]
        else:
            raise InvalidParameter(f"η must be 2 or 4, got {eta}")
        if len(vals) >= N:
            return np.mod(vals[:N], Q)
        n += 136


@functools.lru_cache(maxsize=64)
def _expand_a_cached(rho: bytes, k: int, l: int) -> np.ndarray:
    a = np.empty((k, l, N), dtype=np.int64)
    for r in range(k):
        for s in range(l):
            a[r, s] = rej_ntt_poly(rho + bytes([s, r]))
    a.setflags(write=False)
    return a


def expand_a(rho: bytes, p: Params) -> np.ndarray:
    """Algorithm 32: Â ∈ T_q^{k×l} from ρ (cached: it is public and costly)."""
    return _expand_a_cached(bytes(rho), p.k, p.l)


def expand_s(rho_prime: bytes, p: Params) -> tuple[np.ndarray, np.ndarray]:
    """Algorithm 33: s1 ∈ S_η^l, s2 ∈ S_η^k (canonical mod q)."""
    polys = [rej_bounded_poly(rho_prime + r.to_bytes(2, "little"), p.eta) for r in range(p.l + p.k)]
    arr = np.array(polys, dtype=np.int64)
    return arr[:p.l], arr[p.l:]


def expand_mask(rho_pp: bytes, kappa: int, p: Params) -> np.ndarray:
    """Algorithm 34: y ∈ R^l with coefficients in (-γ1, γ1] (canonical mod q)."""
    c = p.z_bits
    rows = []
    for r in range(p.l):
        v = shake256(rho_pp + (kappa + r).to_bytes(2, "little"), 32 * c)
        rows.append(p.gamma1 - unpack_bits(v, c, N))
    return np.mod(np.array(rows, dtype=np.int64), Q)


def sample_in_ball(ctilde: bytes, tau: int) -> np.ndarray:
    """Algorithm 29: c with τ coefficients ±1 and the rest 0 (canonical mod q)."""
    n = 8 + 4 * tau
    while True:
        stream = shake256(ctilde, n)
        signs = int.from_bytes(stream[:8], "little")
        c = [0] * N
        pos = 8
        for i in range(N - tau, N):
            while pos < n and stream[pos] > i:
                pos += 1
            if pos >= n:
                break
            j = stream[pos]
            pos += 1
            c[i] = c[j]
            c[j] = -1 if (signs >> (i + tau - N)) & 1 else 1
        else:
            return np.mod(np.array(c, dtype=np.int64), Q)
        n *= 2                                  # ran out of bytes: the same stream, longer


# ---- bit packing (FIPS 204 §7.1) ----

@functools.lru_cache(maxsize=64)
def _positions(bits: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `count` packed values starts: (byte offset, bit shift)."""
    pos = np.arange(count, dtype=np.int64) * bits
    off, sh = pos >> 3, (pos & 7).astype(np.uint32)
    off.setflags(write=False)
    sh.setflags(write=False)
    return off, sh


def pack_bits(values: np.ndarray, bits: int) -> bytes:
    """Little-endian bit string of every value (each in [0, 2^bits), bits ≤ 25), value after
    value, padded with zero bits to a whole byte."""
    v = np.ascontiguousarray(values, dtype=np.int64).reshape(-1).astype(np.uint32)
    if len(v) >= 4096 and len(v) % 8 == 0:
        return _pack_groups(v, bits)
    off, sh = _positions(bits, len(v))
    x = v << sh                                     # < 2^32: the value's bits at their place
    nbytes = (len(v) * bits + 7) // 8
    idx = np.concatenate([off + k for k in range(4)])
    parts = np.concatenate([(x >> (8 * k)) & 0xFF for k in range(4)]).astype(np.float64)
    # the bit ranges of different values do not overlap, so summing them is OR-ing them
    out = np.bincount(idx, weights=parts, minlength=nbytes + 4)[:nbytes]
    return out.astype(np.uint8).tobytes()


def _pack_groups(v: np.ndarray, bits: int) -> bytes:
    """pack_bits for long inputs: 8 values fill `bits` bytes; one column of bytes at a time."""
    g = v.reshape(-1, 8)
    out = np.zeros((len(g), bits), dtype=np.uint32)
    for i in range(8):
        first, sh = divmod(bits * i, 8)
        x = g[:, i] << sh
        for k in range((sh + bits + 7) // 8):
            out[:, first + k] |= (x >> (8 * k)) & 0xFF
    return out.astype(np.uint8).tobytes()


def unpack_bits(data: bytes, bits: int, count: int) -> np.ndarray:
    """Inverse of pack_bits: `count` values of `bits` bits (data holds at least that many bits)."""
    buf = np.frombuffer(bytes(data) + b"\0\0\0\0", dtype=np.uint8).astype(np.uint32)
    off, sh = _positions(bits, count)
    x = buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)
    return ((x >> sh) & ((1 << bits) - 1)).astype(np.int64)


def simple_bit_pack(w: np.ndarray, b: int) -> bytes:
    """Algorithm 16: coefficients in [0, b]."""
    return pack_bits(w, b.bit_length())


def bit_pack(w: np.ndarray, a: int, b: int) -> bytes:
    """Algorithm 17: coefficients in [-a, b] (given mod q), stored as b - w."""
    return pack_bits(b - centred(w), (a + b).bit_length())


def bit_unpack(data: bytes, a: int, b: int, count: int) -> np.ndarray:
    """Algorithm 19: b - value, canonical mod q (callers check the range they need)."""
    return np.mod(b - unpack_bits(data, (a + b).bit_length(), count), Q)


def hint_bit_pack(h: np.ndarray, p: Params) -> bytes:
    """Algorithm 20: positions of the ones, then the running count per polynomial."""
    y = bytearray(p.omega + p.k)
    index = 0
    for i in range(p.k):
        ones = np.flatnonzero(h[i])
        if index + len(ones) > p.omega:
            raise InvalidParameter(f"hint has more than ω = {p.omega} ones")
        y[index:index + len(ones)] = bytes(ones.tolist())
        index += len(ones)
        y[p.omega + i] = index
    return bytes(y)


def hint_bit_unpack(y: bytes, p: Params) -> np.ndarray | None:
    """Algorithm 21: the hint, or None when the encoding is malformed (not canonical)."""
    h = np.zeros((p.k, N), dtype=np.int64)
    index = 0
    for i in range(p.k):
        end = y[p.omega + i]
        if end < index or end > p.omega:
            return None
        first = index
        while index < end:
            if index > first and y[index - 1] >= y[index]:
                return None
            h[i, y[index]] = 1
            index += 1
    if any(y[index:p.omega]):
        return None
    return h


# ---- key and signature encodings (FIPS 204 §7.2) ----

def pk_encode(rho: bytes, t1: np.ndarray) -> bytes:
    """Algorithm 22."""
    return bytes(rho) + simple_bit_pack(t1, (1 << (Q_BITS - D)) - 1)


def pk_decode(pk: bytes, p: Params) -> tuple[bytes, np.ndarray]:
    """Algorithm 23 (length checked: every bit string of the right length is a key)."""
    pk = as_bytes(pk, f"{p.name} public key")
    if len(pk) != p.public_key_size:
        raise InvalidEncoding(f"{p.name} public key must be {p.public_key_size} bytes, got {len(pk)}")
    t1 = unpack_bits(pk[32:], Q_BITS - D, p.k * N).reshape(p.k, N)
    return pk[:32], t1


def sk_encode(rho: bytes, key: bytes, tr: bytes, s1: np.ndarray, s2: np.ndarray, t0: np.ndarray,
              p: Params) -> bytes:
    """Algorithm 24."""
    return (bytes(rho) + bytes(key) + bytes(tr) + bit_pack(s1, p.eta, p.eta) + bit_pack(s2, p.eta, p.eta)
            + bit_pack(t0, (1 << (D - 1)) - 1, 1 << (D - 1)))


def sk_decode(sk: bytes, p: Params):
    """Algorithm 25: (ρ, K, tr, s1, s2, t0)."""
    sk = as_bytes(sk, f"{p.name} private key")
    if len(sk) != p.private_key_size:
        raise InvalidEncoding(f"{p.name} private key must be {p.private_key_size} bytes")
    e = 32 * p.eta_bits
    o = 128
    s1 = bit_unpack(sk[o:o + p.l * e], p.eta, p.eta, p.l * N).reshape(p.l, N)
    o += p.l * e
    s2 = bit_unpack(sk[o:o + p.k * e], p.eta, p.eta, p.k * N).reshape(p.k, N)
    o += p.k * e
    t0 = bit_unpack(sk[o:], (1 << (D - 1)) - 1, 1 << (D - 1), p.k * N).reshape(p.k, N)
    return sk[:32], sk[32:64], sk[64:128], s1, s2, t0


def sig_encode(ctilde: bytes, z: np.ndarray, h: np.ndarray, p: Params) -> bytes:
    """Algorithm 26."""
    return bytes(ctilde) + bit_pack(z, p.gamma1 - 1, p.gamma1) + hint_bit_pack(h, p)


def sig_decode(sig: bytes, p: Params) -> tuple[bytes, np.ndarray, np.ndarray] | None:
    """Algorithm 27: (c~, z, h), or None when the length or the hint encoding is wrong."""
    sig = as_bytes(sig, f"{p.name} signature")
    if len(sig) != p.signature_size:
        return None
    c = p.ctilde_bytes
    zlen = 32 * p.l * p.z_bits
    z = bit_unpack(sig[c:c + zlen], p.gamma1 - 1, p.gamma1, p.l * N).reshape(p.l, N)
    h = hint_bit_unpack(sig[c + zlen:], p)
    if h is None:
        return None
    return sig[:c], z, h


def w1_encode(w1: np.ndarray, p: Params) -> bytes:
    """Algorithm 28: the high bits w1 (..., k, 256) as bytes, polynomial after polynomial."""
    return pack_bits(w1, p.w1_bits)


# ---- ML-DSA internals (Algorithms 6–8) ----

def t_from_s(a_hat: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """t = A·s1 + s2 (the full-precision public value, before Power2Round)."""
    return np.mod(intt(mat_vec_ntt(a_hat, ntt(s1))) + s2, Q)


def keygen_internal(xi: bytes, p: Params) -> tuple[bytes, bytes]:
    """Algorithm 6: (pk, sk) from the 32-byte seed ξ."""
    seed = shake256(bytes(xi) + bytes([p.k, p.l]), 128)
    rho, rho_prime, key = seed[:32], seed[32:96], seed[96:]
    s1, s2 = expand_s(rho_prime, p)
    t1, t0 = power2round(t_from_s(expand_a(rho, p), s1, s2))
    pk = pk_encode(rho, t1)
    return pk, sk_encode(rho, key, shake256(pk, 64), s1, s2, t0, p)


def public_from_expanded(sk: bytes, p: Params) -> bytes:
    """The public key of an expanded private key: ρ || t1 with t1 = Power2Round(A·s1 + s2).
    InvalidEncoding when the key's tr is not H(pk) (a corrupted or mismatched key)."""
    rho, _, tr, s1, s2, t0 = sk_decode(sk, p)
    if inf_norm(s1) > p.eta or inf_norm(s2) > p.eta:
        raise InvalidEncoding(f"{p.name} private key: s1 or s2 has coefficients outside [-η, η]")
    t1, t0_computed = power2round(t_from_s(expand_a(rho, p), s1, s2))
    pk = pk_encode(rho, t1)
    if shake256(pk, 64) != bytes(tr) or not np.array_equal(np.mod(t0_computed, Q), t0):
        raise InvalidEncoding(f"{p.name} private key is inconsistent (tr or t0 does not match its s1, s2)")
    return pk


def mu_of(pk: bytes, message_prime: bytes) -> bytes:
    """μ = H(H(pk, 64) || M', 64)."""
    return shake256(shake256(pk, 64) + message_prime, 64)


def challenge(mu: bytes, w1: np.ndarray, p: Params) -> bytes:
    """c~ = H(μ || w1Encode(w1), λ/4)."""
    return shake256(mu + w1_encode(w1, p), p.ctilde_bytes)


def sign_internal(sk: bytes, message_prime: bytes, rnd: bytes, p: Params) -> bytes:
    """Algorithm 7: sign M' (μ = H(tr || M') with tr from the key)."""
    return sign_mu(sk, shake256(sk_decode(sk, p)[2] + bytes(message_prime), 64), rnd, p)


def sign_mu(sk: bytes, mu: bytes, rnd: bytes, p: Params) -> bytes:
    """Algorithm 7 from line 7 on, given μ (the "external μ" of FIPS 204 §6.2): the rejection
    loop of a single signer."""
    if len(mu) != 64 or len(rnd) != 32:
        raise InvalidParameter(f"{p.name}: μ must be 64 bytes and rnd 32 bytes, got {len(mu)} and {len(rnd)}")
    rho, key, tr, s1, s2, t0 = sk_decode(sk, p)
    s1h, s2h, t0h = ntt(s1), ntt(s2), ntt(t0)
    a_hat = expand_a(rho, p)
    mu = bytes(mu)
    rho_pp = shake256(key + bytes(rnd) + mu, 64)
    kappa = 0
    while True:
        y = expand_mask(rho_pp, kappa, p)
        kappa += p.l
        w = intt(mat_vec_ntt(a_hat, ntt(y)))
        w1 = high_bits(w, p.gamma2)
        ctilde = challenge(mu, w1, p)
        ch = ntt(sample_in_ball(ctilde, p.tau))
        cs1 = intt(scale_ntt(ch, s1h))
        cs2 = intt(scale_ntt(ch, s2h))
        z = np.mod(y + cs1, Q)
        r0 = low_bits(w - cs2, p.gamma2)
        if inf_norm(z) >= p.gamma1 - p.beta or np.abs(r0).max() >= p.gamma2 - p.beta:
            continue
        ct0 = intt(scale_ntt(ch, t0h))
        h = make_hint(-ct0, w - cs2 + ct0, p.gamma2)
        if inf_norm(ct0) >= p.gamma2 or h.sum() > p.omega:
            continue
        return sig_encode(ctilde, z, h, p)


def w_approx(a_hat: np.ndarray, t1: np.ndarray, z: np.ndarray, ctilde: bytes, p: Params) -> np.ndarray:
    """A·z - c·t1·2^d: what a verifier recovers w from (Algorithm 8, line 9)."""
    ch = ntt(sample_in_ball(ctilde, p.tau))
    az = mat_vec_ntt(a_hat, ntt(z))
    ct1 = scale_ntt(ch, ntt(np.mod(t1 << D, Q)))
    return intt(np.mod(az - ct1, Q))


def verify_internal(pk: bytes, message_prime: bytes, sig: bytes, p: Params) -> bool:
    """Algorithm 8."""
    return verify_mu(pk, mu_of(pk, message_prime), sig, p)


def verify_mu(pk: bytes, mu: bytes, sig: bytes, p: Params) -> bool:
    """Algorithm 8 given μ = H(H(pk) || M') (external μ); False for a malformed signature."""
    rho, t1 = pk_decode(pk, p)
    if len(mu) != 64:
        raise InvalidParameter(f"{p.name}: μ must be 64 bytes, got {len(mu)}")
    decoded = sig_decode(sig, p)
    if decoded is None:
        return False
    ctilde, z, h = decoded
    if inf_norm(z) >= p.gamma1 - p.beta:
        return False
    w1 = use_hint(h, w_approx(expand_a(rho, p), t1, z, ctilde, p), p.gamma2)
    return challenge(bytes(mu), w1, p) == ctilde
