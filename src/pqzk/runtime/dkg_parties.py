"""The FROST Pedersen DKG as a sans-I/O state machine (`DkgParticipant`).

    "dkg_round1"      broadcast: commitment and proof of knowledge (frost.dkg.encode_round1)
    "dkg_echo"        broadcast: SHA-256 of every round 1 package received (equivocation check)
    "dkg_round2"      private:   the share f_i(j)
    "dkg_complaints"  broadcast: identifiers whose share did not verify (possibly none)
    "dkg_reveal"      broadcast: by an accused party, the disputed share, for everyone to check
    "dkg_waiting"     broadcast at a timeout: the stage we are stuck at and whom we wait for

Every failure is attributed: undecodable messages and bad proofs to their sender, conflicting
echoes to the party whose round 1 package they disagree on (echoes are trusted: in a deployment
broadcast messages are signed), bad or withheld revealed shares to the accused, silence (seen in
`on_idle`) to the silent party — to the parties awaited at the earliest stuck stage, so that a
party blocked upstream is not blamed for the silence that follows.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..dkg import pedersen
from ..errors import InvalidEncoding, InvalidParameter, ProtocolAbort
from ..math.rand import RandomSource
from ..threshold.frost import dkg as fdkg
from ..threshold.frost.ciphersuite import Ciphersuite, get_ciphersuite
from .messages import Message, PartyId


class DkgParticipant:
    def __init__(self, suite: str | Ciphersuite, identifier: int, participants: Sequence[int], min_signers: int,
                 rng: RandomSource | None = None, session: bytes = b"dkg") -> None:
        self.suite = get_ciphersuite(suite)
        self.id: PartyId = identifier
        self.participants = sorted(participants)
        if identifier not in self.participants or len(set(self.participants)) != len(self.participants):
            raise InvalidParameter("participants must be distinct and include this participant")
        self.others = [j for j in self.participants if j != identifier]
        self.n, self.t = len(self.participants), min_signers
        self.params = fdkg.dkg_parameters(self.suite, min_signers, self.n)
        self.rng = rng
        self.session = session
        self.stage = "new"
        self.round1: dict[int, pedersen.Round1Package] = {}
        self.round1_bytes: dict[int, bytes] = {}
        self.echoes: dict[int, bytes] = {}
        self.round2: dict[int, pedersen.Round2Package] = {}
        self.complaints: dict[int, list[int]] = {}
        self.reveals: dict[tuple[int, int], int] = {}
        self.result = None
        self.error: ProtocolAbort | None = None
        self._secret1 = self._secret2 = None
        self.reports: dict[int, tuple[int, list[int]]] = {}
        self._reported = False

    def __repr__(self) -> str:
        return f"DkgParticipant({self.id}, {self.stage})"

    # ---- helpers ----
    def _broadcast(self, kind: str, payload: bytes) -> list[Message]:
        return [Message(self.id, j, kind, payload, self.session) for j in self.others]

    def _abort(self, reason: str, culprits) -> list[Message]:
        """Stop, blaming `culprits`; at the next timeout this is reported to the others as
        "stuck at this stage because of `culprits`", so that nobody blames us for going quiet."""
        if self.error is None:
            self.error = ProtocolAbort(reason, culprits=culprits)
            self._abort_at = self._STAGES.index(self.stage) if self.stage in self._STAGES else 0
            self._abort_culprits = sorted(set(culprits))
        self.stage = "aborted"
        return []

    def _store(self, box: dict, key, value, what: str, sender) -> bool:
        """Keep the first message; an identical repeat is ignored, a different one is equivocation."""
        if key in box:
            if box[key] != value:
                self._abort(f"two different {what} messages", [sender])
            return False
        box[key] = value
        return True

    # ---- the protocol ----
    def start(self) -> list[Message]:
        self._secret1, pkg = fdkg.part1(self.suite, self.id, self.n, self.t, self.rng)
        self.stage = "round1"
        return self.send_round1(pkg)

    def send_round1(self, pkg: pedersen.Round1Package) -> list[Message]:
        data = fdkg.encode_round1(self.suite, pkg)
        self.round1_bytes[self.id] = data
        return self._broadcast("dkg_round1", data)

    def receive(self, msg: Message) -> list[Message]:
        if self.stage in ("done", "aborted") or msg.session != self.session or msg.sender not in self.others:
            return []
        handler = getattr(self, "_on_" + msg.kind.removeprefix("dkg_"), None)
        if handler is None or not msg.kind.startswith("dkg_"):
            return self._abort(f"unexpected {msg.kind} message", [msg.sender])
        try:
            handler(msg)
        except InvalidEncoding:
            self._abort(f"malformed {msg.kind} message", [msg.sender])
        return self._advance()

    def _on_round1(self, msg: Message) -> None:
        pkg = fdkg.decode_round1(self.suite, msg.payload, self.t)
        if pkg.sender != msg.sender:
            self._abort("round 1 package carries another identifier", [msg.sender])
            return
        if self._store(self.round1_bytes, msg.sender, msg.payload, "round 1", msg.sender):
            self.round1[msg.sender] = pkg

    def _digests(self) -> bytes:
        g = self.suite.group
        return b"".join(g.scalar_encode(j) + hashlib.sha256(self.round1_bytes[j]).digest()
                        for j in self.participants)

    def _on_echo(self, msg: Message) -> None:
        g = self.suite.group
        size = g.scalar_size + 32
        if len(msg.payload) != size * self.n:
            raise InvalidEncoding("echo has a wrong length")
        self._store(self.echoes, msg.sender, msg.payload, "echo", msg.sender)

    def _on_round2(self, msg: Message) -> None:
        pkg = fdkg.decode_round2(self.suite, msg.payload)
        if pkg.sender != msg.sender or pkg.receiver != self.id:
            self._abort("round 2 package with wrong sender or receiver", [msg.sender])
            return
        self._store(self.round2, msg.sender, pkg, "round 2", msg.sender)

    def _on_complaints(self, msg: Message) -> None:
        g = self.suite.group
        s = g.scalar_size
        data = msg.payload
        if len(data) % s:
            raise InvalidEncoding("complaint list has a wrong length")
        accused = [g.scalar_decode(data[k:k + s]) for k in range(0, len(data), s)]
        if any(a not in self.participants or a == msg.sender for a in accused):
            raise InvalidEncoding("complaint names an unknown party")
        self._store(self.complaints, msg.sender, accused, "complaint", msg.sender)

    def _on_reveal(self, msg: Message) -> None:
        g = self.suite.group
        s = g.scalar_size
        if len(msg.payload) != 2 * s:
            raise InvalidEncoding("reveal has a wrong length")
        accuser, share = g.scalar_decode(msg.payload[:s]), g.scalar_decode(msg.payload[s:])
        self._store(self.reveals, (msg.sender, accuser), share, "reveal", msg.sender)

    def _advance(self) -> list[Message]:
        out: list[Message] = []
        progressed = True
        while progressed and self.stage not in ("done", "aborted"):
            progressed = False
            if self.stage == "round1" and len(self.round1) == len(self.others):
                self.stage = "echo"
                out += self._broadcast("dkg_echo", self._digests())
                progressed = True
            elif self.stage == "echo" and len(self.echoes) == len(self.others):
                out += self._after_echo()
                progressed = True
            elif self.stage == "round2" and len(self.round2) == len(self.others):
                out += self._after_round2()
                progressed = True
            elif self.stage == "complaints" and all(j in self.complaints for j in self.participants):
                out += self._after_complaints()
                progressed = True
            elif self.stage == "reveals" and all(k in self.reveals for k in self._disputes()):
                self._resolve()
                progressed = True
        return out

    def _after_echo(self) -> list[Message]:
        mine = self._digests()
        conflicting = set()
        size = self.suite.group.scalar_size + 32
        for echoer, data in self.echoes.items():
            for k in range(self.n):
                if data[k * size:(k + 1) * size] != mine[k * size:(k + 1) * size]:
                    conflicting.add(self.participants[k])
        if conflicting:
            return self._abort("round 1 broadcast was not the same for everyone (equivocation)", conflicting)
        try:
            self._secret2, packages = fdkg.part2(self.suite, self._secret1, self.round1, self.n, self.t)
        except ProtocolAbort as exc:
            return self._abort(exc.reason, exc.culprits)
        self.stage = "round2"
        return [Message(self.id, j, "dkg_round2", fdkg.encode_round2(self.suite, p), self.session)
                for j, p in packages.items()]

    def _after_round2(self) -> list[Message]:
        self.my_complaints = [c.accused for c in pedersen.check_shares(self.params, self._secret2, self.round2)]
        self.complaints[self.id] = self.my_complaints
        self.stage = "complaints"
        g = self.suite.group
        return self._broadcast("dkg_complaints", b"".join(g.scalar_encode(a) for a in self.my_complaints))

    def _disputes(self) -> list[tuple[int, int]]:
        """(accused, accuser) pairs, over every participant's complaints."""
        return sorted((a, accuser) for accuser, lst in self.complaints.items() for a in lst)

    def _after_complaints(self) -> list[Message]:
        disputes = self._disputes()
        if not disputes:
            return self._finish()
        self.stage = "reveals"
        out = []
        g = self.suite.group
        for accused, accuser in disputes:
            if accused == self.id:
                share = self.reveal_share(accuser)
                self.reveals[(self.id, accuser)] = share
                out += self._broadcast("dkg_reveal", g.scalar_encode(accuser) + g.scalar_encode(share))
        return out

    def reveal_share(self, accuser: int) -> int:
        """The share f_self(accuser) this participant sent (an adversary may override)."""
        from ..sharing.shamir import shares_from_polynomial
        return shares_from_polynomial(self._secret1.coefficients, [accuser], self.suite.group.order)[0].value

    def _resolve(self) -> None:
        culprits = set()
        for accused, accuser in self._disputes():
            commitment = self._secret2.commitments[accused]
            c = pedersen.Complaint(accuser, accused)
            who = pedersen.resolve_complaint(self.params, c, commitment, self.reveals.get((accused, accuser)))
            if who is not None:
                culprits.add(who)
            elif accuser == self.id:   # settled: adopt the publicly revealed, valid share
                self.round2[accused] = pedersen.Round2Package(accused, self.id, self.reveals[(accused, accuser)])
        if culprits:
            self._abort("complaint upheld: the accused dealt a bad share", culprits)
        else:
            self._finish()

    def _finish(self) -> list[Message]:
        try:
            self.result = fdkg.part3(self.suite, self._secret2, self.round1, self.round2, self.n, self.t)
        except ProtocolAbort as exc:
            return self._abort(exc.reason, exc.culprits)
        self.stage = "done"
        return []

    _STAGES = ("round1", "echo", "round2", "complaints", "reveals")

    def _waiting_for(self) -> list[int]:
        box = {"round1": self.round1, "echo": self.echoes, "round2": self.round2,
               "complaints": self.complaints}.get(self.stage)
        if box is not None:
            return [j for j in self.others if j not in box]
        return sorted({a for a, b in self._disputes() if (a, b) not in self.reveals})

    def _on_waiting(self, msg: Message) -> None:
        g = self.suite.group
        s = g.scalar_size
        data = msg.payload
        if not data or (len(data) - 1) % s or data[0] >= len(self._STAGES):
            raise InvalidEncoding("waiting report has a wrong format")
        ids = [g.scalar_decode(data[k:k + s]) for k in range(1, len(data), s)]
        self._store(self.reports, msg.sender, (data[0], ids), "waiting report", msg.sender)

    def on_idle(self) -> list[Message]:
        """Timeout. First quiet period: tell everyone what we are waiting for and from whom.
        Second: blame the parties awaited at the earliest stage anyone is stuck at — a party
        that is itself stuck waiting upstream is not blamed for its silence downstream."""
        if self.stage == "aborted" and not self._reported:
            self._reported = True
            g = self.suite.group
            return self._broadcast("dkg_waiting", bytes([self._abort_at])
                                   + b"".join(g.scalar_encode(j) for j in self._abort_culprits))
        if self.stage in ("new", "done", "aborted"):
            return []
        if not self._reported:
            self._reported = True
            stage_no = self._STAGES.index(self.stage)
            waiting = self._waiting_for()
            self.reports[self.id] = (stage_no, waiting)
            g = self.suite.group
            return self._broadcast("dkg_waiting", bytes([stage_no]) + b"".join(g.scalar_encode(j) for j in waiting))
        first = min(st for st, _ in self.reports.values())
        culprits = sorted({j for st, ids in self.reports.values() if st == first for j in ids})
        return self._abort(f"no {self._STAGES[first]} message received", culprits)
