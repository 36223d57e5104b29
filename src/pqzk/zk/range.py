"""Bulletproofs range proofs (Bünz et al., S&P 2018), single and aggregated, with batch verification.

The protocol follows dalek-cryptography/bulletproofs' notes (docs/range-proof-protocol.md,
docs/inner-product-protocol.md): Q = w·B for the inner-product argument, folding
a' = u·a_lo + u⁻¹·a_hi, G' = u⁻¹·G_lo + u·G_hi, and verification as ONE multi-scalar
multiplication over A, S, V_j, T_1, T_2, B, B~, G, H, L_j, R_j. Batch verification weights each
proof's equation by a random scalar and sums them, sharing the G, H, B, B~ terms.

Commitments are V_j = v_j·B + γ_j·B~ (see `generators.pedersen_bases`). A proof for m values
of n bits is 4 + 2·log2(n·m) elements and 5 scalars: 672 bytes for one 64-bit value on
ristretto255, 688 on secp256k1 (33-byte elements).

The Fiat–Shamir transcript binds the group, B, B~, a digest of G and H, n, m, the context and
every V_j before A and S.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..groups.base import Element, Group
from ..math.field import batch_inv, powers
from ..math.rand import RandomSource, random_scalar
from .generators import generators_digest, pedersen_bases, pedersen_commit, vector_generators
from .transcript import Transcript, element_bytes, fixed_element_bytes

RANGE_LABEL = b"pqzk/zk/bulletproofs-range-v1"
_G_LABEL, _H_LABEL = b"bulletproofs/G", b"bulletproofs/H"


def _is_pow2(x: int) -> bool:
    return x > 0 and x & (x - 1) == 0


def _check_shape(group: Group, n_bits: int, m: int) -> None:
    if not _is_pow2(n_bits) or n_bits > 128 or (1 << n_bits) >= group.order:
        raise InvalidParameter("n_bits must be a power of two, at most 128")
    if not _is_pow2(m):
        raise InvalidParameter("the number of values must be a power of two (pad with zeros)")


def gens(group: Group, count: int) -> tuple[list[Element], list[Element]]:
    return vector_generators(group, _G_LABEL, count), vector_generators(group, _H_LABEL, count)


# deliberate look-alike of node/committee.py:Committee (duplicates): frozen-dataclass field declarations, no shared
# logic
@dataclass(frozen=True)
class RangeProof:
    """A (possibly aggregated) Bulletproofs range proof."""

    group: Group
    A: Element
    S: Element
    T1: Element
    T2: Element
    t_x: int
    t_x_blinding: int
    e_blinding: int
    L: tuple[Element, ...]
    R: tuple[Element, ...]
    a: int
    b: int

    @cached_property
    def element_encodings(self) -> tuple[bytes, ...]:
        """Encodings of A, S, T1, T2, L_1, R_1, ... (kept from decoding, so the verifier's
        transcript does not re-encode them)."""
        pts = [self.A, self.S, self.T1, self.T2]
        for lj, rj in zip(self.L, self.R):
            pts += [lj, rj]
        return tuple(self.group.encode(p) for p in pts)

    def to_bytes(self) -> bytes:
        """The proof's encoding: its elements, then its five scalars."""
        g = self.group
        return (b"".join(self.element_encodings)
                + b"".join(g.scalar_encode(k) for k in
                           (self.t_x, self.t_x_blinding, self.e_blinding, self.a, self.b)))

    def __len__(self) -> int:
        return (4 + 2 * len(self.L)) * self.group.element_size + 5 * self.group.scalar_size

    @property
    def num_elements(self) -> int:
        """How many group elements the proof holds."""
        return 4 + 2 * len(self.L)

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "RangeProof":
        """Strict: A, S, T1, T2, (L_j, R_j)*, then t_x, t~_x, e~, a, b; canonical encodings."""
        data = as_bytes(data, "range proof")
        E, Sz = group.element_size, group.scalar_size
        rest = len(data) - 4 * E - 5 * Sz
        if rest < 0 or rest % (2 * E) or rest // (2 * E) > 32:
            raise InvalidEncoding(f"range proof has an invalid length ({len(data)} bytes)")
        k = rest // (2 * E)
        encs = [data[i * E:(i + 1) * E] for i in range(4 + 2 * k)]
        pts = [group.decode(e) for e in encs]
        off = (4 + 2 * k) * E
        ks = [group.scalar_decode(data[off + i * Sz:off + (i + 1) * Sz]) for i in range(5)]
        proof = cls(group, pts[0], pts[1], pts[2], pts[3], ks[0], ks[1], ks[2],
                    tuple(pts[4::2]), tuple(pts[5::2]), ks[3], ks[4])
        proof.__dict__["element_encodings"] = tuple(encs)   # strict decoding: canonical bytes
        return proof


