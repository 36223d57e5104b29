"""The coordinator of one authorization session: a quorum of policy-checked signers, FROST (and
ML-DSA) signing, the Authorization.

    coordinator -> candidates  auth_request   evaluate first (a refused request asks nobody)
    signer -> coordinator      auth_accept | auth_refuse
    coordinator -> chosen      auth_sign      once the accepts satisfy the quorum (count, roles, FROST threshold)
                 -> the others auth_cancel    accepted late, not chosen
    signer -> coordinator      auth_share | auth_refuse
    coordinator <-> first T    tmldsa_*       threshold ML-DSA mode only, once the FROST signature is made
    coordinator -> candidates  auth_result    the Authorization

With preprocessed commitments (`commitments=`) the first four lines are one: `auth_direct`, the
request and the signing package at once, answered by `auth_share` or `auth_refuse`.

Post-quantum evidence, when the policy requires it for the amount, is a quorum certificate (each
signer's ML-DSA signature comes with its share, checked against the roster) or, with a threshold
ML-DSA committee, one FIPS 204 signature: once the FROST signature is made, the coordinator runs a
`runtime.tmldsa_parties.TMLDSACoordinator` with the first T signers of the signer set over the
same representative the FROST signers signed, in the session `messages.threshold_session(session)`.
This holds on the one-round path too: there FROST takes one round and the committee's signature
the threshold session's own rounds after it. A committee whose T is below the quorum's signer
count for the amount is refused before anyone is asked (rule `post_quantum`).

It gathers accepts until they satisfy the quorum, so a silent signer does not block an honest
quorum; signers that never answered are named in `missing`. Its `ProtocolAbort` names as culprits
only signers whose own signed messages prove a deviation (undecodable answers, two different
answers, a share or post-quantum signature that fails); silence makes a signer `unresponsive`,
not a culprit. Refusals end in a PolicyViolation naming the rule. The coordinator does no I/O:
what belongs in the audit log is collected in `records` for whoever runs the session to append.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, PqzkError, ProtocolAbort
from ..runtime.identity import Keyring
from ..runtime.messages import Kind, Message
from ..runtime.party import SignedParty
from ..threshold.frost import core
from ..threshold.frost.types import PublicKeyPackage, SignatureShare, SigningCommitments
from .authorization import (PQ_QUORUM, PQ_THRESHOLD, Authorization, authorization_digest, pq_mode, signed_message,
                            verify_authorization)
from .evaluate import Decision, check_signers, evaluate
from .messages import (THRESHOLD_KINDS, AuthAccept, AuthCancel, AuthDirect, AuthRefuse, AuthRequest, AuthResult,
                       AuthShare, AuthSign, Body, threshold_session)
from .model import Policy
from .private import verify_private_terms
from .request import AuthorizationRequest, History, HistoryEntry
from .rules import pq_evidence_required, required_quorum
from .state import PolicyState


def request_summary(req: AuthorizationRequest) -> dict:
    """The request for the audit log: public fields; a private request's proof only by hash."""
    d = req.to_dict()
    if req.private is not None:
        d["private"] = {"max_amount": req.private.max_amount, "commitments": req.private.commitments.hex(),
                        "proof_sha256": hashlib.sha256(req.private.proof).hexdigest()}
    d["digest"] = req.digest().hex()
    return d


class SessionCoordinator(SignedParty):
    """What the coordinators of the policy sessions share: telling signers a message body, and
    failing once — the first error stands (`_failed` is told it), the stage becomes "failed"."""

    error: PqzkError | None
    stage: str

    def _tell(self, to: Iterable[int], body: Body) -> list[Message]:
        payload = body.to_payload()
        return [self._send(i, body.KIND, payload) for i in to]

    def _fail(self, error: PqzkError) -> list[Message]:
        if self.error is None:
            self.error = error
            self._failed(error)
        self.stage = "failed"
        return []

    def _failed(self, error: PqzkError) -> None:
        """The session's first error, once."""


