"""Set membership: a Pedersen-committed value C = v·B + r·B~ lies in a public set {w_0, ..., w_{N-1}}.

Two proofs of the same statement "C − w_i·B = r·B~ for some i" (a commitment to zero):

* "or": a CDS OR of N Schnorr proofs (`pqzk.zk.sigma`), 2N scalars; best for small sets.
* "gk": Groth–Kohlweiss one-out-of-many (EUROCRYPT 2015, Fig. 2), logarithmic size: with
  n = ⌈log2 N⌉ (the set is padded to 2^n by repeating its last element), 4n elements and
  3n + 1 scalars. Because the set members are public *scalars*, Σ_i p_i(x)·c_i collapses to
  x^n·C − (Σ_i p_i(x)·w_i)·B, so prover and verifier do O(N) scalar multiplications in Z_q and
  only O(log N) group operations; the verifier checks everything with one MSM.

`prove_membership(..., method="auto")` picks "or" for N ≤ 8 and "gk" above.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..groups.base import Element, Group
from ..math.rand import RandomSource, random_scalar
from .generators import pedersen_bases, pedersen_commit
from .sigma import DLRep, Or, Secret, SigmaProof
from .transcript import Transcript

MEMBERSHIP_LABEL = b"pqzk/zk/membership-v1"
MEMBER_DST = b"PQZK-V01-ZK-SET-MEMBER"
OR_MAX = 8


def member_scalar(group: Group, data: bytes) -> int:
    """Map an opaque identifier (an address, a name) to a scalar set member."""
    return group.hash_to_scalar(bytes(data), MEMBER_DST)


class MemberSet:
    """A public set of scalars, with its digest cached (sets of 2^16 members are hashed once)."""

    def __init__(self, group: Group, members: Sequence[int]) -> None:
        if not members:
            raise InvalidParameter("the set must not be empty")
        q = group.order
        self.group = group
        self.members = tuple(int(w) % q for w in members)

    def __len__(self) -> int:
        return len(self.members)

    @cached_property
    def digest(self) -> bytes:
        h = hashlib.sha256(MEMBERSHIP_LABEL + b"/set" + len(self.members).to_bytes(8, "big"))
        enc = self.group.scalar_encode
        h.update(b"".join(enc(w) for w in self.members))
        return h.digest()

    @cached_property
    def log_size(self) -> int:
        return max(1, (len(self.members) - 1).bit_length())

    @cached_property
    def padded(self) -> tuple[int, ...]:
        n = 1 << self.log_size
        return self.members + (self.members[-1],) * (n - len(self.members))

    def __repr__(self) -> str:
        return f"<MemberSet {self.group.name} N={len(self.members)}>"


# deliberate look-alike of ot/base.py:ReceiverSeeds (duplicates): a repr then field declarations, no shared logic
@dataclass(frozen=True)
class GKProof:
    """Groth–Kohlweiss one-out-of-many proof."""

    group: Group
    c_l: tuple[Element, ...]
    c_a: tuple[Element, ...]
    c_b: tuple[Element, ...]
    c_d: tuple[Element, ...]
    f: tuple[int, ...]
    z_a: tuple[int, ...]
    z_b: tuple[int, ...]
    z_d: int

    def to_bytes(self) -> bytes:
        """The one-out-of-many proof's encoding: its elements, then its scalars."""
        g = self.group
        pts = self.c_l + self.c_a + self.c_b + self.c_d
        return b"".join(g.encode(p) for p in pts) + b"".join(
            g.scalar_encode(k) for k in (*self.f, *self.z_a, *self.z_b, self.z_d))

    @classmethod
    def from_bytes(cls, group: Group, data: bytes, n: int) -> "GKProof":
        """A one-out-of-many proof for a set of `n` members from its encoding, strictly checked."""
        E, S = group.element_size, group.scalar_size
        data = as_bytes(data, "one-out-of-many proof")
        if len(data) != 4 * n * E + (3 * n + 1) * S:
            raise InvalidEncoding("one-out-of-many proof has the wrong length for this set")
        pts = [group.decode(data[i * E:(i + 1) * E]) for i in range(4 * n)]
        off = 4 * n * E
        ks = [group.scalar_decode(data[off + i * S:off + (i + 1) * S]) for i in range(3 * n + 1)]
        return cls(group, tuple(pts[:n]), tuple(pts[n:2 * n]), tuple(pts[2 * n:3 * n]), tuple(pts[3 * n:]),
                   tuple(ks[:n]), tuple(ks[n:2 * n]), tuple(ks[2 * n:3 * n]), ks[3 * n])


