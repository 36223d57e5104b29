"""What the two sides of a custody signer share: one key, one nonce store, one view of the policy.

A custody signer serves two protocols — authorizations (`signer.AuthorizationSigner`) and policy
changes (`change_signer.ChangeSigner`) — with one FROST key package and signer, one identity, one
clock and one view of the policy: the change side adopts an approved change into `SignerCore.state`
and the authorization side evaluates requests against it. `SignerSide` is the base of both sides:
it answers only its coordinator (signed, in the request's session), turns a malformed signed
request into a `ProtocolAbort` naming the coordinator, and refuses with a `Refusal` naming the rule.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, ProtocolAbort, ProtocolError
from ..runtime.frost_parties import COORDINATOR, FrostSigner
from ..runtime.identity import Keyring
from ..runtime.messages import Kind, Message, PartyId
from ..runtime.party import SignedParty
from ..threshold.frost.types import KeyPackage, PublicKeyPackage, SigningCommitments
from .messages import Body, Refusal
from .state import PolicyState

MAX_SESSIONS = 4096      # sessions a signer side remembers (older ones are forgotten, their nonces burned)


@dataclass(eq=False)
class SignerCore:
    """One signer's shared state. `state` is its view of the policy (a PolicyState), `clock()` its
    own time, `public_key_package` the key its share belongs to (requests name its version);
    `refusals` are (session, PolicyViolation) pairs of both sides, in order."""
    key_package: KeyPackage
    keyring: Keyring
    frost: FrostSigner
    state: PolicyState
    clock: Callable[[], int]
    public_key_package: PublicKeyPackage
    coordinator: PartyId = COORDINATOR
    refusals: list[tuple[bytes, PolicyViolation]] = field(default_factory=list)

    def __post_init__(self) -> None:
        pkp, kp = self.public_key_package, self.key_package
        if pkp.verifying_key != kp.verifying_key or pkp.verifying_shares.get(kp.identifier) != kp.verifying_share \
                or pkp.min_signers != kp.min_signers:
            raise InvalidParameter("the public key package is not the one of this signer's key package")
        self.key_version = pkp.key_version()

    def __repr__(self) -> str:
        return f"SignerCore({self.key_package.identifier}, <key package redacted>)"


class SignerSide(SignedParty):
    """Base of a signer's side of one protocol: subclasses set `REFUSAL` (their refusal body) and
    `handlers()` (kind -> method taking the message)."""

    REFUSAL: ClassVar[type[Refusal]]

    def __init__(self, core: SignerCore) -> None:
        self.core = core
        self.kp = core.key_package
        self.suite = self.kp.suite
        self._init_signed(core.keyring, self.kp.identifier, None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id})"

    # the shared state, read and written through the core
    @property
    def state(self) -> PolicyState:
        """The signer's policy state, shared through the core."""
        return self.core.state

    @state.setter
    def state(self, value: PolicyState) -> None:
        self.core.state = value

    # deliberate look-alike of pq/hybrid.py:ThresholdBlsScheme, threshold/ecdsa/keys.py:EcdsaPublicKey
    # (duplicates): one-line delegating properties, no shared logic
    @property
    def frost(self) -> FrostSigner:
        """The signer's FROST party, shared through the core."""
        return self.core.frost

    @property
    def coordinator(self) -> PartyId:
        """The coordinator whose messages this signer accepts."""
        return self.core.coordinator

    # deliberate look-alike of policy/signer.py:PolicySigner.refusals (duplicates): each facade reads the shared
    # SignerCore; PolicySigner is not a SignerSide
    @property
    def refusals(self) -> list[tuple[bytes, PolicyViolation]]:
        """The refusals the signer made: session and violation."""
        return self.core.refusals

    def clock(self) -> int:
        """The signer's own clock, in seconds (time locks and windows are judged by it)."""
        return self.core.clock()

    def handlers(self) -> dict[Kind, Callable[[Message], list[Message]]]:
        """The message kinds this side handles, each with the method that takes the message."""
        raise NotImplementedError

    def receive(self, msg: Message) -> list[Message]:
        """Messages from anyone but the coordinator, or not signed by it, are dropped. A malformed
        signed request, or one of a kind this side does not serve, is a ProtocolAbort naming the
        coordinator."""
        if not self._accept(msg, [self.coordinator]):
            return []
        handler = self.handlers().get(msg.kind)
        if handler is None:
            raise ProtocolAbort(f"signer {self.id}: unexpected {msg.kind} message", culprits=[msg.sender])
        try:
            return handler(msg)
        except InvalidEncoding as exc:
            raise ProtocolAbort(f"signer {self.id}: malformed {msg.kind} ({exc})", culprits=[msg.sender]) from None

    def check_key(self, key: bytes) -> None:
        """PolicyViolation("key_version") unless a request names the version of the key this
        signer's share belongs to: with another one, its share would not verify where the
        coordinator checks it (one refresh ahead or behind), and the coordinator would blame it."""
        if key != self.core.key_version:
            raise PolicyViolation("key_version", f"signer {self.id} holds another version of the key than the "
                                                 "request names (a refresh, reshare or repair in between)")

    def _reply(self, msg: Message, body: Body) -> list[Message]:
        return [self._send(msg.sender, body.KIND, body.to_payload(), msg.session)]

    def _refuse(self, msg: Message, violation: PolicyViolation) -> list[Message]:
        self.refusals.append((msg.session, violation))
        return self._reply(msg, self.REFUSAL.of(violation))

    def _open_session(self, sessions: dict, msg: Message, what: str):
        """The session `msg` asks to sign in, if it is still waiting for that; ProtocolError
        otherwise (an old or replayed request: refused, blaming nobody)."""
        sess = sessions.get(msg.session)
        if sess is None or sess.stage != "committed":
            raise ProtocolError(f"signer {self.id}: no open {what} session to sign in")
        return sess

    def _check_commitments(self, session, signers: Sequence[int], commitments: Sequence[SigningCommitments]) -> None:
        """The commitment list names exactly `signers`, this signer among them, with the
        commitment it made in `session`; PolicyViolation("signing_request") otherwise."""
        if [c.identifier for c in commitments] != list(signers) or self.id not in signers:
            raise PolicyViolation("signing_request", "commitment list does not match the signer set")
        if next(c for c in commitments if c.identifier == self.id) != session.commitment:
            raise PolicyViolation("signing_request", "the commitment list names another commitment of mine")

    def _close(self, session, stage: str) -> None:
        """End `session` (its `commitment` and `stage`) without signing: the nonces behind the
        commitment are used up, so they can never sign anything."""
        try:
            self.frost.take_nonces(session.commitment)
        except ProtocolError:
            pass
        session.stage = stage


__all__ = ["SignerCore", "SignerSide"]
