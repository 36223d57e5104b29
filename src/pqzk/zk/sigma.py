"""Composable sigma protocols in a small statement language (in the spirit of zksk).

    x, r = Secret("x"), Secret("r")
    stmt = DLRep(Y, x * G) & DLRep(C, x * G + r * H)      # AND: the same x in both
    stmt = DLRep(Y1, x * G) | DLRep(Y2, x * G)             # OR (Cramer–Damgård–Schoenmakers)
    proof = stmt.prove({x: 7, r: 11}, context=b"...")      # non-interactive (Fiat–Shamir)
    stmt.verify(proof, context=b"...")                     # raises VerificationError

A `DLRep(lhs, Σ x_i·P_i)` leaf is a proof of knowledge of a representation of `lhs` in the bases
P_i (Schnorr when there is one term, Okamoto/Pedersen opening with two). A secret used in several
leaves of one AND gets one response, which proves the values equal (DLEQ, linear relations).
OR branches get their own challenges summing to the parent's; the prover simulates the branches
it cannot prove, so OR uses the simulators. A secret may appear in several branches of one OR
(each branch then proves its own knowledge), but never across an OR boundary otherwise: equality
across OR branches is not provable this way, and such a statement is refused.

Commit: T = Σ k_i·P_i; response s_i = k_i + c·x_i; check Σ s_i·P_i = T + c·lhs. The proof is
(challenge, OR sub-challenges, responses); the verifier recomputes T and the challenge. The
transcript binds the group, every base and public value and the context before any T
(see `pqzk.zk.transcript`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..encoding import as_bytes, lp_bytes, u32_bytes
from ..errors import InvalidEncoding, InvalidParameter, ProtocolError, VerificationError
from ..groups.base import Element, Group
from ..math.rand import RandomSource, random_scalar
from .transcript import Transcript, element_bytes

SIGMA_LABEL = b"pqzk/zk/sigma-v1"


# --------------------------------------------------------------------------- the language
class Secret:
    """A named unknown of a statement. Holds no value: values go in the witness mapping."""

    __slots__ = ("name",)

    def __init__(self, name: str = "x") -> None:
        self.name = name

    def __mul__(self, point: Element) -> "Expr":
        if not isinstance(point, Element):
            return NotImplemented
        return Expr(((self, point),))

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"Secret({self.name!r})"


@dataclass(frozen=True)
class Expr:
    """Σ secret_i · P_i (a linear form in the secrets, with public bases)."""

    terms: tuple[tuple[Secret, Element], ...]

    def __add__(self, other: "Expr") -> "Expr":
        if not isinstance(other, Expr):
            return NotImplemented
        return Expr(self.terms + other.terms)


class Statement:
    """Base of DLRep, And, Or: combine with `&` and `|`."""

    def __and__(self, other: "Statement") -> "And":
        return And(self, other)

    def __or__(self, other: "Statement") -> "Or":
        return Or(self, other)

    # ---- non-interactive ----
    def prove(self, witness: Mapping[Secret, int], *, context: bytes = b"",
              transcript: Transcript | None = None, rng: RandomSource | None = None) -> "SigmaProof":
        """Fiat–Shamir proof. With `transcript`, the proof continues it (for composition)."""
        return _prove(_compile(self), witness, context, transcript, rng)

    def verify(self, proof: "SigmaProof", *, context: bytes = b"",
               transcript: Transcript | None = None) -> None:
        """Verify a non-interactive proof of this statement (Fiat–Shamir, bound to `context`); raises
        `VerificationError`."""
        _verify(_compile(self), proof, context, transcript)

    def is_valid(self, proof: "SigmaProof", *, context: bytes = b"") -> bool:
        """Whether a proof verifies: `verify` as a boolean."""
        try:
            self.verify(proof, context=context)
        except VerificationError:
            return False
        return True

    def proof_from_bytes(self, data: bytes) -> "SigmaProof":
        """A proof of this statement from its encoding."""
        return SigmaProof.from_bytes(self, data)

    # ---- interactive (teaching) ----
    def prover(self, witness: Mapping[Secret, int], *, rng: RandomSource | None = None) -> "InteractiveProver":
        """The prover's side of an interactive run, with the witness."""
        return InteractiveProver(self, witness, rng)

    def verifier(self, *, rng: RandomSource | None = None) -> "InteractiveVerifier":
        """The verifier's side of an interactive run."""
        return InteractiveVerifier(self, rng)

    def simulate(self, challenge: int | None = None, *,
                 rng: RandomSource | None = None) -> "SigmaTranscript":
        """An accepting (commitments, challenge, response) made without any witness (HVZK)."""
        c = _compile(self)
        e = random_scalar(c.group.order, rng, nonzero=False) if challenge is None else challenge % c.group.order
        st = _ProverState(c, {}, rng)
        st.commit(c.root, e)
        return SigmaTranscript(tuple(st.commitments), e, st.response(e))


