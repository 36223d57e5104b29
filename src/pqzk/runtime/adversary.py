"""Misbehaving parties for the simulator: each deviates in one named way, nothing else."""
from __future__ import annotations

from dataclasses import replace

from ..dkg import pedersen
from ..threshold.frost import core
from ..threshold.frost.types import SignatureShare
from .dkg_parties import DkgParticipant
from .frost_parties import FrostCoordinator, FrostSigner, encode_sign_request
from .messages import Message


class WrongShareSigner(FrostSigner):
    """Sends a signature share that is off by one."""

    def sign_share(self, nonces, message, cl):
        s = super().sign_share(nonces, message, cl)
        return SignatureShare(self.suite, s.identifier, (s.share + 1) % self.suite.group.order)


class MismatchedCommitmentSigner(FrostSigner):
    """Signs with fresh nonces that do not match the commitment it published."""

    def sign_share(self, nonces, message, cl):
        other, _ = core.commit(self.suite, self.kp.identifier, self.kp.signing_share, self.rng)
        other = replace(other, commitments=nonces.commitments)
        return super().sign_share(other, message, cl)


class EquivocatingSigner(FrostSigner):
    """Answers the round 1 request with two different commitments."""

    def round1(self, msg):
        first = super().round1(msg)
        second = self.commit().to_bytes()
        return first + [Message(self.id, msg.sender, "commitment", second, msg.session)]


class NonceReuseCoordinator(FrostCoordinator):
    """After the signing request, asks again with the same commitments for another message
    (the classic key-extraction attempt); honest signers refuse with NonceReuse."""

    second_message = b"a different message"

    def _on_commitment(self, msg):
        out = super()._on_commitment(msg)
        if self.stage == "round2" and out:
            payload = encode_sign_request(self.suite, self.second_message, list(self.commitments.values()))
            out += [Message(self.id, i, "sign_request", payload, self.session) for i in self.signers]
        return out


class BadProofParticipant(DkgParticipant):
    """Broadcasts a proof of knowledge that does not verify."""

    def send_round1(self, pkg):
        q = self.suite.group.order
        bad = pedersen.ProofOfKnowledge(pkg.proof.R, (pkg.proof.mu + 1) % q)
        return super().send_round1(pedersen.Round1Package(pkg.sender, pkg.commitment, bad))


class EquivocatingDkgParticipant(DkgParticipant):
    """Sends a different round 1 package (another polynomial) to its last peer."""

    def send_round1(self, pkg):
        out = super().send_round1(pkg)
        from ..threshold.frost import dkg as fdkg
        _, other = fdkg.part1(self.suite, self.id, self.n, self.t, self.rng)
        out[-1] = replace(out[-1], payload=fdkg.encode_round1(self.suite, other))
        return out


class BadShareDkgParticipant(DkgParticipant):
    """Deals a wrong share to `victim` (its first peer) and stands by it when accused."""

    def _after_echo(self):
        out = super()._after_echo()
        victim = self.others[0]
        from ..threshold.frost import dkg as fdkg
        for k, m in enumerate(out):
            if m.recipient == victim:
                pkg = fdkg.decode_round2(self.suite, m.payload)
                bad = pedersen.Round2Package(pkg.sender, pkg.receiver, (pkg.share + 1) % self.suite.group.order)
                out[k] = replace(m, payload=fdkg.encode_round2(self.suite, bad))
        return out

    def reveal_share(self, accuser):
        return (super().reveal_share(accuser) + 1) % self.suite.group.order
