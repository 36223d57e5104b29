"""The Group protocol every prime-order group of the kit implements.

A concrete group subclasses `Group` and implements the `_raw` hooks on its own internal point
representation; users see `Element` objects (immutable, with +, -, * by int scalar, ==) and plain
int scalars in [0, order). Decoding is strict: length, canonical form, on-curve, subgroup and
(by default) identity are checked, and every failure is an `InvalidEncoding`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..hashing.expand import hash_to_field, security_length
from ..math.rand import RandomSource, random_scalar


def check_pair_indices(indices: Sequence[int], n: int, what: str) -> list[int]:
    """Indices into a list of n pairings' pairs (multi_pairing_is_one's check_g2), validated."""
    out = []
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise InvalidParameter(f"{what}: index {i!r} is not one of the {n} pairs")
        out.append(i)
    return out


class Element:
    """An element of a prime-order group. Public data: safe to print."""

    __slots__ = ("group", "raw")

    def __init__(self, group: "Group", raw: Any) -> None:
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "raw", raw)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Element is immutable")

    def _same(self, other: object) -> "Element":
        if not isinstance(other, Element) or other.group is not self.group:
            raise InvalidParameter(f"cannot combine a {self.group.name} element with {other!r}")
        return other

    def __add__(self, other: "Element") -> "Element":
        return self.group.add(self, self._same(other))

    def __sub__(self, other: "Element") -> "Element":
        return self.group.add(self, self.group.neg(self._same(other)))

    def __neg__(self) -> "Element":
        return self.group.neg(self)

    def __mul__(self, k: int) -> "Element":
        if not isinstance(k, int):
            return NotImplemented
        return self.group.scalar_mult(k, self)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Element) and other.group is self.group
                and self.group._raw_eq(self.raw, other.raw))

    def __hash__(self) -> int:
        return hash((self.group.name, self.group._raw_key(self.raw)))

    def is_identity(self) -> bool:
        """Whether this is the group's identity element."""
        return self.group._raw_is_identity(self.raw)

    def to_bytes(self) -> bytes:
        """The group's standard encoding of this element (SEC1 compressed, RFC 8032, ZCash BLS12-381, ...)."""
        return self.group.encode(self)

    def __repr__(self) -> str:
        if self.is_identity():
            return f"<{self.group.name} identity>"
        return f"<{self.group.name} {self.group._raw_key(self.raw).hex()[:16]}…>"