class DLRep(Statement):
    """lhs = Σ x_i·P_i: knowledge of a representation of lhs in the bases P_i."""

    def __init__(self, lhs: Element, expr: Expr | Secret) -> None:
        if isinstance(expr, Secret):
            raise InvalidParameter("DLRep needs secret * base, not a bare Secret")
        if not isinstance(lhs, Element) or not isinstance(expr, Expr) or not expr.terms:
            raise InvalidParameter("DLRep(lhs: Element, expr: Secret * Element + ...)")
        self.lhs = lhs
        self.expr = expr

    def __repr__(self) -> str:
        rhs = " + ".join(f"{s.name}*{p!r}" for s, p in self.expr.terms)
        return f"DLRep({self.lhs!r} = {rhs})"


class _Composite(Statement):
    """A conjunction or disjunction: nested ones of the same kind are flattened into one."""
    _symbol = ""

    def __init__(self, *children: Statement) -> None:
        if len(children) < 1 or not all(isinstance(c, Statement) for c in children):
            raise InvalidParameter(f"{type(self).__name__} needs statements")
        flat: list[Statement] = []
        for ch in children:
            flat.extend(ch.children if isinstance(ch, type(self)) else (ch,))
        self.children = tuple(flat)

    def __repr__(self) -> str:
        return "(" + f" {self._symbol} ".join(map(repr, self.children)) + ")"


class And(_Composite):
    """All of the children hold."""
    _symbol = "&"


class Or(_Composite):
    """At least one of the children holds (which one stays hidden)."""
    _symbol = "|"


# ---- common statements ----
def schnorr(Y: Element, x: Secret, base: Element | None = None) -> DLRep:
    """Knowledge of x with Y = x·base (base defaults to the group generator)."""
    return DLRep(Y, x * (base if base is not None else Y.group.generator()))


def pedersen_opening(C: Element, v: Secret, r: Secret, G: Element, H: Element) -> DLRep:
    """Knowledge of an opening (v, r) of C = v·G + r·H (Okamoto)."""
    return DLRep(C, v * G + r * H)


def dleq(Y1: Element, G1: Element, Y2: Element, G2: Element, x: Secret) -> And:
    """Chaum–Pedersen: log_G1 Y1 = log_G2 Y2 = x."""
    return DLRep(Y1, x * G1) & DLRep(Y2, x * G2)


def linear_relation(coefficients: Mapping[Secret, int], constant: int, group: Group,
                    base: Element | None = None) -> DLRep:
    """Σ a_i·x_i = constant (mod order) for public a_i: as DLRep(constant·G, Σ x_i·(a_i·G)).
    AND it with other statements sharing the secrets to relate their values."""
    G = base if base is not None else group.generator()
    terms = Expr(tuple((s, (a % group.order) * G) for s, a in coefficients.items()))
    return DLRep((constant % group.order) * G, terms)


