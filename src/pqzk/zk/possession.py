"""Proof of share possession: party i shows it holds the share behind public commitments.

* Feldman VSS: knowledge of s_i with s_i·G = Σ_j C_j·i^j            (Schnorr on the evaluated point)
* Pedersen VSS: knowledge of (s_i, t_i) with s_i·G + t_i·H = Σ_j C_j·i^j        (Okamoto)
* FROST / threshold BLS: knowledge of s_i behind a verification share Y_i = s_i·G.

Every proof is bound to a session id, the party identifier and the whole public statement (the
commitment coefficients or the verification share, the generators), so it cannot be replayed by
another party, in another session, or against another commitment.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..groups.base import Element, Group
from ..math.rand import RandomSource
from ..sharing.shamir import Share
from ..sharing.vss import FeldmanCommitment, PedersenCommitment, PedersenShare
from .sigma import DLRep, Secret, SigmaProof
from .transcript import Transcript

POSSESSION_LABEL = b"pqzk/zk/share-possession-v1"


@dataclass(frozen=True)
class PossessionProof:
    """A sigma proof (challenge, responses) of share possession; 2 or 3 scalars."""

    proof: SigmaProof

    def to_bytes(self) -> bytes:
        """The proof's encoding (the sigma proof's scalars)."""
        return self.proof.to_bytes()

    def __len__(self) -> int:
        return len(self.to_bytes())

    @classmethod
    def from_bytes(cls, group: Group, data: bytes, *, pedersen: bool = False) -> "PossessionProof":
        """A possession proof from its encoding (two scalars, three for Pedersen), strictly checked."""
        n = 3 if pedersen else 2
        size = group.scalar_size
        data = as_bytes(data, "possession proof")
        if len(data) != n * size:
            raise InvalidEncoding(f"possession proof must be {n * size} bytes, got {len(data)}")
        ks = [group.scalar_decode(data[i * size:(i + 1) * size]) for i in range(n)]
        return cls(SigmaProof(group, ks[0], (), tuple(ks[1:])))


def _transcript(kind: bytes, session_id: bytes, identifier: int, publics: tuple[Element, ...]) -> Transcript:
    if not isinstance(session_id, (bytes, bytearray)) or not session_id:
        raise InvalidParameter("session_id must be non-empty bytes")
    t = Transcript(POSSESSION_LABEL)
    t.append_message(b"kind", kind)
    t.append_message(b"session-id", bytes(session_id))
    t.append_int(b"identifier", identifier)
    t.append_elements(b"public", publics)
    return t


def _statement(commitment: FeldmanCommitment | PedersenCommitment, identifier: int):
    g = commitment.group
    if identifier <= 0 or identifier >= g.order:
        raise InvalidParameter("identifier must be in [1, order)")
    s, t = Secret("share"), Secret("blinding")
    point = commitment.evaluate(identifier)
    if isinstance(commitment, PedersenCommitment):
        return DLRep(point, s * g.generator() + t * commitment.generator_h), s, t, b"pedersen-vss"
    if isinstance(commitment, FeldmanCommitment):
        return DLRep(point, s * g.generator()), s, t, b"feldman-vss"
    raise InvalidParameter("commitment must be a FeldmanCommitment or PedersenCommitment")


def prove_share_possession(share: Share | PedersenShare,
                           commitment: FeldmanCommitment | PedersenCommitment, *,
                           session_id: bytes, rng: RandomSource | None = None) -> PossessionProof:
    """Party `share.identifier` proves it knows its share of `commitment` (not revealing it)."""
    stmt, s, t, kind = _statement(commitment, share.identifier)
    witness = {s: share.value}
    if kind == b"pedersen-vss":
        if not isinstance(share, PedersenShare):
            raise InvalidParameter("a Pedersen commitment needs a PedersenShare")
        witness[t] = share.blinding
    tr = _transcript(kind, session_id, share.identifier, commitment.coefficients)
    return PossessionProof(stmt.prove(witness, transcript=tr, rng=rng))


def verify_share_possession(identifier: int, commitment: FeldmanCommitment | PedersenCommitment,
                            proof: PossessionProof, *, session_id: bytes) -> None:
    """Raise VerificationError unless party `identifier` proved possession in `session_id`."""
    stmt, _, _, kind = _statement(commitment, identifier)
    tr = _transcript(kind, session_id, identifier, commitment.coefficients)
    try:
        stmt.verify(proof.proof, transcript=tr)
    except VerificationError:
        raise VerificationError(f"party {identifier}: share possession proof does not verify") from None


def prove_verification_share(group: Group, identifier: int, secret: int, verification_share: Element, *,
                             session_id: bytes, generator: Element | None = None,
                             rng: RandomSource | None = None) -> PossessionProof:
    """Knowledge of s_i with verification_share = s_i·generator (FROST; threshold BLS in G1 or G2)."""
    G = generator if generator is not None else group.generator()
    x = Secret("share")
    stmt = DLRep(verification_share, x * G)
    tr = _transcript(b"verification-share", session_id, identifier, (G, verification_share))
    return PossessionProof(stmt.prove({x: secret}, transcript=tr, rng=rng))


def verify_verification_share(group: Group, identifier: int, verification_share: Element,
                              proof: PossessionProof, *, session_id: bytes,
                              generator: Element | None = None) -> None:
    """Verify a proof of knowledge of the share behind `verification_share`, bound to the session and
    identifier; raises `VerificationError`."""
    G = generator if generator is not None else group.generator()
    stmt = DLRep(verification_share, Secret("share") * G)
    tr = _transcript(b"verification-share", session_id, identifier, (G, verification_share))
    try:
        stmt.verify(proof.proof, transcript=tr)
    except VerificationError:
        raise VerificationError(f"party {identifier}: verification-share proof does not verify") from None


__all__ = ["PossessionProof", "prove_share_possession", "verify_share_possession",
           "prove_verification_share", "verify_verification_share", "POSSESSION_LABEL"]
