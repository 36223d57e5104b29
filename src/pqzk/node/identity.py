"""A node's long-term identity: a composite ML-DSA-44 + Ed25519 signing key (every message it
sends), an X-Wing key (every private message to it), the key that seals its nonces at rest, the
Ed25519 key that signs its audit log, and an ML-DSA-44 key for post-quantum evidence (its
signature in an authorization's quorum certificate) — one key, one job.

The secret part lives in the node's share store as one record (`IDENTITY_KEY_ID`), sealed like a
share; the public part (`NodePublic`) goes into the committee file.

    record = "PQZKNODE" ‖ u8 1 ‖ lp16(composite private key) ‖ lp16(X-Wing seed) ‖ 32-byte nonce key
             ‖ 32-byte Ed25519 audit key seed ‖ 32-byte ML-DSA-44 seed (post-quantum evidence)
"""
from __future__ import annotations

from dataclasses import dataclass

from ..encoding import ByteReader, ByteWriter, as_bytes, from_hex
from ..errors import InvalidEncoding, InvalidParameter
from ..math.rand import RandomSource, random_bytes
from ..pq import composite, mldsa, xwing
from ..runtime import wire
from ..runtime.channel import HYBRID, KemKeys
from ..runtime.identity import COMPOSITE, CompositeSigner, CompositeVerifier
from ..runtime.messages import PartyId

MAGIC = b"PQZKNODE"
VERSION = 1
IDENTITY_KEY_ID = "node-identity"
IDENTITY_SUITE = "pqzk-node-identity-v1"
PQ_EVIDENCE = "ML-DSA-44"


def check_node_id(node_id: object) -> PartyId:
    """A node id is what the wire can carry: an integer ≥ 1 (a FROST identifier) or a short name."""
    try:
        wire.encode_party(node_id)
    except InvalidParameter as exc:
        raise InvalidParameter(f"node id: {exc}") from None
    return node_id


@dataclass(frozen=True)
class NodePublic:
    """What the committee file says about one node: its id and public keys."""
    node_id: PartyId
    signing_key: CompositeVerifier
    kem_key: xwing.XWingPublicKey
    pq_key: mldsa.MLDSAPublicKey

    def to_dict(self) -> dict:
        """The public identity as the committee file writes it (hex keys)."""
        return {"id": self.node_id, "signing_key": self.signing_key.to_bytes().hex(),
                "kem_key": self.kem_key.to_bytes().hex(), "pq_key": self.pq_key.to_bytes().hex()}

    @classmethod
    def from_dict(cls, d: object, where: str = "node") -> "NodePublic":
        """A public identity from the committee file's entry, validated; `InvalidEncoding` naming what is
        wrong."""
        if not isinstance(d, dict) or set(d) != {"id", "signing_key", "kem_key", "pq_key"}:
            raise InvalidEncoding(f"{where}: needs exactly id, signing_key, kem_key and pq_key")
        node_id = d["id"]
        if isinstance(node_id, bool) or not isinstance(node_id, (int, str)):
            raise InvalidEncoding(f"{where}: id must be an integer or a name")
        check_node_id(node_id)
        raw = {k: from_hex(d[k], f"{where}: {k}") for k in ("signing_key", "kem_key", "pq_key")}
        try:
            sk = composite.CompositePublicKey.from_bytes(COMPOSITE, raw["signing_key"])
            kem = xwing.XWingPublicKey.from_bytes(raw["kem_key"])
            pq = mldsa.MLDSAPublicKey.from_bytes(PQ_EVIDENCE, raw["pq_key"])
        except InvalidEncoding as exc:
            raise InvalidEncoding(f"{where}: {exc}") from None
        return cls(node_id, CompositeVerifier(sk), kem, pq)


class NodeIdentity:
    """The secret identity of one node (redacted repr)."""

    def __init__(self, node_id: PartyId, signing_key: composite.CompositePrivateKey,
                 kem_key: xwing.XWingPrivateKey, nonce_key: bytes, audit_key: bytes,
                 pq_key: mldsa.MLDSAPrivateKey) -> None:
        self.node_id = check_node_id(node_id)
        self.signer = CompositeSigner(private_key=signing_key)
        self._signing_key, self.kem_key, self.nonce_key = signing_key, kem_key, bytes(nonce_key)
        if len(self.nonce_key) != 32 or len(audit_key) != 32:
            raise InvalidParameter("the nonce key and the audit key are 32 bytes each")
        self._audit_seed = bytes(audit_key)
        if not isinstance(pq_key, mldsa.MLDSAPrivateKey) or pq_key.params != PQ_EVIDENCE or pq_key.seed is None:
            raise InvalidParameter(f"the post-quantum evidence key is a seed-form {PQ_EVIDENCE} key")
        self.pq_key = pq_key

    @property
    def audit_key(self):
        """The Ed25519 private key of this node's audit log."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        return Ed25519PrivateKey.from_private_bytes(self._audit_seed)

    def __repr__(self) -> str:
        return f"NodeIdentity({self.node_id!r}, <keys redacted>)"

    @classmethod
    def generate(cls, node_id: PartyId, rng: RandomSource | None = None) -> "NodeIdentity":
        """A fresh node identity: composite signing key, X-Wing key, nonce and audit keys, and an ML-DSA key
        for post-quantum evidence."""
        return cls(node_id, composite.keygen(COMPOSITE, rng=rng), xwing.keygen(rng=rng), random_bytes(32, rng),
                   random_bytes(32, rng), mldsa.keygen(PQ_EVIDENCE, seed=random_bytes(32, rng)))

    @property
    def public(self) -> NodePublic:
        """The public half: what goes into the committee file."""
        return NodePublic(self.node_id, self.signer.public_key, self.kem_key.public_key, self.pq_key.public_key)

    def kem_keys(self, public: dict) -> KemKeys:
        """This node's X-Wing key with the committee's public ones, for sealed channels."""
        return KemKeys(self.kem_key, public, HYBRID)

    def to_record(self) -> bytes:
        """The identity as the secret record kept in the node's share store."""
        sk = self._signing_key.to_bytes()
        seed = self.kem_key.to_bytes()
        return (ByteWriter("node identity record").put(MAGIC).uint(VERSION, 1).lp(sk, 2).lp(seed, 2)
                .put(self.nonce_key).put(self._audit_seed).put(self.pq_key.seed).to_bytes())

    @classmethod
    def from_record(cls, node_id: PartyId, data: bytes) -> "NodeIdentity":
        """An identity from its share-store record; `InvalidEncoding` when the record is malformed or of
        another version."""
        r = ByteReader(as_bytes(data, "node identity record"), "node identity record")
        if r.take(len(MAGIC)) != MAGIC or r.uint(1) != VERSION:
            raise InvalidEncoding("not a node identity record of this version")
        sk = composite.CompositePrivateKey.from_bytes(COMPOSITE, r.lp(2))
        kem = xwing.XWingPrivateKey.from_bytes(r.lp(2))
        nonce_key, audit_key, pq_seed = r.take(32), r.take(32), r.take(32)
        r.end()
        return cls(node_id, sk, kem, nonce_key, audit_key, mldsa.keygen(PQ_EVIDENCE, seed=pq_seed))


__all__ = ["IDENTITY_KEY_ID", "IDENTITY_SUITE", "NodeIdentity", "NodePublic", "check_node_id"]