# --------------------------------------------------------------------------- compiled form
@dataclass
class _Node:
    kind: str                       # "leaf" | "and" | "or"
    scope: int
    children: list["_Node"] = field(default_factory=list)
    scope_root: bool = False
    lhs: Element | None = None
    slots: list[int] = field(default_factory=list)     # leaf: index into scope secrets
    points: list[Element] = field(default_factory=list)
    gids: list[int] = field(default_factory=list)      # leaf: global secret numbers
    or_id: int = -1
    leaf_id: int = -1


@dataclass
class _Compiled:
    group: Group
    root: _Node
    scopes: list[list[Secret]]
    n_leaves: int
    or_arity: list[int]
    description: bytes = b""

    @property
    def n_responses(self) -> int:
        return sum(len(s) for s in self.scopes)

    @property
    def n_or_challenges(self) -> int:
        return sum(k - 1 for k in self.or_arity)


def _compile(stmt: Statement) -> _Compiled:
    if not isinstance(stmt, Statement):
        raise InvalidParameter("expected a Statement")
    scopes: list[list[Secret]] = []
    secret_scopes: dict[Secret, list[tuple[int, int]]] = {}   # secret -> [(scope, or_id of branch)]
    gid: dict[Secret, int] = {}
    or_arity: list[int] = []
    counters = {"leaf": 0}
    groups: set[str] = set()
    group_obj: list[Group] = []
    desc: list[bytes] = []

    def new_scope() -> int:
        scopes.append([])
        return len(scopes) - 1

    def build(s: Statement, scope: int, branch_of: int) -> _Node:
        if isinstance(s, DLRep):
            node = _Node("leaf", scope, lhs=s.lhs, leaf_id=counters["leaf"])
            counters["leaf"] += 1
            for p in [s.lhs] + [pt for _, pt in s.expr.terms]:
                groups.add(p.group.name)
                if not group_obj:
                    group_obj.append(p.group)
            desc.append(b"L" + u32_bytes(len(s.expr.terms)))
            desc.append(_eb(s.lhs))
            for sec, pt in s.expr.terms:
                if sec not in gid:
                    gid[sec] = len(gid)
                if sec not in scopes[scope]:
                    scopes[scope].append(sec)
                    secret_scopes.setdefault(sec, []).append((scope, branch_of))
                node.slots.append(scopes[scope].index(sec))
                node.points.append(pt)
                node.gids.append(gid[sec])
                desc.append(u32_bytes(gid[sec]) + _eb(pt))
            return node
        if isinstance(s, And):
            desc.append(b"A" + u32_bytes(len(s.children)))
            node = _Node("and", scope)
            node.children = [build(ch, scope, branch_of) for ch in s.children]
            return node
        if isinstance(s, Or):
            desc.append(b"O" + u32_bytes(len(s.children)))
            node = _Node("or", scope, or_id=len(or_arity))
            or_arity.append(len(s.children))
            for ch in s.children:
                child = build(ch, new_scope(), node.or_id)
                child.scope_root = True
                node.children.append(child)
            return node
        raise InvalidParameter(f"not a statement: {type(s).__name__}")

    root = build(stmt, new_scope(), -1)
    root.scope_root = True
    if len(groups) != 1:
        raise InvalidParameter(f"a statement must live in one group, got {sorted(groups)}")
    for sec, places in secret_scopes.items():
        if len(places) > 1 and (len({b for _, b in places}) != 1 or places[0][1] == -1):
            raise InvalidParameter(
                f"secret {sec.name!r} is used across an OR boundary; equality across OR "
                "branches cannot be proven with a sigma protocol")
    group = group_obj[0]
    return _Compiled(group, root, scopes, counters["leaf"], or_arity, b"".join(desc))


def _eb(p: Element) -> bytes:
    return lp_bytes(element_bytes(p), 2)


def _bind(c: _Compiled, t: Transcript, context: bytes) -> None:
    """Bind everything the verifier checks against, before any commitment."""
    t.append_message(b"protocol", SIGMA_LABEL)
    t.append_group(c.group)
    t.append_message(b"context", context)
    t.append_message(b"statement", c.description)


