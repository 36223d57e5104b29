"""Share repair as sans-I/O parties, with identifiable abort (`RepairParticipant`).

The repairable threshold scheme of `pqzk.sharing.repair` (Laing–Stinson; ZF frost's step names),
made verifiable: each helper i publishes D_ij = δ_ij·G for its deltas, so that

    Σ_j D_ij = ζ_i·Y_i        (anyone checks: Y_i is i's public verifying share)
    δ_ij·G  = D_ij            (helper j checks each delta it receives)
    σ_j·G   = Σ_i D_ij        (the participant checks each σ_j)

and Σ_j σ_j = Σ_i ζ_i s_i = s_r, with s_r·G = Y_r in the public key package. The D_ij are group
elements summing to public values: helpers and the participant learn nothing more about any
share than they did before (DL hardness).

    repair_deltas      helper -> everyone   broadcast: D_i1 .. D_ik (in helper order)
    repair_delta       helper -> helper     private:   δ_ij
    repair_complaints  helper -> everyone   broadcast: the signed repair_delta that fails its D_ij, and the
                                            signed repair_deltas it was judged against (evidence)
    repair_sigma       helper -> participant private:  σ_j ‖ every helper's signed repair_deltas, forwarded
    repair_abort       anyone -> everyone   broadcast: this party stops

Blame: D's that do not sum to ζ_i·Y_i, or two different signed D broadcasts (the participant
compares its own with those the helpers forward, and every judge its own with the one a complaint
carries), convict their helper; a complaint convicts the dealer of the delta if the signed
evidence fails the commitments it carries, and the complainer otherwise; a σ_j that fails
its check, or a forwarded D broadcast its helper did not sign, convicts helper j. Silence makes
a party unresponsive, not a culprit.
"""
from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from ..encoding import ByteReader, ByteWriter
from ..errors import InvalidEncoding, InvalidParameter
from ..math.poly import lagrange_coefficients
from ..math.rand import RandomSource
from ..sharing.repair import repair_share_step_1
from ..sharing.shamir import Share
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from . import wire
from .identity import Keyring
from .messages import Kind, Message, PartyId
from .party import PATIENCE, AnnouncedAbort, SignedParty


class Stage(StrEnum):
    NEW = "new"
    DELTAS = "deltas"          # helpers: waiting for every helper's D broadcast and delta
    SIGMAS = "sigmas"          # participant: waiting for every σ; helpers: done once σ is sent
    DONE = "done"
    ABORTED = "aborted"


