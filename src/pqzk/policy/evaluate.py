"""Policy evaluation: a pure function of (policy, request, history, time) -> Decision.

The rules are data (`pqzk.policy.rules.RULES`): `evaluate` runs their checks in order and the first
that fails decides; an allowed decision carries what the authorization still needs (the quorum for
the amount, post-quantum evidence or not). `explain` shows every rule's findings.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import PolicyViolation
from .model import Policy, Quorum
from .request import AuthorizationRequest, History
from .rules import CHECKS, FAIL, MAX_CLOCK_SKEW, RULES, pq_evidence_required, required_quorum


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str                     # the rule that decided ("allowed" when every rule passed)
    detail: str
    quorum: Quorum | None = None  # required signers, when allowed
    pq_required: bool = False

    def raise_if_denied(self) -> None:
        """Raise the `PolicyViolation` (rule and detail) when the decision is a refusal."""
        if not self.allowed:
            raise PolicyViolation(self.rule, self.detail)


def evaluate(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Decision:
    """Decide a request. For a private request the caller has verified its compliance proof."""
    for rule in CHECKS:
        for finding in rule.findings(policy, request, history, now):
            if finding.status == FAIL:
                return Decision(False, finding.rule, finding.detail)
    quorum = required_quorum(policy, request.charged_amount)
    pq = pq_evidence_required(policy, request)
    return Decision(True, "allowed", f"all rules pass; needs {quorum.describe()}"
                    + ("; post-quantum evidence required" if pq else ""), quorum, pq)


def check_signers(policy: Policy, quorum: Quorum, signers: Iterable[int]) -> None:
    """The signer set satisfies the quorum (count and roles), or PolicyViolation('quorum')."""
    signers = sorted(set(signers))
    roles = dict(policy.signer_roles)           # once: per-signer lookups would make this quadratic
    unknown = [s for s in signers if s not in roles]
    if unknown:
        raise PolicyViolation("quorum", f"signers {unknown} are not in the policy")
    if len(signers) < quorum.min_signers:
        raise PolicyViolation("quorum", f"{len(signers)} signers, {quorum.describe()} required")
    for role, k in quorum.roles:
        have = sum(role in roles[s] for s in signers)
        if have < k:
            raise PolicyViolation("quorum", f"{have} signers with role {role!r}, {k} required")


def explain(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> list[tuple[str, str, str]]:
    """Every rule with its status ('pass', 'fail', 'n/a', 'requires') and why — for `pqzk policy explain`."""
    return [(f.rule, f.status, f.why) for rule in RULES for f in rule.findings(policy, request, history, now)]


__all__ = ["Decision", "evaluate", "check_signers", "explain", "required_quorum", "pq_evidence_required",
           "MAX_CLOCK_SKEW"]