# --------------------------------------------------------------------------- proofs
@dataclass(frozen=True)
class SigmaResponse:
    """The prover's last message: OR sub-challenges (all but the last of each OR) and responses."""

    or_challenges: tuple[int, ...]
    responses: tuple[int, ...]


@dataclass(frozen=True)
class SigmaTranscript:
    """(commitments, challenge, response) of one run; what a simulator produces."""

    commitments: tuple[Element, ...]
    challenge: int
    response: SigmaResponse


# deliberate look-alike of node/committee.py:Committee (duplicates): frozen-dataclass field declarations, no shared
# logic
@dataclass(frozen=True)
class SigmaProof:
    """Non-interactive proof: challenge || OR sub-challenges || responses (scalars)."""

    group: Group
    challenge: int
    or_challenges: tuple[int, ...]
    responses: tuple[int, ...]

    def to_bytes(self) -> bytes:
        """The proof's encoding: challenge, OR challenges and responses as scalars."""
        g = self.group
        return b"".join(g.scalar_encode(k) for k in (self.challenge, *self.or_challenges, *self.responses))

    def __len__(self) -> int:
        return (1 + len(self.or_challenges) + len(self.responses)) * self.group.scalar_size

    @classmethod
    def from_bytes(cls, statement: Statement, data: bytes) -> "SigmaProof":
        """A proof of `statement` from its encoding (its length fixed by the statement), strictly checked."""
        c = _compile(statement)
        g = c.group
        n = 1 + c.n_or_challenges + c.n_responses
        data = as_bytes(data, "sigma proof")
        if len(data) != n * g.scalar_size:
            raise InvalidEncoding(f"sigma proof must be {n * g.scalar_size} bytes, got {len(data)}")
        ks = [g.scalar_decode(data[i * g.scalar_size:(i + 1) * g.scalar_size]) for i in range(n)]
        return cls(g, ks[0], tuple(ks[1:1 + c.n_or_challenges]), tuple(ks[1 + c.n_or_challenges:]))


class _ProverState:
    """One run of the prover over a compiled statement (secret: nonces and witness)."""

    def __init__(self, c: _Compiled, witness: Mapping[Secret, int], rng: RandomSource | None) -> None:
        self.c = c
        self.q = c.group.order
        self.w = {s: int(v) % self.q for s, v in witness.items()}
        self.rng = rng
        self.commitments: list[Element] = [None] * c.n_leaves  # type: ignore[list-item]
        self.real: dict[int, bool] = {}
        self.nonces: dict[int, list[int]] = {}
        self.resp: dict[int, list[int]] = {}
        self.scope_c: dict[int, int] = {}
        self.or_c: dict[int, list[int]] = {}
        self.or_real: dict[int, int] = {}

    def __repr__(self) -> str:
        return "<sigma prover state redacted>"

    def holds(self, n: _Node) -> bool:
        if n.kind == "leaf":
            secrets = self.c.scopes[n.scope]
            if any(secrets[i] not in self.w for i in n.slots):
                return False
            return self.c.group.msm([self.w[secrets[i]] for i in n.slots], n.points) == n.lhs
        if n.kind == "and":
            return all(self.holds(ch) for ch in n.children)
        return any(self.holds(ch) for ch in n.children)

    def _rand(self) -> int:
        return random_scalar(self.q, self.rng, nonzero=False)

    def commit(self, n: _Node, sim_c: int | None) -> None:
        g = self.c.group
        if n.scope_root:
            k = len(self.c.scopes[n.scope])
            self.real[n.scope] = sim_c is None
            if sim_c is None:
                self.nonces[n.scope] = [self._rand() for _ in range(k)]
            else:
                self.resp[n.scope] = [self._rand() for _ in range(k)]
                self.scope_c[n.scope] = sim_c
        if n.kind == "leaf":
            if sim_c is None:
                ks = self.nonces[n.scope]
                self.commitments[n.leaf_id] = g.msm([ks[i] for i in n.slots], n.points)
            else:
                ss = self.resp[n.scope]
                self.commitments[n.leaf_id] = g.msm([ss[i] for i in n.slots] + [-sim_c], n.points + [n.lhs])
        elif n.kind == "and":
            for ch in n.children:
                self.commit(ch, sim_c)
        else:
            k = len(n.children)
            if sim_c is None:
                real = next((j for j, ch in enumerate(n.children) if self.holds(ch)), None)
                if real is None:
                    raise InvalidParameter("the witness satisfies no branch of an OR")
                cs = [0 if j == real else self._rand() for j in range(k)]
                self.or_real[n.or_id] = real
                for j, ch in enumerate(n.children):
                    self.commit(ch, None if j == real else cs[j])
            else:
                cs = [self._rand() for _ in range(k - 1)]
                cs.append((sim_c - sum(cs)) % self.q)
                for j, ch in enumerate(n.children):
                    self.commit(ch, cs[j])
            self.or_c[n.or_id] = cs

    def _assign(self, n: _Node, c: int) -> None:
        if n.scope_root and self.real.get(n.scope):
            self.scope_c[n.scope] = c
        if n.kind == "and":
            for ch in n.children:
                self._assign(ch, c)
        elif n.kind == "or":
            cs = self.or_c[n.or_id]
            if n.or_id in self.or_real:
                r = self.or_real[n.or_id]
                cs[r] = (c - sum(x for j, x in enumerate(cs) if j != r)) % self.q
            for ch, cj in zip(n.children, cs):
                self._assign(ch, cj)

    def response(self, e: int) -> SigmaResponse:
        self._assign(self.c.root, e % self.q)
        for sc, is_real in self.real.items():
            if is_real:
                c = self.scope_c[sc]
                self.resp[sc] = [(k + c * self.w[s]) % self.q
                                 for k, s in zip(self.nonces[sc], self.c.scopes[sc])]
        or_cs = tuple(x for i in range(len(self.c.or_arity)) for x in self.or_c[i][:-1])
        resp = tuple(x for sc in range(len(self.c.scopes)) for x in self.resp.get(sc, []))
        return SigmaResponse(or_cs, resp)


