"""Policy-compliance proofs for a transaction committed with Pedersen commitments.

A transaction's amount, recipient and time are committed as C = v·B + r·B~ (recipient as
`member_scalar(recipient)`). Without opening them, the prover shows

    amount ≤ policy.limit,   recipient ∈ policy.whitelist,   time ≥ policy.unlock_time,

bound to the transaction digest and the policy (its id and every parameter). The verifier learns
only that the policy holds (and the public policy). One aggregated Bulletproof (m = 4, n bits)
covers amount, limit − amount, time and time − unlock (each in [0, 2^n), which makes both
inequalities hold over the integers), and a membership proof covers the recipient. Both run in one
Fiat–Shamir transcript.

    policy = CompliancePolicy(b"treasury-v3", limit=10_000, whitelist=(b"acme", b"globex"), unlock_time=T0)
    commitments, opening = commit_transaction(policy, amount=500, recipient=b"acme", time=T1)
    proof = prove_compliance(policy, commitments, opening, tx_digest)
    verify_compliance(policy, commitments, tx_digest, proof)      # raises VerificationError
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, VerificationError
from ..groups import get_group
from ..groups.base import Element, Group
from ..math.rand import RandomSource, random_scalar
from .generators import pedersen_bases, pedersen_commit
from .membership import MemberSet, MembershipProof, member_scalar, prove_membership, verify_membership
from .range import RangeProof, prove_range, range_proof_size, verify_range
from .transcript import Transcript

COMPLIANCE_LABEL = b"pqzk/zk/compliance-v1"

# The statement's clauses, named as a refusal by `check_policy` names them: snake_case, like the
# custody policy's rules (`pqzk.policy.rules` names the clause that carries each of its rules to a
# private request). Only refusals carry these names; no proof or encoding does.
AMOUNT_LIMIT, RECIPIENT_WHITELIST, UNLOCK_TIME = "amount_limit", "recipient_whitelist", "unlock_time"
CLAUSES = (AMOUNT_LIMIT, RECIPIENT_WHITELIST, UNLOCK_TIME)


@dataclass(frozen=True)
class CompliancePolicy:
    """Public policy: amount ≤ limit, recipient on the whitelist, time ≥ unlock_time.

    Amounts and times are unsigned `bits`-bit integers (bits a power of two, default 64)."""

    policy_id: bytes
    limit: int
    whitelist: tuple[bytes, ...]
    unlock_time: int
    group_name: str = "secp256k1"
    bits: int = 64

    def __post_init__(self) -> None:
        object.__setattr__(self, "whitelist", tuple(bytes(w) for w in self.whitelist))
        if not isinstance(self.policy_id, (bytes, bytearray)) or not self.policy_id:
            raise InvalidParameter("policy_id must be non-empty bytes")
        if not self.whitelist:
            raise InvalidParameter("the whitelist must not be empty")
        for name, v in (("limit", self.limit), ("unlock_time", self.unlock_time)):
            if not isinstance(v, int) or not 0 <= v < (1 << self.bits):
                raise InvalidParameter(f"{name} must be an integer in [0, 2^{self.bits})")

    @property
    def group(self) -> Group:
        """The group the commitments and proofs live in."""
        return get_group(self.group_name)

    @cached_property
    def members(self) -> MemberSet:
        g = self.group
        return MemberSet(g, [member_scalar(g, w) for w in self.whitelist])

    @cached_property
    def digest(self) -> bytes:
        """SHA-256 over every parameter (what a proof is bound to)."""
        h = hashlib.sha256(COMPLIANCE_LABEL + b"/policy")
        for part in (self.policy_id, self.group_name.encode(), self.bits.to_bytes(2, "big"),
                     self.limit.to_bytes(16, "big"), self.unlock_time.to_bytes(16, "big"),
                     self.members.digest):
            h.update(len(part).to_bytes(4, "big") + part)
        return h.digest()


# deliberate look-alike of dkg/pedersen.py:Round2Package, sharing/vss.py:PedersenShare (duplicates): frozen-
# dataclass field declarations, no shared logic
@dataclass(frozen=True)
class TransactionCommitments:
    """The public, committed transaction: amount, recipient and time commitments."""

    amount: Element
    recipient: Element
    time: Element

    def to_bytes(self) -> bytes:
        """The three commitments (amount, recipient, time), encoded one after the other."""
        return self.amount.to_bytes() + self.recipient.to_bytes() + self.time.to_bytes()

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "TransactionCommitments":
        """The commitments from their encoding, each element strictly decoded."""
        E = group.element_size
        data = as_bytes(data, "transaction commitments")
        if len(data) != 3 * E:
            raise InvalidEncoding(f"transaction commitments must be {3 * E} bytes, got {len(data)}")
        return cls(*(group.decode(data[i * E:(i + 1) * E]) for i in range(3)))


@dataclass(frozen=True)
class TransactionOpening:
    """The prover's secrets: values and blindings. Redacted repr."""

    amount: int
    recipient: bytes
    time: int
    amount_blinding: int
    recipient_blinding: int
    time_blinding: int

    def __repr__(self) -> str:
        return "TransactionOpening(<redacted>)"

    __str__ = __repr__


def commit_transaction(policy: CompliancePolicy, amount: int, recipient: bytes, time: int, *,
                       rng: RandomSource | None = None) -> tuple[TransactionCommitments, TransactionOpening]:
    """Commit to a transaction in the policy's group with fresh blindings."""
    g = policy.group
    q = g.order
    for name, v in (("amount", amount), ("time", time)):
        if not isinstance(v, int) or v < 0:
            raise InvalidParameter(f"{name} must be a non-negative integer")
    op = TransactionOpening(amount, bytes(recipient), time, random_scalar(q, rng),
                            random_scalar(q, rng), random_scalar(q, rng))
    return opening_commitments(policy, op), op


