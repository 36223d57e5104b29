"""Threshold ECDSA (DKLs23) as sans-I/O parties: key generation, proactive refresh and resharing
(the VSS ceremonies of `pqzk.runtime.ceremony` followed by a pairwise OT setup), and three-round
signing among peers.

Key ceremonies (`EcdsaKeygenParticipant`, `EcdsaRefreshParticipant`, `EcdsaReshareParticipant`):

    ecdsa_<c>_round1 .. _abort   the ceremony (DKG / refresh / reshare); the DKG's round 1 also
                                 commits to the party's chain-code contribution
    ecdsa_ot_setup     private   after the ceremony, to every other new holder: the chain-code
                                 contribution (DKG) and both base-OT messages of the pair

A base-OT message that does not decode, or a chain-code contribution that does not open its
commitment, convicts its signed sender; a missing one is waited for and then reported as
unresponsive. Signing (`EcdsaSigner`, every signer a peer; each ends with the signature):

    ecdsa_sign_commit  broadcast  commitment to R_i
    ecdsa_sign_mul1    private    Bob's OT-extension message (one per pair and direction)
    ecdsa_sign_mul2    private    every signed commitment received (echo), then Alice's VOLE
                                  message, the opening of R_i, Γ^u, Γ^v and ψ
    ecdsa_sign_share   broadcast  (u_i, w_i)
    ecdsa_sign_abort   broadcast  this signer stops, and why

Culprits: a message that does not decode; one that fails a check of DKLs23 (the KOS correlation
check convicts the OT-extension receiver, the VOLE's μ check, the opening of R and the Γ checks
convict the VOLE sender — the party that checks is the other party of that pair, so a third
party learns only that this pair failed, from the checker's signed notice); two different signed
messages for one slot; a forwarded commitment its author did not sign (convicts the forwarder)
or that differs from the one received directly (convicts its author: equivocation). Not
identifiable: a wrong ψ or (u_i, w_i) makes the signature invalid, and each signer who sees that
stops on its own (no notice, no blame); silence is reported as unresponsive.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..encoding import ByteReader, ByteWriter
from ..errors import InvalidEncoding, InvalidParameter, PqzkError, VerificationError
from ..math.rand import RandomSource, random_bytes
from ..ot import OtSetupMessage
from ..threshold.ecdsa.dkls import Dkls23Signer, PeerDeviation
from ..threshold.ecdsa.keygen import chain_commitment, combine_chain_code, ot_label
from ..threshold.ecdsa.keys import EcdsaKeyShare, EcdsaPublicKey, suite_for
from ..threshold.ecdsa.signature import EcdsaSignature
from ..threshold.frost.types import PublicKeyPackage
from . import wire
from .ceremony import Ceremony, Stage, party_order
from .dkg_parties import DkgScheme, RefreshScheme, ReshareScheme
from .identity import Keyring
from .messages import Kind, Message, PartyId
from .party import PATIENCE, AnnouncedAbort, SignedParty

OT_STAGE = "ot_setup"
_OT_RANK = 4          # waits longer than every ceremony stage (their ranks are 0..3)


# ---------------------------------------------------------------- key ceremonies

class EcdsaDkgScheme(DkgScheme):
    """The FROST DKG dealing over the curve's ciphersuite, plus a commitment to 32 random bytes
    (this dealer's chain-code contribution) at the end of its round 1 payload."""
    prefix = "ecdsa_dkg"

    def __init__(self, curve: str, identifier: int, participants: Sequence[int], min_signers: int,
                 session: bytes) -> None:
        super().__init__(suite_for(curve), identifier, len(participants), min_signers, participants)
        self.session = session
        self.chain_commitments: dict[PartyId, bytes] = {}
        self.contribution = b""

    def deal(self, rng):
        """The DKG dealing, with a commitment to this party's chain-code contribution appended."""
        coeffs, payload = super().deal(rng)
        self.contribution = random_bytes(32, rng)
        return coeffs, payload + chain_commitment(self.session, ot_label(self.identifier), self.contribution)

    def check_round1(self, dealer, dealer_index, payload):
        """The DKG check, keeping the dealer's chain-code commitment."""
        if len(payload) < 32:
            raise InvalidEncoding("round 1 payload lacks the chain-code commitment")
        com = super().check_round1(dealer, dealer_index, payload[:-32])
        self.chain_commitments[dealer] = payload[-32:]
        return com


class EcdsaRefreshScheme(RefreshScheme):
    """Proactive refresh of a threshold ECDSA key (its own message kinds)."""
    prefix = "ecdsa_refresh"


class EcdsaReshareScheme(ReshareScheme):
    """Resharing of a threshold ECDSA key (its own message kinds)."""
    prefix = "ecdsa_reshare"


class _OtSetupPhase:
    """After the ceremony: the pairwise OT setup among the new holders, then the key share.
    Host classes are Ceremony subclasses that set `curve`, `ot_peers` (party -> identifier of
    every new holder, this one included) and implement `_ot_extra()` / `_check_extra()` /
    `_build_share()`."""

    curve: str
    ot_peers: dict
    dkg_result: tuple | None = None

    def _init_ot(self) -> None:
        self._ot_setups: dict[PartyId, OtSetupMessage] = {}
        self._ot_msgs: dict[PartyId, Message] = {}
        self._ot_quiet = 0

    def _holds_new_share(self) -> bool:
        return self.id in self.ot_peers

    def _finish(self) -> list[Message]:
        out = super()._finish()
        if self.stage != Stage.DONE:
            return out
        self.dkg_result, self.result = self.result, None
        if not self._holds_new_share():          # a resharing dealer that receives nothing
            self.result = (None, self._public_key(self.dkg_result[1]))
            return out
        self.stage = OT_STAGE
        me = ot_label(self.ot_peers[self.id])
        for p in self.ot_peers:
            if p != self.id:
                self._ot_setups[p] = OtSetupMessage(self.session, me, ot_label(self.ot_peers[p]), self.rng)
        out += [self._send(p, Kind.ECDSA_OT_SETUP, self._ot_extra() + s.message) for p, s in self._ot_setups.items()]
        return out + self._ot_progress()

    def receive(self, msg: Message) -> list[Message]:
        if msg.kind != Kind.ECDSA_OT_SETUP:
            return super().receive(msg)
        if self.stage == Stage.NEW or not self._accept(msg, self.others) or self._is_over():
            return []
        self._progress = True
        if msg.broadcast or msg.sender not in self.ot_peers or not self._holds_new_share():
            self._convict(msg.sender, "sent an OT setup message it had no business sending (or as a broadcast)")
        else:
            old = self._ot_msgs.get(msg.sender)
            if old is not None and old.payload != msg.payload:
                self._convict(msg.sender, "signed two different OT setup messages")
            elif old is None:
                self._ot_msgs[msg.sender] = msg
        if self.culprits:
            return self._abort("")
        return self._ot_progress() if self.stage == OT_STAGE else []

    def _ot_progress(self) -> list[Message]:
        if any(p not in self._ot_msgs for p in self._ot_setups):
            return []
        extra = len(self._ot_extra())
        seeds, extras = {}, {}
        for p, setup in self._ot_setups.items():
            payload = self._ot_msgs[p].payload
            try:
                if len(payload) < extra:
                    raise InvalidEncoding("OT setup message too short")
                extras[p] = payload[:extra]
                self._check_extra(p, extras[p])
                seeds[self.ot_peers[p]] = setup.finish(payload[extra:])
            except (InvalidEncoding, VerificationError) as exc:
                self._convict(p, f"bad OT setup message ({exc})")
        if self.culprits:
            return self._abort("")
        try:
            share = self._build_share(seeds, extras)
        except PqzkError as exc:                  # cannot happen once every message is checked
            return self._abort(f"could not assemble the key share ({type(exc).__name__})")
        self.result = (share, share.public_key)
        self.stage = Stage.DONE
        return []

    def _ot_extra(self) -> bytes:
        return b""

    def _check_extra(self, party: PartyId, extra: bytes) -> None:
        return None

    def on_idle(self) -> list[Message]:
        if self.stage != OT_STAGE:
            return super().on_idle()
        if self._progress:
            self._quiet, self._progress = 0, False
        self._quiet += 1
        if self._quiet >= PATIENCE + _OT_RANK:
            waiting = sorted((p for p in self._ot_setups if p not in self._ot_msgs), key=party_order)
            return self._abort(f"timed out at the OT setup waiting for {', '.join(map(str, waiting))}", waiting)
        return []


class EcdsaKeygenParticipant(_OtSetupPhase, Ceremony):
    """One holder of a new DKLs23 key (party id = identifier)."""

    def __init__(self, curve: str, identifier: int, participants: Sequence[int], min_signers: int,
                 keyring: Keyring, *, rng: RandomSource | None = None, session: bytes = b"ecdsa-dkg") -> None:
        ids = sorted(participants)
        if len(set(ids)) != len(ids) or identifier not in ids:
            raise InvalidParameter("participants must be distinct and include this participant")
        self.curve = curve
        scheme = EcdsaDkgScheme(curve, identifier, ids, min_signers, session)
        super().__init__(scheme, identifier, {i: i for i in ids}, {i: i for i in ids}, keyring,
                         session=session, rng=rng)
        self.ot_peers = {i: i for i in ids}
        self._init_ot()

    def _public_key(self, pkp: PublicKeyPackage) -> EcdsaPublicKey:
        raise InvalidParameter("every DKG participant holds a share")

    def _ot_extra(self) -> bytes:
        return self.scheme.contribution

    def _check_extra(self, party: PartyId, extra: bytes) -> None:
        if chain_commitment(self.session, ot_label(self.ot_peers[party]), extra) != \
                self.scheme.chain_commitments[party]:
            raise VerificationError("chain-code contribution does not open its commitment")

    def _build_share(self, seeds, extras) -> EcdsaKeyShare:
        contributions = [extras.get(p, self.scheme.contribution) for p in sorted(self.ot_peers, key=party_order)]
        kp, pkp = self.dkg_result
        return EcdsaKeyShare(self.curve, kp, pkp, combine_chain_code(contributions), seeds)


class EcdsaRefreshParticipant(_OtSetupPhase, Ceremony):
    """One holder in a proactive refresh: same key, new shares and new OT seeds (the old ones,
    and the old shares, are of no use with the new)."""

    def __init__(self, share: EcdsaKeyShare, holders: Sequence[int], keyring: Keyring, *,
                 rng: RandomSource | None = None, session: bytes = b"ecdsa-refresh") -> None:
        ids = sorted(holders)
        if len(set(ids)) != len(ids) or share.identifier not in ids:
            raise InvalidParameter("holders must be distinct and include this holder")
        self.curve, self.chain_code = share.curve, share.chain_code
        scheme = EcdsaRefreshScheme(share.key_package, share.public, ids)
        super().__init__(scheme, share.identifier, {i: i for i in ids}, {i: i for i in ids}, keyring,
                         session=session, rng=rng)
        self.ot_peers = {i: i for i in ids}
        self._init_ot()

    def _build_share(self, seeds, extras) -> EcdsaKeyShare:
        kp, pkp = self.dkg_result
        return EcdsaKeyShare(self.curve, kp, pkp, self.chain_code, seeds)


class EcdsaReshareParticipant(_OtSetupPhase, Ceremony):
    """A party of a resharing to a new committee and threshold: an old holder dealing
    (`dealers`: party -> old identifier), a new holder (`receivers`: party -> new identifier), or
    both. Everyone is given the public key (`public`: the old public key package and the chain
    code, which stays)."""

    def __init__(self, me: PartyId, public: EcdsaPublicKey, new_min_signers: int, dealers: Mapping[PartyId, int],
                 receivers: Mapping[PartyId, int], keyring: Keyring, *, share: EcdsaKeyShare | None = None,
                 rng: RandomSource | None = None, session: bytes = b"ecdsa-reshare") -> None:
        if me in dealers and (share is None or share.identifier != dealers[me]):
            raise InvalidParameter("a dealer needs its own share (its identifier is its old identifier)")
        self.curve, self.chain_code = public.curve, public.chain_code
        scheme = EcdsaReshareScheme(public.public, new_min_signers, dealers, list(receivers.values()),
                                    key_package=share.key_package if me in dealers else None,
                                    new_identifier=receivers.get(me))
        super().__init__(scheme, me, dealers, receivers, keyring, session=session, rng=rng)
        self.ot_peers = dict(receivers)
        self._init_ot()

    def _public_key(self, pkp: PublicKeyPackage) -> EcdsaPublicKey:
        return EcdsaPublicKey(self.curve, pkp, self.chain_code)

    def _build_share(self, seeds, extras) -> EcdsaKeyShare:
        kp, pkp = self.dkg_result
        return EcdsaKeyShare(self.curve, kp, pkp, self.chain_code, seeds)


# ---------------------------------------------------------------- signing

_SLOTS = {Kind.ECDSA_SIGN_COMMIT: ("commits", True), Kind.ECDSA_SIGN_MUL1: ("mul1", False),
          Kind.ECDSA_SIGN_MUL2: ("mul2", False), Kind.ECDSA_SIGN_SHARE: ("shares", True)}
_SIGN_RANK = {"round1": 0, "round2": 1, "round3": 2}


class EcdsaSigner(AnnouncedAbort, SignedParty):
    """One signer of a DKLs23 signing session; `result` is the signature when it succeeds."""

    abort_kind = Kind.ECDSA_SIGN_ABORT

    def __init__(self, share: EcdsaKeyShare, signers: Sequence[int], digest: bytes, keyring: Keyring, *,
                 session: bytes, path=(), rng: RandomSource | None = None) -> None:
        self._init_signed(keyring, share.identifier, session)
        self.share, self.signers = share, sorted(signers)
        if self.id not in self.signers or len(set(self.signers)) != len(self.signers):
            raise InvalidParameter("signers must be distinct and include this holder")
        for p in self.signers:
            wire.encode_party(p)
        self.others = [j for j in self.signers if j != self.id]
        self.digest, self.path, self.rng = bytes(digest), path, rng
        self._init_abort()
        self.stage = "new"
        self.core: Dkls23Signer | None = None
        self.commits: dict[PartyId, Message] = {}
        self.mul1: dict[PartyId, Message] = {}
        self.mul2: dict[PartyId, Message] = {}
        self.shares: dict[PartyId, Message] = {}
        self.result: EcdsaSignature | None = None
        self._quiet, self._progress = 0, False

    def __repr__(self) -> str:
        return f"EcdsaSigner({self.id}, {self.stage})"

    def start(self) -> list[Message]:
        """Start a DKLs23 signing: the first round's messages to the other signers."""
        if self.stage != "new":
            raise InvalidParameter("a signer starts once")
        self.core = Dkls23Signer(self.share, self.signers, self.digest, session=self.session, path=self.path,
                                 rng=self.rng)
        self.stage = "round1"
        com, mul1 = self.core.round1()
        out = self._send_all(self.others, Kind.ECDSA_SIGN_COMMIT, com)
        own = out[0] if out else self.keyring.sign(Message(self.id, None, Kind.ECDSA_SIGN_COMMIT, com,
                                                           self.session, True))
        self.commits[self.id] = Message(self.id, None, Kind.ECDSA_SIGN_COMMIT, com, self.session, True,
                                        own.signature)
        out += [self._send(j, Kind.ECDSA_SIGN_MUL1, mul1[j]) for j in self.others]
        return out + self._advance()

    def receive(self, msg: Message) -> list[Message]:
        """Handle a DKLs23 signing message from another signer, or an abort notice."""
        if self.stage == "new" or not self._accept(msg, self.others):
            return []
        if msg.kind == Kind.ECDSA_SIGN_ABORT:
            return self._on_abort_notice(msg)
        if self._is_over():
            return []
        self._progress = True
        slot = _SLOTS.get(msg.kind)
        if slot is None:
            self._convict(msg.sender, f"sent a {msg.kind} message in an ECDSA signing session")
        elif msg.broadcast != slot[1]:
            self._convict(msg.sender, f"sent a {msg.kind} message {'privately' if slot[1] else 'as a broadcast'}")
        else:
            store = getattr(self, slot[0])
            old = store.get(msg.sender)
            if old is None:
                store[msg.sender] = msg
            elif old.payload != msg.payload:
                self._convict(msg.sender, f"signed two different {msg.kind} messages")
        if self.culprits:
            return self._abort("")
        return self._advance()

    # echo of the signed round 1 commitments, in front of every round 2 message
    def _echo(self) -> bytes:
        out = ByteWriter("commitment echo").uint(len(self.signers), 2)
        for k in self.signers:
            m = self.commits[k]
            out.put(wire.encode_party(k)).lp(m.signature, 2).put(m.payload)
        return out.to_bytes()

    def _check_echo(self, forwarder: PartyId, payload: bytes) -> bytes:
        """The round 2 payload after the echo; convicts for a forged or equivocated commitment."""
        r = ByteReader(payload, "round 2 echo")
        if r.uint(2) != len(self.signers):
            raise InvalidEncoding("echo of the wrong number of commitments")
        for k in self.signers:
            if wire.read_party(r) != k:
                raise InvalidEncoding("echo entries out of order")
            sig = r.lp(2)
            com = r.take(32)
            fwd = Message(k, None, Kind.ECDSA_SIGN_COMMIT, com, self.session, True, sig)
            if not self.keyring.is_authentic(fwd):
                raise PeerDeviation(forwarder, f"forwards a commitment party {k} did not sign")
            if self.commits[k].payload != com:
                raise PeerDeviation(k, "signed two different commitments (equivocation)")
        return payload[r.pos:]

    def _advance(self) -> list[Message]:
        out: list[Message] = []
        try:
            if self.stage == "round1" and all(j in self.commits and j in self.mul1 for j in self.others):
                mul2 = self.core.round2({j: self.commits[j].payload for j in self.others},
                                        {j: self.mul1[j].payload for j in self.others})
                echo = self._echo()
                out += [self._send(j, Kind.ECDSA_SIGN_MUL2, echo + mul2[j]) for j in self.others]
                self.stage = "round2"
            if self.stage == "round2" and all(j in self.mul2 for j in self.others):
                body = {}
                for j in self.others:
                    try:
                        body[j] = self._check_echo(j, self.mul2[j].payload)
                    except InvalidEncoding as exc:
                        raise PeerDeviation(j, f"malformed round 2 message ({exc})") from None
                share = self.core.round3(body)
                out += self._send_all(self.others, Kind.ECDSA_SIGN_SHARE, share)
                self.stage = "round3"
            if self.stage == "round3" and all(j in self.shares for j in self.others):
                try:
                    self.result = self.core.finish({j: self.shares[j].payload for j in self.others})
                    self.stage = "done"
                except PeerDeviation:
                    raise
                except VerificationError as exc:
                    self._stop_unattributed(f"the signature does not verify ({exc}): a signer sent a wrong ψ or "
                                            "share, which DKLs23 cannot attribute")
        except PeerDeviation as exc:
            self._convict(exc.culprit, str(exc).split(": ", 1)[-1])
        if self.culprits:
            out += self._abort("")
        return out

    def _stop_unattributed(self, reason: str) -> None:
        """Stop without a notice and without blame (nothing proves who deviated)."""
        self._reason, self._aborted = reason, True
        self._mark_aborted()

    def _waiting_for(self) -> list[PartyId]:
        if self.stage == "round1":
            return [j for j in self.others if j not in self.commits or j not in self.mul1]
        store = {"round2": self.mul2, "round3": self.shares}.get(self.stage, {})
        return [j for j in self.others if j not in store]

    def on_idle(self) -> list[Message]:
        """After PATIENCE quiet timeouts (more at later rounds, so that a signer stuck earlier
        speaks first), abort naming whom we wait for as unresponsive."""
        if self.stage not in _SIGN_RANK:
            return []
        if self._progress:
            self._quiet, self._progress = 0, False
        self._quiet += 1
        if self._quiet >= PATIENCE + _SIGN_RANK[self.stage]:
            waiting = self._waiting_for()
            return self._abort(f"timed out at {self.stage} waiting for {', '.join(map(str, waiting))}", waiting)
        return []


__all__ = ["EcdsaKeygenParticipant", "EcdsaRefreshParticipant", "EcdsaReshareParticipant", "EcdsaSigner",
           "EcdsaDkgScheme", "EcdsaRefreshScheme", "EcdsaReshareScheme", "OT_STAGE"]
