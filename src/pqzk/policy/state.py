"""Policy versions over time: a change is itself authorized (by the change quorum of the active
policy) and takes effect only after the active policy's cooling-off period (its time lock)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import PolicyViolation
from .evaluate import check_signers
from .model import Policy


# deliberate look-alike of dkg/pedersen.py:Round1Package, policy/request.py:HistoryEntry (duplicates): frozen-
# dataclass field declarations, no shared logic
@dataclass(frozen=True)
class PendingChange:
    policy: Policy
    approved_at: int
    effective_at: int


@dataclass(frozen=True)
class PolicyState:
    active: Policy
    pending: PendingChange | None = None

    def at(self, now: int) -> "PolicyState":
        """The state as of `now`: a pending change whose time lock has passed becomes active."""
        if self.pending is not None and now >= self.pending.effective_at:
            return PolicyState(self.pending.policy)
        return self

    def policy_at(self, now: int) -> Policy:
        """The policy in force at time `now` (a pending change counts once its time lock has passed)."""
        return self.at(now).active

    def propose(self, new: Policy, signers: Iterable[int], now: int) -> "PolicyState":
        """Record an authorized change; it applies from now + the active policy's cooling-off."""
        state = self.at(now)
        current = state.active
        if state.pending is not None:
            raise PolicyViolation("policy_change", "another change is already pending")
        if new.version != current.version + 1:
            raise PolicyViolation("policy_version", f"a change must be version {current.version + 1}, got {new.version}")
        check_signers(current, current.change_quorum or current.quorum, signers)
        return PolicyState(current, PendingChange(new, now, now + current.cooling_off_seconds))