def opening_commitments(policy: CompliancePolicy, op: TransactionOpening) -> TransactionCommitments:
    """The Pedersen commitments an opening opens (what the prover publishes)."""
    g = policy.group
    return TransactionCommitments(pedersen_commit(g, op.amount, op.amount_blinding),
                                  pedersen_commit(g, member_scalar(g, op.recipient), op.recipient_blinding),
                                  pedersen_commit(g, op.time, op.time_blinding))


@dataclass(frozen=True)
class ComplianceProof:
    """An aggregated range proof (4 values) followed by a membership proof."""

    range_proof: RangeProof
    membership: MembershipProof

    def to_bytes(self) -> bytes:
        """The proof's encoding: the range proof, then the membership proof."""
        return self.range_proof.to_bytes() + self.membership.to_bytes()

    def __len__(self) -> int:
        return len(self.to_bytes())

    @classmethod
    def from_bytes(cls, policy: CompliancePolicy, data: bytes) -> "ComplianceProof":
        """A compliance proof for `policy` from its encoding, strictly checked."""
        g = policy.group
        data = as_bytes(data, "compliance proof")
        k = range_proof_size(g, policy.bits, 4)
        if len(data) <= k:
            raise InvalidEncoding("compliance proof is too short")
        return cls(RangeProof.from_bytes(g, data[:k]), MembershipProof.from_bytes(g, data[k:], policy.members))


def _transcript(policy: CompliancePolicy, c: TransactionCommitments, tx_digest: bytes) -> Transcript:
    if not isinstance(tx_digest, (bytes, bytearray)) or not tx_digest:
        raise InvalidParameter("tx_digest must be non-empty bytes")
    t = Transcript(COMPLIANCE_LABEL)
    t.append_message(b"policy-id", policy.policy_id)
    t.append_message(b"policy-digest", policy.digest)
    t.append_message(b"tx-digest", bytes(tx_digest))
    t.append_element(b"amount", c.amount)
    t.append_element(b"recipient", c.recipient)
    t.append_element(b"time", c.time)
    return t


def _range_commitments(policy: CompliancePolicy, c: TransactionCommitments) -> list[Element]:
    """V = [amount, limit − amount, time, time − unlock], computed by anyone from the commitments."""
    B, _ = pedersen_bases(policy.group)
    return [c.amount, policy.limit * B - c.amount, c.time, c.time - policy.unlock_time * B]


def check_policy(policy: CompliancePolicy, op: TransactionOpening) -> None:
    """Prover-side check; raises PolicyViolation naming the rule (never the secret values)."""
    top = 1 << policy.bits
    if not 0 <= op.amount < top or op.amount > policy.limit:
        raise PolicyViolation(AMOUNT_LIMIT, "the amount exceeds the policy limit")
    if bytes(op.recipient) not in policy.whitelist:
        raise PolicyViolation(RECIPIENT_WHITELIST, "the recipient is not on the whitelist")
    if not 0 <= op.time < top or op.time < policy.unlock_time:
        raise PolicyViolation(UNLOCK_TIME, "the transaction time is before the unlock time")


def prove_compliance(policy: CompliancePolicy, commitments: TransactionCommitments,
                     opening: TransactionOpening, tx_digest: bytes, *,
                     rng: RandomSource | None = None) -> ComplianceProof:
    """Prove the committed transaction satisfies `policy`, bound to `tx_digest`."""
    check_policy(policy, opening)
    if opening_commitments(policy, opening) != commitments:
        raise InvalidParameter("the opening does not match the commitments")
    q = policy.group.order
    op = opening
    values = [op.amount, policy.limit - op.amount, op.time, op.time - policy.unlock_time]
    blinds = [op.amount_blinding, -op.amount_blinding % q, op.time_blinding, op.time_blinding]
    return _build_proof(policy, commitments, tx_digest, values, blinds,
                        member_scalar(policy.group, op.recipient), op.recipient_blinding, rng)


def _build_proof(policy, commitments, tx_digest, values, blinds, member, member_blinding, rng) -> ComplianceProof:
    g = policy.group
    t = _transcript(policy, commitments, tx_digest)
    rp, _ = prove_range(g, values, blinds, policy.bits, transcript=t, rng=rng)
    mp, _ = prove_membership(g, member, member_blinding, policy.members, transcript=t, rng=rng)
    return ComplianceProof(rp, mp)


def verify_compliance(policy: CompliancePolicy, commitments: TransactionCommitments, tx_digest: bytes,
                      proof: ComplianceProof) -> None:
    """Raise VerificationError unless `proof` shows the committed transaction meets `policy`."""
    if not isinstance(proof, ComplianceProof):
        raise VerificationError("not a compliance proof")
    g = policy.group
    t = _transcript(policy, commitments, tx_digest)
    try:
        verify_range(g, _range_commitments(policy, commitments), proof.range_proof, policy.bits, transcript=t)
    except VerificationError:
        raise VerificationError(f"policy {policy.policy_id!r}: amount/time clauses not proven") from None
    try:
        verify_membership(g, commitments.recipient, policy.members, proof.membership, transcript=t)
    except VerificationError:
        raise VerificationError(f"policy {policy.policy_id!r}: recipient clause not proven") from None


__all__ = ["CompliancePolicy", "TransactionCommitments", "TransactionOpening", "ComplianceProof",
           "commit_transaction", "opening_commitments", "check_policy", "prove_compliance",
           "verify_compliance", "COMPLIANCE_LABEL", "CLAUSES", "AMOUNT_LIMIT", "RECIPIENT_WHITELIST",
           "UNLOCK_TIME"]
