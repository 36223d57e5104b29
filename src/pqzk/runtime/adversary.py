"""Misbehaving parties for the simulator.

Named adversaries deviate in one way each (a wrong share, a bad proof, equivocation). `Deviant`
wraps any honest party and deviates on what it sends, by a plan — drop, corrupt any bit, send a
different version to some recipients (equivocation), inject arbitrary signed messages (false
complaints, echoes, abort notices), replay messages recorded elsewhere, or impersonate another
party — re-signing with its own key what it alters. Property tests let hypothesis choose the plan.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..dkg import pedersen
from ..threshold.frost import core
from ..threshold.frost import dkg as fdkg
from ..threshold.frost.types import SignatureShare
from .dkg_parties import DkgParticipant
from .frost_parties import FrostCoordinator, FrostSigner, encode_sign_request
from .messages import Kind, Message, PartyId
from .tmldsa_parties import TMLDSACoordinator, TMLDSASigner, decode_forwarded, encode_forwarded


class WrongShareSigner(FrostSigner):
    """Sends a signature share that is off by one."""

    def sign_share(self, nonces, message, cl):
        """A signature share off by one: the coordinator must name this signer."""
        s = super().sign_share(nonces, message, cl)
        return SignatureShare(self.suite, s.identifier, (s.share + 1) % self.suite.group.order)


class MismatchedCommitmentSigner(FrostSigner):
    """Signs with fresh nonces that do not match the commitment it published."""

    def sign_share(self, nonces, message, cl):
        """A share computed with nonces other than those committed to."""
        other, _ = core.commit(self.suite, self.kp.identifier, self.kp.signing_share, self.rng)
        other = replace(other, commitments=nonces.commitments)
        return super().sign_share(other, message, cl)


class EquivocatingSigner(FrostSigner):
    """Answers the round 1 request with two different (signed) commitments."""

    def round1(self, msg):
        """Answer round 1 with two different commitments."""
        first = super().round1(msg)
        second = self.commit().to_bytes()
        return first + [self._send(msg.sender, Kind.COMMITMENT, second, msg.session)]


class NonceReuseCoordinator(FrostCoordinator):
    """After the signing request, asks again with the same commitments for another message
    (the classic key-extraction attempt); honest signers refuse with NonceReuse."""

    second_message = b"a different message"

    def _on_commitment(self, msg):
        out = super()._on_commitment(msg)
        if self.stage == "round2" and out:
            payload = encode_sign_request(self.suite, self.second_message, list(self.commitments.values()))
            out += [self._send(i, Kind.SIGN_REQUEST, payload) for i in self.signers]
        return out


class BadProofParticipant(DkgParticipant):
    """Broadcasts a proof of knowledge that does not verify."""

    def send_round1(self, payload):
        pkg = fdkg.decode_round1(self.suite, payload, self.scheme.threshold)
        q = self.suite.group.order
        bad = pedersen.ProofOfKnowledge(pkg.proof.R, (pkg.proof.mu + 1) % q)
        return super().send_round1(fdkg.encode_round1(self.suite, pedersen.Round1Package(pkg.sender, pkg.commitment,
                                                                                         bad)))


class EquivocatingDkgParticipant(DkgParticipant):
    """Sends a different round 1 package (another polynomial) to its last peer."""

    def send_round1(self, payload):
        out = super().send_round1(payload)
        _, other = pedersen.part1(self.scheme.params, self.id, self.rng)
        last = out[-1].recipient
        return out[:-1] + self._send_all([last], self.kinds["round1"], fdkg.encode_round1(self.suite, other))


class BadShareDkgParticipant(DkgParticipant):
    """Deals a wrong share to `victim` (its first peer) and stands by it when asked to reveal."""

    def share_for(self, receiver):
        bump = 1 if receiver == self.others[0] else 0
        return (super().share_for(receiver) + bump) % self.suite.group.order

    def reveal_share(self, accuser):
        return (super().reveal_share(accuser) + 1) % self.suite.group.order


class WithholdingDkgParticipant(DkgParticipant):
    """Never sends its share to its first peer (and never reveals it when that peer complains)."""

    def _deal_shares(self):
        return [m for m in super()._deal_shares() if m.recipient != self.others[0]]

    def _send_reveals(self):
        self._pending_reveals.clear()
        return []


class BadRevealTMLDSASigner(TMLDSASigner):
    """Threshold ML-DSA: reveals commitments w that are not the ones it committed to."""

    def _send(self, to, kind, payload, session=None):
        if kind == Kind.TMLDSA_REVEAL:
            payload = payload[:3] + bytes([payload[3] ^ 2]) + payload[4:]
        return super()._send(to, kind, payload, session)


class BadResponseTMLDSASigner(TMLDSASigner):
    """Threshold ML-DSA: answers z + 1000 (one coefficient) for every attempt it keeps."""

    def _send(self, to, kind, payload, session=None):
        if kind == Kind.TMLDSA_RESPONSE:
            from ..pq import fips204
            from ..threshold.mldsa import signing
            p = self.share.params
            kept, z = signing.decode_response(p, payload[3:])
            z[:, 0, 0] = (z[:, 0, 0] + 1000) % fips204.Q
            payload = payload[:3] + signing.encode_response(p, kept, z)
        return super()._send(to, kind, payload, session)


class RejectingTMLDSASigner(TMLDSASigner):
    """Threshold ML-DSA: claims every attempt failed its rejection test (no proof either way)."""

    def _send(self, to, kind, payload, session=None):
        if kind == Kind.TMLDSA_RESPONSE:
            payload = payload[:3] + bytes((self.share.params.K + 7) // 8)
        return super()._send(to, kind, payload, session)


class ForgingTMLDSACoordinator(TMLDSACoordinator):
    """Threshold ML-DSA: forwards to its first signer a commitment list whose last entry's
    signature is not its author's."""

    def _forward(self, rnd, kind, out_kind):
        out = super()._forward(rnd, kind, out_kind)
        if out_kind == Kind.TMLDSA_COMMITS:
            r, entries = decode_forwarded(out[0].payload, "list")
            last = entries[-1]
            forged = Message(last.party, None, kind, last.payload, self.session, False,
                             bytes([last.signature[0] ^ 1]) + last.signature[1:])
            msgs = [Message(e.party, None, kind, e.payload, self.session, False, e.signature) for e in entries[:-1]]
            out[0] = self._send(out[0].recipient, out_kind, encode_forwarded(r, msgs + [forged]))
        return out


