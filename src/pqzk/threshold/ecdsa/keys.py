"""Threshold ECDSA key shares: a Shamir share of the key (as a FROST key package over the curve's
ciphersuite: the same Pedersen DKG with proofs of knowledge made it), the public key package,
the jointly random BIP-32 chain code, and the pairwise OT seeds with every other holder.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...encoding import ByteReader, lp_bytes, uint_bytes
from ...errors import InvalidEncoding, InvalidParameter
from ...groups import Element
from ...ot import PairwiseOt
from ..frost.ciphersuite import Ciphersuite, get_ciphersuite
from ..frost.types import KeyPackage, PublicKeyPackage
from ..bip32 import ExtendedPublicKey
from .signature import CURVES, curve_group

SUITES = {"secp256k1": "FROST-secp256k1-SHA256-v1", "p256": "FROST-P256-SHA256-v1"}
_MAGIC = b"pqzk-ecdsa-share-v1"


def suite_for(curve: str) -> Ciphersuite:
    """The FROST ciphersuite whose group and identifiers an ECDSA curve's key shares use."""
    curve_group(curve)
    return get_ciphersuite(SUITES[curve])


def curve_of(suite: Ciphersuite) -> str:
    """The ECDSA curve of a ciphersuite; `InvalidParameter` when it is not one."""
    for curve, name in SUITES.items():
        if suite.context == name:
            return curve
    raise InvalidParameter(f"{suite.context} is not an ECDSA curve's ciphersuite")


# deliberate look-alike of risk/frontier.py:FrontierPoint (duplicates): a raise then field declarations, no
# shared logic
@dataclass(frozen=True)
class EcdsaPublicKey:
    """What everyone may know: the curve, the public key package and the chain code."""
    curve: str
    public: PublicKeyPackage
    chain_code: bytes

    # deliberate look-alike of pq/hybrid.py:ThresholdBlsScheme, policy/signer_base.py:SignerSide (duplicates):
    # one-line delegating properties, no shared logic
    @property
    def key(self) -> Element:
        """The ECDSA public key point."""
        return self.public.verifying_key

    @property
    def threshold(self) -> int:
        """How many signers a signature needs."""
        return self.public.min_signers

    def extended(self) -> ExtendedPublicKey:
        """The root xpub (secp256k1 only)."""
        return ExtendedPublicKey(self.key, self.chain_code)

    def derive(self, path) -> tuple[Element, int]:
        """(child public key, tweak) for a non-hardened path; the empty path is the key itself."""
        if path == "m" or (isinstance(path, (list, tuple)) and not path):
            return self.key, 0
        node, tweak = self.extended().derive(path)
        return node.key, tweak


@dataclass(frozen=True)
class EcdsaKeyShare:
    """One holder's share. `ot` maps every other holder's identifier to the seeds shared with it."""
    curve: str
    key_package: KeyPackage
    public: PublicKeyPackage
    chain_code: bytes
    ot: Mapping[int, PairwiseOt] = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.chain_code) != 32:
            raise InvalidParameter("a chain code is 32 bytes")
        others = set(self.public.verifying_shares) - {self.identifier}
        if set(self.ot) != others:
            raise InvalidParameter("OT seeds must be held with every other holder")
        object.__setattr__(self, "ot", dict(sorted(self.ot.items())))

    def __repr__(self) -> str:
        return (f"EcdsaKeyShare({self.curve}, identifier={self.identifier}, "
                f"{self.public.min_signers}-of-{len(self.public.verifying_shares)}, <secrets redacted>)")

    @property
    def identifier(self) -> int:
        """This share's identifier."""
        return self.key_package.identifier

    @property
    def public_key(self) -> EcdsaPublicKey:
        """The threshold ECDSA public key (with chain code) the share belongs to."""
        return EcdsaPublicKey(self.curve, self.public, self.chain_code)

    def to_bytes(self) -> bytes:
        """The key share's binary form: key package, public package, chain code and pairwise OT seeds."""
        kp, pkp = self.key_package.to_bytes(), self.public.to_bytes()
        out = [_MAGIC, bytes([CURVES.index(self.curve)]), lp_bytes(kp, 2), lp_bytes(pkp, 4), self.chain_code,
               uint_bytes(len(self.ot), 2, "number of OT peers")]
        suite = suite_for(self.curve)
        for peer, seeds in self.ot.items():
            out += [suite.group.scalar_encode(peer), seeds.to_bytes()]
        return b"".join(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> "EcdsaKeyShare":
        """A key share from its binary form, strictly checked; `InvalidEncoding` naming what is wrong."""
        r = ByteReader(data, "ECDSA key share")
        r.expect(_MAGIC)
        idx = r.uint(1)
        if idx >= len(CURVES):
            raise InvalidEncoding("ECDSA key share: unknown curve")
        curve = CURVES[idx]
        suite = suite_for(curve)
        kp = KeyPackage.from_bytes(suite, r.lp(2))
        pkp = PublicKeyPackage.from_bytes(suite, r.lp(4))
        chain = r.take(32)
        ot = {}
        for _ in range(r.uint(2)):
            peer = suite.group.scalar_decode(r.take(suite.group.scalar_size))
            if peer in ot:
                raise InvalidEncoding("ECDSA key share: OT seeds listed twice for one peer")
            ot[peer] = PairwiseOt.from_bytes(r.take(PairwiseOt.SIZE))
        r.end()
        if pkp.verifying_shares.get(kp.identifier) != kp.verifying_share or pkp.verifying_key != kp.verifying_key \
                or pkp.min_signers != kp.min_signers:
            raise InvalidEncoding("ECDSA key share: key package and public key package disagree")
        try:
            return cls(curve, kp, pkp, chain, ot)
        except InvalidParameter as exc:
            raise InvalidEncoding(f"ECDSA key share: {exc}") from None


__all__ = ["SUITES", "EcdsaKeyShare", "EcdsaPublicKey", "suite_for", "curve_of"]
