"""The FROST key ceremonies as parties of `pqzk.runtime.ceremony`: what each one deals.

- DKG (`DkgParticipant`): every participant deals a random polynomial and proves knowledge of its
  constant term (FROST's Pedersen DKG with proofs of knowledge, RFC 9591 appendix / ZF frost);
  the round 1 payload is `pqzk.threshold.frost.dkg.encode_round1`.
- Refresh (`RefreshParticipant`): every holder deals a sharing of zero (commitments C_1..C_{t-1};
  C_0 is the identity by construction), so the key stays and the shares change.
- Reshare (`ReshareParticipant`): each chosen old holder deals a sharing of its own share to the new
  committee, committing to C_0 = its public verifying share; new holders combine with the Lagrange
  coefficients of the dealers. Dealers and receivers may be different parties.

Every result is a FROST `(KeyPackage, PublicKeyPackage)` (a dealer that receives nothing gets
`(None, PublicKeyPackage)`); what each ceremony guarantees on failure is in `ceremony`'s docstring.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..dkg import pedersen
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..math.poly import lagrange_coefficients
from ..math.rand import RandomSource, random_scalar
from ..sharing.refresh import ZeroSharingCommitment
from ..sharing.vss import FeldmanCommitment
from ..threshold.frost import dkg as fdkg
from ..threshold.frost.ciphersuite import Ciphersuite, get_ciphersuite
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from .ceremony import Ceremony
from .identity import Keyring
from .messages import PartyId


def _packages(suite: Ciphersuite, me: int | None, total: FeldmanCommitment, share: int | None,
              receivers: Sequence[int], t: int) -> tuple[KeyPackage | None, PublicKeyPackage]:
    g = suite.group
    vshares = {i: total.evaluate(i) for i in sorted(receivers)}
    if share is not None and g.base_mult(share) != vshares[me]:
        raise VerificationError("own share does not match the combined commitment")
    kp = None if share is None else KeyPackage(suite, me, share, vshares[me], total.public_key, t)
    return kp, PublicKeyPackage(suite, vshares, total.public_key, t)


class DkgScheme:
    """Pedersen DKG dealing: a random polynomial and a proof of knowledge of a_0."""
    prefix = "dkg"

    def __init__(self, suite: str | Ciphersuite, identifier: int, num_participants: int, min_signers: int,
                 receivers: Sequence[int]) -> None:
        self.suite = get_ciphersuite(suite)
        self.group = self.suite.group
        self.threshold = min_signers
        self.params = fdkg.dkg_parameters(self.suite, min_signers, num_participants)
        self.identifier = identifier
        self.receivers = list(receivers)

    def deal(self, rng: RandomSource | None):
        """A fresh random polynomial and the round-1 package (its commitment and proof of knowledge) to
        broadcast."""
        secret, pkg = pedersen.part1(self.params, self.identifier, rng)
        return secret.coefficients, fdkg.encode_round1(self.suite, pkg)

    def check_round1(self, dealer: PartyId, dealer_index: int, payload: bytes) -> FeldmanCommitment:
        """The dealer's commitment, after checking the package is the dealer's and its proof of knowledge
        verifies."""
        pkg = fdkg.decode_round1(self.suite, payload, self.threshold)
        if pkg.sender != dealer_index:
            raise InvalidEncoding("round 1 package carries another identifier")
        pedersen.verify_proof_of_knowledge(self.params, pkg)
        return pkg.commitment

    def finish(self, commitments, shares):
        """The key package and public key package from the sum of the commitments and of the received
        shares."""
        total = None
        for d in commitments:
            total = commitments[d] if total is None else total + commitments[d]
        share = None if shares is None else sum(shares.values()) % self.group.order
        kp, pkp = _packages(self.suite, self.identifier, total, share, self.receivers, self.threshold)
        if kp is None:
            return None, pkp
        return fdkg.post_dkg(kp, pkp)


class RefreshScheme:
    """Proactive refresh dealing: a sharing of zero. The result keeps the group key."""
    prefix = "refresh"

    def __init__(self, key_package: KeyPackage, public_key_package: PublicKeyPackage,
                 holders: Sequence[int]) -> None:
        self.kp, self.pkp = key_package, public_key_package
        self.suite = public_key_package.suite
        self.group = self.suite.group
        self.threshold = public_key_package.min_signers
        self.holders = list(holders)
        unknown = set(self.holders) - set(public_key_package.verifying_shares)
        if unknown:
            raise InvalidParameter(f"holders {sorted(unknown)} are not in the public key package")

    def deal(self, rng: RandomSource | None):
        """A random polynomial with zero constant term (a zero-sharing) and its commitment."""
        q = self.group.order
        coeffs = (0,) + tuple(random_scalar(q, rng, nonzero=False) for _ in range(self.threshold - 1))
        com = ZeroSharingCommitment(self.group, tuple(self.group.base_mult(a) for a in coeffs[1:]))
        return coeffs, com.to_bytes()

    def check_round1(self, dealer: PartyId, dealer_index: int, payload: bytes) -> FeldmanCommitment:
        """The dealer's zero-sharing commitment (of the right threshold), as a Feldman commitment."""
        com = ZeroSharingCommitment.from_bytes(self.group, payload)
        if com.threshold != self.threshold:
            raise InvalidEncoding(f"zero-sharing of threshold {com.threshold}, expected {self.threshold}")
        return com.as_feldman()

    def finish(self, commitments, shares):
        """The refreshed key package and public key package: old shares plus the zero-sharings, same group
        key."""
        g = self.group
        vshares = {}
        for i in sorted(self.holders):
            vshares[i] = self.pkp.verifying_shares[i] + g.msm_vartime(   # public
                [1] * len(commitments), [c.evaluate(i) for c in commitments.values()])
        pkp = PublicKeyPackage(self.suite, vshares, self.pkp.verifying_key, self.threshold)
        if shares is None:
            return None, pkp
        me = self.kp.identifier
        share = (self.kp.signing_share + sum(shares.values())) % g.order
        if g.base_mult(share) != vshares[me]:
            raise VerificationError("refreshed share does not match the refreshed verifying share")
        return KeyPackage(self.suite, me, share, vshares[me], self.pkp.verifying_key, self.threshold), pkp