@dataclass(frozen=True)
class MembershipProof:
    """method "or" (a SigmaProof) or "gk" (a GKProof); bytes = 1-byte method tag || proof."""

    method: str
    proof: SigmaProof | GKProof

    def to_bytes(self) -> bytes:
        """The proof's encoding: a method byte (OR proof or one-out-of-many), then the proof."""
        return (b"\x01" if self.method == "or" else b"\x02") + self.proof.to_bytes()

    def __len__(self) -> int:
        return len(self.to_bytes())

    @classmethod
    def from_bytes(cls, group: Group, data: bytes, members: MemberSet | Sequence[int]) -> "MembershipProof":
        """A membership proof for the set `members` from its encoding, strictly checked."""
        ms = members if isinstance(members, MemberSet) else MemberSet(group, members)
        data = as_bytes(data, "membership proof")
        if not data:
            raise InvalidEncoding("membership proof is empty")
        if data[0] == 1:
            stmt, _ = _or_statement(group, group.identity(), ms)
            return cls("or", SigmaProof.from_bytes(stmt, data[1:]))
        if data[0] == 2:
            return cls("gk", GKProof.from_bytes(group, data[1:], ms.log_size))
        raise InvalidEncoding("unknown membership proof method tag")


def _transcript(group: Group, C: Element, ms: MemberSet, context: bytes, method: bytes,
                transcript: Transcript | None) -> Transcript:
    t = transcript if transcript is not None else Transcript(MEMBERSHIP_LABEL)
    B, Bt = pedersen_bases(group)
    t.append_message(b"protocol", MEMBERSHIP_LABEL + b"/" + method)
    t.append_group(group)
    t.append_element(b"B", B)
    t.append_element(b"B~", Bt)
    t.append_u64(b"set-size", len(ms))
    t.append_message(b"set-digest", ms.digest)
    t.append_message(b"context", context)
    t.append_element(b"C", C)
    return t


def _or_statement(group: Group, C: Element, ms: MemberSet):
    B, Bt = pedersen_bases(group)
    r = Secret("blinding")
    return Or(*[DLRep(C - w * B, r * Bt) for w in ms.members]), r


# ------------------------------------------------------------------ Groth–Kohlweiss
def _fold_polys(ws: Sequence[int], bits: Sequence[int], a: Sequence[int], q: int) -> list[int]:
    """S(x) = Σ_i w_i Π_j f_{j,bit_j(i)}(x), with f_{j,1} = l_j x + a_j and f_{j,0} = (1 − l_j) x − a_j.

    Folding bit j pairs (v_0, v_1) into f_{j,0}·v_0 + f_{j,1}·v_1 = x·v_{l_j} + a_j·(v_1 − v_0):
    a shift and one scalar product per coefficient, O(N) multiplications in all."""
    v = [[w % q] for w in ws]
    for b, aj in zip(bits, a):
        nxt = []
        for i in range(0, len(v), 2):
            v0, v1 = v[i], v[i + 1]
            sel = v1 if b else v0
            out = [aj * (c1 - c0) % q for c0, c1 in zip(v0, v1)] + [0]
            for k, c in enumerate(sel):
                out[k + 1] = (out[k + 1] + c) % q
            nxt.append(out)
        v = nxt
    return v[0]


