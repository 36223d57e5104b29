"""End-to-end channel between parties over an untrusted broker: frames, sealing, replay refusal.

The parties sign every message (`identity.Keyring`); this layer turns signed messages into
frames a transport carries and back:

    frame     = "PQZF" ‖ u8 version ‖ lp(committee) ‖ u8 mode ‖ body
    broadcast : body = wire.encode(msg)                       (public: signed, not encrypted)
    private   : body = party(sender) ‖ party(recipient) ‖ lp(session) ‖ lp(kind) ‖ epoch(8) ‖ u64 seq
                       ‖ seal(recipient's KEM key, wire.encode(msg), AD = all of the above)

A private message — shares, anything secret — is sealed to its recipient (X-Wing + AES-256-GCM,
`pqzk.pq.sealing`; or X25519 in the classical comparison mode), with the sender, recipient,
committee, session, kind and a per-sender sequence number (under a random epoch drawn when the
channel starts, so a restarted sender does not collide with its earlier self) as associated
data, and the sealed plaintext is the whole signed message: the broker sees who talks to whom and
how much, nothing else. The receiver checks that the signed message inside says what the frame
says — and, given the committee's `directory`, that its sender signed it — and refuses a replay:
for each sender and epoch it keeps the highest sequence number accepted and a window of the
`replay_window` numbers below it (as IPsec and DTLS do), refusing a number already accepted or
older than the window; constant memory per sender epoch, however long it runs. It keeps the
`MAX_EPOCHS` most recent epochs of each sender (a sender starts one per process), and only senders
of the committee. Frames that do not decode, open or match are dropped (`rejected`) — the broker
may have made them — and blamed on nobody.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..encoding import ByteReader, ByteWriter, lp_bytes
from ..errors import AuthenticationError, InvalidEncoding, InvalidParameter, PqzkError
from ..math.rand import RandomSource, random_bytes
from ..pq import sealing, xwing
from . import wire
from .messages import Message, PartyId

MAGIC = b"PQZF"
VERSION = 1
BROADCAST, PRIVATE = 0, 1
HYBRID, CLASSICAL = "hybrid", "classical"
REPLAY_WINDOW = 4096     # sequence numbers below the highest accepted still told apart (reordering room)
MAX_EPOCHS = 16          # epochs (sender processes) remembered per sender


class ReplayWindow:
    """The sequence numbers of one sender epoch accepted so far: the highest, and a bitmap of the
    `size` numbers below it. `accept(seq)` is False for a number seen before or older than that."""
    __slots__ = ("size", "top", "bits")

    def __init__(self, size: int = REPLAY_WINDOW) -> None:
        self.size, self.top, self.bits = size, 0, 0

    def accept(self, seq: int) -> bool:
        """Whether `seq` is new (and record it): False for a number seen before or older than the window."""
        if seq > self.top:
            shift = seq - self.top
            self.bits = ((self.bits << shift) | 1) & ((1 << self.size) - 1) if shift < self.size else 1
            self.top = seq
            return True
        offset = self.top - seq
        if offset >= self.size or (self.bits >> offset) & 1:
            return False
        self.bits |= 1 << offset
        return True


@dataclass(frozen=True)
class KemKeys:
    """This party's KEM private key and every party's KEM public key (X-Wing, or X25519 in the
    classical mode)."""
    private: object = None
    public: Mapping[PartyId, object] = None
    mode: str = HYBRID

    def __repr__(self) -> str:
        return f"KemKeys({self.mode}, parties={sorted(map(str, self.public or {}))}, <private key redacted>)"


def generate_kem_keys(parties, mode: str = HYBRID, rng: RandomSource | None = None) -> dict[PartyId, KemKeys]:
    """Fresh KEM keys for an in-process run: one KemKeys per party, one shared table of public keys."""
    if mode not in (HYBRID, CLASSICAL):
        raise InvalidParameter(f"channel mode is {HYBRID!r} or {CLASSICAL!r}")
    ids = list(dict.fromkeys(parties))
    if mode == HYBRID:
        priv = {p: xwing.keygen(rng=rng) for p in ids}
        pub = {p: k.public_key for p, k in priv.items()}
    else:
        priv = {p: X25519PrivateKey.from_private_bytes(random_bytes(32, rng)) for p in ids}
        pub = {p: k.public_key() for p, k in priv.items()}
    return {p: KemKeys(priv[p], pub, mode) for p in ids}


# ---- the classical comparison mode: X25519 + HKDF + AES-256-GCM, same binding as pqzk.pq.sealing ----
_X_SALT = b"pqzk/seal-x25519/v1"


def _x25519_seal(pk: X25519PublicKey, plaintext: bytes, ad: bytes, rng: RandomSource | None) -> bytes:
    eph = X25519PrivateKey.from_private_bytes(random_bytes(32, rng))
    ct = eph.public_key().public_bytes_raw()
    okm = HKDF(hashes.SHA256(), 44, _X_SALT, ad + pk.public_bytes_raw() + ct).derive(eph.exchange(pk))
    return ct + AESGCM(okm[:32]).encrypt(okm[32:], plaintext, ad + ct)


def _x25519_open(sk: X25519PrivateKey, sealed: bytes, ad: bytes) -> bytes:
    if len(sealed) < 48:
        raise InvalidEncoding("sealed frame too short")
    ct = sealed[:32]
    try:
        peer = X25519PublicKey.from_public_bytes(ct)
        okm = HKDF(hashes.SHA256(), 44, _X_SALT, ad + sk.public_key().public_bytes_raw() + ct).derive(sk.exchange(peer))
        return AESGCM(okm[:32]).decrypt(okm[32:], sealed[32:], ad + ct)
    except (InvalidTag, ValueError):
        raise AuthenticationError("sealed frame does not authenticate") from None


class Channel:
    """One party's end of the channel: frames out of messages, messages out of frames."""

    def __init__(self, me: PartyId, committee: bytes, kem: KemKeys, *, rng: RandomSource | None = None,
                 directory=None, replay_window: int = REPLAY_WINDOW) -> None:
        if not isinstance(committee, (bytes, bytearray)) or not 0 < len(committee) <= 255:
            raise InvalidParameter("a committee id is 1 to 255 bytes")
        if kem.public is None or me not in kem.public:
            raise InvalidParameter(f"party {me!r} has no KEM key in the committee")
        if not isinstance(replay_window, int) or replay_window < 1:
            raise InvalidParameter("the replay window is at least one sequence number")
        self.me, self.committee, self.kem, self.rng = me, bytes(committee), kem, rng
        self.directory, self.replay_window = directory, replay_window
        self._epoch = random_bytes(8, rng)
        self._seq = 0
        self._replay: dict[PartyId, dict[bytes, ReplayWindow]] = {}     # sender -> epoch -> window
        self.rejected: list[str] = []
        self.bytes_out = self.bytes_in = 0

    def __repr__(self) -> str:
        return f"Channel({self.me}, committee={self.committee.hex()[:16]})"

    def _ad(self, sender: PartyId, recipient: PartyId, session: bytes, kind: str, epoch: bytes, seq: int) -> bytes:
        return (ByteWriter("channel frame").put(wire.encode_party(sender) + wire.encode_party(recipient))
                .lp(session, 2).lp(kind.encode(), 2).put(epoch).uint(seq, 8).to_bytes())

    def _head(self, mode: int) -> bytes:
        return ByteWriter("channel frame").put(MAGIC).uint(VERSION, 1).lp(self.committee, 1).uint(mode, 1).to_bytes()

    def wrap(self, msg: Message) -> tuple[PartyId | None, bytes]:
        """(recipient, frame) — recipient None for a broadcast. A broadcast's copies are one frame."""
        if msg.sender != self.me:
            raise InvalidParameter(f"party {self.me} cannot send a message from {msg.sender!r}")
        if msg.broadcast:
            frame = self._head(BROADCAST) + wire.encode(replace(msg, recipient=None))
            self.bytes_out += len(frame)
            return None, frame
        self._seq += 1
        head = self._ad(msg.sender, msg.recipient, msg.session, str(msg.kind), self._epoch, self._seq)
        ad = self.committee + head
        inner = wire.encode(msg)
        pk = self.kem.public.get(msg.recipient)
        if pk is None:
            raise InvalidParameter(f"no KEM key for party {msg.recipient!r}")
        if self.kem.mode == HYBRID:
            ctx = sealing.SealContext("pqzk/runtime/channel/v1", msg.session or b"-", str(msg.sender),
                                      str(msg.recipient), hashlib.sha256(ad).digest())
            sealed = sealing.seal(pk, inner, ctx, rng=self.rng)
        else:
            sealed = _x25519_seal(pk, inner, ad, self.rng)
        frame = self._head(PRIVATE) + head + lp_bytes(sealed, 4, "sealed message")
        self.bytes_out += len(frame)
        return msg.recipient, frame

    def unwrap(self, frame: bytes) -> Message | None:
        """The message in `frame`, or None (noted in `rejected`) if it is not for this committee and
        party, does not open, disagrees with its frame, or replays an accepted one."""
        try:
            return self._unwrap(frame)
        except PqzkError as exc:
            if len(self.rejected) < 1000:
                self.rejected.append(f"{type(exc).__name__}: {exc}")
            return None

    def _unwrap(self, frame: bytes) -> Message:
        self.bytes_in += len(frame) if isinstance(frame, (bytes, bytearray)) else 0
        r = ByteReader(frame, "channel frame")
        if r.take(4) != MAGIC or r.uint(1) != VERSION:
            raise InvalidEncoding("not a pqzk frame of this version")
        if r.lp(1) != self.committee:
            raise InvalidEncoding("frame of another committee")
        mode = r.uint(1)
        if mode == BROADCAST:
            msg = wire.decode(r.take(len(r.data) - r.pos), self.me)
            if not msg.broadcast:
                raise InvalidEncoding("a broadcast frame carrying a private message")
            return msg
        if mode != PRIVATE:
            raise InvalidEncoding("unknown frame mode")
        start = r.pos
        sender, recipient = wire.read_party(r), wire.read_party(r)
        session, kind, epoch, seq = r.lp(2), r.lp(2), r.take(8), r.uint(8)
        ad = r.data[start:r.pos]
        sealed = r.lp(4)
        r.end()
        if recipient != self.me:
            raise InvalidEncoding("frame addressed to another party")
        if self.kem.mode == HYBRID:
            ctx = sealing.SealContext("pqzk/runtime/channel/v1", session or b"-", str(sender), str(recipient),
                                      hashlib.sha256(self.committee + ad).digest())
            inner = sealing.open(self.kem.private, sealed, ctx)
        else:
            inner = _x25519_open(self.kem.private, sealed, self.committee + ad)
        msg = wire.decode(inner, self.me)
        if (msg.sender, msg.recipient, msg.session, str(msg.kind), msg.broadcast) != \
                (sender, recipient, session, kind.decode("ascii", "replace"), False):
            raise InvalidEncoding("the sealed message disagrees with its frame")
        if sender not in self.kem.public:
            raise InvalidEncoding("a frame from a party outside the committee")
        if self.directory is not None and not self.directory.is_authentic(msg):
            raise AuthenticationError("the sealed message is not signed by its sender")
        if not self._remember(sender, epoch, seq):
            raise InvalidEncoding("replayed frame (sequence number already accepted, or older than the window)")
        return msg

    def _remember(self, sender: PartyId, epoch: bytes, seq: int) -> bool:
        """Record (sender, epoch, seq) as accepted; False if it was, or is too old to tell."""
        epochs = self._replay.setdefault(sender, {})
        window = epochs.pop(epoch, None)
        if window is None:
            window = ReplayWindow(self.replay_window)
            while len(epochs) >= MAX_EPOCHS:              # the sender's least recently heard epoch goes
                del epochs[next(iter(epochs))]
        epochs[epoch] = window                            # most recently heard last
        return window.accept(seq)


__all__ = ["BROADCAST", "CLASSICAL", "HYBRID", "MAX_EPOCHS", "PRIVATE", "REPLAY_WINDOW", "Channel", "KemKeys",
           "ReplayWindow", "generate_kem_keys"]