class ResendingTMLDSACoordinator(TMLDSACoordinator):
    """Threshold ML-DSA: after the reveal list, sends its first signer a second, different one
    for the same round (a bit of the last reveal flipped) — which would get a second response
    from the same masks if the signer allowed it."""

    def _forward(self, rnd, kind, out_kind):
        out = super()._forward(rnd, kind, out_kind)
        if out_kind == Kind.TMLDSA_REVEALS:
            other = bytearray(out[0].payload)
            other[-1] ^= 1
            out.append(self._send(out[0].recipient, out_kind, bytes(other)))
        return out


# ---- a party that deviates by plan ----
ACTIONS = ("drop", "flip", "equivocate", "inject", "replay", "impersonate")


@dataclass(frozen=True)
class Deviation:
    """One deviation, applied to the `at`-th message the party sends (counting every copy of a
    broadcast), or — for "inject", "replay", "impersonate" — sent beside it.

    flip        flip bit `bit` of payload byte `pos` (mod the length), re-signed
    equivocate  like flip, but only for this copy: the other recipients get the original
    drop        do not send it
    inject      send `kind`/`payload` to `to` (None: the message's recipient), signed; broadcast if `broadcast`
    replay      send `message` (recorded elsewhere: another session, another party) as it is
    impersonate send this message as if from `as_party` (the signature is ours, so it cannot verify)
    """
    at: int
    action: str
    pos: int = 0
    bit: int = 0
    kind: Kind | None = None
    payload: bytes = b""
    to: PartyId | None = None
    broadcast: bool = False
    message: Message | None = None
    as_party: PartyId | None = None


class Deviant:
    """Wraps an honest party; everything it receives goes to the honest party, everything the
    honest party sends goes through the plan. Reads through to the party's state (`error`,
    `result`, ...)."""

    def __init__(self, inner, plan: Sequence[Deviation]) -> None:
        self.inner = inner
        self.id = inner.id
        self.plan = list(plan)
        self.sent = 0
        self.log: list[tuple[str, Message]] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"Deviant({self.inner!r})"

    def _resign(self, msg: Message) -> Message:
        return self.inner.keyring.sign(replace(msg, signature=b""))

    def _apply(self, out: list[Message]) -> list[Message]:
        result = []
        for msg in out:
            k = self.sent
            self.sent += 1
            keep = msg
            for d in self.plan:
                if d.at != k:
                    continue
                if d.action == "drop":
                    keep = None
                elif d.action in ("flip", "equivocate") and keep is not None:
                    data = bytearray(keep.payload or b"\x00")
                    data[d.pos % len(data)] ^= 1 << (d.bit % 8)
                    keep = self._resign(replace(keep, payload=bytes(data)))
                elif d.action == "inject":
                    to = d.to if d.to is not None else msg.recipient
                    extra = Message(self.id, None if d.broadcast else to, d.kind or msg.kind, d.payload,
                                    msg.session, d.broadcast)
                    extra = replace(self._resign(extra), recipient=to)
                    result.append(extra)
                elif d.action == "replay" and d.message is not None:
                    result.append(replace(d.message, recipient=d.to if d.to is not None else msg.recipient))
                elif d.action == "impersonate" and d.as_party is not None:
                    fake = replace(msg, sender=d.as_party, signature=b"")
                    result.append(replace(fake, signature=self.inner.keyring.signing_key.sign(b"forged")))
            if keep is not None:
                self.log.append(("sent", keep))
                result.append(keep)
        return result

    def start(self) -> list[Message]:
        """The wrapped party's first messages, after the deviation."""
        return self._apply(self.inner.start())

    def receive(self, msg: Message) -> list[Message]:
        """The wrapped party's answer, after the deviation."""
        return self._apply(self.inner.receive(msg))

    def on_idle(self) -> list[Message]:
        """The wrapped party's timeout step (if it has one), after the deviation."""
        on_idle = getattr(self.inner, "on_idle", None)
        return self._apply(on_idle()) if on_idle is not None else []


__all__ = ["WrongShareSigner", "MismatchedCommitmentSigner", "EquivocatingSigner", "NonceReuseCoordinator",
           "BadProofParticipant", "EquivocatingDkgParticipant", "BadShareDkgParticipant",
           "WithholdingDkgParticipant", "BadRevealTMLDSASigner", "BadResponseTMLDSASigner", "RejectingTMLDSASigner",
           "ForgingTMLDSACoordinator", "ResendingTMLDSACoordinator", "ACTIONS", "Deviation", "Deviant"]