def _fold_scalars(ws: Sequence[int], fs: list[tuple[int, int]], q: int) -> int:
    """Σ_i w_i Π_j fs[j][bit_j(i)]. When every f_{j,0} ≠ 0, Π_j f_{j,0} is factored out so each
    fold costs one multiplication per pair: v' = v_0 + (f_{j,1}/f_{j,0})·v_1."""
    v = list(ws)
    if all(f0 for f0, _ in fs):
        scale = 1
        for f0, f1 in fs:
            r = f1 * pow(f0, -1, q) % q
            v = [(v[i] + r * v[i + 1]) % q for i in range(0, len(v), 2)]
            scale = scale * f0 % q
        return v[0] * scale % q
    for f0, f1 in fs:   # a zero f_{j,0} (x = f_j): the plain two-multiplication fold
        v = [(f0 * v[2 * i] + f1 * v[2 * i + 1]) % q for i in range(len(v) // 2)]
    return v[0]


def _gk_prove(group: Group, t: Transcript, C: Element, ms: MemberSet, index: int, r: int,
              rng: RandomSource) -> GKProof:
    q = group.order
    B, Bt = pedersen_bases(group)
    n = ms.log_size
    bits = [(index >> j) & 1 for j in range(n)]
    rnd = lambda: random_scalar(q, rng, nonzero=False)  # noqa: E731
    rj = [rnd() for _ in range(n)]
    aj = [rnd() for _ in range(n)]
    sj = [rnd() for _ in range(n)]
    tj = [rnd() for _ in range(n)]
    rho = [rnd() for _ in range(n)]
    c_l = tuple(group.msm([bits[j], rj[j]], [B, Bt]) for j in range(n))
    c_a = tuple(group.msm([aj[j], sj[j]], [B, Bt]) for j in range(n))
    c_b = tuple(group.msm([bits[j] * aj[j], tj[j]], [B, Bt]) for j in range(n))
    S = _fold_polys(ms.padded, bits, aj, q)        # degree n; Σ_i p_{i,k} = 0 for k < n
    # c_d_k = Σ_i p_{i,k}·(C − w_i·B) + ρ_k·B~ = −S_k·B + ρ_k·B~   (k < n)
    c_d = tuple(group.msm([-S[k] % q, rho[k]], [B, Bt]) for k in range(n))
    for label, pts in ((b"c_l", c_l), (b"c_a", c_a), (b"c_b", c_b), (b"c_d", c_d)):
        t.append_elements(label, pts)
    x = t.challenge_scalar(b"x", group)
    f = tuple((bits[j] * x + aj[j]) % q for j in range(n))
    z_a = tuple((rj[j] * x + sj[j]) % q for j in range(n))
    z_b = tuple((rj[j] * (x - f[j]) + tj[j]) % q for j in range(n))
    z_d = (r * pow(x, n, q) - sum(rho[k] * pow(x, k, q) for k in range(n))) % q
    return GKProof(group, c_l, c_a, c_b, c_d, f, z_a, z_b, z_d)


def _gk_verify(group: Group, t: Transcript, C: Element, ms: MemberSet, p: GKProof) -> None:
    q = group.order
    B, Bt = pedersen_bases(group)
    n = ms.log_size
    if not isinstance(p, GKProof) or p.group is not group or not all(
            len(v) == n for v in (p.c_l, p.c_a, p.c_b, p.c_d, p.f, p.z_a, p.z_b)):
        raise VerificationError("one-out-of-many proof has the wrong shape for this set")
    for label, pts in ((b"c_l", p.c_l), (b"c_a", p.c_a), (b"c_b", p.c_b), (b"c_d", p.c_d)):
        t.append_elements(label, pts)
    x = t.challenge_scalar(b"x", group)
    Sw = _fold_scalars(ms.padded, [((x - p.f[j]) % q, p.f[j]) for j in range(n)], q)
    # one MSM: random weights for the 2n bit equations and the final equation
    wts = [random_scalar(q, None) for _ in range(2 * n)]
    coef_B = coef_Bt = 0
    scalars: list[int] = []
    points: list[Element] = []
    for j in range(n):
        u, v = wts[2 * j], wts[2 * j + 1]
        # u·(x·c_l + c_a − f·B − z_a·B~) + v·((x − f)·c_l + c_b − z_b·B~)
        scalars += [u * x + v * (x - p.f[j]), u, v]
        points += [p.c_l[j], p.c_a[j], p.c_b[j]]
        coef_B -= u * p.f[j]
        coef_Bt -= u * p.z_a[j] + v * p.z_b[j]
    # x^n·C − Sw·B − Σ x^k c_d_k − z_d·B~
    xk = [pow(x, k, q) for k in range(n + 1)]
    scalars += [xk[n]] + [-xk[k] for k in range(n)]
    points += [C, *p.c_d]
    coef_B -= Sw
    coef_Bt -= p.z_d
    total = group.msm_vartime(scalars + [coef_B % q, coef_Bt % q], points + [B, Bt])  # public: proof terms
    if not total.is_identity():
        raise VerificationError("membership proof does not verify")


# ------------------------------------------------------------------ API
def prove_membership(group: Group, value: int, blinding: int, members: MemberSet | Sequence[int], *,
                     context: bytes = b"", method: str = "auto", transcript: Transcript | None = None,
                     rng: RandomSource | None = None) -> tuple[MembershipProof, Element]:
    """Prove C = value·B + blinding·B~ commits to a member of the set; returns (proof, C)."""
    ms = members if isinstance(members, MemberSet) else MemberSet(group, members)
    q = group.order
    v = value % q
    try:
        index = ms.members.index(v)
    except ValueError:
        raise InvalidParameter("the committed value is not in the set") from None
    if method == "auto":
        method = "or" if len(ms) <= OR_MAX else "gk"
    C = pedersen_commit(group, v, blinding)
    t = _transcript(group, C, ms, context, method.encode(), transcript)
    if method == "or":
        stmt, r = _or_statement(group, C, ms)
        return MembershipProof("or", stmt.prove({r: blinding}, transcript=t, rng=rng)), C
    if method == "gk":
        wrng = t.witness_rng([group.scalar_encode(v), group.scalar_encode(blinding % q)], rng)
        return MembershipProof("gk", _gk_prove(group, t, C, ms, index, blinding % q, wrng)), C
    raise InvalidParameter(f"unknown membership method {method!r} (or, gk, auto)")


def verify_membership(group: Group, C: Element, members: MemberSet | Sequence[int], proof: MembershipProof, *,
                      context: bytes = b"", transcript: Transcript | None = None) -> None:
    """Raise VerificationError unless C commits to a member of the set."""
    ms = members if isinstance(members, MemberSet) else MemberSet(group, members)
    if not isinstance(proof, MembershipProof) or proof.method not in ("or", "gk"):
        raise VerificationError("not a membership proof")
    t = _transcript(group, C, ms, context, proof.method.encode(), transcript)
    if proof.method == "or":
        stmt, _ = _or_statement(group, C, ms)
        try:
            stmt.verify(proof.proof, transcript=t)
        except VerificationError:
            raise VerificationError("membership proof does not verify") from None
    else:
        _gk_verify(group, t, C, ms, proof.proof)


def membership_cost(group: Group, set_size: int) -> dict:
    """Size and work of each method for a set of `set_size` members (for reports)."""
    n = max(1, (set_size - 1).bit_length())
    E, S = group.element_size, group.scalar_size
    return {
        "set_size": set_size,
        "or_bytes": 1 + 2 * set_size * S,
        "or_verify_group_ops": f"{set_size} MSMs of 3 points",
        "gk_bytes": 1 + 4 * n * E + (3 * n + 1) * S,
        "gk_elements": 4 * n,
        "gk_scalars": 3 * n + 1,
        "gk_verify": f"one MSM of {3 * n + n + 3} points + {2 ** n} field multiplications",
    }


__all__ = ["MemberSet", "MembershipProof", "GKProof", "prove_membership", "verify_membership",
           "member_scalar", "membership_cost", "MEMBERSHIP_LABEL"]
