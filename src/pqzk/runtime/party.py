"""What every runtime party shares: signing what it sends, checking what it receives, and
keeping blame to what the accused signed.

`SignedParty` is a mixin for sans-I/O parties holding a `Keyring`. Incoming messages that do not
verify, belong to another session, or are addressed to someone else are dropped and listed in
`rejected` — never attributed, since anyone on the path could have produced them. Blame
(`ProtocolAbort.culprits`) is for parties whose own signed messages prove a deviation;
silence is reported as `unresponsive`, a hint and not blame.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..encoding import ByteReader, ByteWriter
from ..errors import InvalidEncoding, InvalidParameter, ProtocolAbort
from . import wire
from .identity import Keyring
from .messages import Kind, Message, PartyId

# how many quiet timeouts a waiting party sits through before it gives up (the first one is for
# the others to act on their own timeouts: complain, reveal, announce an abort)
PATIENCE = 2


class SignedParty:
    """Mixin: `self.keyring`, `self.id` and `self.session` are set by the party's constructor."""

    keyring: Keyring
    id: PartyId
    session: bytes

    def _init_signed(self, keyring: Keyring, party_id: PartyId, session: bytes | None) -> None:
        """`session` None: a party serving many sessions (it answers in the request's session)."""
        if not isinstance(keyring, Keyring):
            raise InvalidParameter(f"a runtime party needs a Keyring, got {type(keyring).__name__}")
        if keyring.party != party_id:
            raise InvalidParameter(f"keyring of party {keyring.party!r} given to party {party_id!r}")
        if session is not None and (not isinstance(session, (bytes, bytearray)) or not session):
            raise InvalidParameter("a session id is non-empty bytes")
        self.keyring, self.id = keyring, party_id
        self.session = bytes(session) if session is not None else None
        self.rejected: list[tuple[Message, str]] = []

    def _send(self, to: PartyId, kind: Kind, payload: bytes, session: bytes | None = None) -> Message:
        return self.keyring.sign(Message(self.id, to, kind, payload, session or self.session))

    def _send_all(self, to: Iterable[PartyId], kind: Kind, payload: bytes) -> list[Message]:
        """A broadcast: one signature, one copy per recipient."""
        signed = self.keyring.sign(Message(self.id, None, kind, payload, self.session, broadcast=True))
        return [Message(self.id, j, kind, payload, self.session, True, signed.signature) for j in to if j != self.id]

    def _accept(self, msg: Message, senders: Iterable[PartyId]) -> bool:
        """True if `msg` is for this party, in this session, from an expected sender, and signed
        by that sender; otherwise it is dropped and noted in `rejected`."""
        why = None
        if self.session is not None and msg.session != self.session:
            why = "another session"
        elif msg.recipient != self.id:
            why = "addressed to another party"
        elif msg.sender not in senders:
            why = "from a party outside this session"
        elif not self.keyring.is_authentic(msg):
            why = "signature does not verify"
        if why is not None:
            if len(self.rejected) < 1000:
                self.rejected.append((msg, why))
            return False
        return True


# ---- abort notices: "I stop, and why" — with the root cause forwarded, signed, when it was a notice ----
MAX_REASON = 200
_OWN, _FORWARDED = 0, 1


def own_notice(reason: str) -> bytes:
    """The payload of an abort notice for a party that stops for its own reason."""
    return bytes([_OWN]) + reason.encode("utf-8", "replace")[:MAX_REASON]


def forwarded_notice(root: Message) -> bytes:
    """The payload of an abort notice for a party stopped by `root` (another party's own-reason
    notice, signed): forwarding it lets everyone see who really stopped the run."""
    return (ByteWriter("abort notice").uint(_FORWARDED, 1).put(wire.encode_party(root.sender))
            .lp(root.signature, 2).lp(root.payload, 4).to_bytes())