class AuthorizationCoordinator(SessionCoordinator):
    """Collects a quorum of policy-checked signers, runs FROST (and ML-DSA) and builds the
    Authorization. `result` holds it when done; `error` a PolicyViolation or ProtocolAbort.
    `precheck=False` makes a lax coordinator that asks the signers even when its own evaluation
    refuses (they must refuse). Post-quantum evidence: against `roster` (quorum certificates) or
    by `committee` (a threshold ML-DSA ThresholdPublicKey; `tmldsa` is then its session's
    coordinator). `commitments`: one-round signing over these preprocessed commitments."""

    def __init__(self, state: PolicyState, public_key_package: PublicKeyPackage, request: AuthorizationRequest,
                 candidates: Sequence[int], keyring: Keyring, *, now: int, history: History | None = None,
                 roster=None, committee=None, session: bytes = b"auth", precheck: bool = True,
                 commitments: Mapping[int, SigningCommitments] | None = None) -> None:
        self.pkp = public_key_package
        self.precheck = precheck
        self.suite = public_key_package.suite
        self._init_signed(keyring, keyring.party, session)
        self.policy: Policy = state.policy_at(now)
        self.request = request
        self.candidates = sorted(set(candidates))
        unknown = set(self.candidates) - set(self.pkp.verifying_shares)
        if unknown:
            raise InvalidParameter(f"unknown signers {sorted(unknown)}")
        self.now = now
        self.history = history or History()
        self.roster = roster
        self.committee = committee
        self.tmldsa = None                 # the threshold ML-DSA coordinator, in that mode
        self.stage = "new"
        self.decision: Decision | None = None
        self.accepts: dict[int, SigningCommitments] = {}
        self.refusals: dict[int, tuple[str, str]] = {}
        self.answered: set[int] = set()
        self.signers: list[int] = []
        self.message = self.digest = b""
        self.shares: dict[int, SignatureShare] = {}
        self.pq_sigs: dict[int, bytes] = {}
        self.frost_signature = b""
        self.result: Authorization | None = None
        self.error: PqzkError | None = None
        self.missing: list[int] = []
        self.records: list[tuple[str, dict]] = []
        # one-round signing over preprocessed commitments: these signers, asked at once
        self.preprocessed = dict(commitments or {})
        if self.preprocessed and (set(self.preprocessed) - set(self.candidates) or any(
                c.identifier != i for i, c in self.preprocessed.items())):
            raise InvalidParameter("preprocessed commitments must be the candidates', under their identifiers")

    def __repr__(self) -> str:
        return f"AuthorizationCoordinator({self.stage})"

    def _failed(self, error: PqzkError) -> None:
        """The final decision, for the audit log."""
        body = {"session": self.session.hex(), "by": "coordinator", "allowed": False, "final": True}
        if isinstance(error, PolicyViolation):
            body.update(rule=error.rule, detail=error.detail)
        else:
            body.update(rule="protocol_abort", detail=str(error), culprits=list(getattr(error, "culprits", [])),
                        unresponsive=list(getattr(error, "unresponsive", [])))
        self.records.append(("decision", body))

    # ---- the protocol ----
    def start(self) -> list[Message]:
        """Evaluate the request against the policy and, when it is allowed, ask the candidate signers to
        approve it (a refusal is recorded and ends the run)."""
        self.records.append(("request", {"session": self.session.hex(), "request": request_summary(self.request)}))
        try:
            if self.request.private is not None:
                verify_private_terms(self.policy, self.request)
            self.decision = evaluate(self.policy, self.request, self.history, self.now)
        except PolicyViolation as v:
            self.decision = Decision(False, v.rule, v.detail)
        self.records.append(("decision", {"session": self.session.hex(), "by": "coordinator",
                                          "allowed": self.decision.allowed, "rule": self.decision.rule,
                                          "detail": self.decision.detail}))
        if not self.decision.allowed:
            if self.precheck:
                return self._fail(PolicyViolation(self.decision.rule, self.decision.detail))
            # asked anyway (a lax or dishonest coordinator): the signers must refuse
            self.decision = Decision(False, self.decision.rule, self.decision.detail,
                                     required_quorum(self.policy, self.request.charged_amount),
                                     pq_evidence_required(self.policy, self.request))
        if self.decision.pq_required and self.roster is None and self.committee is None:
            return self._fail(PolicyViolation("post_quantum", "post-quantum evidence required but no roster "
                                                              "or threshold ML-DSA committee"))
        if (self._mode() == PQ_THRESHOLD and self.decision.quorum is not None
                and self.committee.params.T < self.decision.quorum.min_signers):
            return self._fail(PolicyViolation("post_quantum", f"the threshold ML-DSA committee needs "
                                              f"{self.committee.params.T} signers, fewer than the "
                                              f"{self.decision.quorum.min_signers} this amount requires"))
        if self.preprocessed:
            return self._direct()
        self.stage = "collecting"
        return self._tell(self.candidates, AuthRequest(self.request, self.pkp.key_version()))

    def _direct(self) -> list[Message]:
        """One round: the request and the signing package to the preprocessed signers at once."""
        ids = sorted(self.preprocessed)
        if not self._quorum_met(ids):
            return self._fail(PolicyViolation("quorum", f"the preprocessed signers {ids} do not make "
                                                        f"{self.decision.quorum.describe()}"))
        self.accepts = dict(self.preprocessed)
        self.answered = set(ids)
        error = self._signing_package(ids)
        if error is not None:
            return self._fail(error)
        return self._tell(ids, AuthDirect(self.request, tuple(ids), self.message, tuple(self.accepts[i] for i in ids),
                                          self.pkp.key_version()))

    def _mode(self) -> int:
        """The post-quantum mode of this authorization (authorization.PQ_*)."""
        return pq_mode(self.decision.pq_required, self.committee)

    def _signing_package(self, ids: list[int]) -> PqzkError | None:
        """Fix the signer set, the authorization digest and the message FROST signs."""
        self.signers = ids
        self.stage = "signing"
        mode = self._mode()
        self.digest = authorization_digest(self.suite.name, self.pkp.verifying_key.to_bytes(), self.request.digest(),
                                           self.policy.version, self.policy.digest(), ids, mode)
        try:
            self.message = signed_message(self.suite, self.pkp.verifying_key, self.pkp.min_signers, self.digest,
                                          ids, self.roster if mode == PQ_QUORUM else None,
                                          self.committee if mode == PQ_THRESHOLD else None)
        except InvalidParameter as exc:   # e.g. a signer not on the roster
            return PolicyViolation("post_quantum", str(exc))
        return None

    def receive(self, msg: Message) -> list[Message]:
        """Handle a signer's approval, refusal or signature share (threshold ML-DSA messages go to its own
        coordinator)."""
        if msg.kind in THRESHOLD_KINDS:     # the threshold ML-DSA coordinator makes its own checks
            return self._on_threshold(self.tmldsa.receive(msg)) if self.tmldsa is not None else []
        if not self._accept(msg, self.candidates):
            return []
        if self.stage in ("done", "failed"):
            if msg.kind == Kind.AUTH_ACCEPT and msg.sender not in self.signers:
                return self._tell([msg.sender], AuthCancel())
            return []
        try:
            # deliberate look-alike of runtime/frost_parties.py:FrostSigner.receive (duplicates): a dispatch on
            # message kinds; here a malformed message fails the session, there the signer refuses
            if msg.kind == Kind.AUTH_ACCEPT:
                return self._on_accept(msg)
            if msg.kind == Kind.AUTH_REFUSE:
                return self._on_refuse(msg)
            if msg.kind == Kind.AUTH_SHARE:
                return self._on_share(msg)
        except InvalidEncoding:
            return self._fail(ProtocolAbort(f"malformed {msg.kind} message", culprits=[msg.sender]))
        return self._fail(ProtocolAbort(f"unexpected {msg.kind} message", culprits=[msg.sender]))

    def _signer_record(self, signer: int, allowed: bool, rule: str, detail: str = "") -> None:
        self.records.append(("decision", {"session": self.session.hex(), "by": f"signer {signer}",
                                          "allowed": allowed, "rule": rule, "detail": detail}))

    def _on_accept(self, msg: Message) -> list[Message]:
        comm = AuthAccept.from_payload(msg.payload, self.suite).commitment
        if comm.identifier != msg.sender:
            return self._fail(ProtocolAbort("commitment carries another identifier", culprits=[msg.sender]))
        if msg.sender in self.answered:
            if self.accepts.get(msg.sender) != comm:
                return self._fail(ProtocolAbort("two different answers from one signer", culprits=[msg.sender]))
            return []
        self.answered.add(msg.sender)
        if self.stage != "collecting":
            return self._tell([msg.sender], AuthCancel())
        self.accepts[msg.sender] = comm
        self._signer_record(msg.sender, True, "allowed")
        return self._maybe_sign()

    def _on_refuse(self, msg: Message) -> list[Message]:
        refusal = AuthRefuse.from_payload(msg.payload)
        rule, detail = refusal.rule, refusal.detail
        if msg.sender in self.signers and self.stage == "signing":
            self.refusals[msg.sender] = (rule, detail)
            self._signer_record(msg.sender, False, rule, detail)
            return self._fail(PolicyViolation(rule, f"signer {msg.sender} refused to sign: {detail}"))
        if msg.sender in self.answered:
            return []
        self.answered.add(msg.sender)
        self.refusals[msg.sender] = (rule, detail)
        self._signer_record(msg.sender, False, rule, detail)
        if self.stage == "collecting" and self.answered >= set(self.candidates):
            return self._refused()
        return []

    def _refused(self) -> list[Message]:
        why = f"{len(self.accepts)} signers accepted, {len(self.refusals)} refused"
        if not self.refusals:
            return self._fail(PolicyViolation("quorum", f"{why}: the accepting signers {sorted(self.accepts)} "
                                                        f"do not make {self.decision.quorum.describe()}"))
        rules = sorted({r for r, _ in self.refusals.values()})
        first = min(self.refusals)
        rule, detail = self.refusals[first]
        return self._fail(PolicyViolation(rule, f"{why} (rules: {', '.join(rules)}); signer {first}: {detail}"))

    def _quorum_met(self, ids: Sequence[int]) -> bool:
        if len(ids) < self.pkp.min_signers:
            return False
        try:
            check_signers(self.policy, self.decision.quorum, ids)
        except PolicyViolation:
            return False
        return True

    def _maybe_sign(self) -> list[Message]:
        ids = sorted(self.accepts)
        if not self._quorum_met(ids):
            if self.answered >= set(self.candidates):
                return self._refused()
            return []
        error = self._signing_package(ids)
        if error is not None:
            return self._fail(error)
        return self._tell(ids, AuthSign(tuple(ids), self.message, tuple(self.accepts[i] for i in ids)))

    def _on_share(self, msg: Message) -> list[Message]:
        if self.stage != "signing" or msg.sender not in self.signers:
            return []
        body = AuthShare.from_payload(msg.payload, self.suite)
        share, pq_sig = body.share, body.pq_signature
        if share.identifier != msg.sender:
            return self._fail(ProtocolAbort("signature share carries another identifier", culprits=[msg.sender]))
        if msg.sender in self.shares:
            if self.shares[msg.sender] != share or self.pq_sigs.get(msg.sender, b"") != pq_sig:
                return self._fail(ProtocolAbort("two different signature shares from one signer",
                                                culprits=[msg.sender]))
            return []
        if self._mode() == PQ_QUORUM:
            from ..pq import mldsa
            from ..pq.hybrid import QC_CTX
            key = self.roster.keys[msg.sender]
            if not mldsa.is_valid(self.roster.params, key, self.message, pq_sig, QC_CTX):
                return self._fail(ProtocolAbort("post-quantum signature does not verify", culprits=[msg.sender]))
        elif pq_sig:
            return self._fail(ProtocolAbort("unexpected post-quantum signature", culprits=[msg.sender]))
        self.shares[msg.sender] = share
        if self._mode() == PQ_QUORUM:
            self.pq_sigs[msg.sender] = pq_sig
        if len(self.shares) < len(self.signers):
            return []
        try:
            sig = core.aggregate_verified(self.suite, [self.accepts[i] for i in self.signers], self.message,
                                          self.pkp.verifying_key, [self.shares[i] for i in self.signers],
                                          self.pkp.verifying_shares)
        except ProtocolAbort as exc:
            return self._fail(exc)
        self.frost_signature = sig.to_bytes()
        if self._mode() == PQ_THRESHOLD:
            return self._start_threshold()
        return self._finish()

    def _start_threshold(self) -> list[Message]:
        """The FROST signature is made: T of its signers now sign the same message with threshold
        ML-DSA (the first T by identifier), in the session derived from this one."""
        from ..pq.hybrid import THRESHOLD_MLDSA_CTX
        from ..runtime.tmldsa_parties import TMLDSACoordinator
        T = self.committee.params.T
        if len(self.signers) < T:
            return self._fail(PolicyViolation("post_quantum", f"{len(self.signers)} signers, the threshold ML-DSA "
                                                              f"committee needs {T}"))
        self.stage = "pq-signing"
        self.tmldsa = TMLDSACoordinator(self.committee, self.message, self.signers[:T], self.keyring,
                                        ctx=THRESHOLD_MLDSA_CTX, session=threshold_session(self.session))
        return self.tmldsa.start()

    def _on_threshold(self, out: list[Message]) -> list[Message]:
        """After the threshold ML-DSA coordinator has acted: its messages, or the end."""
        if self.stage != "pq-signing":
            return []
        if self.tmldsa.error is not None:
            return self._fail(self.tmldsa.error)
        if self.tmldsa.result is not None:
            return self._finish(self.tmldsa.result)
        return out

    def _finish(self, threshold_signature: bytes = b"") -> list[Message]:
        """Build and verify the Authorization, record it, announce it to every candidate."""
        auth = Authorization(self.suite.name, self.pkp.verifying_key.to_bytes(), self.request.digest(),
                             self.policy.version, self.policy.digest(), tuple(self.signers), self.frost_signature,
                             tuple(sorted(self.pq_sigs.items())), threshold_signature)
        verify_authorization(auth, self.request, self.policy, self.pkp, roster=self.roster, committee=self.committee,
                             check_proof=False)
        self.result = auth
        self.stage = "done"
        self.history = self.history.with_entry(HistoryEntry(self.request.request_id, self.now,
                                                            self.request.charged_amount))
        self.records.append(("authorization", {"session": self.session.hex(),
                                               "request_digest": self.request.digest().hex(),
                                               "authorization": auth.to_dict(),
                                               "encoded_sha256": hashlib.sha256(auth.to_bytes()).hexdigest()}))
        return self._tell(self.candidates, AuthResult(auth, self.request))

    def on_idle(self) -> list[Message]:
        """The network is quiet: whoever has not answered is unresponsive (not blamed)."""
        silent = [i for i in self.candidates if i not in self.answered]
        if self.stage == "collecting":
            if self.refusals and not silent:
                return self._refused()
            return self._fail(ProtocolAbort(f"no quorum: {len(self.accepts)} accepted, {len(self.refusals)} refused, "
                                            f"{len(silent)} silent", unresponsive=silent))
        if self.stage == "signing":
            return self._fail(ProtocolAbort("no signature share received",
                                            unresponsive=[i for i in self.signers if i not in self.shares]))
        if self.stage == "pq-signing":
            return self._on_threshold(self.tmldsa.on_idle())
        if self.stage == "done":
            self.missing = silent
        return []


__all__ = ["AuthorizationCoordinator", "SessionCoordinator", "request_summary"]
