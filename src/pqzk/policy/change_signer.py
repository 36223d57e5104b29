"""The signer's side of a policy change (the session `change.PolicyChangeCoordinator` runs).

    coordinator -> signer   change_request  ChangeRequest   version = active + 1, no change pending
    signer -> coordinator   change_accept   ChangeAccept    (or change_refuse, naming the rule)
    coordinator -> signer   change_sign     ChangeSign      the signers satisfy the *active* policy's change
                                                            quorum, effective_at ≥ now + cooling-off, and the
                                                            message is the change digest: then FROST round 2
    signer -> coordinator   change_share    ChangeShare
    coordinator -> signer   change_result   ChangeResult    verify the group's signature and the quorum, then
                                                            hold the change pending until effective_at

Adopted changes go to `journal` (a node keeps them in its audit log and adopts them again, each
verified against the policy it replaces, when it restarts — `adopt`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, ProtocolAbort, VerificationError
from ..runtime.bounded import BoundedDict
from ..runtime.messages import Kind, Message
from ..threshold import frost
from ..threshold.frost.types import SigningCommitments
from .change import policy_change_digest
from .evaluate import MAX_CLOCK_SKEW, check_signers
from .messages import ChangeAccept, ChangeRefuse, ChangeRequest, ChangeResult, ChangeShare, ChangeSign
from .model import Policy
from .signer_base import MAX_SESSIONS, SignerSide
from .state import PendingChange, PolicyState


@dataclass
class _ChangeSession:
    new: Policy
    commitment: SigningCommitments
    stage: str = "committed"          # committed -> signed | cancelled | refused


class ChangeSigner(SignerSide):
    """The policy-change side of a custody signer: approves a change its own view allows, signs
    only the change digest, and adopts an announced change once it has verified it."""

    REFUSAL = ChangeRefuse

    def __init__(self, core) -> None:
        super().__init__(core)
        self.changes: BoundedDict[bytes, _ChangeSession] = BoundedDict(MAX_SESSIONS, self._forget)
        # called with (change, now) for every change this signer adopts — a node keeps them in its
        # audit log and adopts them again, verified, when it restarts (`adopt`)
        self.journal: Callable[[ChangeResult, int], None] | None = None

    def _forget(self, session: bytes, sess: _ChangeSession) -> None:
        """A session too old to keep: its commitment's nonces are burned."""
        if sess.stage == "committed":
            self._close(sess, "cancelled")

    def handlers(self):
        return {Kind.CHANGE_REQUEST: self._on_request, Kind.CHANGE_SIGN: self._on_sign,
                Kind.CHANGE_RESULT: self._on_result}

    def check_change(self, new: Policy, now: int) -> Policy:
        """The active policy a change to `new` would replace; PolicyViolation if it may not."""
        state = self.state.at(now)
        if state.pending is not None:
            raise PolicyViolation("policy_change", "another change is already pending")
        if new.version != state.active.version + 1:
            raise PolicyViolation("policy_version", f"a change must be version {state.active.version + 1}, "
                                                    f"got {new.version}")
        return state.active

    def _on_request(self, msg: Message) -> list[Message]:
        body = ChangeRequest.from_payload(msg.payload)
        doc = body.policy
        old = self.changes.get(msg.session)
        if old is not None:
            return self._reply(msg, ChangeAccept(old.commitment))
        try:
            self.check_key(body.key)
        except PolicyViolation as v:
            return self._refuse(msg, v)
        try:
            new = Policy.from_dict(doc)
        except InvalidEncoding as exc:
            return self._refuse(msg, PolicyViolation("policy_change", f"the proposed policy is invalid: {exc}"))
        try:
            self.check_change(new, self.clock())
        except PolicyViolation as v:
            return self._refuse(msg, v)
        sess = _ChangeSession(new, self.frost.commit())
        self.changes[msg.session] = sess
        return self._reply(msg, ChangeAccept(sess.commitment))

    def _on_sign(self, msg: Message) -> list[Message]:
        body = ChangeSign.from_payload(msg.payload, self.suite)
        sess = self._open_session(self.changes, msg, "policy-change")
        signers, cl = list(body.signers), list(body.commitments)
        now = self.clock()
        try:
            current = self.check_change(sess.new, now)
            check_signers(current, current.change_quorum or current.quorum, signers)
            if len(signers) < self.kp.min_signers:
                raise PolicyViolation("signing_request", f"{len(signers)} signers, the group key needs "
                                                         f"{self.kp.min_signers}")
            self._check_commitments(sess, signers, cl)
            if body.effective_at < now + current.cooling_off_seconds - MAX_CLOCK_SKEW:
                raise PolicyViolation("policy_change", "the change would take effect before the cooling-off ends")
            if body.message != policy_change_digest(current, sess.new, body.effective_at):
                raise PolicyViolation("signing_request", "asked to sign something other than this policy change")
        except PolicyViolation as v:
            self._close(sess, "refused")
            return self._refuse(msg, v)
        share = self.frost.sign_share(self.frost.take_nonces(sess.commitment), body.message, cl)
        sess.stage = "signed"
        return self._reply(msg, ChangeShare(share))

    def _on_result(self, msg: Message) -> list[Message]:
        """An approved change: verify the group's signature and the quorum, then adopt it (pending
        until its time lock passes). The same change announced again (a redelivery) is ignored."""
        try:
            body = ChangeResult.from_payload(msg.payload)
            if self.adopted(body):
                return []
            self.adopt(body, self.clock())
        except (PolicyViolation, VerificationError, InvalidEncoding, InvalidParameter) as exc:
            raise ProtocolAbort(f"signer {self.id}: announced policy change not adopted: {exc}",
                                culprits=[msg.sender]) from None
        sess = self.changes.get(msg.session)
        if sess is not None and sess.stage == "committed":
            self._close(sess, "cancelled")
        return []

    def adopted(self, body: ChangeResult) -> bool:
        """Whether this very change is already this signer's pending or active policy."""
        state = self.state
        return (state.pending is not None and state.pending.policy == body.policy
                and state.pending.effective_at == body.effective_at) or state.active == body.policy

    def adopt(self, body: ChangeResult, now: int) -> None:
        """Verify an approved change against this signer's view at `now` — the active policy it
        replaces, that policy's change quorum, the group's signature over the change digest — and
        adopt it (pending until `effective_at`); `journal(body, now)` is told. Raises
        PolicyViolation, VerificationError or InvalidParameter otherwise."""
        current = self.check_change(body.policy, now)
        check_signers(current, current.change_quorum or current.quorum, body.signers)
        frost.verify(self.suite, self.kp.verifying_key,
                     policy_change_digest(current, body.policy, body.effective_at), body.signature)
        self.state = PolicyState(current, PendingChange(body.policy, body.approved_at, body.effective_at))
        if self.journal is not None:
            self.journal(body, now)


__all__ = ["ChangeSigner"]