def read_notice(msg: Message, keyring: Keyring) -> tuple[Message, str]:
    """(the root notice, its reason). InvalidEncoding if the notice is malformed or forwards
    something its claimed author did not sign (the forwarder signed that: it is to blame)."""
    r = ByteReader(msg.payload, "abort notice")
    kind = r.uint(1)
    if kind == _OWN:
        return msg, r.take(len(msg.payload) - 1).decode("utf-8", "replace")
    if kind != _FORWARDED:
        raise InvalidEncoding("abort notice of an unknown type")
    sender = wire.read_party(r)
    sig = r.lp(2)
    payload = r.lp(4)
    r.end()
    root = Message(sender, None, msg.kind, payload, msg.session, True, sig)
    if not payload or payload[0] != _OWN or not keyring.is_authentic(root):
        raise InvalidEncoding(f"abort notice forwards a notice party {sender} did not sign")
    return root, payload[1:].decode("utf-8", "replace")


class LeadAbort:
    """Abort bookkeeping for a signing coordinator, which stops alone (it has nobody to tell): the
    first ProtocolAbort ends the session (`error`, stage "aborted"); one raised after the result is
    out (stage "done") is kept in `evidence`. The host class sets `stage`, `error` and `evidence`."""

    stage: str
    error: ProtocolAbort | None
    evidence: list[ProtocolAbort]

    def _abort(self, reason: str, culprits=(), unresponsive=()) -> list[Message]:
        exc = ProtocolAbort(reason, culprits=culprits, unresponsive=unresponsive)
        if self.stage == "done":
            self.evidence.append(exc)
        elif self.error is None:
            self.error = exc
            self.stage = "aborted"
        return []


class AnnouncedAbort:
    """Abort bookkeeping for parties that announce their aborts to the others (the ceremonies,
    repair): proven `culprits`, the notices received, and `error` built from them.

    The host class sets `abort_kind`, keeps `others`, and keeps `stage`: a string (or a StrEnum
    member) that is "done" or "aborted" once the party is over."""

    abort_kind: Kind
    others: list
    stage: str

    def _is_over(self) -> bool:
        return self.stage in ("done", "aborted")

    def _mark_aborted(self) -> None:
        self.stage = type(self.stage)("aborted")       # the host's Stage.ABORTED, or the plain string

    def _init_abort(self) -> None:
        self.culprits: dict[PartyId, str] = {}
        self.notices: dict[PartyId, str] = {}
        self._reason = ""
        self._unresponsive: list[PartyId] = []
        self._stopped_by: list[PartyId] = []
        self._aborted = False

    @property
    def error(self) -> ProtocolAbort | None:
        """The `ProtocolAbort` this party stopped with (reason, culprits, unresponsive, who stopped it), or
        None."""
        if not self._aborted:
            return None
        return ProtocolAbort(self._reason, culprits=list(self.culprits), unresponsive=self._unresponsive,
                             stopped_by=self._stopped_by)

    def _convict(self, party: PartyId, reason: str) -> None:
        self.culprits.setdefault(party, reason)

    def _abort(self, reason: str, unresponsive=(), root: Message | None = None) -> list[Message]:
        """Stop, and tell everyone: our own reason, or the signed notice (`root`) that stopped us."""
        if self._is_over():
            return []
        if self.culprits:
            reason, root = "; ".join(f"party {p}: {why}" for p, why in self.culprits.items()), None
        self._reason, self._unresponsive = reason, list(unresponsive)
        self._stopped_by = [root.sender] if root is not None else []
        self._aborted = True
        self._mark_aborted()
        note = forwarded_notice(root) if root is not None else own_notice(reason)
        return self._send_all(self.others, self.abort_kind, note)

    def _on_abort_notice(self, msg: Message) -> list[Message]:
        """Another party stops: so do we (a malformed notice convicts its sender)."""
        try:
            if not msg.broadcast:
                raise InvalidEncoding("sent privately")
            root, why = read_notice(msg, self.keyring)
        except InvalidEncoding as exc:
            self._convict(msg.sender, f"malformed abort notice ({exc})")
            return self._abort("")
        self.notices.setdefault(msg.sender, why)
        return self._abort(f"party {root.sender} aborted: {why}", root=root)
