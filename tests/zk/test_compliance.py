"""Policy-compliance proofs: honest proofs verify; each clause failing alone is caught."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter, PolicyViolation, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.zk.compliance import (ComplianceProof, CompliancePolicy, TransactionCommitments,
                                _build_proof, commit_transaction, prove_compliance, verify_compliance)
from pqzk.zk.membership import member_scalar

T0 = 1_760_000_000
POLICY = CompliancePolicy(b"treasury-v3", limit=10_000, whitelist=(b"acme", b"globex", b"initech"),
                          unlock_time=T0)
DIGEST = bytes(range(32))


def _tx(amount=500, recipient=b"globex", time=T0 + 60, seed=b"tx"):
    return commit_transaction(POLICY, amount, recipient, time, rng=DeterministicRNG(seed))


def test_honest_proof_verifies_and_roundtrips():
    com, op = _tx()
    proof = prove_compliance(POLICY, com, op, DIGEST, rng=DeterministicRNG(b"p"))
    verify_compliance(POLICY, com, DIGEST, proof)
    back = ComplianceProof.from_bytes(POLICY, proof.to_bytes())
    verify_compliance(POLICY, TransactionCommitments.from_bytes(POLICY.group, com.to_bytes()), DIGEST, back)
    assert "500" not in repr(op) and "globex" not in repr(op)


def test_boundaries_hold():
    for amount, time in ((POLICY.limit, T0), (0, 2**64 - 1)):
        com, op = _tx(amount=amount, time=time, recipient=b"acme")
        verify_compliance(POLICY, com, DIGEST, prove_compliance(POLICY, com, op, DIGEST))


def test_bound_to_digest_and_policy():
    com, op = _tx()
    proof = prove_compliance(POLICY, com, op, DIGEST)
    with pytest.raises(VerificationError):
        verify_compliance(POLICY, com, b"another transaction", proof)
    for other in (CompliancePolicy(b"treasury-v4", 10_000, POLICY.whitelist, T0),
                  CompliancePolicy(b"treasury-v3", 20_000, POLICY.whitelist, T0),
                  CompliancePolicy(b"treasury-v3", 10_000, POLICY.whitelist, T0 - 1),
                  CompliancePolicy(b"treasury-v3", 10_000, POLICY.whitelist + (b"hooli",), T0)):
        with pytest.raises((VerificationError, InvalidEncoding)):
            verify_compliance(other, com, DIGEST, ComplianceProof.from_bytes(other, proof.to_bytes()))
    com2, _ = _tx(seed=b"other")    # same values, other blindings: another transaction
    with pytest.raises(VerificationError):
        verify_compliance(POLICY, com2, DIGEST, proof)


def _cheat(com, op, values, member):
    """A cheating prover: in-range stand-in values, real commitments."""
    rng = DeterministicRNG(b"cheat")
    q = POLICY.group.order
    blinds = [op.amount_blinding, -op.amount_blinding % q, op.time_blinding, op.time_blinding]
    return _build_proof(POLICY, com, DIGEST, values, blinds, member, op.recipient_blinding, rng)


def test_amount_over_limit_alone():
    com, op = _tx(amount=POLICY.limit + 1)
    with pytest.raises(PolicyViolation) as e:
        prove_compliance(POLICY, com, op, DIGEST)
    assert e.value.rule == "amount_limit" and str(POLICY.limit + 1) not in str(e.value)
    forged = _cheat(com, op, [op.amount, 0, op.time, op.time - T0], member_scalar(POLICY.group, b"globex"))
    with pytest.raises(VerificationError, match="amount/time"):
        verify_compliance(POLICY, com, DIGEST, forged)


def test_recipient_not_whitelisted_alone():
    com, op = _tx(recipient=b"mallory")
    with pytest.raises(PolicyViolation) as e:
        prove_compliance(POLICY, com, op, DIGEST)
    assert e.value.rule == "recipient_whitelist"
    # membership proved for a whitelisted value under the same blinding: does not match C
    forged = _cheat(com, op, [op.amount, POLICY.limit - op.amount, op.time, op.time - T0],
                    member_scalar(POLICY.group, b"acme"))
    with pytest.raises(VerificationError, match="recipient"):
        verify_compliance(POLICY, com, DIGEST, forged)


def test_time_before_unlock_alone():
    com, op = _tx(time=T0 - 1)
    with pytest.raises(PolicyViolation) as e:
        prove_compliance(POLICY, com, op, DIGEST)
    assert e.value.rule == "unlock_time"
    forged = _cheat(com, op, [op.amount, POLICY.limit - op.amount, op.time, 0],
                    member_scalar(POLICY.group, b"globex"))
    with pytest.raises(VerificationError, match="amount/time"):
        verify_compliance(POLICY, com, DIGEST, forged)


def test_negative_amount_trick_rejected():
    # "amount" = q − 5 makes limit − amount small, but amount itself is out of range
    q = POLICY.group.order
    com, op = _tx(amount=q - 5)
    with pytest.raises(PolicyViolation):
        prove_compliance(POLICY, com, op, DIGEST)
    forged = _cheat(com, op, [0, POLICY.limit + 5, op.time, op.time - T0],
                    member_scalar(POLICY.group, b"globex"))
    with pytest.raises(VerificationError):
        verify_compliance(POLICY, com, DIGEST, forged)


def test_bad_arguments():
    with pytest.raises(InvalidParameter):
        CompliancePolicy(b"", 1, (b"a",), 0)
    with pytest.raises(InvalidParameter):
        CompliancePolicy(b"p", 2**64, (b"a",), 0)
    with pytest.raises(InvalidParameter):
        CompliancePolicy(b"p", 1, (), 0)
    com, op = _tx()
    com2, op2 = _tx(seed=b"x2")
    with pytest.raises(InvalidParameter):
        prove_compliance(POLICY, com2, op, DIGEST)       # opening does not match
    with pytest.raises(InvalidEncoding):
        ComplianceProof.from_bytes(POLICY, b"\x00" * 10)
    with pytest.raises(InvalidEncoding):
        TransactionCommitments.from_bytes(POLICY.group, b"\x02" * 5)
