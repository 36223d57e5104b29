"""FROST keys, nonces, commitments, signature shares and signatures: frozen, serializable.

Byte formats are built from RFC 9591 SerializeScalar / SerializeElement (section 6 of the
RFC, per ciphersuite); identifiers are serialized as scalars, as in encode_group_commitment_list.
Decoding is strict (lengths, canonical scalars, valid non-identity elements, non-zero
identifiers) and raises InvalidEncoding. Secret-holding types have a redacted repr.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...encoding import ByteReader, uint_bytes
from ...errors import InvalidEncoding, InvalidParameter, VerificationError
from ...groups import Element
from ...sharing.vss import FeldmanCommitment
from .ciphersuite import Ciphersuite


class _Reader(ByteReader):
    """ByteReader plus the suite's scalars, identifiers and elements (strictly decoded)."""

    def __init__(self, suite: Ciphersuite, data: object, what: str) -> None:
        super().__init__(data, what)
        self.suite, self.g = suite, suite.group

    def scalar(self) -> int:
        return self.g.scalar_decode(self.take(self.g.scalar_size))

    def identifier(self) -> int:
        k = self.scalar()
        if k == 0:
            raise InvalidEncoding(f"{self.what}: identifier is zero")
        return k

    def element(self) -> Element:
        return self.g.decode(self.take(self.g.element_size))


def _scalar(suite: Ciphersuite, k: int) -> bytes:
    return suite.group.scalar_encode(k)


@dataclass(frozen=True)
class SigningCommitments:
    """Round 1 output of one participant: (identifier, D = d·G, E = e·G). Public."""
    suite: Ciphersuite = field(repr=False)
    identifier: int
    hiding: Element
    binding: Element

    def to_bytes(self) -> bytes:
        """The commitments' encoding: identifier, hiding and binding commitments."""
        # the entry format of RFC 9591 encode_group_commitment_list (section 4.3)
        return _scalar(self.suite, self.identifier) + self.hiding.to_bytes() + self.binding.to_bytes()

    @classmethod
    def from_bytes(cls, suite: Ciphersuite, data: bytes) -> "SigningCommitments":
        """Signing commitments from their encoding, strictly checked."""
        r = _Reader(suite, data, "signing commitments")
        out = cls(suite, r.identifier(), r.element(), r.element())
        r.end()
        return out


@dataclass(frozen=True)
class SigningNonces:
    """The secret (hiding, binding) nonce pair of round 1 and its commitments. Single use."""
    suite: Ciphersuite
    hiding: int
    binding: int
    commitments: SigningCommitments

    def __repr__(self) -> str:
        return f"SigningNonces(identifier={self.commitments.identifier}, <nonces redacted>)"

    def to_bytes(self) -> bytes:
        """The nonces' encoding (secret: for a nonce store only)."""
        return (_scalar(self.suite, self.commitments.identifier) + _scalar(self.suite, self.hiding)
                + _scalar(self.suite, self.binding))

    @classmethod
    def from_bytes(cls, suite: Ciphersuite, data: bytes) -> "SigningNonces":
        """Signing nonces from their encoding (zero nonces rejected); their commitments are recomputed."""
        r = _Reader(suite, data, "signing nonces")
        ident, d, e = r.identifier(), r.scalar(), r.scalar()
        r.end()
        if d == 0 or e == 0:
            raise InvalidEncoding("signing nonces: a nonce is zero")
        g = suite.group
        return cls(suite, d, e, SigningCommitments(suite, ident, g.base_mult(d), g.base_mult(e)))


# deliberate look-alike of Signature (duplicates): two different messages (z_i with its sender,
# and the aggregate (R, z) in the standard's encoding), each a frozen dataclass of its own fields.
@dataclass(frozen=True)
class SignatureShare:
    """Round 2 output of one participant: its identifier and z_i. Public once sent."""
    suite: Ciphersuite = field(repr=False)
    identifier: int
    share: int

    def to_bytes(self) -> bytes:
        """The share's encoding: identifier then share scalar."""
        return _scalar(self.suite, self.identifier) + _scalar(self.suite, self.share)

    @classmethod
    def from_bytes(cls, suite: Ciphersuite, data: bytes) -> "SignatureShare":
        """A signature share from its encoding, strictly checked."""
        r = _Reader(suite, data, "signature share")
        out = cls(suite, r.identifier(), r.scalar())
        r.end()
        return out


# deliberate look-alike of SignatureShare (duplicates): see there.
@dataclass(frozen=True)
class Signature:
    """(R, z). RFC 9591: SerializeElement(R) || SerializeScalar(z); BIP-340: x(R) || z."""
    suite: Ciphersuite = field(repr=False)
    R: Element
    z: int

    def to_bytes(self) -> bytes:
        """The signature's standard encoding (R then z; x-only R for BIP-340)."""
        return self.suite.hooks.encode_signature(self.suite.group, self.R, self.z)

    @classmethod
    def from_bytes(cls, suite: Ciphersuite, data: bytes) -> "Signature":
        """A signature from its encoding, strictly checked by the ciphersuite (RFC 9591 R ‖ z, or BIP-340's x-only R ‖ z)."""
        R, z = suite.hooks.decode_signature(suite.group, data)
        return cls(suite, R, z)