def _recompute(c: _Compiled, e: int, r: SigmaResponse) -> list[Element]:
    """Commitments implied by (challenge, response): T = Σ s_i·P_i − c·lhs."""
    g, q = c.group, c.group.order
    if len(r.or_challenges) != c.n_or_challenges or len(r.responses) != c.n_responses:
        raise VerificationError("sigma response has the wrong shape for this statement")
    offs, acc = [], 0
    for s in c.scopes:
        offs.append(acc)
        acc += len(s)
    out: list[Element] = [None] * c.n_leaves  # type: ignore[list-item]
    or_offs, acc = [], 0
    for k in c.or_arity:
        or_offs.append(acc)
        acc += k - 1

    def walk(n: _Node, ch: int) -> None:
        if n.kind == "leaf":
            ss = [r.responses[offs[n.scope] + i] for i in n.slots]
            out[n.leaf_id] = g.msm_vartime(ss + [(-ch) % q], n.points + [n.lhs])  # public: the proof
        elif n.kind == "and":
            for x in n.children:
                walk(x, ch)
        else:
            k = len(n.children)
            cs = list(r.or_challenges[or_offs[n.or_id]:or_offs[n.or_id] + k - 1])
            cs.append((ch - sum(cs)) % q)
            for x, cj in zip(n.children, cs):
                walk(x, cj)

    walk(c.root, e % q)
    return out


def _prove(c: _Compiled, witness: Mapping[Secret, int], context: bytes,
           transcript: Transcript | None, rng: RandomSource | None) -> SigmaProof:
    st = _ProverState(c, witness, rng)
    if not st.holds(c.root):
        raise InvalidParameter("the witness does not satisfy the statement")
    t = transcript if transcript is not None else Transcript(SIGMA_LABEL)
    _bind(c, t, context)
    # hedged nonces: keyed by the statement, the witness and fresh randomness
    st.rng = t.witness_rng([c.group.scalar_encode(v) for v in st.w.values()], rng)
    st.commit(c.root, None)
    t.append_elements(b"commitments", st.commitments)
    e = t.challenge_scalar(b"challenge", c.group)
    r = st.response(e)
    return SigmaProof(c.group, e, r.or_challenges, r.responses)


