"""Verifiable secret sharing: Feldman (commitments a_k·G) and Pedersen (a_k·G + b_k·H).

The dealer publishes commitments to the coefficients of its sharing polynomial; every party
checks its own share against them without learning anything more. Feldman reveals secret·G (the
public key, which threshold signing wants anyway); Pedersen hides the secret perfectly, at the
cost of a second generator H whose discrete logarithm to G nobody may know.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..groups.base import Element, Group
from ..groups.nums import nothing_up_my_sleeve
from ..math.field import powers
from ..math.poly import interpolate_polynomial
from ..math.rand import RandomSource, random_scalar
from .shamir import (Share, check_identifiers, check_shares, check_split, reconstruct,
                     shares_from_polynomial, sharing_polynomial)


def _encode_elements(group: Group, elements: Sequence[Element]) -> bytes:
    return b"".join(group.encode(e) for e in elements)


def _decode_elements(data: bytes, group: Group, what: str) -> tuple[Element, ...]:
    data = as_bytes(data, what)
    size = group.element_size
    if not data or len(data) % size:
        raise InvalidEncoding(f"{what} must be a non-empty multiple of {size} bytes "
                              f"({group.name} elements), got {len(data)}")
    out = []
    for k in range(len(data) // size):
        try:
            out.append(group.decode(data[k * size:(k + 1) * size]))
        except InvalidEncoding as exc:
            raise InvalidEncoding(f"{what}: coefficient {k}: {exc}") from None
    return tuple(out)


class _PolyCommitment:
    """Shared behaviour: commitments C_0..C_{t-1} to a polynomial, evaluated 'in the exponent'."""

    group: Group
    coefficients: tuple[Element, ...]

    def _check(self) -> None:
        if not isinstance(self.group, Group):
            raise InvalidParameter("commitment needs a Group")
        coeffs = tuple(self.coefficients)
        if not coeffs:
            raise InvalidParameter("commitment needs at least one coefficient")
        for c in coeffs:
            if not isinstance(c, Element) or c.group is not self.group:
                raise InvalidParameter(f"commitment coefficients must be {self.group.name} elements")
        object.__setattr__(self, "coefficients", coeffs)

    @property
    def threshold(self) -> int:
        """t: the number of coefficients (degree + 1)."""
        return len(self.coefficients)

    def evaluate(self, identifier: int) -> Element:
        """Σ_k C_k · x^k: the commitment to the share of party x."""
        q = self.group.order
        check_identifiers([identifier], q)
        return self.group.msm_vartime(powers(identifier, self.threshold, q), self.coefficients)  # public

    def evaluate_combination(self, weights: Mapping[int, int]) -> Element:
        """Σ_i w_i·(Σ_k C_k·i^k) as ONE msm over the t coefficients: Σ_k (Σ_i w_i i^k)·C_k.

        Batch checks of many parties' shares need only this random combination, not each
        party's commitment (t scalar products per party instead of a t-point msm each)."""
        q = self.group.order
        check_identifiers(list(weights), q)
        if not all(isinstance(w, int) for w in weights.values()):
            raise InvalidParameter("evaluate_combination: weights must be ints")
        sums = [0] * self.threshold
        for identifier, w in weights.items():
            for k, power in enumerate(powers(identifier, self.threshold, q)):
                sums[k] += w * power
        return self.group.msm_vartime([x % q for x in sums], self.coefficients)  # public weights

    def verify_share(self, share) -> None:  # pragma: no cover - each commitment defines it
        raise NotImplementedError

    def is_valid_share(self, share) -> bool:
        """verify_share as a boolean."""
        try:
            self.verify_share(share)
        except VerificationError:
            return False
        return True

    def invalid_shares(self, shares: Sequence) -> list[int]:
        """Identifiers of the shares that fail verification (empty when all are good)."""
        return [s.identifier for s in shares if not self.is_valid_share(s)]

    def to_bytes(self) -> bytes:
        """C_0 || C_1 || ... in the group's standard element encoding."""
        return _encode_elements(self.group, self.coefficients)

    def __add__(self, other):
        """Commitment to the sum of the two polynomials (used by refresh and DKG)."""
        if type(other) is not type(self) or other.group is not self.group:
            return NotImplemented
        n = max(self.threshold, other.threshold)
        ident = self.group.identity()
        a = self.coefficients + (ident,) * (n - self.threshold)
        b = other.coefficients + (ident,) * (n - other.threshold)
        return type(self)(self.group, tuple(x + y for x, y in zip(a, b)))