class Group(ABC):
    """A prime-order group: the scalar field is Z_order."""

    name: str
    order: int
    cofactor: int = 1
    element_size: int        # bytes of the standard element encoding
    scalar_size: int         # bytes of the scalar encoding
    scalar_byteorder: str    # "big" or "little", as the group's standard encodes scalars
    hash_expander: str = "xmd:sha256"   # RFC 9380 expander used by hash_to_scalar
    msm_is_sublinear: bool = False      # msm costs far less than one scalar_mult per term (Pippenger)
    msm_vartime_min_terms: int = 1      # below this many terms one multiplication per term is faster

    # ---- hooks a concrete group implements on its raw representation ----
    @abstractmethod
    def _raw_identity(self) -> Any: ...
    @abstractmethod
    def _raw_generator(self) -> Any: ...
    @abstractmethod
    def _raw_add(self, a: Any, b: Any) -> Any: ...
    @abstractmethod
    def _raw_neg(self, a: Any) -> Any: ...
    @abstractmethod
    def _raw_mul(self, k: int, a: Any) -> Any:
        """k·a for 0 <= k < order."""
    @abstractmethod
    def _raw_eq(self, a: Any, b: Any) -> bool: ...
    @abstractmethod
    def _raw_is_identity(self, a: Any) -> bool: ...
    @abstractmethod
    def _raw_encode(self, a: Any) -> bytes:
        """Standard encoding; raise InvalidEncoding if the standard cannot encode `a`."""
    @abstractmethod
    def _raw_decode(self, data: bytes) -> Any:
        """Validate and decode `data` (length already checked): canonical, on curve, subgroup."""

    def _raw_base_mul(self, k: int) -> Any:
        return self._raw_mul(k, self._raw_generator())

    def _raw_key(self, a: Any) -> bytes:
        """Bytes that identify `a` (used for hashing and repr); identity must work too."""
        return b"\x00" if self._raw_is_identity(a) else self._raw_encode(a)

    def _raw_msm(self, scalars: Sequence[int], points: Sequence[Any]) -> Any:
        acc = self._raw_identity()
        for k, p in zip(scalars, points):
            if k:
                acc = self._raw_add(acc, self._raw_mul(k, p))
        return acc

    def _raw_msm_vartime(self, scalars: Sequence[int], points: Sequence[Any]) -> Any:
        """Σ k_i·P_i for public inputs; groups with a variable-time Pippenger override this."""
        return self._raw_msm(scalars, points)

    # ---- the public API ----
    def _wrap(self, raw: Any) -> Element:
        return Element(self, raw)

    def _unwrap(self, p: Element) -> Any:
        if not isinstance(p, Element) or p.group is not self:
            raise InvalidParameter(f"expected a {self.name} element, got {p!r}")
        return p.raw

    def identity(self) -> Element:
        """The identity element."""
        return self._wrap(self._raw_identity())

    def generator(self) -> Element:
        """The group's standard generator."""
        return self._wrap(self._raw_generator())

    def add(self, a: Element, b: Element) -> Element:
        """The sum of two elements of this group."""
        return self._wrap(self._raw_add(self._unwrap(a), self._unwrap(b)))

    def neg(self, a: Element) -> Element:
        """The inverse (negation) of an element."""
        return self._wrap(self._raw_neg(self._unwrap(a)))

    def sub(self, a: Element, b: Element) -> Element:
        """`a - b`."""
        return self.add(a, self.neg(b))

    def _reduce(self, k: int) -> int:
        """k mod order for any int k (negative ones too); anything else is an InvalidParameter."""
        if not isinstance(k, int):
            raise InvalidParameter(f"{self.name} scalar must be an int, got {type(k).__name__}")
        return k % self.order

    def scalar_mult(self, k: int, p: Element) -> Element:
        """`k·p`, with `k` reduced modulo the group order."""
        return self._wrap(self._raw_mul(self._reduce(k), self._unwrap(p)))

    def base_mult(self, k: int) -> Element:
        """k·G with the group's fixed-base fast path."""
        return self._wrap(self._raw_base_mul(self._reduce(k)))

    def msm(self, scalars: Sequence[int], points: Sequence[Element]) -> Element:
        """Σ k_i·P_i (multi-scalar multiplication); safe for secret scalars on the groups whose
        scalar multiplication is constant time. For public inputs `msm_vartime` is faster."""
        if len(scalars) != len(points):
            raise InvalidParameter(f"msm: {len(scalars)} scalars for {len(points)} points")
        return self._wrap(self._raw_msm([self._reduce(k) for k in scalars],
                                        [self._unwrap(p) for p in points]))

    def msm_vartime(self, scalars: Sequence[int], points: Sequence[Element]) -> Element:
        """Σ k_i·P_i in variable time (a Pippenger bucket method where the group has one).

        Only for PUBLIC scalars and points: verification equations and aggregation of public
        values. Its running time and memory accesses depend on the inputs; secret scalars
        (nonces, blindings, witnesses, shares) must go through `msm` or `scalar_mult`."""
        if len(scalars) != len(points):
            raise InvalidParameter(f"msm_vartime: {len(scalars)} scalars for {len(points)} points")
        ks, ps = [self._reduce(k) for k in scalars], [self._unwrap(p) for p in points]
        if len(ps) < self.msm_vartime_min_terms:   # measured crossover (docs/performance.md)
            return self._wrap(self._raw_msm(ks, ps))
        return self._wrap(self._raw_msm_vartime(ks, ps))

    def encode(self, p: Element) -> bytes:
        """The standard encoding of an element (`InvalidEncoding` when the standard cannot encode it, e.g. the
        identity in some groups)."""
        return self._raw_encode(self._unwrap(p))

    def decode(self, data: bytes, *, allow_identity: bool = False) -> Element:
        """Strict decoding of the standard encoding; the identity is refused unless allowed."""
        data = as_bytes(data, f"{self.name} element")
        if len(data) != self.element_size:
            raise InvalidEncoding(f"{self.name} element must be {self.element_size} bytes, got {len(data)}")
        raw = self._raw_decode(data)
        if not allow_identity and self._raw_is_identity(raw):
            raise InvalidEncoding(f"{self.name} element is the identity")
        return self._wrap(raw)

    def scalar_encode(self, k: int) -> bytes:
        """The standard encoding of a scalar in `[0, order)` (`scalar_size` bytes, `scalar_byteorder`);
        `InvalidParameter` when out of range."""
        if not isinstance(k, int) or not 0 <= k < self.order:
            raise InvalidParameter(f"{self.name} scalar out of range")
        return k.to_bytes(self.scalar_size, self.scalar_byteorder)

    def scalar_decode(self, data: bytes) -> int:
        """Strict: exact length and canonical (< order)."""
        data = as_bytes(data, f"{self.name} scalar")
        if len(data) != self.scalar_size:
            raise InvalidEncoding(f"{self.name} scalar must be {self.scalar_size} bytes, got {len(data)}")
        k = int.from_bytes(data, self.scalar_byteorder)
        if k >= self.order:
            raise InvalidEncoding(f"{self.name} scalar is not reduced modulo the group order")
        return k

    def random_scalar(self, rng: RandomSource | None = None) -> int:
        """Uniform non-zero scalar."""
        return random_scalar(self.order, rng)

    def hash_to_scalar(self, msg: bytes, dst: bytes) -> int:
        """RFC 9380 hash_to_field into Z_order with this group's expander."""
        L = security_length(self.order)
        return hash_to_field(msg, dst, 1, self.order, 1, L, self.hash_expander)[0][0]

    def hash_to_element(self, msg: bytes, dst: bytes) -> Element:
        """RFC 9380 hash_to_curve (random oracle) where the group has a suite."""
        raise InvalidParameter(f"{self.name} has no hash-to-curve suite")

    def __repr__(self) -> str:
        return f"<Group {self.name}>"
