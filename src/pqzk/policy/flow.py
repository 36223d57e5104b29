"""The authorization flow as sans-I/O parties run by `pqzk.runtime`.

    coordinator -> signer   "auth_request"  {request}
    signer -> coordinator   "auth_accept"   {commitment, quorum, pq}      policy checked, then FROST round 1
                            "auth_refuse"   {rule, detail}                PolicyViolation naming the rule
    coordinator -> signer   "auth_sign"     {signers, sign_request}       once the accepts satisfy the quorum
                            "auth_cancel"   {}                            to accepted signers not chosen
    signer -> coordinator   "auth_share"    {share, pq_signature}         FROST round 2 (+ ML-DSA) after re-checking
                            "auth_refuse"   {rule, detail}
    coordinator <-> signers tmldsa_*                                      threshold ML-DSA mode only: T of the
                                                                          signers sign the same message (below)
    coordinator -> signer   "auth_result"   {authorization}               every signer verifies it, updates its history

Post-quantum evidence, when the policy requires it for the amount, is a quorum certificate
(each signer adds its ML-DSA signature to its share, against the registered roster) or, when
the custody has a threshold ML-DSA committee, one FIPS 204 signature by T of the signers: once
the FROST signature is made, the coordinator runs `pqzk.runtime.tmldsa_parties` with the first T
signers of the signer set over the same representative the FROST signers signed (session id:
the authorization's + "/threshold-mldsa"); each signer's threshold ML-DSA party approves only
the representative of an authorization it has itself just signed.

Each signer evaluates the request against its own view of the policy, history and clock before it
commits, and again before it signs; it recomputes the authorization digest from the request, its
policy and the signer set, and signs only that (a coordinator cannot get a signature on anything
else). A signer never signs one request id twice. The coordinator gathers accepts until they
satisfy the quorum (count, roles and the FROST threshold), so a silent signer does not block an
honest quorum; signers that never answered are named in `missing`. Every message is signed by its
sender (`Keyring`); what does not verify is dropped. ProtocolAbort names as culprits only signers
whose own signed messages prove a deviation (undecodable answers, two different answers, a share
or post-quantum signature that fails); silence makes a signer `unresponsive`, not a culprit. A
signer that receives a malformed signed request refuses with a ProtocolAbort naming the
coordinator; refusals raise PolicyViolation naming the rule.

Policy changes run as their own session (pqzk.policy.change); the signer side is here too.

Payloads are canonical JSON with hex for bytes, decoded strictly. Parties do no I/O; what should
go into the audit log is collected in `records` for the driver (`Custody`) to append.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import (InvalidEncoding, InvalidParameter, PolicyViolation, PqzkError, ProtocolAbort, ProtocolError,
                      VerificationError)
from ..math.rand import RandomSource, random_bytes
from ..runtime.frost_parties import FrostSigner, decode_sign_request, encode_sign_request
from ..runtime.identity import Keyring, generate_keyrings
from ..runtime.messages import Kind, Message, PartyId
from ..runtime.party import SignedParty
from ..runtime.simulator import Fault, Simulator
from ..threshold.frost import core
from ..threshold.frost.types import KeyPackage, PublicKeyPackage, SignatureShare, SigningCommitments
from .audit import AuditLog
from .authorization import (PQ_QUORUM, PQ_THRESHOLD, Authorization, authorization_digest, frost_scheme, pq_mode,
                            signed_message, verify_authorization)
from .evaluate import MAX_CLOCK_SKEW, Decision, check_signers, evaluate, required_quorum
from .model import Policy, canonical_json
from .private import verify_private_terms
from .request import AuthorizationRequest, History, HistoryEntry
from .change import policy_change_digest
from .state import PolicyState

COORDINATOR = "coordinator"
TMLDSA_KINDS = frozenset(k for k in Kind if k.value.startswith("tmldsa_"))
TMLDSA_SUFFIX = b"/threshold-mldsa"


def _encode(d: dict) -> bytes:
    return canonical_json(d)


def _decode(payload: bytes, keys: Iterable[str], who: str) -> dict:
    try:
        d = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise InvalidEncoding(f"{who}: payload is not JSON") from None
    if not isinstance(d, dict) or set(d) != set(keys):
        raise InvalidEncoding(f"{who}: payload must have exactly the fields {sorted(keys)}")
    return d


def _hex(d: dict, k: str) -> bytes:
    v = d[k]
    if not isinstance(v, str):
        raise InvalidEncoding(f"field {k} must be hex")
    try:
        return bytes.fromhex(v)
    except ValueError:
        raise InvalidEncoding(f"field {k} must be hex") from None


def request_summary(req: AuthorizationRequest) -> dict:
    """The request for the audit log: public fields; a private request's proof only by hash."""
    d = req.to_dict()
    if req.private is not None:
        d["private"] = {"max_amount": req.private.max_amount, "commitments": req.private.commitments.hex(),
                        "proof_sha256": hashlib.sha256(req.private.proof).hexdigest()}
    d["digest"] = req.digest().hex()
    return d


