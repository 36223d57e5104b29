"""A policy change as a sans-I/O session: the change quorum approves, the group signs, everyone adopts.

    coordinator -> candidate  "change_request"  {policy}                       signer: version = active+1, none pending
    candidate -> coordinator  "change_accept"   {commitment}  | "change_refuse" {rule, detail}
    coordinator -> chosen     "change_sign"     {signers, effective_at, sign_request}
                                                signer: signers satisfy the *active* policy's change quorum,
                                                effective_at ≥ its now + cooling-off, message = the change digest
    chosen -> coordinator     "change_share"    {share}
    coordinator -> everyone   "change_result"   {policy, signers, effective_at, approved_at, signature}
                                                every signer verifies the signature and the quorum, then
                                                holds the change pending until effective_at

The signed digest is SHA-256("pqzk/policy-change/v1" ‖ current digest ‖ new digest ‖ u32 version
‖ u64 effective_at): an ordinary FROST (e.g. Ed25519) signature anyone can check later.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from ..errors import InvalidEncoding, PolicyViolation, PqzkError, ProtocolAbort
from ..runtime.frost_parties import encode_sign_request
from ..runtime.identity import Keyring
from ..runtime.messages import Kind, Message
from ..runtime.party import SignedParty
from ..threshold.frost import core
from ..threshold.frost.types import PublicKeyPackage, SignatureShare, SigningCommitments
from .evaluate import check_signers
from .model import Policy, canonical_json
from .state import PendingChange, PolicyState

COORDINATOR = "coordinator"


def policy_change_digest(current: Policy, new: Policy, effective_at: int) -> bytes:
    return hashlib.sha256(b"pqzk/policy-change/v1" + current.digest() + new.digest()
                          + new.version.to_bytes(4, "big") + effective_at.to_bytes(8, "big")).digest()


class PolicyChangeCoordinator(SignedParty):
    """Runs one change session; `result` is (signature, signers, new state) when done, `error` a
    PolicyViolation or ProtocolAbort otherwise (culprits only for signed deviations; silent
    approvers are `unresponsive`)."""

    def __init__(self, state: PolicyState, public_key_package: PublicKeyPackage, new: Policy,
                 candidates: Sequence[int], keyring: Keyring, *, now: int, announce_to: Iterable[int] = (),
                 session: bytes = b"change") -> None:
        from .flow import _decode, _hex
        self._decode, self._hex = _decode, _hex
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

    def _tell(self, to: Iterable[int], kind: Kind, body: dict) -> list[Message]:
        payload = canonical_json(body)
        return [self._send(i, kind, payload) for i in to]

    def _fail(self, error: PqzkError) -> list[Message]:
        if self.error is None:
            self.error = error
        self.stage = "failed"
        return []

    def start(self) -> list[Message]:
        try:
            self.state.propose(self.new, self.candidates, self.now)    # version, pending, quorum of candidates
        except PolicyViolation as v:
            return self._fail(v)
        self.stage = "collecting"
        return self._tell(self.candidates, Kind.CHANGE_REQUEST, {"policy": self.new.to_dict()})

    def receive(self, msg: Message) -> list[Message]:
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
        d = self._decode(msg.payload, ["commitment"], "change_accept")
        comm = SigningCommitments.from_bytes(self.suite, self._hex(d, "commitment"))
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
        sr = encode_sign_request(self.suite, self.digest, [self.accepts[i] for i in ids])
        return self._tell(ids, Kind.CHANGE_SIGN, {"signers": ids, "effective_at": self.effective_at,
                                               "sign_request": sr.hex()})

    def _on_refuse(self, msg: Message) -> list[Message]:
        d = self._decode(msg.payload, ["rule", "detail"], "change_refuse")
        self.refusals[msg.sender] = (str(d["rule"]), str(d["detail"]))
        self.answered.add(msg.sender)
        if self.stage == "signing" and msg.sender in self.signers:
            return self._fail(PolicyViolation(str(d["rule"]), f"signer {msg.sender} refused: {d['detail']}"))
        if self.stage == "collecting" and self.answered >= set(self.candidates):
            return self._fail(PolicyViolation(str(d["rule"]), f"signer {msg.sender}: {d['detail']}"))
        return []

    def _on_share(self, msg: Message) -> list[Message]:
        d = self._decode(msg.payload, ["share"], "change_share")
        share = SignatureShare.from_bytes(self.suite, self._hex(d, "share"))
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
        return self._tell(self.announce_to, Kind.CHANGE_RESULT, {
            "policy": self.new.to_dict(), "signers": self.signers, "effective_at": self.effective_at,
            "approved_at": self.now, "signature": sig.hex()})

    def on_idle(self) -> list[Message]:
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