# deliberate look-alike of PedersenCommitment below (duplicates): the dataclass fields and the check in
# __post_init__; what is shared lives in _PolyCommitment
@dataclass(frozen=True, eq=True)
class FeldmanCommitment(_PolyCommitment):
    """Feldman VSS commitment C_k = a_k·G to f(x) = Σ a_k x^k; C_0 is the public key."""

    group: Group
    coefficients: tuple[Element, ...]

    def __post_init__(self) -> None:
        self._check()

    @property
    def public_key(self) -> Element:
        """The commitment to the constant term: the shared secret's public key."""
        return self.coefficients[0]

    def public_share(self, identifier: int) -> Element:
        """f(identifier)·G, computable by anyone from the commitment."""
        return self.evaluate(identifier)

    def verify_share(self, share: Share) -> None:
        """Raise VerificationError (naming the identifier) unless share.value·G == Σ C_k x^k."""
        if not isinstance(share, Share):
            raise InvalidParameter(f"expected a Share, got {type(share).__name__}")
        if not isinstance(share.value, int) or not 0 <= share.value < self.group.order:
            raise VerificationError(f"share {share.identifier}: value out of range")
        try:
            expected = self.public_share(share.identifier)
        except InvalidParameter as exc:
            raise VerificationError(f"share {share.identifier}: {exc}") from None
        if self.group.base_mult(share.value) != expected:
            raise VerificationError(f"share {share.identifier} does not match the Feldman commitment")

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "FeldmanCommitment":
        """Strict: non-empty multiple of the element size, every element valid and not the identity."""
        return cls(group, _decode_elements(data, group, "Feldman commitment"))

    @classmethod
    def from_polynomial(cls, group: Group, coeffs: Sequence[int]) -> "FeldmanCommitment":
        """The Feldman commitment (a_k·G) to a polynomial's coefficients."""
        return cls(group, tuple(group.base_mult(a) for a in coeffs))

    @classmethod
    def from_public_shares(cls, group: Group, public_shares: Mapping[int, Element], threshold: int,
                           public_key: Element) -> "FeldmanCommitment":
        """The commitment C_0..C_{t-1} with Σ_k C_k·i^k = Y_i for every public share Y_i = f(i)·G,
        rebuilt by interpolation in the exponent over the first t identifiers; VerificationError
        if C_0 is not `public_key` or another public share is off that polynomial of degree t-1."""
        q = group.order
        ids = sorted(public_shares)[:threshold]
        if len(ids) < threshold:
            raise InvalidParameter(f"{len(public_shares)} public shares given, threshold is {threshold}")
        # Lagrange basis polynomials over the first t identifiers, then C_k = Σ_i basis_i[k]·Y_i
        basis = [interpolate_polynomial([(x, 1 if x == i else 0) for x in ids], q) for i in ids]
        basis = [b + [0] * (threshold - len(b)) for b in basis]
        com = cls(group, tuple(group.msm_vartime([b[k] for b in basis], [public_shares[i] for i in ids])  # public
                               for k in range(threshold)))
        if com.public_key != public_key or any(
                com.public_share(i) != Y for i, Y in public_shares.items() if i not in ids):
            raise VerificationError("public shares are not consistent with the threshold and the public key")
        return com


def feldman_deal(group: Group, secret: int, threshold: int, num_shares: int, *,
                 rng: RandomSource | None = None,
                 identifiers: Sequence[int] | None = None) -> tuple[list[Share], FeldmanCommitment]:
    """Shamir-share `secret` over the group's scalar field and commit to the polynomial."""
    q = group.order
    ids = check_split(secret, threshold, num_shares, q, identifiers)
    coeffs = sharing_polynomial(secret, threshold, q, rng)
    return shares_from_polynomial(coeffs, ids, q), FeldmanCommitment.from_polynomial(group, coeffs)


def feldman_reconstruct(shares: Sequence[Share], commitment: FeldmanCommitment) -> int:
    """Verify every share, reconstruct from them, and check secret·G against the public key."""
    q = commitment.group.order
    shares = check_shares(shares, q)
    if len(shares) < commitment.threshold:
        raise InvalidParameter(f"{len(shares)} shares given, threshold is {commitment.threshold}")
    for s in shares:
        commitment.verify_share(s)
    secret = reconstruct(shares, q)
    if commitment.group.base_mult(secret) != commitment.public_key:  # pragma: no cover - implied
        raise VerificationError("reconstructed secret does not match the public key")
    return secret


# ---------------------------------------------------------------------------------------------
# Pedersen VSS

PEDERSEN_H_DST = b"PQZK-V01-PEDERSEN-VSS-GENERATOR-H"


@lru_cache(maxsize=None)
def pedersen_generator(group: Group) -> Element:
    """The second generator H, nothing-up-my-sleeve: nobody knows log_G(H).

    `pqzk.groups.nums.nothing_up_my_sleeve(group, group name, PEDERSEN_H_DST)`: the group's
    RFC 9380 hash_to_element when it has a suite, else try-and-increment (see there).
    """
    try:
        return nothing_up_my_sleeve(group, group.name.encode(), PEDERSEN_H_DST)
    except InvalidParameter:
        raise InvalidParameter(f"{group.name}: cannot derive a Pedersen generator H "
                               "(no hash-to-curve suite and try-and-increment failed)") from None


