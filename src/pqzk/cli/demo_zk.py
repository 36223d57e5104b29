"""Demo chapter: a zero-knowledge policy-compliance proof for a committed transaction."""
from __future__ import annotations

import hashlib

from ..zk.compliance import CompliancePolicy, commit_transaction, prove_compliance, verify_compliance
from .narrate import Narrator


def chapter(n: Narrator) -> None:
    """Demo chapter: a zero-knowledge proof that a committed transaction complies with a policy (limit,
    whitelist, unlock time)."""
    n.chapter("Zero-knowledge policy compliance")
    policy = CompliancePolicy(b"treasury-v3", limit=10_000, whitelist=(b"acme", b"globex", b"initech"),
                              unlock_time=1_760_000_000)
    n.step("Auditor", "publishes a policy: amount ≤ 10000, recipient on a whitelist, not before the unlock time")
    n.public("policy id", policy.policy_id.decode())
    n.public("limit", policy.limit)
    n.public("whitelist", [w.decode() for w in policy.whitelist])
    n.public("unlock time", policy.unlock_time)
    n.step("Wallet", "commits to amount, recipient and time with Pedersen commitments")
    tx, opening = commit_transaction(policy, 2_500, b"globex", 1_760_000_500, rng=n.rng)
    n.secret("amount, recipient, time and their blindings", "Wallet")
    n.public("commitments", tx.to_bytes())
    digest = hashlib.sha256(b"demo transaction" + tx.to_bytes()).digest()
    n.public("transaction digest", digest)
    n.step("Wallet", "proves the policy holds: one aggregated Bulletproof (4 ranges) + a membership proof")
    proof = prove_compliance(policy, tx, opening, digest, rng=n.rng)
    n.public("proof size (bytes)", len(proof))
    n.step("Auditor", "verifies against the policy, the commitments and the digest")
    verify_compliance(policy, tx, digest, proof)
    n.ok("policy holds; the auditor learned nothing about the amount, the recipient or the time")