def commit(group: Group, value: int, blinding: int) -> Element:
    """Pedersen commitment value·B + blinding·B~ (what range proofs are about)."""
    return pedersen_commit(group, value, blinding)


def _bind(t: Transcript, group: Group, n_bits: int, commitments: Sequence[Element], context: bytes) -> None:
    m = len(commitments)
    B, Bt = pedersen_bases(group)
    t.append_message(b"protocol", RANGE_LABEL)
    t.append_group(group)
    t.append_message(b"B", fixed_element_bytes(group, "pedersen-B", lambda: B))
    t.append_message(b"B~", fixed_element_bytes(group, "pedersen-B~", lambda: Bt))
    t.append_message(b"G,H", generators_digest(group, _G_LABEL, n_bits * m)
                     + generators_digest(group, _H_LABEL, n_bits * m))
    t.append_u64(b"n", n_bits)
    t.append_u64(b"m", m)
    t.append_message(b"context", context)
    t.append_elements(b"V", list(commitments))


def _ip(a: Sequence[int], b: Sequence[int], q: int) -> int:
    return sum(x * y for x, y in zip(a, b)) % q


def prove_range(group: Group, values: Sequence[int], blindings: Sequence[int], n_bits: int = 64, *,
                context: bytes = b"", transcript: Transcript | None = None,
                rng: RandomSource | None = None) -> tuple[RangeProof, list[Element]]:
    """Prove every value is in [0, 2^n_bits); returns the proof and the commitments V_j."""
    q = group.order
    m = len(values)
    _check_shape(group, n_bits, m)
    if len(blindings) != m:
        raise InvalidParameter("one blinding per value")
    for v in values:
        if not isinstance(v, int) or not 0 <= v < (1 << n_bits):
            raise InvalidParameter(f"a value is outside [0, 2^{n_bits})")
    N = n_bits * m
    G, H = gens(group, N)
    B, Bt = pedersen_bases(group)
    V = [pedersen_commit(group, v, gm) for v, gm in zip(values, blindings)]
    t = transcript if transcript is not None else Transcript(RANGE_LABEL)
    _bind(t, group, n_bits, V, context)
    rng = t.witness_rng([group.scalar_encode(x % q) for x in (*values, *blindings)], rng)
    rnd = lambda: random_scalar(q, rng, nonzero=False)  # noqa: E731

    aL = [(v >> i) & 1 for v in values for i in range(n_bits)]
    aR = [(x - 1) % q for x in aL]
    alpha, rho = rnd(), rnd()
    sL = [rnd() for _ in range(N)]
    sR = [rnd() for _ in range(N)]
    A = group.msm([alpha] + aL + aR, [Bt] + G + H)
    S = group.msm([rho] + sL + sR, [Bt] + G + H)
    t.append_element(b"A", A)
    t.append_element(b"S", S)
    y = t.challenge_scalar(b"y", group)
    z = t.challenge_scalar(b"z", group)

    yN = powers(y, N, q)
    two_n = powers(2, n_bits, q)
    zp = powers(z, m + 2, q)
    l0 = [(x - z) % q for x in aL]
    l1 = sL
    r0 = [(yN[i] * (aR[i] + z) + zp[2 + i // n_bits] * two_n[i % n_bits]) % q for i in range(N)]
    r1 = [yN[i] * sR[i] % q for i in range(N)]
    t0 = _ip(l0, r0, q)
    t2 = _ip(l1, r1, q)
    t1 = (_ip([(a + b) % q for a, b in zip(l0, l1)], [(a + b) % q for a, b in zip(r0, r1)], q) - t0 - t2) % q
    tau1, tau2 = rnd(), rnd()
    T1 = group.msm([t1, tau1], [B, Bt])
    T2 = group.msm([t2, tau2], [B, Bt])
    t.append_element(b"T1", T1)
    t.append_element(b"T2", T2)
    x = t.challenge_scalar(b"x", group)

    t_x = (t0 + t1 * x + t2 * x * x) % q
    t_x_blind = (sum(zp[2 + j] * blindings[j] for j in range(m)) + tau1 * x + tau2 * x * x) % q
    e_blind = (alpha + rho * x) % q
    l = [(a + b * x) % q for a, b in zip(l0, l1)]
    r = [(a + b * x) % q for a, b in zip(r0, r1)]
    t.append_scalar(b"t_x", group, t_x)
    t.append_scalar(b"t_x_blinding", group, t_x_blind)
    t.append_scalar(b"e_blinding", group, e_blind)
    w = t.challenge_scalar(b"w", group)
    Q = w * B

    y_inv = pow(y, -1, q)
    ipa = _ipa_prove_direct if _use_direct_ipa(group) else _ipa_prove
    Ls, Rs, a, b = ipa(group, t, Q, G, H, powers(y_inv, N, q), l, r)
    return RangeProof(group, A, S, T1, T2, t_x, t_x_blind, e_blind, tuple(Ls), tuple(Rs), a, b), V


def _ipa_fold(group: Group, t: Transcript, L: Element, R: Element, Ls: list, Rs: list,
              a_lo: list[int], a_hi: list[int], b_lo: list[int], b_hi: list[int]):
    """One round of either prover after its L and R: record them (proof and transcript), draw the
    challenge u and fold the witness; returns (u, u^-1, a', b')."""
    q = group.order
    Ls.append(L)
    Rs.append(R)
    t.append_element(b"L", L)
    t.append_element(b"R", R)
    u = t.challenge_scalar(b"u", group)
    u_inv = pow(u, -1, q)
    return (u, u_inv, [(lo * u + hi * u_inv) % q for lo, hi in zip(a_lo, a_hi)],
            [(lo * u_inv + hi * u) % q for lo, hi in zip(b_lo, b_hi)])


def _ipa_prove(group: Group, t: Transcript, Q: Element, G: list[Element], H: list[Element],
               h_factors: list[int], a: list[int], b: list[int]):
    """Inner-product argument for P = <a,G> + <b,H'> + <a,b>Q with H'_i = h_factors[i]·H_i."""
    q = group.order
    n = len(a)
    Ls, Rs = [], []
    G, H = list(G), list(H)
    hf = list(h_factors)
    while n > 1:
        n2 = n // 2
        a_lo, a_hi, b_lo, b_hi = a[:n2], a[n2:], b[:n2], b[n2:]
        G_lo, G_hi, H_lo, H_hi = G[:n2], G[n2:], H[:n2], H[n2:]
        c_l, c_r = _ip(a_lo, b_hi, q), _ip(a_hi, b_lo, q)
        L = group.msm(a_lo + [b_hi[i] * hf[i] % q for i in range(n2)] + [c_l], G_hi + H_lo + [Q])
        R = group.msm(a_hi + [b_lo[i] * hf[n2 + i] % q for i in range(n2)] + [c_r], G_lo + H_hi + [Q])
        u, u_inv, a, b = _ipa_fold(group, t, L, R, Ls, Rs, a_lo, a_hi, b_lo, b_hi)
        if n2 > 1:   # the folded generators of the last round are never used
            # public: generators and challenges only (the witness a, b stays on the msm path)
            G = [group.msm_vartime([u_inv, u], [G_lo[i], G_hi[i]]) for i in range(n2)]
            H = [group.msm_vartime([u * hf[i] % q, u_inv * hf[n2 + i] % q], [H_lo[i], H_hi[i]])
                 for i in range(n2)]
        hf = [1] * n2
        n = n2
    return Ls, Rs, a[0], b[0]


def _ipa_prove_direct(group: Group, t: Transcript, Q: Element, G: list[Element], H: list[Element],
                      h_factors: list[int], a: list[int], b: list[int]):
    """The same argument (identical output) without folding the generators: each folded
    generator is tracked as scalar coefficients on the original ones, so every L_j, R_j is one MSM
    of n + 1 points. Cheaper than folding when `group.msm` is sub-linear (Pippenger)."""
    q = group.order
    N = n = len(a)
    gc = [1] * N
    hc = [x % q for x in h_factors]
    Ls, Rs = [], []
    while n > 1:
        n2 = n // 2
        a_lo, a_hi, b_lo, b_hi = a[:n2], a[n2:], b[:n2], b[n2:]
        lo = [i for i in range(N) if i % n < n2]
        hi = [i for i in range(N) if i % n >= n2]
        L = group.msm([a_lo[i % n - n2] * gc[i] % q for i in hi] + [b_hi[i % n] * hc[i] % q for i in lo]
                      + [_ip(a_lo, b_hi, q)], [G[i] for i in hi] + [H[i] for i in lo] + [Q])
        R = group.msm([a_hi[i % n] * gc[i] % q for i in lo] + [b_lo[i % n - n2] * hc[i] % q for i in hi]
                      + [_ip(a_hi, b_lo, q)], [G[i] for i in lo] + [H[i] for i in hi] + [Q])
        u, u_inv, a, b = _ipa_fold(group, t, L, R, Ls, Rs, a_lo, a_hi, b_lo, b_hi)
        for i in lo:
            gc[i] = gc[i] * u_inv % q
            hc[i] = hc[i] * u % q
        for i in hi:
            gc[i] = gc[i] * u % q
            hc[i] = hc[i] * u_inv % q
        n = n2
    return Ls, Rs, a[0], b[0]


# "auto" follows the group's declared `msm_is_sublinear` (a Pippenger-style msm beats the
# prover's generator folding; a point-by-point msm does not); "fold" and "direct" force a
# strategy. Proofs are identical either way: this only changes the prover's speed.
IPA_STRATEGY = "auto"


def _use_direct_ipa(group: Group) -> bool:
    if IPA_STRATEGY != "auto":
        return IPA_STRATEGY == "direct"
    return group.msm_is_sublinear


class _Terms:
    """Accumulates one big MSM: shared bases by name, per-proof points appended."""

    def __init__(self, group: Group, N: int) -> None:
        self.q = group.order
        self.g = [0] * N
        self.h = [0] * N
        self.b = 0
        self.bt = 0
        self.scalars: list[int] = []
        self.points: list[Element] = []


def _add_proof_terms(acc: _Terms, group: Group, commitments: Sequence[Element], proof: RangeProof,
                     n_bits: int, t: Transcript, context: bytes, weight: int) -> None:
    """Replays the transcript and adds weight·(equation of this proof) to `acc`."""
    q = group.order
    m = len(commitments)
    _check_shape(group, n_bits, m)
    N = n_bits * m
    k = N.bit_length() - 1
    if not isinstance(proof, RangeProof) or proof.group is not group:
        raise VerificationError("not a range proof in this group")
    if len(proof.L) != k or len(proof.R) != k:
        raise VerificationError(f"range proof has {len(proof.L)} rounds, expected {k}")
    _bind(t, group, n_bits, commitments, context)
    try:    # element_bytes of each, reusing the encodings kept from decoding
        pts = [proof.A, proof.S, proof.T1, proof.T2] + [p for lr in zip(proof.L, proof.R) for p in lr]
        enc = [element_bytes(p) if p.is_identity() else b"\x01" + e
               for p, e in zip(pts, proof.element_encodings)]
    except InvalidEncoding:
        raise VerificationError("range proof holds an element without an encoding") from None
    t.append_message(b"A", enc[0])
    t.append_message(b"S", enc[1])
    y = t.challenge_scalar(b"y", group)
    z = t.challenge_scalar(b"z", group)
    t.append_message(b"T1", enc[2])
    t.append_message(b"T2", enc[3])
    x = t.challenge_scalar(b"x", group)
    t.append_scalar(b"t_x", group, proof.t_x)
    t.append_scalar(b"t_x_blinding", group, proof.t_x_blinding)
    t.append_scalar(b"e_blinding", group, proof.e_blinding)
    w = t.challenge_scalar(b"w", group)
    us = []
    for j in range(k):
        t.append_message(b"L", enc[4 + 2 * j])
        t.append_message(b"R", enc[5 + 2 * j])
        us.append(t.challenge_scalar(b"u", group))
    if any(u == 0 for u in us) or y == 0:
        raise VerificationError("degenerate challenge")
    u_inv = batch_inv(us, q)
    # s_i = Π_j u_j^{±1}, + when bit (k-1-j) of i is set (first round = most significant bit)
    s = [1]
    for u, ui in zip(reversed(us), reversed(u_inv)):
        s = [v * ui % q for v in s] + [v * u % q for v in s]
    c = random_scalar(q, None)          # combines the two equations of this proof
    yinv = pow(y, -1, q)
    y_inv_pows = powers(yinv, N, q)
    yN_sum = sum(powers(y, N, q)) % q
    two_sum = ((1 << n_bits) - 1) % q
    zp = powers(z, m + 3, q)
    delta = ((z - zp[2]) * yN_sum - sum(zp[j + 3] for j in range(m)) * two_sum) % q
    a, b = proof.a, proof.b
    two_n = powers(2, n_bits, q)
    for i in range(N):
        acc.g[i] = (acc.g[i] + weight * (-z - a * s[i])) % q
        hc = z + y_inv_pows[i] * (zp[2 + i // n_bits] * two_n[i % n_bits] - b * s[N - 1 - i])
        acc.h[i] = (acc.h[i] + weight * hc) % q
    acc.b = (acc.b + weight * (w * (proof.t_x - a * b) + c * (delta - proof.t_x))) % q
    acc.bt = (acc.bt + weight * (-proof.e_blinding - c * proof.t_x_blinding)) % q
    pts = [proof.A, proof.S, proof.T1, proof.T2, *commitments, *proof.L, *proof.R]
    sc = [1, x, c * x, c * x * x] + [c * zp[2 + j] for j in range(m)] \
        + [u * u for u in us] + [ui * ui for ui in u_inv]
    acc.scalars += [weight * v % q for v in sc]
    acc.points += pts


def _check(acc: _Terms, group: Group, N: int) -> None:
    G, H = gens(group, N)
    B, Bt = pedersen_bases(group)
    total = group.msm_vartime(acc.g[:N] + acc.h[:N] + [acc.b, acc.bt] + acc.scalars,  # public: proof terms
                              G + H + [B, Bt] + acc.points)
    if not total.is_identity():
        raise VerificationError("range proof does not verify")


def verify_range(group: Group, commitments: Sequence[Element], proof: RangeProof, n_bits: int = 64, *,
                 context: bytes = b"", transcript: Transcript | None = None) -> None:
    """Raise VerificationError unless every commitment opens to a value in [0, 2^n_bits)."""
    N = n_bits * len(commitments)
    acc = _Terms(group, N)
    t = transcript if transcript is not None else Transcript(RANGE_LABEL)
    _add_proof_terms(acc, group, commitments, proof, n_bits, t, context, 1)
    _check(acc, group, N)


@dataclass(frozen=True)
class RangeItem:
    """One proof to batch-verify."""

    commitments: tuple[Element, ...]
    proof: RangeProof
    n_bits: int = 64
    context: bytes = b""


def batch_verify_range(group: Group, items: Sequence[RangeItem]) -> None:
    """Verify many proofs with one MSM (random linear combination of their equations).
    Raises VerificationError if any proof is invalid (without saying which: re-verify singly)."""
    if not items:
        return
    N = max(it.n_bits * len(it.commitments) for it in items)
    acc = _Terms(group, N)
    for it in items:
        weight = 1 if it is items[0] else random_scalar(group.order, None)
        _add_proof_terms(acc, group, it.commitments, it.proof, it.n_bits, Transcript(RANGE_LABEL),
                         it.context, weight)
    _check(acc, group, N)


def range_proof_size(group: Group, n_bits: int = 64, m: int = 1) -> int:
    """Bytes of a proof for m values of n bits: (4 + 2·log2(n·m)) elements + 5 scalars."""
    k = (n_bits * m).bit_length() - 1
    return (4 + 2 * k) * group.element_size + 5 * group.scalar_size


__all__ = ["RangeProof", "RangeItem", "prove_range", "verify_range", "batch_verify_range", "commit",
           "range_proof_size", "RANGE_LABEL"]

