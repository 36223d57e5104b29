"""Threshold ML-DSA signing (eprint 2026/013): three rounds, K attempts in parallel, and a
combination into one standard FIPS 204 signature.

    round 1  each signer draws K masks y_i (`hyperball`), computes w_i = A·⌊y_i⌉_z + ⌊y_i⌉_e
             and sends a hash of (w_1..w_K)                                     `commit`
    round 2  once it has every quorum member's hash, it reveals (w_1..w_K)
    round 3  once it has every reveal, and each matches its hash, it sums them into w, derives
             c_i = SampleInBall(H(μ ‖ w1Encode(HighBits(w_i)))) per attempt, and answers
             z_i = ⌊y_i⌉_z + c_i·s1 for every attempt whose y_i + c_i·s passes its rejection
             test (s: the share sets this signer adds up for this quorum)        `respond`
    combine  for the first attempt every signer kept: z = Σ z_j; the FIPS 204 checks
             ‖z‖∞ < γ1 - β and ‖f‖∞ < γ2 with f = A·z - c·t1·2^d - w; the hint h = MakeHint(-f, w + f)
             with at most ω ones; then σ = (c~, z, h)                            `combine`

If no attempt survives, the round restarts with fresh masks. The signature verifies under the
FIPS 204 public key with any ML-DSA verifier: A·z - c·t1·2^d = w + f and UseHint recovers
HighBits(w) from it because ‖f‖∞ < γ2.

Blame (see docs/threshold_mldsa.md): a reveal that does not match its hash, or that does not
decode, convicts its author. The paper's ML-DSA scheme does not identify a wrong response; this
kit adds `check_responses`, which a combiner runs when no attempt survives: with the dealer's
public share keys t_u it recomputes each signer's u = w_j - A·z_j + c·Σ t_u (= e_j + c·s2_j for
an honest signer) and checks ‖(z_j/ν, u)‖ ≤ r + the rounding slack — a bound an honest response
always meets, so it never names an honest signer.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ...encoding import as_bytes, lp_bytes
from ...errors import InvalidEncoding, InvalidParameter, NonceReuse, ProtocolAbort, ProtocolError
from ...math.rand import random_bytes
from ...pq import fips204 as F
from ...pq.backend_registry import message_prime
from ...pq.params import MAX_CONTEXT
from . import hyperball, sharing
from .keys import KeyShare, ThresholdPublicKey
from .params import ThresholdParams

COMMITMENT_SIZE = 32
MAX_ROUNDS = 32                          # P(32 failed rounds) ≤ 2^-32 with K chosen for ≥ 1/2 per round
_COMMIT_DOMAIN = b"pqzk/threshold-mldsa/commit/v1"


def mu_for(public_key: bytes, message: bytes, ctx: bytes = b"") -> bytes:
    """μ = H(H(pk) ‖ M') with M' = 0 ‖ |ctx| ‖ ctx ‖ M (FIPS 204 ML-DSA.Sign, pure mode)."""
    message, ctx = as_bytes(message, "message"), as_bytes(ctx, "context")
    if len(ctx) > MAX_CONTEXT:
        raise InvalidParameter(f"context string is {len(ctx)} bytes; FIPS 204 allows at most {MAX_CONTEXT}")
    return F.mu_of(public_key, message_prime(message, ctx, None))


# ---- encodings of what signers send ----

def reveal_size(p: ThresholdParams) -> int:
    """The length of one signer's reveal message."""
    return p.K * p.base.k * F.N * F.Q_BITS // 8


def response_size(p: ThresholdParams, kept: int) -> int:
    """The length of a response that keeps `kept` of the K attempts."""
    return (p.K + 7) // 8 + kept * p.base.l * F.N * p.base.z_bits // 8


def encode_reveal(p: ThresholdParams, w: np.ndarray) -> bytes:
    """A reveal's encoding: the coefficients packed at 23 bits."""
    return F.pack_bits(w, F.Q_BITS)


def decode_reveal(p: ThresholdParams, data: bytes) -> np.ndarray:
    """(K, k, 256) coefficients < q; InvalidEncoding for a wrong length or an unreduced value."""
    data = as_bytes(data, "a reveal")
    if len(data) != reveal_size(p):
        raise InvalidEncoding(f"a reveal is {reveal_size(p)} bytes, got {len(data)}")
    w = F.unpack_bits(data, F.Q_BITS, p.K * p.base.k * F.N)
    if (w >= F.Q).any():
        raise InvalidEncoding("reveal: coefficient not reduced mod q")
    return w.reshape(p.K, p.base.k, F.N)


def encode_response(p: ThresholdParams, kept: np.ndarray, z: np.ndarray) -> bytes:
    """The attempts kept (a K-bit mask, little-endian) and z for each of them, FIPS 204 BitPack."""
    mask = np.packbits(kept.astype(np.uint8), bitorder="little").tobytes()
    b = p.base
    return mask + (F.bit_pack(z[kept], b.gamma1 - 1, b.gamma1) if kept.any() else b"")


def decode_response(p: ThresholdParams, data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(kept mask (K,), z (K, l, 256) canonical mod q, zero where not kept)."""
    data = as_bytes(data, "a response")
    mb = (p.K + 7) // 8
    if len(data) < mb:
        raise InvalidEncoding("response truncated")
    bits = np.unpackbits(np.frombuffer(data[:mb], dtype=np.uint8), bitorder="little")
    if bits[p.K:].any():
        raise InvalidEncoding("response: bits set beyond the K attempts")
    kept = bits[:p.K].astype(bool)
    if len(data) != response_size(p, int(kept.sum())):
        raise InvalidEncoding("response: length does not match the attempts kept")
    b = p.base
    z = np.zeros((p.K, b.l, F.N), dtype=np.int64)
    count = int(kept.sum())
    if count:
        z[kept] = F.bit_unpack(data[mb:], b.gamma1 - 1, b.gamma1, count * b.l * F.N).reshape(count, b.l, F.N)
    return kept, z


def commitment_hash(tr: bytes, party: int, binding: bytes, reveal: bytes) -> bytes:
    """The round 1 message: H(domain ‖ binding ‖ tr ‖ party ‖ w), binding = session and round."""
    return F.shake256(_COMMIT_DOMAIN + lp_bytes(binding, 2) + tr + bytes([party]) + reveal,
                      COMMITMENT_SIZE)


# ---- round 1 ----

class SignerNonce:
    """One signer's secret state between its commitment and its response: the real masks y and
    their rounding. Single use — `respond` consumes it — and never printed."""
    __slots__ = ("params", "party", "binding", "commitment", "reveal", "_y", "_r", "_used")

    def __init__(self, params, party, binding, commitment, reveal, y, r) -> None:
        self.params, self.party, self.binding = params, party, binding
        self.commitment, self.reveal = commitment, reveal
        self._y, self._r, self._used = y, r, False

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        """The masks, once; `NonceReuse` on a second use."""
        if self._used:
            raise NonceReuse(f"signer {self.party}: these masks were already used for a response")
        y, r = self._y, self._r
        self._y = self._r = None
        self._used = True
        return y, r

    @property
    def used(self) -> bool:
        """Whether the masks were taken."""
        return self._used

    def __repr__(self) -> str:
        return f"SignerNonce(party {self.party}, {'used' if self._used else 'unused'}, <redacted>)"

    __str__ = __repr__


def commit(share: KeyShare, binding: bytes, rng: Callable[[int], bytes] | None = None
           ) -> tuple[SignerNonce, bytes, bytes]:
    """Round 1: (secret nonce, commitment hash, reveal) for `binding` (session ‖ round)."""
    p = share.params
    b = p.base
    y = hyperball.sample(p, random_bytes(64, rng), p.K)
    ints = hyperball.round_half_away(y)
    split = b.l * F.N
    r = ints[:, :split].reshape(p.K, b.l, F.N)
    e = ints[:, split:].reshape(p.K, b.k, F.N)
    a_hat = F.expand_a(share.public_key[:32], b)
    w = np.mod(F.intt(F.mat_vec_ntt(a_hat, F.ntt(np.mod(r, F.Q)))) + e, F.Q)
    reveal = encode_reveal(p, w)
    comm = commitment_hash(share.tr, share.party, binding, reveal)
    return SignerNonce(p, share.party, bytes(binding), comm, reveal, y, r), comm, reveal


# ---- round 3 ----

def _decode_reveals(p: ThresholdParams, tr: bytes, binding: bytes, commitments: Mapping[int, bytes],
                    reveals: Mapping[int, bytes]) -> dict[int, np.ndarray]:
    """Every reveal decoded and matched against its author's commitment; a mismatch convicts."""
    out = {}
    for j in sorted(reveals):
        try:
            out[j] = decode_reveal(p, reveals[j])
        except InvalidEncoding as exc:
            raise ProtocolAbort(f"signer {j}'s reveal does not decode ({exc})", culprits=[j]) from None
        if commitment_hash(tr, j, binding, as_bytes(reveals[j], "a reveal")) != commitments[j]:
            raise ProtocolAbort(f"signer {j}'s reveal does not match its commitment", culprits=[j])
    return out


def _sum_reveals(ws: Mapping[int, np.ndarray]) -> np.ndarray:
    return np.mod(sum(ws.values()), F.Q)


def challenges(p: ThresholdParams, mu: bytes, w: np.ndarray) -> tuple[list[bytes], np.ndarray]:
    """c~_i = H(μ ‖ w1Encode(HighBits(w_i))) and NTT(SampleInBall(c~_i)) for every attempt."""
    packed = F.w1_encode(F.high_bits(w, p.base.gamma2), p.base)
    size = len(packed) // len(w)
    ctildes = [F.shake256(mu + packed[i * size:(i + 1) * size], p.base.ctilde_bytes) for i in range(len(w))]
    c = np.stack([F.sample_in_ball(ct, p.base.tau) for ct in ctildes])
    return ctildes, F.ntt(c)


def _check_set(name: str, got: Mapping[int, object], quorum: tuple[int, ...]) -> None:
    if sorted(got) != list(quorum):
        raise InvalidParameter(f"{name} must come from exactly the quorum {list(quorum)}, got {sorted(got)}")


def respond(share: KeyShare, nonce: SignerNonce, quorum: Sequence[int], mu: bytes,
            commitments: Mapping[int, bytes], reveals: Mapping[int, bytes]) -> bytes:
    """Round 3: this signer's response, once every reveal matches its commitment (a reveal that
    does not is a ProtocolAbort naming its author). Consumes the nonce."""
    p = share.params
    b = p.base
    q = sharing.check_quorum(quorum, p.T, p.N)
    if share.party not in q or nonce.party != share.party:
        raise InvalidParameter(f"party {share.party} is not in the quorum or the nonce is another party's")
    _check_set("commitments", commitments, q)
    _check_set("reveals", reveals, q)
    if commitments[share.party] != nonce.commitment or as_bytes(reveals[share.party], "a reveal") != nonce.reveal:
        raise ProtocolError(f"signer {share.party}: the commitment or reveal under its name is not its own")
    ws = _decode_reveals(p, share.tr, nonce.binding, commitments, reveals)
    y, r = nonce.take()
    w = _sum_reveals(ws)
    _, c_hat = challenges(p, mu, w)
    s1h, s2h = share.partial_secret_ntt(sharing.split(q, p.T, p.N)[share.party])
    cs1 = F.centred(F.intt(F.scale_ntt(c_hat, s1h)))
    cs2 = F.centred(F.intt(F.scale_ntt(c_hat, s2h)))
    v = y + np.concatenate([cs1.reshape(p.K, -1), cs2.reshape(p.K, -1)], axis=1)
    kept = hyperball.accepted(p, v)
    z = r + cs1
    # a z outside BitPack's range (-γ1, γ1] is treated as a rejection (probability < 2^-30)
    kept &= (np.abs(z) < b.gamma1).all(axis=(1, 2))
    del y, r, v
    return encode_response(p, kept, np.mod(z, F.Q))


# ---- combine ----

@dataclass(frozen=True)
class Attempt:
    """What became of one of the K attempts in the combination."""
    index: int
    outcome: str                  # "signed", "rejected", "z", "f", "hint", "unused"
    rejected_by: tuple[int, ...] = ()

    def describe(self) -> str:
        """What became of the attempt, in words (which check failed)."""
        return {
            "signed": "all checks pass: this attempt is the signature",
            "rejected": f"rejected by signer(s) {', '.join(map(str, self.rejected_by))} (y + c·s left the ball of radius r)",
            "z": "‖z‖∞ ≥ γ1 - β (the sum of the responses is too large)",
            "f": "‖A·z - c·t1·2^d - w‖∞ ≥ γ2 (a hint could not correct it)",
            "hint": "the hint has more than ω ones",
            "unused": "not needed (an earlier attempt succeeded)",
        }[self.outcome]


@dataclass(frozen=True)
class Combination:
    signature: bytes | None
    attempts: tuple[Attempt, ...]


def _decode_all(p: ThresholdParams, quorum: tuple[int, ...], reveals, responses):
    ws, zs, kept = {}, {}, {}
    for j in quorum:
        try:
            ws[j] = reveals[j] if isinstance(reveals[j], np.ndarray) else decode_reveal(p, reveals[j])
        except InvalidEncoding as exc:
            raise ProtocolAbort(f"signer {j}'s reveal does not decode ({exc})", culprits=[j]) from None
        try:
            kept[j], zs[j] = decode_response(p, responses[j])
        except InvalidEncoding as exc:
            raise ProtocolAbort(f"signer {j}'s response does not decode ({exc})", culprits=[j]) from None
    return ws, zs, kept


def combine(public: ThresholdPublicKey, quorum: Sequence[int], mu: bytes, reveals: Mapping[int, bytes],
            responses: Mapping[int, bytes]) -> Combination:
    """The FIPS 204 signature from the first attempt that passes every check (None if none does).
    Undecodable input is a ProtocolAbort naming its author. Reveals are assumed checked against
    their commitments (the combiner or the signers did that)."""
    p = public.params
    b = p.base
    q = sharing.check_quorum(quorum, p.T, p.N)
    _check_set("reveals", reveals, q)
    _check_set("responses", responses, q)
    ws, zs, kept = _decode_all(p, q, reveals, responses)
    w = _sum_reveals(ws)
    a_hat = F.expand_a(public.rho, b)
    t1_hat = public._cache.get("t1_hat")
    if t1_hat is None:
        t1_hat = public._cache["t1_hat"] = F.ntt(np.mod(public.t1 << F.D, F.Q))
    attempts: list[Attempt] = []
    signature = None
    w1 = F.high_bits(w, b.gamma2)
    for i in range(p.K):
        if signature is not None:
            attempts.append(Attempt(i, "unused"))
            continue
        refused = tuple(j for j in q if not kept[j][i])
        if refused:
            attempts.append(Attempt(i, "rejected", refused))
            continue
        z = F.centred(sum(zs[j][i] for j in q))
        if np.abs(z).max() >= b.gamma1 - b.beta:
            attempts.append(Attempt(i, "z"))
            continue
        ctilde = F.challenge(mu, w1[i], b)
        ch = F.ntt(F.sample_in_ball(ctilde, b.tau))
        w_prime = F.intt(np.mod(F.mat_vec_ntt(a_hat, F.ntt(np.mod(z, F.Q))) - F.scale_ntt(ch, t1_hat), F.Q))
        f = F.centred(w_prime - w[i])
        if np.abs(f).max() >= b.gamma2:
            attempts.append(Attempt(i, "f"))
            continue
        h = F.make_hint(-f, w_prime, b.gamma2)
        if h.sum() > b.omega:
            attempts.append(Attempt(i, "hint"))
            continue
        signature = F.sig_encode(ctilde, z, h, b)
        attempts.append(Attempt(i, "signed"))
    return Combination(signature, tuple(attempts))


def check_responses(public: ThresholdPublicKey, quorum: Sequence[int], mu: bytes, reveals: Mapping[int, bytes],
                    responses: Mapping[int, bytes]) -> dict[int, str]:
    """The signers whose response to some attempt they kept is not of the form an honest signer
    sends (see the module docstring), with why. An honest signer is never listed."""
    p = public.params
    b = p.base
    q = sharing.check_quorum(quorum, p.T, p.N)
    ws, zs, kept = _decode_all(p, q, reveals, responses)
    w = _sum_reveals(ws)
    _, c_hat = challenges(p, mu, w)
    a_hat = F.expand_a(public.rho, b)
    parts = sharing.split(q, p.T, p.N)
    bound = (p.r + p.rounding_slack + 1.0) ** 2
    bad = {}
    for j in q:
        idx = np.flatnonzero(kept[j])
        if not len(idx):
            continue
        t_j = F.ntt(np.mod(sum(public.share_keys[u] for u in parts[j]), F.Q))
        z = zs[j][idx]
        az = F.intt(F.mat_vec_ntt(a_hat, F.ntt(z)))
        ct = F.intt(F.scale_ntt(c_hat[idx], t_j))
        u = F.centred(ws[j][idx] - az + ct)
        norms = hyperball.scaled_norm2(p, np.concatenate([F.centred(z).reshape(len(idx), -1),
                                                          u.reshape(len(idx), -1)], axis=1))
        over = idx[norms > bound]
        if len(over):
            bad[j] = f"its response to attempt {int(over[0])} is not short (not y + c·s for its shares)"
    return bad


# ---- everything in one process ----

@dataclass(frozen=True)
class LocalSigning:
    """An in-process signing: the signature, how many rounds it took, what became of each
    attempt, and the bytes each signer sent (commitment, reveal, response, summed over rounds)."""
    signature: bytes
    rounds: int
    attempts: tuple[tuple[Attempt, ...], ...]
    bytes_sent: Mapping[int, int]

    @property
    def restarts(self) -> int:
        """How many times signing started over."""
        return self.rounds - 1


def sign_local(public: ThresholdPublicKey, shares: Mapping[int, KeyShare], quorum: Sequence[int], message: bytes,
               ctx: bytes = b"", *, rng: Callable[[int], bytes] | None = None,
               max_rounds: int = MAX_ROUNDS) -> LocalSigning:
    """Run the quorum's three rounds and the combination in this process, restarting with fresh
    masks until an attempt succeeds. For tests, benchmarks and examples: the parties share
    nothing but their messages; `pqzk.runtime` runs the same rounds as separate parties."""
    p = public.params
    q = sharing.check_quorum(quorum, p.T, p.N)
    for j in q:
        if j not in shares or shares[j].party != j or shares[j].public_key != public.public_key:
            raise InvalidParameter(f"no key share of this committee for party {j}")
    mu = mu_for(public.public_key, message, ctx)
    sent = {j: 0 for j in q}
    history = []
    for rnd in range(max_rounds):
        binding = random_bytes(16, rng) + rnd.to_bytes(2, "big")
        nonces, comms, revs = {}, {}, {}
        for j in q:
            nonces[j], comms[j], revs[j] = commit(shares[j], binding, rng)
        resps = {j: respond(shares[j], nonces[j], q, mu, comms, revs) for j in q}
        for j in q:
            sent[j] += len(comms[j]) + len(revs[j]) + len(resps[j])
        out = combine(public, q, mu, revs, resps)
        history.append(out.attempts)
        if out.signature is not None:
            return LocalSigning(out.signature, rnd + 1, tuple(history), sent)
    raise ProtocolAbort(f"no attempt succeeded in {max_rounds} rounds")