@dataclass
class _Session:
    request: AuthorizationRequest
    policy: Policy
    decision: Decision
    commitment: SigningCommitments
    stage: str = "committed"          # committed -> signed | cancelled | refused


class PolicySigner(SignedParty):
    """A custody signer: a FROST signer that signs only what its policy allows.

    `state` is its view of the policy (a PolicyState), `history` the authorizations it knows of,
    `clock()` its own time; `pq_key`/`roster` its ML-DSA key and the registered roster, or
    `committee`/`committee_share` the custody's threshold ML-DSA key and its share of it, for
    post-quantum evidence. Refusals are sent to the coordinator and kept in `refusals`."""

    def __init__(self, key_package: KeyPackage, state: PolicyState, keyring: Keyring, *,
                 history: History | None = None, clock: Callable[[], int], pq_key=None, roster=None,
                 committee=None, committee_share=None,
                 rng: RandomSource | None = None, frost_signer: FrostSigner | None = None,
                 coordinator: PartyId = COORDINATOR) -> None:
        self.kp = key_package
        self.suite = key_package.suite
        self._init_signed(keyring, key_package.identifier, None)
        self.frost = frost_signer or FrostSigner(key_package, keyring, rng=rng, coordinator=coordinator)
        self.state = state
        self.history = history or History()
        self.clock = clock
        self.pq_key, self.roster = pq_key, roster
        self.committee = committee
        self.tmldsa = None
        if committee_share is not None:
            from ..runtime.tmldsa_parties import TMLDSASigner
            if committee is None or committee_share.public_key != committee.public_key:
                raise InvalidParameter("a committee share needs the committee's public key")
            self.tmldsa = TMLDSASigner(committee_share, keyring, coordinator=coordinator,
                                       approve=self._approve_threshold, rng=rng)
        self._threshold_expected: dict[bytes, bytes] = {}   # threshold ML-DSA session -> what it may sign
        self.coordinator = coordinator
        self.sessions: dict[bytes, _Session] = {}
        self._signed: dict[bytes, bytes] = {}        # request id -> session it was signed in
        self._tx_done: set[bytes] = set()             # transaction digests signed or seen authorized
        self._requests: dict[bytes, AuthorizationRequest] = {}   # session -> request (also when refused)
        self._answers: dict[bytes, list[Message]] = {}            # session -> the first answer, repeated
        self.refusals: list[tuple[bytes, PolicyViolation]] = []
        self.changes: dict[bytes, _ChangeSession] = {}

    def __repr__(self) -> str:
        return f"PolicySigner({self.id})"

    def _reply(self, msg: Message, kind: Kind, body: dict) -> list[Message]:
        return [self._send(msg.sender, kind, _encode(body), msg.session)]

    def _refuse(self, msg: Message, v: PolicyViolation) -> list[Message]:
        self.refusals.append((msg.session, v))
        kind = Kind.CHANGE_REFUSE if msg.kind.startswith("change_") else Kind.AUTH_REFUSE
        return self._reply(msg, kind, {"rule": v.rule, "detail": v.detail})

    def receive(self, msg: Message) -> list[Message]:
        """Messages from anyone but the coordinator, or not signed by it, are dropped. A malformed
        signed request is refused with a ProtocolAbort naming the coordinator."""
        if msg.kind in TMLDSA_KINDS and self.tmldsa is not None:
            return self.tmldsa.receive(msg)          # its own checks: sender, session, signature
        if not self._accept(msg, [self.coordinator]):
            return []
        handler = {Kind.AUTH_REQUEST: self._on_request, Kind.AUTH_SIGN: self._on_sign,
                   Kind.AUTH_CANCEL: self._on_cancel, Kind.AUTH_RESULT: self._on_result,
                   Kind.CHANGE_REQUEST: self._on_change_request, Kind.CHANGE_SIGN: self._on_change_sign,
                   Kind.CHANGE_RESULT: self._on_change_result}.get(msg.kind)
        if handler is None:
            raise ProtocolAbort(f"signer {self.id}: unexpected {msg.kind} message", culprits=[msg.sender])
        try:
            return handler(msg)
        except InvalidEncoding as exc:
            raise ProtocolAbort(f"signer {self.id}: malformed {msg.kind} ({exc})", culprits=[msg.sender]) from None

    def check(self, request: AuthorizationRequest, now: int, verify_proof: bool = True) -> tuple[Policy, Decision]:
        """The policy check this signer makes; PolicyViolation naming the rule when it refuses."""
        policy = self.state.policy_at(now)
        if request.request_id in self._signed:
            raise PolicyViolation("replay", "this signer already signed this request")
        if request.tx_digest in self._tx_done:
            raise PolicyViolation("replay", "this transaction was already authorized (under another request id)")
        decision = evaluate(policy, request, self.history, now)
        decision.raise_if_denied()
        if verify_proof and request.private is not None:
            verify_private_terms(policy, request)
        if decision.pq_required and self.committee is not None:
            if self.tmldsa is None:
                raise PolicyViolation("post_quantum", f"signer {self.id} has no share of the threshold ML-DSA key")
        elif decision.pq_required and (self.pq_key is None or self.roster is None):
            raise PolicyViolation("post_quantum", f"signer {self.id} has no registered ML-DSA key")
        return policy, decision

    def _pq_mode(self, sess: _Session) -> int:
        return pq_mode(sess.decision.pq_required, self.committee)

    def _approve_threshold(self, message: bytes, ctx: bytes, session: bytes) -> None:
        """The threshold ML-DSA party signs only the representative of an authorization this
        signer has just signed with FROST, in that authorization's threshold session."""
        from ..pq.hybrid import THRESHOLD_MLDSA_CTX
        if ctx != THRESHOLD_MLDSA_CTX or self._threshold_expected.get(session) != message:
            raise PolicyViolation("post_quantum", "asked to threshold-sign something this signer did not approve")

    def _on_request(self, msg: Message) -> list[Message]:
        d = _decode(msg.payload, ["request"], "auth_request")
        try:
            request = AuthorizationRequest.from_dict(d["request"])
        except (InvalidParameter, AttributeError) as exc:
            raise InvalidEncoding(str(exc)) from None
        old = self._requests.get(msg.session)
        if old is not None:                     # a repeated request: the same answer as the first time
            if old != request:
                raise ProtocolAbort(f"signer {self.id}: another request in the same session", culprits=[msg.sender])
            sess = self.sessions.get(msg.session)
            if sess is not None and sess.stage != "committed":
                raise ProtocolError(f"signer {self.id}: this session is over")
            return list(self._answers[msg.session])
        try:
            policy, decision = self.check(request, self.clock())
        except PolicyViolation as v:
            out = self._refuse(msg, v)
        else:
            sess = _Session(request, policy, decision, self.frost.commit())
            self.sessions[msg.session] = sess
            out = self._reply(msg, Kind.AUTH_ACCEPT, self._accept_body(sess))
        self._requests[msg.session] = request
        self._answers[msg.session] = out
        return out

    @staticmethod
    def _accept_body(s: _Session) -> dict:
        return {"commitment": s.commitment.to_bytes().hex(), "quorum": s.decision.quorum.to_dict(),
                "pq": s.decision.pq_required}

    def expected_message(self, sess: _Session, signers: Sequence[int]) -> tuple[bytes, bytes]:
        """(authorization digest, the message FROST signs) for this session and signer set."""
        mode = self._pq_mode(sess)
        digest = authorization_digest(self.suite.name, self.kp.verifying_key.to_bytes(), sess.request.digest(),
                                      sess.policy.version, sess.policy.digest(), signers, mode)
        return digest, signed_message(self.suite, self.kp.verifying_key, self.kp.min_signers, digest, signers,
                                      self.roster if mode == PQ_QUORUM else None,
                                      self.committee if mode == PQ_THRESHOLD else None)

    def _on_sign(self, msg: Message) -> list[Message]:
        d = _decode(msg.payload, ["signers", "sign_request"], "auth_sign")
        sess = self.sessions.get(msg.session)
        if sess is None or sess.stage != "committed":
            raise ProtocolError(f"signer {self.id}: no open session to sign in")
        signers = d["signers"]
        if not isinstance(signers, list) or not all(isinstance(i, int) for i in signers) \
                or signers != sorted(set(signers)):
            raise InvalidEncoding("signers must be a sorted list of distinct identifiers")
        message, cl = decode_sign_request(self.suite, _hex(d, "sign_request"))
        try:
            if [c.identifier for c in cl] != signers or self.id not in signers:
                raise PolicyViolation("signing_request", "commitment list does not match the signer set")
            if len(signers) < self.kp.min_signers:
                raise PolicyViolation("quorum", f"{len(signers)} signers, the group key needs {self.kp.min_signers}")
            check_signers(sess.policy, sess.decision.quorum, signers)
            # re-check now, just before signing: time has passed and other requests may have landed
            policy, decision = self.check(sess.request, self.clock(), verify_proof=False)
            if policy != sess.policy or decision != sess.decision:
                raise PolicyViolation("policy_version", "the policy or the decision changed since the commitment")
            digest, expected = self.expected_message(sess, signers)
            if message != expected:
                raise PolicyViolation("signing_request",
                                      "asked to sign something other than this request's authorization digest")
            mine = [c for c in cl if c.identifier == self.id]
            if mine[0] != sess.commitment:
                raise PolicyViolation("signing_request", "the commitment list names another commitment of mine")
        except PolicyViolation as v:
            self._drop(sess, "refused")
            return self._refuse(msg, v)
        nonces = self.frost.take_nonces(sess.commitment)
        share = self.frost.sign_share(nonces, message, cl)
        pq_sig = b""
        if self._pq_mode(sess) == PQ_QUORUM:
            from ..pq.hybrid import quorum_sign_share
            scheme = frost_scheme(self.suite, self.kp.verifying_key, self.kp.min_signers)
            _, pq_sig = quorum_sign_share(scheme, self.roster, signers, self.id, self.pq_key, digest)
        elif self._pq_mode(sess) == PQ_THRESHOLD:
            self._threshold_expected[msg.session + TMLDSA_SUFFIX] = message
        sess.stage = "signed"
        self._signed[sess.request.request_id] = msg.session
        self._record(sess.request)
        return self._reply(msg, Kind.AUTH_SHARE, {"share": share.to_bytes().hex(), "pq_signature": pq_sig.hex()})

    def _drop(self, sess: _Session, stage: str) -> None:
        try:
            self.frost.take_nonces(sess.commitment)     # discard: never usable again
        except ProtocolError:
            pass
        sess.stage = stage

    def _on_cancel(self, msg: Message) -> list[Message]:
        _decode(msg.payload, [], "auth_cancel")
        sess = self.sessions.get(msg.session)
        if sess is not None and sess.stage == "committed":
            self._drop(sess, "cancelled")
        return []

    def _record(self, request: AuthorizationRequest) -> None:
        self._tx_done.add(request.tx_digest)
        if not self.history.seen(request.request_id):
            self.history = self.history.with_entry(HistoryEntry(request.request_id, self.clock(),
                                                                request.charged_amount))

    def _on_result(self, msg: Message) -> list[Message]:
        """An authorization this signer may not have signed: verify it, count it in the history."""
        d = _decode(msg.payload, ["authorization"], "auth_result")
        request = self._requests.get(msg.session)
        if request is None:
            return []
        sess = self.sessions.get(msg.session)
        policy = sess.policy if sess is not None else self.state.policy_at(self.clock())
        auth = Authorization.from_bytes(_hex(d, "authorization"))
        try:
            verify_authorization(auth, request, policy, self.kp, roster=self.roster, committee=self.committee,
                                 check_proof=False)
        except VerificationError as exc:
            raise ProtocolAbort(f"signer {self.id}: announced authorization does not verify: {exc}",
                                culprits=[msg.sender]) from None
        if sess is not None and sess.stage == "committed":
            self._drop(sess, "cancelled")
        self._record(request)
        return []


    # ---- policy changes (see pqzk.policy.change for the coordinator) ----
    def _check_change(self, new: Policy, now: int) -> Policy:
        state = self.state.at(now)
        if state.pending is not None:
            raise PolicyViolation("policy_change", "another change is already pending")
        if new.version != state.active.version + 1:
            raise PolicyViolation("policy_version", f"a change must be version {state.active.version + 1}, "
                                                    f"got {new.version}")
        return state.active

    def _on_change_request(self, msg: Message) -> list[Message]:
        d = _decode(msg.payload, ["policy"], "change_request")
        old = self.changes.get(msg.session)
        if old is not None:
            return self._reply(msg, Kind.CHANGE_ACCEPT, {"commitment": old.commitment.to_bytes().hex()})
        try:
            new = Policy.from_dict(d["policy"])
        except InvalidEncoding as exc:
            return self._refuse(msg, PolicyViolation("policy_change", f"the proposed policy is invalid: {exc}"))
        try:
            self._check_change(new, self.clock())
        except PolicyViolation as v:
            return self._refuse(msg, v)
        sess = _ChangeSession(new, self.frost.commit())
        self.changes[msg.session] = sess
        return self._reply(msg, Kind.CHANGE_ACCEPT, {"commitment": sess.commitment.to_bytes().hex()})

    def _on_change_sign(self, msg: Message) -> list[Message]:
        from .change import policy_change_digest
        d = _decode(msg.payload, ["signers", "effective_at", "sign_request"], "change_sign")
        sess = self.changes.get(msg.session)
        if sess is None or sess.stage != "committed":
            raise ProtocolError(f"signer {self.id}: no open policy-change session")
        signers, effective_at = d["signers"], d["effective_at"]
        if not isinstance(signers, list) or not all(isinstance(i, int) for i in signers) \
                or signers != sorted(set(signers)) or not isinstance(effective_at, int):
            raise InvalidEncoding("signers must be sorted distinct identifiers, effective_at an integer")
        message, cl = decode_sign_request(self.suite, _hex(d, "sign_request"))
        now = self.clock()
        try:
            current = self._check_change(sess.new, now)
            check_signers(current, current.change_quorum or current.quorum, signers)
            if len(signers) < self.kp.min_signers or [c.identifier for c in cl] != signers \
                    or self.id not in signers:
                raise PolicyViolation("signing_request", "commitment list does not match the signer set")
            if effective_at < now + current.cooling_off_seconds - MAX_CLOCK_SKEW:
                raise PolicyViolation("policy_change", "the change would take effect before the cooling-off ends")
            if message != policy_change_digest(current, sess.new, effective_at):
                raise PolicyViolation("signing_request", "asked to sign something other than this policy change")
            if next(c for c in cl if c.identifier == self.id) != sess.commitment:
                raise PolicyViolation("signing_request", "the commitment list names another commitment of mine")
        except PolicyViolation as v:
            self._drop(sess, "refused")
            return self._refuse(msg, v)
        share = self.frost.sign_share(self.frost.take_nonces(sess.commitment), message, cl)
        sess.stage = "signed"
        return self._reply(msg, Kind.CHANGE_SHARE, {"share": share.to_bytes().hex()})

    def _on_change_result(self, msg: Message) -> list[Message]:
        """An approved change: verify the group's signature and the quorum, then adopt it (pending
        until its time lock passes)."""
        from ..threshold import frost
        from .change import policy_change_digest
        from .state import PendingChange
        d = _decode(msg.payload, ["policy", "signers", "effective_at", "approved_at", "signature"], "change_result")
        try:
            new = Policy.from_dict(d["policy"])
            current = self._check_change(new, self.clock())
            check_signers(current, current.change_quorum or current.quorum, d["signers"])
            frost.verify(self.suite, self.kp.verifying_key,
                         policy_change_digest(current, new, d["effective_at"]), _hex(d, "signature"))
        except (PolicyViolation, VerificationError, InvalidEncoding, InvalidParameter, TypeError) as exc:
            raise ProtocolAbort(f"signer {self.id}: announced policy change not adopted: {exc}",
                                culprits=[msg.sender]) from None
        self.state = PolicyState(current, PendingChange(new, d["approved_at"], d["effective_at"]))
        sess = self.changes.get(msg.session)
        if sess is not None and sess.stage == "committed":
            self._drop(sess, "cancelled")
        return []