# deliberate look-alike of dkg/pedersen.py:Round2Package, zk/compliance.py:TransactionCommitments (duplicates):
# field declarations and a redacted repr, no shared logic
@dataclass(frozen=True)
class PedersenShare:
    """Party `identifier`'s (f(x), g(x)) of a Pedersen VSS. Secret: both values are redacted."""

    identifier: int
    value: int
    blinding: int

    def __repr__(self) -> str:
        return f"PedersenShare(identifier={self.identifier}, value=<redacted>, blinding=<redacted>)"

    __str__ = __repr__

    @property
    def share(self) -> Share:
        """The Shamir share of the secret (drops the blinding)."""
        return Share(self.identifier, self.value)

    def to_bytes(self, group: Group) -> bytes:
        """The share's encoding: the identifier and value as a Shamir share, then the blinding scalar."""
        return (Share(self.identifier, self.value).to_bytes(group)
                + group.scalar_encode(self.blinding))

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "PedersenShare":
        """A Pedersen share from its encoding (three scalars); `InvalidEncoding` naming what is wrong."""
        data = as_bytes(data, "Pedersen share")
        n = group.scalar_size
        if len(data) != 3 * n:
            raise InvalidEncoding(f"Pedersen share must be {3 * n} bytes, got {len(data)}")
        s = Share.from_bytes(group, data[:2 * n])
        try:
            b = group.scalar_decode(data[2 * n:])
        except InvalidEncoding:
            raise InvalidEncoding(f"share {s.identifier}: blinding is not reduced modulo the order") from None
        return cls(s.identifier, s.value, b)


@dataclass(frozen=True, eq=True)
# deliberate look-alike of FeldmanCommitment above (duplicates): the dataclass fields and the check in
# __post_init__; what is shared lives in _PolyCommitment.
class PedersenCommitment(_PolyCommitment):
    """Pedersen VSS commitment C_k = a_k·G + b_k·H: hides the secret information-theoretically."""

    group: Group
    coefficients: tuple[Element, ...]

    def __post_init__(self) -> None:
        self._check()

    @property
    def generator_h(self) -> Element:
        """The second generator H, with no known discrete log to G."""
        return pedersen_generator(self.group)

    def verify_share(self, share: PedersenShare) -> None:
        """Raise VerificationError (naming the identifier) unless f(x)·G + g(x)·H == Σ C_k x^k."""
        if not isinstance(share, PedersenShare):
            raise InvalidParameter(f"expected a PedersenShare, got {type(share).__name__}")
        q = self.group.order
        if not all(isinstance(v, int) and 0 <= v < q for v in (share.value, share.blinding)):
            raise VerificationError(f"share {share.identifier}: value out of range")
        try:
            expected = self.evaluate(share.identifier)
        except InvalidParameter as exc:
            raise VerificationError(f"share {share.identifier}: {exc}") from None
        got = self.group.msm([share.value, share.blinding], [self.group.generator(), self.generator_h])
        if got != expected:
            raise VerificationError(f"share {share.identifier} does not match the Pedersen commitment")

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "PedersenCommitment":
        """A Pedersen commitment from its encoding, each element strictly decoded."""
        return cls(group, _decode_elements(data, group, "Pedersen commitment"))


def pedersen_deal(group: Group, secret: int, threshold: int, num_shares: int, *,
                  rng: RandomSource | None = None,
                  identifiers: Sequence[int] | None = None
                  ) -> tuple[list[PedersenShare], PedersenCommitment]:
    """Share `secret` with a blinding polynomial g and commit to a_k·G + b_k·H."""
    q = group.order
    ids = check_split(secret, threshold, num_shares, q, identifiers)
    f = sharing_polynomial(secret, threshold, q, rng)
    g = sharing_polynomial(random_scalar(q, rng, nonzero=False), threshold, q, rng)
    G, H = group.generator(), pedersen_generator(group)
    commitment = PedersenCommitment(group, tuple(group.msm([a, b], [G, H]) for a, b in zip(f, g)))
    fs = shares_from_polynomial(f, ids, q)
    gs = shares_from_polynomial(g, ids, q)
    return [PedersenShare(a.identifier, a.value, b.value) for a, b in zip(fs, gs)], commitment


def pedersen_reconstruct(shares: Sequence[PedersenShare], commitment: PedersenCommitment) -> int:
    """Verify every share against the commitment, then reconstruct the secret."""
    shares = list(shares)
    if len(shares) < commitment.threshold:
        raise InvalidParameter(f"{len(shares)} shares given, threshold is {commitment.threshold}")
    for s in shares:
        commitment.verify_share(s)
    return reconstruct([s.share for s in shares], commitment.group.order)


__all__ = ["FeldmanCommitment", "feldman_deal", "feldman_reconstruct", "PedersenCommitment",
           "PedersenShare", "pedersen_deal", "pedersen_reconstruct", "pedersen_generator",
           "PEDERSEN_H_DST"]
