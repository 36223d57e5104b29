"""Demo chapter: the whole story — a custody group authorizes transactions under a policy.

DKG among 5 parties, a policy, an allowed and a refused request, a private request with a
compliance proof, a hybrid post-quantum authorization above the limit, the audit log verified.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from .narrate import Narrator

POLICY = {
    "version": 1, "name": "demo treasury",
    "signers": {"1": {"roles": ["ops"]}, "2": {"roles": ["ops"]}, "3": {"roles": ["security"]},
                "4": {"roles": ["security"]}, "5": {"roles": ["ops"]}},
    "quorum": {"min_signers": 3},
    "tiers": [{"above": 10_000, "quorum": {"min_signers": 4, "roles": {"security": 1}}}],
    "limits": {"per_transaction": 50_000, "windows": [{"seconds": 86_400, "max_amount": 100_000}]},
    "destinations": {"whitelist": ["alice", "bob", "exchange"], "blacklist": ["mallory"]},
    "post_quantum": {"required_above": 20_000},
    "request_expiry_seconds": 600,
}
NOW = 1_700_000_000


def chapter(n: Narrator) -> None:
    """Demo chapter: five custodians run a DKG, adopt a policy and authorize or refuse requests under
    it (one proved in zero knowledge, one needing post-quantum evidence), all in a verified audit log."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from ..math.rand import random_bytes
    from ..pq import hybrid, mldsa
    from ..policy import AuthorizationRequest, Policy
    from ..policy.audit import AuditLog, records, verify_log
    from ..policy.authorization import verify_authorization
    from ..policy.custody import Custody
    from ..policy.private import private_request
    from ..runtime import Silent, SimulatorRunner, dkg_with_honest_quorum
    n.chapter("Custody: policy, authorization, audit")

    ids = [1, 2, 3, 4, 5]
    n.step("parties 1-5", "run a FROST-Ed25519 DKG among themselves (pqzk.runtime): no dealer, threshold 3")
    kps, pkp, _, _ = dkg_with_honest_quorum("FROST-ED25519-SHA512-v1", ids, 3, rng=n.rng)
    n.secret("key shares", "each party its own")
    n.public("group public key", pkp.verifying_key.to_bytes())
    n.step("parties 1-5", "each registers an ML-DSA-44 key on a roster (for post-quantum evidence)")
    pq_keys = {i: mldsa.keygen("ML-DSA-44", rng=n.rng) for i in ids}
    roster = hybrid.Roster("ML-DSA-44", {i: k.public_key for i, k in pq_keys.items()}, 3)
    n.secret("ML-DSA keys", "each party its own")

    policy = Policy.from_dict(POLICY)
    n.step("custodians", "adopt a policy: 3 of 5; above 10 000, 4 incl. security; whitelist; "
                         "limit 50 000; post-quantum evidence above 20 000")
    n.public("policy digest", policy.digest())

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "audit.db"
        audit_key = Ed25519PrivateKey.from_private_bytes(random_bytes(32, n.rng))
        with AuditLog(db, audit_key) as log:
            custody = Custody(policy, kps, pkp, pq_keys=pq_keys, roster=roster, audit=log, rng=n.rng)

            def request(tag: str, amount: int, dest: str) -> AuthorizationRequest:
                h = hashlib.sha256(f"demo/{tag}".encode()).digest()
                return AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), NOW, 1, amount, dest)

            r = request("payroll", 4_000, "alice")
            n.step("requester", "asks for 4 000 to alice; each signer checks the policy before committing")
            out = custody.authorize(r, NOW)
            auth = out.unwrap()
            verify_authorization(auth, r, policy, pkp)
            Ed25519PublicKey.from_public_bytes(auth.group_key).verify(auth.signature, auth.digest())
            n.public("signers", list(auth.signers))
            n.ok("authorized; the FROST signature verifies as plain Ed25519 (OpenSSL) over a digest binding "
                 "request, policy version and digest, and signer set")

            n.step("requester", "asks for 100 to mallory, and a lax coordinator forwards it anyway")
            out = custody.authorize(request("mallory", 100, "mallory"), NOW, precheck=False)
            rules = sorted({rule for rule, _ in out.refusals.values()})
            n.public("refused by", f"{len(out.refusals)} signers, rule {', '.join(rules)}")
            assert out.authorization is None and rules == ["blacklist"]
            n.ok("every signer refused with PolicyViolation naming the rule; no signature exists")

            n.step("requester", "commits to 2 500 to bob and proves in zero knowledge: amount ≤ 5 000, "
                                "destination on the whitelist")
            pr, _ = private_request(policy, 2_500, "bob", hashlib.sha256(b"demo/private").digest(), NOW,
                                    max_amount=5_000, rng=n.rng)
            n.secret("amount, destination and blindings", "the requester")
            n.public("compliance proof size", len(pr.private.proof))
            out = custody.authorize(pr, NOW, runner=SimulatorRunner([Silent(sender=5)], rng=n.rng))
            verify_authorization(out.unwrap(), pr, policy, pkp)
            n.public("silent party", out.missing)
            n.public("signers", list(out.authorization.signers))
            n.ok("signers verified the proof instead of the values; party 5 was offline and the others "
                 "made the quorum without it")

            big = request("treasury move", 30_000, "exchange")
            n.step("requester", "asks for 30 000 to the exchange: above 20 000 the policy wants post-quantum evidence")
            auth = custody.authorize(big, NOW).unwrap()
            verify_authorization(auth, big, policy, pkp, roster=roster)
            n.public("signers", list(auth.signers))
            n.public("authorization size (FROST + ML-DSA quorum certificate)", len(auth.to_bytes()))
            n.ok("FROST and one ML-DSA-44 signature per signer: still 4-of-5 if discrete logs fall")

            out = custody.authorize(big, NOW + 5)
            assert out.error.rule == "replay"
            n.ok("the same request again is refused (rule replay)")
            head = log.head()
        verify_log(db, audit_key.public_key().public_bytes_raw(), expect_head=head)
        kinds = [rec.kind for rec in records(db)]
        n.public("audit records", {k: kinds.count(k) for k in sorted(set(kinds))})
        n.ok(f"audit log: {head.seq} hash-chained signed records verify (any edit, deletion or reordering "
             "would name the record)")