class ReshareScheme:
    """Resharing dealing: a sharing of the dealer's own share, C_0 its public verifying share."""
    prefix = "reshare"

    def __init__(self, public_key_package: PublicKeyPackage, new_min_signers: int, dealers: Mapping[PartyId, int],
                 receiver_ids: Sequence[int], *, key_package: KeyPackage | None = None,
                 new_identifier: int | None = None) -> None:
        self.pkp = public_key_package
        self.old_id = dict(dealers)            # dealer party -> its old identifier
        dealer_ids = list(self.old_id.values())
        self.suite = public_key_package.suite
        self.group = self.suite.group
        self.threshold = new_min_signers
        self.kp, self.new_identifier = key_package, new_identifier
        self.dealer_ids, self.receiver_ids = sorted(dealer_ids), sorted(receiver_ids)
        if len(self.dealer_ids) < public_key_package.min_signers:
            raise InvalidParameter(f"{len(self.dealer_ids)} dealers; resharing needs the old threshold "
                                   f"{public_key_package.min_signers}")
        if not 2 <= new_min_signers <= len(self.receiver_ids):
            raise InvalidParameter(f"new threshold {new_min_signers} for {len(self.receiver_ids)} new holders")
        unknown = set(self.dealer_ids) - set(public_key_package.verifying_shares)
        if unknown:
            raise InvalidParameter(f"dealers {sorted(unknown)} are not in the public key package")
        self.lagrange = dict(zip(self.dealer_ids, lagrange_coefficients(self.dealer_ids, self.group.order, 0)))

    def deal(self, rng: RandomSource | None):
        """A sub-sharing of this dealer's share under the new threshold, and its commitment."""
        if self.kp is None:
            raise InvalidParameter("a resharing dealer needs its key package")
        q = self.group.order
        coeffs = (self.kp.signing_share,) + tuple(random_scalar(q, rng, nonzero=False)
                                                   for _ in range(self.threshold - 1))
        return coeffs, FeldmanCommitment.from_polynomial(self.group, coeffs).to_bytes()

    def check_round1(self, dealer: PartyId, dealer_index: int, payload: bytes) -> FeldmanCommitment:
        """The dealer's sub-sharing commitment, checked to commit to the dealer's verifying share."""
        com = FeldmanCommitment.from_bytes(self.group, payload)
        if com.threshold != self.threshold:
            raise InvalidEncoding(f"sub-sharing of threshold {com.threshold}, expected {self.threshold}")
        if com.public_key != self.pkp.verifying_shares[dealer_index]:
            raise VerificationError("sub-sharing does not commit to the dealer's verifying share")
        return com

    def finish(self, commitments, shares):
        """The new key package and public key package: the Lagrange-weighted sum of the sub-sharings, same
        group key."""
        g = self.group
        # commitments are keyed by party; the Lagrange weights by the dealers' old identifiers
        lam = [self.lagrange[self.old_id[d]] for d in commitments]
        coeffs = tuple(g.msm_vartime(lam, [c.coefficients[k] for c in commitments.values()])   # public
                       for k in range(self.threshold))
        total = FeldmanCommitment(g, coeffs)
        if total.public_key != self.pkp.verifying_key:
            raise VerificationError("reshared commitment does not keep the group key")
        share = None
        if shares is not None:
            share = sum(self.lagrange[self.old_id[d]] * v for d, v in shares.items()) % g.order
        return _packages(self.suite, self.new_identifier, total, share, self.receiver_ids, self.threshold)