class RepairParticipant(AnnouncedAbort, SignedParty):
    """A helper (holding `key_package`) or the participant `target` whose share is rebuilt.
    Party ids are FROST identifiers."""

    def __init__(self, me: int, public_key_package: PublicKeyPackage, helpers: Sequence[int], target: int,
                 keyring: Keyring, *, key_package: KeyPackage | None = None, rng: RandomSource | None = None,
                 session: bytes = b"repair") -> None:
        self.pkp = public_key_package
        self.suite = public_key_package.suite
        self.group = self.suite.group
        self.helpers = sorted(helpers)
        self.target = target
        if len(set(self.helpers)) != len(self.helpers) or target in self.helpers:
            raise InvalidParameter("helpers must be distinct and must not include the participant")
        if len(self.helpers) < self.pkp.min_signers:
            raise InvalidParameter(f"{len(self.helpers)} helpers; repair needs min_signers={self.pkp.min_signers}")
        unknown = set(self.helpers) - set(self.pkp.verifying_shares)
        if unknown or target not in self.pkp.verifying_shares:
            raise InvalidParameter("helpers and participant must be in the public key package")
        if me not in self.helpers and me != target:
            raise InvalidParameter(f"party {me} is neither a helper nor the participant")
        if me in self.helpers and (key_package is None or key_package.identifier != me):
            raise InvalidParameter("a helper needs its own key package")
        self._init_signed(keyring, me, session)
        self.kp = key_package if me in self.helpers else None
        self.rng = rng
        self.others = [p for p in [*self.helpers, target] if p != me]
        self.zeta = dict(zip(self.helpers, lagrange_coefficients(self.helpers, self.group.order, target)))
        self.stage = Stage.NEW
        self.broadcasts: dict[int, tuple[bytes, bytes]] = {}      # helper -> (D payload, signature)
        self.D: dict[int, list] = {}                              # helper -> [D_ij for j in helpers]
        self.deltas: dict[int, Message] = {}                      # helper i -> its signed δ_ij to me
        self.sigmas: dict[int, int] = {}
        self._init_abort()
        self.abort_kind = Kind.REPAIR_ABORT
        self.result: KeyPackage | None = None
        self._quiet, self._progress = 0, False
        self._my_deltas: dict[int, int] = {}
        self._pending_complaints: list[tuple[PartyId, int, bytes, bytes]] = []   # judged once D is known

    def __repr__(self) -> str:
        return f"RepairParticipant({self.id}, {self.stage})"

    # ---- helpers' first step ----
    def deltas_for(self) -> dict[int, int]:
        """This helper's deltas δ_ij, Σ_j δ_ij = ζ_i·s_i (an adversary may override)."""
        return repair_share_step_1(self.helpers, Share(self.id, self.kp.signing_share), self.target,
                                   self.group.order, rng=self.rng)

    def start(self) -> list[Message]:
        """Start the repair: each helper broadcasts commitments to its deltas; the party being repaired
        waits for the sums."""
        if self.stage != Stage.NEW:
            raise InvalidParameter("repair starts once")
        self.stage = Stage.DELTAS if self.id in self.helpers else Stage.SIGMAS
        if self.id not in self.helpers:
            return self._advance()
        deltas = self.deltas_for()
        self._my_deltas = deltas
        payload = b"".join(self.group.base_mult(deltas[j]).to_bytes() for j in self.helpers)
        out = self._send_all(self.others, Kind.REPAIR_DELTAS, payload)
        signed = self.keyring.sign(Message(self.id, None, Kind.REPAIR_DELTAS, payload, self.session, True))
        self._learn_deltas(self.id, payload, signed.signature)
        for j in self.helpers:
            if j != self.id:
                out.append(self._send(j, Kind.REPAIR_DELTA, self.group.scalar_encode(deltas[j])))
        return out + self._advance()

    def _learn_deltas(self, helper: int, payload: bytes, signature: bytes) -> None:
        old = self.broadcasts.get(helper)
        if old is not None:
            if old[0] != payload:
                self._convict(helper, "signed two different delta commitments (equivocation)")
            return
        size = self.group.element_size
        if len(payload) != size * len(self.helpers):
            self._convict(helper, "delta commitments of a wrong length")
            return
        try:
            points = [self.group.decode(payload[k * size:(k + 1) * size]) for k in range(len(self.helpers))]
        except InvalidEncoding:
            self._convict(helper, "undecodable delta commitments")
            return
        total = self.group.msm_vartime([1] * len(points), points)            # public
        if total != self.zeta[helper] * self.pkp.verifying_shares[helper]:
            self._convict(helper, "delta commitments do not add up to its weighted verifying share")
            return
        self.broadcasts[helper] = (payload, signature)
        self.D[helper] = points

    # ---- receiving ----
    def receive(self, msg: Message) -> list[Message]:
        """Handle a repair message from another participant, or an abort notice."""
        if self.stage == Stage.NEW or not self._accept(msg, self.others):
            return []
        if msg.kind == Kind.REPAIR_ABORT:
            return self._on_abort_notice(msg)
        if self.stage in (Stage.DONE, Stage.ABORTED):
            return []
        self._progress = True
        handler = {Kind.REPAIR_DELTAS: (self._on_deltas, True), Kind.REPAIR_DELTA: (self._on_delta, False),
                   Kind.REPAIR_COMPLAINTS: (self._on_complaint, True),
                   Kind.REPAIR_SIGMA: (self._on_sigma, False)}.get(msg.kind)
        if handler is None or handler[1] != msg.broadcast:
            self._convict(msg.sender, f"sent an unexpected {msg.kind} message")
        else:
            try:
                handler[0](msg)
            except InvalidEncoding as exc:
                self._convict(msg.sender, f"malformed {msg.kind} message ({exc})")
        return self._advance()

    def _on_deltas(self, msg: Message) -> None:
        if msg.sender not in self.helpers:
            raise InvalidEncoding("delta commitments from a non-helper")
        self._learn_deltas(msg.sender, msg.payload, msg.signature)

    def _on_delta(self, msg: Message) -> None:
        if msg.sender not in self.helpers or self.id not in self.helpers:
            raise InvalidEncoding("a delta from or to a non-helper")
        old = self.deltas.get(msg.sender)
        if old is not None and old.payload != msg.payload:
            self._convict(msg.sender, "signed two different deltas")
        self.deltas.setdefault(msg.sender, msg)

    def _delta_ok(self, dealer: int, receiver: int, payload: bytes) -> bool:
        try:
            value = self.group.scalar_decode(payload)
        except InvalidEncoding:
            return False
        return self.group.base_mult(value) == self.D[dealer][self.helpers.index(receiver)]

    def _on_complaint(self, msg: Message) -> None:
        """Judged at once when the accused's D broadcast is known; the complaint is kept otherwise."""
        if msg.sender not in self.helpers:
            raise InvalidEncoding("complaint from a non-helper")
        r = ByteReader(msg.payload, "repair complaint")
        accused = wire.read_party(r)
        sig = r.lp(2)
        evidence = r.lp(4)
        d_sig = r.lp(2)
        d_payload = r.lp(4)
        r.end()
        if accused not in self.helpers or accused == msg.sender:
            raise InvalidEncoding("complaint names a non-helper or its author")
        signed = Message(accused, msg.sender, Kind.REPAIR_DELTA, evidence, self.session, False, sig)
        commitments = Message(accused, None, Kind.REPAIR_DELTAS, d_payload, self.session, True, d_sig)
        if not self.keyring.is_authentic(signed) or not self.keyring.is_authentic(commitments):
            self._convict(msg.sender, f"complaint carries evidence {accused} did not sign")
            return
        # the complainer judged the delta against these commitments: a judge holding another signed
        # version convicts the accused of equivocation (never the complainer); else it learns them
        self._learn_deltas(accused, d_payload, d_sig)
        if not self.culprits:
            self._pending_complaints.append((msg.sender, accused, evidence, sig))

    def _judge_complaints(self) -> None:
        for item in [c for c in self._pending_complaints if c[1] in self.D]:
            self._pending_complaints.remove(item)
            accuser, accused, evidence, _ = item
            if self._delta_ok(accused, accuser, evidence):
                self._convict(accuser, f"complained about a valid delta from {accused}")
            else:
                self._convict(accused, f"signed a delta for {accuser} that fails its commitment")

    def _on_sigma(self, msg: Message) -> None:
        if self.id != self.target or msg.sender not in self.helpers:
            raise InvalidEncoding("a sigma from a non-helper or to a helper")
        if msg.sender in self.sigmas:
            return
        r = ByteReader(msg.payload, "repair sigma")
        sigma = self.group.scalar_decode(r.take(self.group.scalar_size))
        forwarded = []
        for i in self.helpers:
            sig = r.lp(2)
            forwarded.append((i, r.lp(4), sig))
        r.end()
        for i, payload, sig in forwarded:
            copy = Message(i, None, Kind.REPAIR_DELTAS, payload, self.session, True, sig)
            if not self.keyring.is_authentic(copy):
                self._convict(msg.sender, f"forwards delta commitments {i} did not sign")
                return
            self._learn_deltas(i, payload, sig)
            if self.culprits:
                return
        j = self.helpers.index(msg.sender)
        expected = self.group.msm_vartime([1] * len(self.helpers), [self.D[i][j] for i in self.helpers])
        if self.group.base_mult(sigma) != expected:
            self._convict(msg.sender, "sent a sigma that fails the delta commitments")
            return
        self.sigmas[msg.sender] = sigma

    # ---- moving on ----
    def _advance(self) -> list[Message]:
        out: list[Message] = []
        self._judge_complaints()
        if self.culprits:
            return out + self._abort("")
        if self.stage == Stage.DELTAS and all(i in self.broadcasts for i in self.helpers) \
                and all(i in self.deltas for i in self.helpers if i != self.id):
            out += self._send_sigma()
        if self.stage == Stage.SIGMAS and self.id == self.target and all(j in self.sigmas for j in self.helpers):
            out += self._finish()
        if self.culprits:
            out += self._abort("")
        return out

    def _send_sigma(self) -> list[Message]:
        bad = [i for i in self.helpers if i != self.id and not self._delta_ok(i, self.id, self.deltas[i].payload)]
        if bad:          # complain with the signed delta as evidence; no sigma
            out = []
            for i in bad:
                m = self.deltas[i]
                d_payload, d_sig = self.broadcasts[i]
                payload = (ByteWriter("repair complaint").put(wire.encode_party(i)).lp(m.signature, 2)
                           .lp(m.payload, 4).lp(d_sig, 2).lp(d_payload, 4).to_bytes())
                out += self._send_all(self.others, Kind.REPAIR_COMPLAINTS, payload)
                self._convict(i, f"signed a delta for {self.id} that fails its commitment")
            return out + self._abort("")
        sigma = (self._my_deltas[self.id] + sum(self.group.scalar_decode(self.deltas[i].payload)
                                                for i in self.helpers if i != self.id)) % self.group.order
        w = ByteWriter("repair sigma").put(self.group.scalar_encode(self.sigma_value(sigma)))
        for i in self.helpers:
            w.lp(self.broadcasts[i][1], 2).lp(self.broadcasts[i][0], 4)
        payload = w.to_bytes()
        self.stage = Stage.DONE
        return [self._send(self.target, Kind.REPAIR_SIGMA, payload)]

    def sigma_value(self, sigma: int) -> int:
        """The σ this helper sends (an adversary may override)."""
        return sigma

    def _finish(self) -> list[Message]:
        share = sum(self.sigmas.values()) % self.group.order
        Y = self.pkp.verifying_shares[self.target]
        if self.group.base_mult(share) != Y:          # implied by the checks above
            return self._abort("repaired share does not match the verifying share")
        self.result = KeyPackage(self.suite, self.target, share, Y, self.pkp.verifying_key, self.pkp.min_signers)
        self.stage = Stage.DONE
        return []

    def on_idle(self) -> list[Message]:
        """A quiet timeout: after too many without progress, abort naming the silent participants."""
        if self.stage not in (Stage.DELTAS, Stage.SIGMAS):
            return []
        if self._progress:
            self._quiet, self._progress = 0, False
        self._quiet += 1
        if self.stage == Stage.DELTAS and self._quiet >= PATIENCE:
            waiting = sorted({i for i in self.helpers if i not in self.broadcasts}
                             | {i for i in self.helpers if i != self.id and i not in self.deltas})
            return self._abort(f"timed out waiting for deltas from {', '.join(map(str, waiting))}", waiting)
        if self.stage == Stage.SIGMAS and self._quiet >= PATIENCE + 1:
            waiting = [j for j in self.helpers if j not in self.sigmas]
            return self._abort(f"timed out waiting for sigmas from {', '.join(map(str, waiting))}", waiting)
        return []


__all__ = ["RepairParticipant"]
