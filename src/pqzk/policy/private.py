"""Private requests: amount and destination committed, a compliance proof instead of the values.

The custody policy maps onto a `pqzk.zk.compliance.CompliancePolicy` whose id binds the policy
digest (so its version and every rule), whose limit is the request's declared bound
(`PrivateTerms.max_amount`, what the request is charged for), whose whitelist is the policy's,
and whose unlock time is the policy's `not_before` (0 without one). The proof is bound to the
request's transaction digest. Signers verify it and then evaluate the policy with the bound.
"""
from __future__ import annotations

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, VerificationError
from ..math.rand import RandomSource, random_bytes
from .model import Policy
from .request import AuthorizationRequest, PrivateTerms

COMPLIANCE_GROUP = "secp256k1"


def compliance_policy(policy: Policy, max_amount: int):
    """The zero-knowledge statement a private request under `policy` must prove."""
    from ..zk.compliance import CompliancePolicy
    if policy.whitelist is None or not policy.whitelist:
        raise PolicyViolation("whitelist", "a private request needs a policy whitelist to prove membership in")
    return CompliancePolicy(b"pqzk/policy/" + policy.digest(), max_amount,
                            tuple(w.encode() for w in sorted(policy.whitelist)),
                            policy.not_before or 0, COMPLIANCE_GROUP)


def private_request(policy: Policy, amount: int, destination: str, tx_digest: bytes, time: int, *,
                    max_amount: int | None = None, request_id: bytes | None = None,
                    rng: RandomSource | None = None):
    """The requester's side: commit to (amount, destination, time), prove compliance with
    amount ≤ max_amount (default: the per-transaction limit). Returns (request, opening);
    the opening stays with the requester."""
    from ..zk.compliance import commit_transaction, prove_compliance
    if max_amount is None:
        if policy.per_transaction is None:
            raise InvalidParameter("give max_amount: the policy has no per-transaction limit")
        max_amount = policy.per_transaction
    cp = compliance_policy(policy, max_amount)
    commitments, opening = commit_transaction(cp, amount, destination.encode(), time, rng=rng)
    proof = prove_compliance(cp, commitments, opening, tx_digest, rng=rng)
    req = AuthorizationRequest(request_id or random_bytes(16, rng), tx_digest, time, policy.version,
                               private=PrivateTerms(max_amount, commitments.to_bytes(), proof.to_bytes()))
    return req, opening


def verify_private_terms(policy: Policy, request: AuthorizationRequest) -> None:
    """A signer's check of a private request's proof; PolicyViolation('compliance_proof') if it fails.

    Decoding errors and failed verification are both refusals naming the rule."""
    from ..zk.compliance import ComplianceProof, TransactionCommitments, verify_compliance
    terms = request.private
    if terms is None:
        return
    try:
        cp = compliance_policy(policy, terms.max_amount)
    except (InvalidParameter, InvalidEncoding) as exc:
        raise PolicyViolation("compliance_proof", f"declared bound is not usable: {exc}") from None
    try:
        commitments = TransactionCommitments.from_bytes(cp.group, terms.commitments)
        proof = ComplianceProof.from_bytes(cp, terms.proof)
        verify_compliance(cp, commitments, request.tx_digest, proof)
    except PolicyViolation:
        raise
    except (InvalidEncoding, InvalidParameter, VerificationError) as exc:
        raise PolicyViolation("compliance_proof", f"compliance proof does not verify: {exc}") from None