# deliberate look-alike of sharing.slip39.Slip39Share (duplicates): both are secret-holding frozen
# dataclasses whose __repr__ names their own public fields and redacts the secret one.
@dataclass(frozen=True)
class KeyPackage:
    """What one participant keeps: its identifier, secret signing share and the public keys."""
    suite: Ciphersuite
    identifier: int
    signing_share: int
    verifying_share: Element
    verifying_key: Element
    min_signers: int

    def __repr__(self) -> str:
        return (f"KeyPackage({self.suite.context}, identifier={self.identifier}, "
                f"min_signers={self.min_signers}, signing_share=<redacted>)")

    def to_bytes(self) -> bytes:
        """The key package's binary form: identifier, signing share, verifying share, group key, threshold."""
        return (_scalar(self.suite, self.identifier) + _scalar(self.suite, self.signing_share)
                + self.verifying_share.to_bytes() + self.verifying_key.to_bytes()
                + uint_bytes(self.min_signers, 2, "min_signers"))

    @classmethod
    def from_bytes(cls, suite: Ciphersuite, data: bytes) -> "KeyPackage":
        """A key package from its binary form, strictly checked (a zero share is rejected)."""
        r = _Reader(suite, data, "key package")
        ident, sk, vs, vk, t = r.identifier(), r.scalar(), r.element(), r.element(), r.uint(2)
        r.end()
        if sk == 0:
            raise InvalidEncoding("key package: signing share is zero")
        if suite.group.base_mult(sk) != vs:
            raise InvalidEncoding("key package: verifying share does not match the signing share")
        if t < 1:
            raise InvalidEncoding("key package: min_signers must be at least 1")
        return cls(suite, ident, sk, vs, vk, t)


@dataclass(frozen=True)
class PublicKeyPackage:
    """The group's public key, every participant's verifying share, and the threshold."""
    suite: Ciphersuite = field(repr=False)
    verifying_shares: Mapping[int, Element]
    verifying_key: Element
    min_signers: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "verifying_shares", dict(sorted(self.verifying_shares.items())))

    @property
    def identifiers(self) -> list[int]:
        """The signers' identifiers."""
        return list(self.verifying_shares)

    def to_bytes(self) -> bytes:
        """The public key package's binary form: threshold, count, group key and each verifying share."""
        out = [uint_bytes(self.min_signers, 2, "min_signers"),
               uint_bytes(len(self.verifying_shares), 2, "number of verifying shares"),
               self.verifying_key.to_bytes()]
        for i, Y in self.verifying_shares.items():
            out.append(_scalar(self.suite, i) + Y.to_bytes())
        return b"".join(out)

    def key_version(self) -> bytes:
        """32 bytes naming this dealing of the key: the group key, the threshold and every
        verifying share (a refresh, reshare or repair keeps the group key but makes a new
        version). Requests name the version they expect, so that a party holding a share of
        another version refuses instead of producing a share that does not verify."""
        import hashlib
        return hashlib.sha256(b"pqzk/frost/key-version/v1" + self.suite.context.encode() + self.to_bytes()).digest()

    def feldman_commitment(self) -> FeldmanCommitment:
        """The Feldman commitment of this dealing, rebuilt from the verifying shares
        (VerificationError if they do not lie on one polynomial of degree min_signers-1 through
        the verifying key); refresh, reshare and repair check shares against it."""
        if len(self.verifying_shares) < self.min_signers:
            raise InvalidParameter("public key package has fewer verifying shares than min_signers")
        return FeldmanCommitment.from_public_shares(self.suite.group, self.verifying_shares, self.min_signers,
                                                    self.verifying_key)

    @classmethod
    def from_bytes(cls, suite: Ciphersuite, data: bytes) -> "PublicKeyPackage":
        """A public key package from its binary form, strictly checked (distinct identifiers, valid
        elements)."""
        r = _Reader(suite, data, "public key package")
        t, n = r.uint(2), r.uint(2)
        vk = r.element()
        shares: dict[int, Element] = {}
        last = 0
        for _ in range(n):
            i = r.identifier()
            if i <= last:
                raise InvalidEncoding("public key package: identifiers not strictly increasing")
            shares[i], last = r.element(), i
        r.end()
        if not 1 <= t <= n:
            raise InvalidEncoding("public key package: min_signers out of range")
        pkp = cls(suite, shares, vk, t)
        # the verifying shares must lie on one degree t-1 polynomial "in the exponent" through
        # the verifying key: a tampered share or key is refused here, not at signing time
        try:
            pkp.feldman_commitment()
        except VerificationError:
            raise InvalidEncoding("public key package: verifying shares and verifying key are not "
                                  "consistent with min_signers") from None
        return pkp

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, PublicKeyPackage) and other.suite == self.suite
                and other.verifying_key == self.verifying_key and other.min_signers == self.min_signers
                and dict(other.verifying_shares) == dict(self.verifying_shares))

    __hash__ = None  # type: ignore[assignment]