class DkgParticipant(Ceremony):
    """One participant of the FROST DKG (party id = FROST identifier)."""

    def __init__(self, suite: str | Ciphersuite, identifier: int, participants: Sequence[int], min_signers: int,
                 keyring: Keyring, *, rng: RandomSource | None = None, session: bytes = b"dkg") -> None:
        ids = sorted(participants)
        if len(set(ids)) != len(ids) or identifier not in ids:
            raise InvalidParameter("participants must be distinct and include this participant")
        scheme = DkgScheme(suite, identifier, len(ids), min_signers, ids)
        super().__init__(scheme, identifier, {i: i for i in ids}, {i: i for i in ids}, keyring,
                         session=session, rng=rng)
        self.suite = scheme.suite


class RefreshParticipant(Ceremony):
    """One holder in a proactive refresh: same key and threshold, new shares for `holders`."""

    def __init__(self, key_package: KeyPackage, public_key_package: PublicKeyPackage, holders: Sequence[int],
                 keyring: Keyring, *, rng: RandomSource | None = None, session: bytes = b"refresh") -> None:
        ids = sorted(holders)
        if len(set(ids)) != len(ids) or key_package.identifier not in ids:
            raise InvalidParameter("holders must be distinct and include this holder")
        scheme = RefreshScheme(key_package, public_key_package, ids)
        super().__init__(scheme, key_package.identifier, {i: i for i in ids}, {i: i for i in ids}, keyring,
                         session=session, rng=rng)


class ReshareParticipant(Ceremony):
    """One party in a resharing: an old holder dealing (`dealers`: party -> old identifier), a new
    holder receiving (`receivers`: party -> new identifier), or both."""

    def __init__(self, me: PartyId, public_key_package: PublicKeyPackage, new_min_signers: int,
                 dealers: Mapping[PartyId, int], receivers: Mapping[PartyId, int], keyring: Keyring, *,
                 key_package: KeyPackage | None = None, rng: RandomSource | None = None,
                 session: bytes = b"reshare") -> None:
        if me in dealers and (key_package is None or key_package.identifier != dealers[me]):
            raise InvalidParameter("a dealer needs its own key package (its identifier is its old identifier)")
        scheme = ReshareScheme(public_key_package, new_min_signers, dealers, list(receivers.values()),
                               key_package=key_package if me in dealers else None,
                               new_identifier=receivers.get(me))
        super().__init__(scheme, me, dealers, receivers, keyring, session=session, rng=rng)


__all__ = ["DkgParticipant", "RefreshParticipant", "ReshareParticipant", "DkgScheme", "RefreshScheme",
           "ReshareScheme"]