def _verify(c: _Compiled, proof: SigmaProof, context: bytes, transcript: Transcript | None) -> None:
    if not isinstance(proof, SigmaProof) or proof.group is not c.group:
        raise VerificationError("not a sigma proof for this statement's group")
    T = _recompute(c, proof.challenge, SigmaResponse(proof.or_challenges, proof.responses))
    t = transcript if transcript is not None else Transcript(SIGMA_LABEL)
    _bind(c, t, context)
    t.append_elements(b"commitments", T)
    if t.challenge_scalar(b"challenge", c.group) != proof.challenge:
        raise VerificationError("sigma proof does not verify")


# --------------------------------------------------------------------------- interactive
class InteractiveProver:
    """Prover side of the 3-move protocol: commit() -> commitments; respond(challenge) -> response."""

    def __init__(self, statement: Statement, witness: Mapping[Secret, int], rng: RandomSource | None) -> None:
        self._c = _compile(statement)
        self._st = _ProverState(self._c, witness, rng)
        if not self._st.holds(self._c.root):
            raise InvalidParameter("the witness does not satisfy the statement")
        self._phase = "commit"

    def commit(self) -> tuple[Element, ...]:
        """The prover's first message; `ProtocolError` if called twice."""
        if self._phase != "commit":
            raise ProtocolError("commit() called twice")
        self._st.commit(self._c.root, None)
        self._phase = "respond"
        return tuple(self._st.commitments)

    def respond(self, challenge: int) -> SigmaResponse:
        """The response to the verifier's challenge; once only (a second response would leak the witness)."""
        if self._phase != "respond":
            raise ProtocolError("respond() needs exactly one commit() first")
        self._phase = "done"   # a second response to another challenge would leak the witness
        return self._st.response(challenge)

    def __repr__(self) -> str:
        return f"<InteractiveProver phase={self._phase}>"


class InteractiveVerifier:
    """Verifier side: challenge(commitments) -> random challenge; check(response) raises."""

    def __init__(self, statement: Statement, rng: RandomSource | None = None) -> None:
        self._c = _compile(statement)
        self._rng = rng
        self._commitments: tuple[Element, ...] | None = None
        self._e: int | None = None

    def challenge(self, commitments: Sequence[Element]) -> int:
        """A random challenge for the prover's commitments; once only."""
        if self._e is not None:
            raise ProtocolError("challenge already issued")
        if len(commitments) != self._c.n_leaves:
            raise VerificationError("wrong number of commitments")
        self._commitments = tuple(commitments)
        self._e = random_scalar(self._c.group.order, self._rng, nonzero=False)
        return self._e

    def check(self, response: SigmaResponse) -> None:
        """Check the prover's response; raises `VerificationError`."""
        if self._e is None or self._commitments is None:
            raise ProtocolError("check() before challenge()")
        check_transcript(self._c, SigmaTranscript(self._commitments, self._e, response))


def check_transcript(statement: Statement | _Compiled, tr: SigmaTranscript) -> None:
    """Accept or reject a (commitments, challenge, response) triple (raises VerificationError)."""
    c = statement if isinstance(statement, _Compiled) else _compile(statement)
    if len(tr.commitments) != c.n_leaves:
        raise VerificationError("wrong number of commitments")
    T = _recompute(c, tr.challenge, tr.response)
    if any(a != b for a, b in zip(T, tr.commitments)):
        raise VerificationError("sigma transcript does not verify")


__all__ = [
    "Secret", "Expr", "Statement", "DLRep", "And", "Or", "schnorr", "pedersen_opening", "dleq",
    "linear_relation", "SigmaProof", "SigmaResponse", "SigmaTranscript", "InteractiveProver",
    "InteractiveVerifier", "check_transcript", "SIGMA_LABEL",
]
