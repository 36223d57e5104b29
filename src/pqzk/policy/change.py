"""A policy change as a sans-I/O session: the change quorum approves, the group signs, everyone adopts.

    coordinator -> candidate  change_request  ChangeRequest   signer: version = active+1, none pending
    candidate -> coordinator  change_accept   ChangeAccept    | change_refuse ChangeRefuse
    coordinator -> chosen     change_sign     ChangeSign      signer: signers satisfy the *active* policy's change
                                                              quorum, effective_at ≥ its now + cooling-off,
                                                              message = the change digest
    chosen -> coordinator     change_share    ChangeShare
    coordinator -> everyone   change_result   ChangeResult    every signer verifies the signature and the quorum,
                                                              then holds the change pending until effective_at

This module is the coordinator's side (`PolicyChangeCoordinator`) and the digest; the signer's side
is `change_signer.ChangeSigner`, the message bodies are in `messages`. The signed digest is
SHA-256("pqzk/policy-change/v1" ‖ current digest ‖ new digest ‖ u32 version ‖ u64 effective_at):
an ordinary FROST (e.g. Ed25519) signature anyone can check later.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, PqzkError, ProtocolAbort
from ..runtime.identity import Keyring
from ..runtime.messages import Kind, Message
from ..threshold.frost import core
from ..threshold.frost.types import PublicKeyPackage, SignatureShare, SigningCommitments
from .coordinator import SessionCoordinator
from .evaluate import check_signers
from .messages import ChangeAccept, ChangeRefuse, ChangeRequest, ChangeResult, ChangeShare, ChangeSign
from .model import Policy
from .state import PendingChange, PolicyState


def policy_change_digest(current: Policy, new: Policy, effective_at: int) -> bytes:
    """What the group signs to approve a change from `current` to `new`, effective at `effective_at`."""
    if not 0 <= effective_at < 2**64:
        raise InvalidParameter("effective_at must fit in 64 bits")
    return hashlib.sha256(b"pqzk/policy-change/v1" + current.digest() + new.digest()
                          + new.version.to_bytes(4, "big") + effective_at.to_bytes(8, "big")).digest()


class PolicyChangeCoordinator(SessionCoordinator):
    """Runs one change session; `result` is (signature, signers, new state) when done, `error` a
    PolicyViolation or ProtocolAbort otherwise (culprits only for signed deviations; silent
    approvers are `unresponsive`)."""

    def __init__(self, state: PolicyState, public_key_package: PublicKeyPackage, new: Policy,
                 candidates: Sequence[int], keyring: Keyring, *, now: int, announce_to: Iterable[int] = (),
                 session: bytes = b"change") -> None:
        self.pkp = public_key_package
        self.suite = public_key_package.suite
        self._init_signed(keyring, keyring.party, session)
        self.state = state.at(now)
        self.current = self.state.active
        self.quorum = self.current.change_quorum or self.current.quorum
        self.new = new
        self.candidates = sorted(set(candidates))
        self.announce_to = sorted(set(announce_to) | set(self.candidates))
        self.now = now
        self.stage = "new"
        self.accepts: dict[int, SigningCommitments] = {}
        self.refusals: dict[int, tuple[str, str]] = {}
        self.answered: set[int] = set()
        self.signers: list[int] = []
        self.effective_at = now + self.current.cooling_off_seconds
        self.digest = policy_change_digest(self.current, new, self.effective_at)
        self.shares: dict[int, SignatureShare] = {}
        self.result: tuple[bytes, list[int], PolicyState] | None = None
        self.error: PqzkError | None = None

    def start(self) -> list[Message]:
        """Propose the change (checked against the current policy) and ask the candidate signers to approve
        it."""
        try:
            self.state.propose(self.new, self.candidates, self.now)    # version, pending, quorum of candidates
        except PolicyViolation as v:
            return self._fail(v)
        self.stage = "collecting"
        return self._tell(self.candidates, ChangeRequest(self.new.to_dict(), self.pkp.key_version()))

    def receive(self, msg: Message) -> list[Message]:
        """Handle a signer's approval, refusal or signature share for the change."""
        if not self._accept(msg, self.candidates) or self.stage in ("done", "failed"):
            return []
        try:
            if msg.kind == Kind.CHANGE_ACCEPT and self.stage == "collecting":
                return self._on_accept(msg)
            if msg.kind == Kind.CHANGE_REFUSE:
                return self._on_refuse(msg)
            if msg.kind == Kind.CHANGE_SHARE and self.stage == "signing":
                return self._on_share(msg)
        except InvalidEncoding:
            return self._fail(ProtocolAbort(f"malformed {msg.kind} message", culprits=[msg.sender]))
        return []

    def _on_accept(self, msg: Message) -> list[Message]:
        comm = ChangeAccept.from_payload(msg.payload, self.suite).commitment
        if comm.identifier != msg.sender:
            return self._fail(ProtocolAbort("commitment carries another identifier", culprits=[msg.sender]))
        if msg.sender in self.answered:
            return []
        self.answered.add(msg.sender)
        self.accepts[msg.sender] = comm
        ids = sorted(self.accepts)
        try:
            check_signers(self.current, self.quorum, ids)
            if len(ids) < self.pkp.min_signers:
                return []
        except PolicyViolation:
            return []
        self.signers, self.stage = ids, "signing"
        return self._tell(ids, ChangeSign(tuple(ids), self.effective_at, self.digest,
                                          tuple(self.accepts[i] for i in ids)))

    def _on_refuse(self, msg: Message) -> list[Message]:
        refusal = ChangeRefuse.from_payload(msg.payload)
        self.refusals[msg.sender] = (refusal.rule, refusal.detail)
        self.answered.add(msg.sender)
        if self.stage == "signing" and msg.sender in self.signers:
            return self._fail(PolicyViolation(refusal.rule, f"signer {msg.sender} refused: {refusal.detail}"))
        if self.stage == "collecting" and self.answered >= set(self.candidates):
            return self._fail(PolicyViolation(refusal.rule, f"signer {msg.sender}: {refusal.detail}"))
        return []

    def _on_share(self, msg: Message) -> list[Message]:
        share = ChangeShare.from_payload(msg.payload, self.suite).share
        if share.identifier != msg.sender or msg.sender not in self.signers:
            return self._fail(ProtocolAbort("signature share from the wrong signer", culprits=[msg.sender]))
        old = self.shares.setdefault(msg.sender, share)
        if old != share:
            return self._fail(ProtocolAbort("two different signature shares from one signer", culprits=[msg.sender]))
        if len(self.shares) < len(self.signers):
            return []
        try:
            sig = core.aggregate_verified(self.suite, [self.accepts[i] for i in self.signers], self.digest,
                                          self.pkp.verifying_key, [self.shares[i] for i in self.signers],
                                          self.pkp.verifying_shares).to_bytes()
        except ProtocolAbort as exc:
            return self._fail(exc)
        state = PolicyState(self.current, PendingChange(self.new, self.now, self.effective_at))
        self.result = (sig, list(self.signers), state)
        self.stage = "done"
        return self._tell(self.announce_to, ChangeResult(self.new, tuple(self.signers), self.effective_at, self.now,
                                                         sig))

    def on_idle(self) -> list[Message]:
        """A quiet timeout: fail with the policy's reason when the signers who answered cannot make a quorum.
        """
        silent = [i for i in self.candidates if i not in self.answered]
        if self.stage == "collecting":
            if self.refusals and not silent:
                rule, detail = self.refusals[min(self.refusals)]
                return self._fail(PolicyViolation(rule, detail))
            if not silent:
                return self._fail(PolicyViolation("quorum", f"approvers {sorted(self.accepts)} do not make "
                                                            f"{self.quorum.describe()}"))
            return self._fail(ProtocolAbort("no change quorum", unresponsive=silent))
        if self.stage == "signing":
            return self._fail(ProtocolAbort("no signature share received",
                                            unresponsive=[i for i in self.signers if i not in self.shares]))
        return []