@dataclass
class _ChangeSession:
    new: Policy
    commitment: SigningCommitments
    stage: str = "committed"


class AuthorizationCoordinator(SignedParty):
    """Collects a quorum of policy-checked signers, runs FROST (and ML-DSA) and builds the
    Authorization. `result` holds it when done; `error` a PolicyViolation or ProtocolAbort."""

    def __init__(self, state: PolicyState, public_key_package: PublicKeyPackage, request: AuthorizationRequest,
                 candidates: Sequence[int], keyring: Keyring, *, now: int, history: History | None = None,
                 roster=None, committee=None, session: bytes = b"auth", precheck: bool = True) -> None:
        self.pkp = public_key_package
        self.precheck = precheck
        self.suite = public_key_package.suite
        self._init_signed(keyring, keyring.party, session)
        self.policy = state.policy_at(now)
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

    def __repr__(self) -> str:
        return f"AuthorizationCoordinator({self.stage})"

    # ---- helpers ----
    def _tell(self, to: Iterable[int], kind: Kind, body: dict) -> list[Message]:
        payload = _encode(body)
        return [self._send(i, kind, payload) for i in to]

    def _fail(self, error: PqzkError) -> list[Message]:
        if self.error is None:
            self.error = error
            body = {"session": self.session.hex(), "by": "coordinator", "allowed": False, "final": True}
            if isinstance(error, PolicyViolation):
                body.update(rule=error.rule, detail=error.detail)
            else:
                body.update(rule="protocol_abort", detail=str(error),
                            culprits=list(getattr(error, "culprits", [])),
                            unresponsive=list(getattr(error, "unresponsive", [])))
            self.records.append(("decision", body))
        self.stage = "failed"
        return []

    # ---- the protocol ----
    def start(self) -> list[Message]:
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
            amount = self.request.charged_amount
            pq = self.policy.pq_required_above is not None and amount > self.policy.pq_required_above
            self.decision = Decision(False, self.decision.rule, self.decision.detail,
                                     required_quorum(self.policy, amount), pq)
        if self.decision.pq_required and self.roster is None and self.committee is None:
            return self._fail(PolicyViolation("post_quantum", "post-quantum evidence required but no roster "
                                                              "or threshold ML-DSA committee"))
        if (self._mode() == PQ_THRESHOLD and self.decision.quorum is not None
                and self.committee.params.T < self.decision.quorum.min_signers):
            return self._fail(PolicyViolation("post_quantum", f"the threshold ML-DSA committee needs "
                                              f"{self.committee.params.T} signers, fewer than the "
                                              f"{self.decision.quorum.min_signers} this amount requires"))
        self.stage = "collecting"
        return self._tell(self.candidates, Kind.AUTH_REQUEST, {"request": self.request.to_dict()})

    def _mode(self) -> int:
        return pq_mode(self.decision.pq_required, self.committee)

    def receive(self, msg: Message) -> list[Message]:
        if msg.kind in TMLDSA_KINDS:
            return self._on_threshold(self.tmldsa.receive(msg)) if self.tmldsa is not None else []
        if not self._accept(msg, self.candidates):
            return []
        if self.stage in ("done", "failed"):
            if msg.kind == Kind.AUTH_ACCEPT and msg.sender not in self.signers:
                return self._tell([msg.sender], Kind.AUTH_CANCEL, {})
            return []
        try:
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
        d = _decode(msg.payload, ["commitment", "quorum", "pq"], "auth_accept")
        comm = SigningCommitments.from_bytes(self.suite, _hex(d, "commitment"))
        if comm.identifier != msg.sender:
            return self._fail(ProtocolAbort("commitment carries another identifier", culprits=[msg.sender]))
        if msg.sender in self.answered:
            if self.accepts.get(msg.sender) != comm:
                return self._fail(ProtocolAbort("two different answers from one signer", culprits=[msg.sender]))
            return []
        self.answered.add(msg.sender)
        if self.stage != "collecting":
            return self._tell([msg.sender], Kind.AUTH_CANCEL, {})
        self.accepts[msg.sender] = comm
        self._signer_record(msg.sender, True, "allowed")
        return self._maybe_sign()

    def _on_refuse(self, msg: Message) -> list[Message]:
        d = _decode(msg.payload, ["rule", "detail"], "auth_refuse")
        if not isinstance(d["rule"], str) or not isinstance(d["detail"], str):
            raise InvalidEncoding("rule and detail must be strings")
        rule, detail = d["rule"], d["detail"]
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
            return self._fail(PolicyViolation("post_quantum", str(exc)))
        sign_request = encode_sign_request(self.suite, self.message, [self.accepts[i] for i in ids])
        return self._tell(ids, Kind.AUTH_SIGN, {"signers": ids, "sign_request": sign_request.hex()})

    def _on_share(self, msg: Message) -> list[Message]:
        if self.stage != "signing" or msg.sender not in self.signers:
            return []
        d = _decode(msg.payload, ["share", "pq_signature"], "auth_share")
        share = SignatureShare.from_bytes(self.suite, _hex(d, "share"))
        pq_sig = _hex(d, "pq_signature")
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
        ML-DSA (the first T by identifier), in a session derived from this one."""
        from ..pq.hybrid import THRESHOLD_MLDSA_CTX
        from ..runtime.tmldsa_parties import TMLDSACoordinator
        T = self.committee.params.T
        if len(self.signers) < T:
            return self._fail(PolicyViolation("post_quantum", f"{len(self.signers)} signers, the threshold ML-DSA "
                                                              f"committee needs {T}"))
        self.stage = "pq-signing"
        self.tmldsa = TMLDSACoordinator(self.committee, self.message, self.signers[:T], self.keyring,
                                        ctx=THRESHOLD_MLDSA_CTX, session=self.session + TMLDSA_SUFFIX)
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
        return self._tell(self.candidates, Kind.AUTH_RESULT, {"authorization": auth.to_bytes().hex()})

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


@dataclass
class Outcome:
    """What one authorization attempt produced."""
    request: AuthorizationRequest
    authorization: Authorization | None
    error: PqzkError | None
    decision: Decision | None
    refusals: dict[int, tuple[str, str]] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)
    signers: list[int] = field(default_factory=list)
    simulator: Simulator | None = field(default=None, repr=False)

    @property
    def allowed(self) -> bool:
        return self.authorization is not None

    @property
    def rule(self) -> str:
        if self.authorization is not None:
            return "allowed"
        return getattr(self.error, "rule", "protocol_abort")

    def unwrap(self) -> Authorization:
        if self.authorization is None:
            raise self.error
        return self.authorization


class Custody:
    """A custody group in one process: n PolicySigners and a coordinator run by the simulator,
    with the audit log written after each step. The embedded default for demos, tests, CLI."""

    def __init__(self, state: PolicyState | Policy, key_packages: Mapping[int, KeyPackage],
                 public_key_package: PublicKeyPackage, *, pq_keys: Mapping | None = None, roster=None,
                 committee=None, committee_shares: Mapping | None = None,
                 audit: AuditLog | None = None, rng: RandomSource | None = None,
                 keyrings: Mapping[PartyId, Keyring] | None = None) -> None:
        """`pq_keys` + `roster`: post-quantum evidence as quorum certificates; `committee` (a
        threshold ML-DSA ThresholdPublicKey, parties numbered like the FROST identifiers) +
        `committee_shares`: as one threshold ML-DSA signature."""
        self.state = state if isinstance(state, PolicyState) else PolicyState(state)
        self.pkp = public_key_package
        self.key_packages = dict(key_packages)
        self.roster = roster
        self.committee = committee
        committee_shares = dict(committee_shares or {})
        self.audit = audit
        self.rng = rng
        self.now = 0
        self.history = History()
        self.sessions = 0
        pq_keys = dict(pq_keys or {})
        missing = set(self.state.active.signers) - set(self.key_packages)
        if missing:
            raise InvalidParameter(f"policy signers {sorted(missing)} have no key package")
        # every party's identity: the signers' and the coordinator's (fresh ones unless given)
        self.keyrings = dict(keyrings) if keyrings is not None else generate_keyrings(
            [COORDINATOR, *self.key_packages], rng=rng)
        self.signers = {i: PolicySigner(kp, self.state, self.keyrings[i], clock=self._clock,
                                        pq_key=pq_keys.get(i), roster=roster, committee=committee,
                                        committee_share=committee_shares.get(i), rng=rng)
                        for i, kp in self.key_packages.items()}

    def _clock(self) -> int:
        return self.now

    def _new_session(self, label: bytes) -> bytes:
        """A session id never used before by these identities: a replayed message of another
        session then fails its session check (signatures bind the session)."""
        return label + b"-%d-" % self.sessions + random_bytes(16, self.rng)

    def policy_at(self, now: int) -> Policy:
        return self.state.policy_at(now)

    def _log(self, kind: str, body: dict) -> None:
        if self.audit is not None:
            self.audit.append(kind, body)

    def authorize(self, request: AuthorizationRequest, now: int, *, candidates: Sequence[int] | None = None,
                  faults: Iterable[Fault] = (), signers: Mapping[int, PolicySigner] | None = None,
                  coordinator_cls: type | None = None, precheck: bool = True, reorder: bool = False) -> Outcome:
        """Run one authorization session at time `now`; the Outcome says what happened."""
        self.now = now
        self.sessions += 1
        session = self._new_session(b"auth")
        parties = dict(self.signers)
        parties.update(signers or {})
        cands = sorted(candidates if candidates is not None else self.policy_at(now).signers)
        coord = (coordinator_cls or AuthorizationCoordinator)(self.state, self.pkp, request, cands,
                                                              self.keyrings[COORDINATOR], now=now,
                                                              history=self.history, roster=self.roster,
                                                              committee=self.committee,
                                                              session=session, precheck=precheck)
        sim = Simulator([coord, *(parties[i] for i in cands)], faults, rng=self.rng, reorder=reorder)
        sim.run(coord.start())
        if coord.error is None and coord.result is None:
            coord._fail(ProtocolAbort("authorization did not complete"))
        for kind, body in coord.records:
            self._log(kind, body)
        if coord.result is not None:
            self.history = coord.history
        return Outcome(request, coord.result, coord.error, coord.decision, dict(coord.refusals),
                       list(coord.missing), list(coord.signers), sim)

    def change_policy(self, new: Policy, approvers: Sequence[int], now: int) -> bytes:
        """A policy change run as a session (pqzk.policy.change): the approvers check it against
        their own view and the active policy's change quorum, the group signs the change digest,
        every signer verifies and adopts it; it takes effect after the cooling-off. Returns the
        FROST signature; raises PolicyViolation or ProtocolAbort."""
        from .change import PolicyChangeCoordinator
        self.now = now
        self.sessions += 1
        approvers = sorted(set(approvers))
        unknown = [i for i in approvers if i not in self.signers]
        if unknown:
            raise InvalidParameter(f"unknown approvers {unknown}")
        coord = PolicyChangeCoordinator(self.state, self.pkp, new, approvers, self.keyrings[COORDINATOR], now=now,
                                        announce_to=self.signers, session=self._new_session(b"policy-change"))
        sim = Simulator([coord, *self.signers.values()], rng=self.rng)
        sim.run(coord.start())
        if coord.result is None:
            err = coord.error or ProtocolAbort("policy change did not complete")
            self._log("policy_change", {"approved": False, "rule": getattr(err, "rule", "protocol_abort"),
                                        "detail": getattr(err, "detail", str(err)), "to_version": new.version,
                                        "approvers": approvers})
            raise err
        sig, signers, state = coord.result
        self.state = state
        self._log("policy_change", {"approved": True, "from_version": state.active.version,
                                    "to_version": new.version, "new_digest": new.digest().hex(),
                                    "effective_at": state.pending.effective_at, "approvers": signers,
                                    "digest": coord.digest.hex(), "signature": sig.hex()})
        return sig


__all__ = ["PolicySigner", "AuthorizationCoordinator", "Custody", "Outcome", "policy_change_digest",
           "request_summary", "COORDINATOR"]
