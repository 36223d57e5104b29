"""The custody signer: a FROST signer that signs only what its policy allows.

    coordinator -> signer   auth_request   AuthRequest     evaluate the policy, then FROST round 1
    signer -> coordinator   auth_accept    AuthAccept      (or auth_refuse, a PolicyViolation naming the rule)
    coordinator -> signer   auth_sign      AuthSign        re-check; sign only this request's authorization digest
                            auth_cancel    AuthCancel      not chosen: the commitment is discarded
                            auth_direct    AuthDirect      one round: check, then sign over a preprocessed commitment
    signer -> coordinator   auth_share     AuthShare       FROST round 2 (+ ML-DSA) — or auth_refuse
    coordinator <-> signer  tmldsa_*       (runtime)       threshold ML-DSA mode: the signer's TMLDSASigner
    coordinator -> signer   auth_result    AuthResult      verify the Authorization, count it in the history

`AuthorizationSigner` is the signer's side of the authorization flow: it evaluates each request
against its own view of the policy, history and clock before it commits and again before it signs,
recomputes the authorization digest from the request, its policy and the signer set and signs only
that (a coordinator cannot get a signature on anything else), and never signs one request id, or
one transaction, twice. With a threshold ML-DSA committee it also holds a share of the committee's
key in a `runtime.tmldsa_parties.TMLDSASigner` whose approve hook lets it threshold-sign only the
representative of an authorization this signer has just signed with FROST, in that
authorization's threshold session (`messages.threshold_session`). `PolicySigner` is the party a
node runs: both sides — authorizations and policy changes (`change_signer.ChangeSigner`) — on one
key, routed by message kind.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import InvalidParameter, PolicyViolation, ProtocolAbort, ProtocolError, VerificationError
from ..math.rand import RandomSource
from ..runtime.bounded import BoundedDict
from ..runtime.frost_parties import COORDINATOR, FrostSigner
from ..runtime.identity import Keyring
from ..runtime.messages import Kind, Message, PartyId
from ..runtime.nonces import PREPROCESSED
from ..threshold.frost.types import KeyPackage, PublicKeyPackage, SigningCommitments
from .authorization import (PQ_QUORUM, PQ_THRESHOLD, authorization_digest, frost_scheme, pq_mode, signed_message,
                            verify_authorization)
from .change_signer import ChangeSigner
from .evaluate import Decision, check_signers, evaluate
from .messages import (THRESHOLD_KINDS, AuthAccept, AuthCancel, AuthDirect, AuthRefuse, AuthRequest, AuthResult,
                       AuthShare, AuthSign, threshold_session)
from .model import Policy
from .private import verify_private_terms
from .request import AuthorizationRequest, History, HistoryEntry
from .signer_base import MAX_SESSIONS, SignerCore, SignerSide
from .state import PolicyState


@dataclass
class _Session:
    request: AuthorizationRequest
    policy: Policy
    decision: Decision
    commitment: SigningCommitments
    stage: str = "committed"          # committed -> signed | cancelled | refused


class AuthorizationSigner(SignerSide):
    """The authorization side of a custody signer. `history` holds the authorizations it knows of
    (signed or announced); for post-quantum evidence, `pq_key`/`roster` are its ML-DSA key and the
    registered roster (quorum certificates), or `committee`/`committee_share` the custody's
    threshold ML-DSA key (a ThresholdPublicKey) and this signer's share of it (`tmldsa` holds the
    share; a committee member without a share refuses requests that need the evidence)."""

    REFUSAL = AuthRefuse

    def __init__(self, core: SignerCore, *, history: History | None = None, pq_key=None, roster=None,
                 committee=None, committee_share=None, rng: RandomSource | None = None) -> None:
        super().__init__(core)
        self.history = history or History()
        self.pq_key, self.roster = pq_key, roster
        self.committee = committee
        self.tmldsa = None
        if committee_share is not None:
            from ..runtime.tmldsa_parties import TMLDSASigner
            if committee is None or committee_share.public_key != committee.public_key:
                raise InvalidParameter("a committee share needs the committee's public key")
            self.tmldsa = TMLDSASigner(committee_share, core.keyring, coordinator=core.coordinator,
                                       approve=self._approve_threshold, rng=rng)
        # per-session tables, bounded (a coordinator could open sessions without end): a forgotten
        # committed session's nonces are burned; what must not be forgotten (signed requests,
        # transactions) is in _signed/_tx_done, which only real authorizations grow
        self._threshold_expected: BoundedDict[bytes, bytes] = BoundedDict(MAX_SESSIONS)   # threshold session -> what
        self.sessions: BoundedDict[bytes, _Session] = BoundedDict(MAX_SESSIONS, self._forget)
        self._signed: dict[bytes, bytes] = {}                    # request id -> session it was signed in
        self._tx_done: set[bytes] = set()                         # transaction digests signed or seen authorized
        self._requests: BoundedDict[bytes, AuthorizationRequest] = BoundedDict(MAX_SESSIONS)  # session -> request
        self._answers: BoundedDict[bytes, list[Message]] = BoundedDict(MAX_SESSIONS)   # session -> first answer
        # called with (request, signed) for every authorization this signer counts — a node keeps
        # them in its audit log and `remember`s them after a restart (replay protection, windows)
        self.journal: Callable[[AuthorizationRequest, bool], None] | None = None

    def _forget(self, session: bytes, sess: _Session) -> None:
        if sess.stage == "committed":
            self._close(sess, "cancelled")

    def inherit(self, previous: "AuthorizationSigner") -> None:
        """What `previous` (this signer before its share was renewed) counted: history, signed
        requests, authorized transactions — so no renewal makes it sign a request twice or forget
        a window."""
        self.history = previous.history
        self._signed.update(previous._signed)
        self._tx_done |= previous._tx_done

    def handlers(self):
        """Authorization requests, signing requests, direct (one-round) requests, cancels and results."""
        return {Kind.AUTH_REQUEST: self._on_request, Kind.AUTH_SIGN: self._on_sign,
                Kind.AUTH_DIRECT: self._on_direct, Kind.AUTH_CANCEL: self._on_cancel,
                Kind.AUTH_RESULT: self._on_result}

    def receive(self, msg: Message) -> list[Message]:
        """Threshold ML-DSA messages go to this signer's TMLDSASigner, which makes its own checks
        (sender, session, signature); without a committee share they are unexpected kinds."""
        if msg.kind in THRESHOLD_KINDS and self.tmldsa is not None:
            return self.tmldsa.receive(msg)
        return super().receive(msg)

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
        body = AuthRequest.from_payload(msg.payload)
        request = body.request
        old = self._requests.get(msg.session)
        if old is not None:                     # a repeated request: the same answer as the first time
            if old != request:
                raise ProtocolAbort(f"signer {self.id}: another request in the same session", culprits=[msg.sender])
            sess = self.sessions.get(msg.session)
            if sess is not None and sess.stage != "committed":
                raise ProtocolError(f"signer {self.id}: this session is over")
            return list(self._answers[msg.session])
        try:
            self.check_key(body.key)
            policy, decision = self.check(request, self.clock())
        except PolicyViolation as v:
            out = self._refuse(msg, v)
        else:
            sess = _Session(request, policy, decision, self.frost.commit())
            self.sessions[msg.session] = sess
            out = self._reply(msg, AuthAccept(sess.commitment, decision.quorum, decision.pq_required))
        self._requests[msg.session] = request
        self._answers[msg.session] = out
        return out

    def expected_message(self, sess: _Session, signers: Sequence[int]) -> tuple[bytes, bytes]:
        """(authorization digest, the message FROST signs) for this session and signer set."""
        mode = self._pq_mode(sess)
        digest = authorization_digest(self.suite.name, self.kp.verifying_key.to_bytes(), sess.request.digest(),
                                      sess.policy.version, sess.policy.digest(), signers, mode)
        return digest, signed_message(self.suite, self.kp.verifying_key, self.kp.min_signers, digest, signers,
                                      self.roster if mode == PQ_QUORUM else None,
                                      self.committee if mode == PQ_THRESHOLD else None)

    def _on_sign(self, msg: Message) -> list[Message]:
        body = AuthSign.from_payload(msg.payload, self.suite)
        sess = self._open_session(self.sessions, msg, "authorization")
        return self._sign(msg, sess, list(body.signers), body.message, list(body.commitments), recheck=True)

    def _on_direct(self, msg: Message) -> list[Message]:
        """One round: check the request, then sign over the preprocessed commitment named for us."""
        body = AuthDirect.from_payload(msg.payload, self.suite)
        old = self._requests.get(msg.session)
        if old is not None:
            if old != body.request:
                raise ProtocolAbort(f"signer {self.id}: another request in the same session", culprits=[msg.sender])
            return list(self._answers.get(msg.session, []))
        self._requests[msg.session] = body.request
        mine = [c for c in body.commitments if c.identifier == self.id]
        try:
            self.check_key(body.key)
            policy, decision = self.check(body.request, self.clock())
            if len(mine) != 1 or self.frost.nonces.kind(mine[0].to_bytes()) != PREPROCESSED:
                raise PolicyViolation("signing_request", "the request names no unused preprocessed commitment "
                                                         "of this signer")
        except PolicyViolation as v:
            out = self._refuse(msg, v)
        else:
            sess = _Session(body.request, policy, decision, mine[0])
            self.sessions[msg.session] = sess
            out = self._sign(msg, sess, list(body.signers), body.message, list(body.commitments), recheck=False)
        self._answers[msg.session] = out
        return out

    def _sign(self, msg: Message, sess: _Session, signers: list[int], message: bytes,
              cl: list[SigningCommitments], *, recheck: bool) -> list[Message]:
        """Sign `message` over `cl` for this session, if every check holds; refuse otherwise."""
        try:
            self._check_commitments(sess, signers, cl)
            if len(signers) < self.kp.min_signers:
                raise PolicyViolation("quorum", f"{len(signers)} signers, the group key needs {self.kp.min_signers}")
            check_signers(sess.policy, sess.decision.quorum, signers)
            if recheck:     # just before signing: time has passed and other requests may have landed
                policy, decision = self.check(sess.request, self.clock(), verify_proof=False)
                if policy != sess.policy or decision != sess.decision:
                    raise PolicyViolation("policy_version", "the policy or the decision changed since the commitment")
            digest, expected = self.expected_message(sess, signers)
            if message != expected:
                raise PolicyViolation("signing_request",
                                      "asked to sign something other than this request's authorization digest")
        except PolicyViolation as v:
            self._close(sess, "refused")
            return self._refuse(msg, v)
        share = self.frost.sign_share(self.frost.take_nonces(sess.commitment), message, cl)
        pq_sig = b""
        if self._pq_mode(sess) == PQ_QUORUM:
            from ..pq.hybrid import quorum_sign_share
            scheme = frost_scheme(self.suite, self.kp.verifying_key, self.kp.min_signers)
            _, pq_sig = quorum_sign_share(scheme, self.roster, signers, self.id, self.pq_key, digest)
        elif self._pq_mode(sess) == PQ_THRESHOLD:
            self._threshold_expected[threshold_session(msg.session)] = message
        sess.stage = "signed"
        self._signed[sess.request.request_id] = msg.session
        self._record(sess.request, signed=True)
        return self._reply(msg, AuthShare(share, pq_sig))

    def _on_cancel(self, msg: Message) -> list[Message]:
        AuthCancel.from_payload(msg.payload)
        sess = self.sessions.get(msg.session)
        if sess is not None and sess.stage == "committed":
            self._close(sess, "cancelled")
        return []

    def _record(self, request: AuthorizationRequest, *, signed: bool = False) -> None:
        new = not self.history.seen(request.request_id)
        self.remember(request.request_id, request.tx_digest, self.clock(), request.charged_amount, signed=signed)
        if self.journal is not None and (new or signed):
            self.journal(request, signed)

    def remember(self, request_id: bytes, tx_digest: bytes, time: int, charged_amount: int, *,
                 signed: bool) -> None:
        """Count an authorization (signed by this signer, or seen announced): its request id and
        transaction are never signed again, its amount counts in the windows — also after a restart,
        when a node replays what its audit log kept."""
        if signed:
            self._signed.setdefault(request_id, b"remembered")
        self._tx_done.add(tx_digest)
        if not self.history.seen(request_id):
            self.history = self.history.with_entry(HistoryEntry(request_id, time, charged_amount))

    def _on_result(self, msg: Message) -> list[Message]:
        """An authorization this signer may not have signed: verify it, count it in the history.
        In a session this signer took part in, its own copy of the request is the one verified, and
        a result that does not verify convicts the coordinator; in a session it never saw (one-round
        signing asked others), the announced request is verified and counted — or, if it does not
        verify (an old result replayed after a policy change, say), ignored without blame."""
        body = AuthResult.from_payload(msg.payload)
        auth = body.authorization
        request = self._requests.get(msg.session)
        sess = self.sessions.get(msg.session)
        policy = sess.policy if sess is not None else self.state.policy_at(self.clock())
        if request is None:
            try:
                verify_authorization(auth, body.request, policy, self.kp, roster=self.roster,
                                     committee=self.committee, check_proof=False)
            except VerificationError:
                return []
            self._record(body.request)
            return []
        try:
            verify_authorization(auth, request, policy, self.kp, roster=self.roster, committee=self.committee,
                                 check_proof=False)
        except VerificationError as exc:
            raise ProtocolAbort(f"signer {self.id}: announced authorization does not verify: {exc}",
                                culprits=[msg.sender]) from None
        if sess is not None and sess.stage == "committed":
            self._close(sess, "cancelled")
        self._record(request)
        return []


class PolicySigner:
    """The party a custody node runs: one key package and identity serving authorizations
    (`authorization`, an AuthorizationSigner) and policy changes (`change`, a ChangeSigner),
    routed by message kind. `state` is its view of the policy, `history` the authorizations it
    knows of, `clock()` its own time; refusals of both sides are kept in `refusals`. Post-quantum
    evidence: `pq_key`/`roster`, or `committee`/`committee_share` (see AuthorizationSigner)."""

    def __init__(self, key_package: KeyPackage, state: PolicyState, keyring: Keyring, *,
                 public_key_package: PublicKeyPackage, history: History | None = None, clock: Callable[[], int],
                 pq_key=None, roster=None,
                 committee=None, committee_share=None,
                 rng: RandomSource | None = None, frost_signer: FrostSigner | None = None,
                 coordinator: PartyId = COORDINATOR) -> None:
        if not isinstance(state, PolicyState):
            raise InvalidParameter(f"a signer's policy view is a PolicyState, got {type(state).__name__}")
        frost = frost_signer or FrostSigner(key_package, keyring, rng=rng, coordinator=coordinator)
        self.core = SignerCore(key_package, keyring, frost, state, clock, public_key_package, coordinator)
        self.authorization = AuthorizationSigner(self.core, history=history, pq_key=pq_key, roster=roster,
                                                 committee=committee, committee_share=committee_share, rng=rng)
        self.change = ChangeSigner(self.core)
        self.id, self.keyring = self.authorization.id, keyring
        self._routes = {kind: side for side in (self.authorization, self.change) for kind in side.handlers()}
        # commitments ahead of time, for one-round signing (auth_direct); never a raw signing request
        self._routes[Kind.PREPROCESS_REQUEST] = frost
        # threshold ML-DSA: the authorization side hands them to its committee share's party
        self._routes.update({kind: self.authorization for kind in THRESHOLD_KINDS})

    def __repr__(self) -> str:
        return f"PolicySigner({self.id})"

    def receive(self, msg: Message) -> list[Message]:
        """Route a message to the side that serves its kind (the authorization side checks the signature of
        any other)."""
        # a kind neither side serves goes to the authorization side, which checks the signature
        # before it names the sender (an unsigned message blames nobody)
        return self._routes.get(msg.kind, self.authorization).receive(msg)

    @property
    def state(self) -> PolicyState:
        """The policy state this signer holds (shared by its sides)."""
        return self.core.state

    def inherit(self, previous: "PolicySigner") -> None:
        """Carry over what `previous` — this node's signer before a refresh, repair or reshare
        renewed its share — knew: the policy it adopted (changes included) and what it counted."""
        self.core.state = previous.core.state
        self.authorization.inherit(previous.authorization)

    @property
    def history(self) -> History:
        """The requests this signer has authorized (for limits and replay refusal)."""
        return self.authorization.history

    # deliberate look-alike of policy/signer_base.py:SignerSide.refusals (duplicates): each facade reads the shared
    # SignerCore; PolicySigner is not a SignerSide
    @property
    def refusals(self) -> list[tuple[bytes, PolicyViolation]]:
        """The refusals this signer made: session and violation."""
        return self.core.refusals

    @property
    def rejected(self) -> list[tuple[Message, str]]:
        """Messages dropped unread (unsigned, another session's, not from the coordinator)."""
        return self.authorization.rejected + self.change.rejected


__all__ = ["AuthorizationSigner", "PolicySigner"]
