"""`Ring(q, n)`: Z_q[X]/(X^n + 1) for prototyping lattice schemes.

Multiplication uses the native NTT for (8380417, 256) and (3329, 256), and a schoolbook
negacyclic product otherwise. Elements are immutable and hold canonical coefficients in [0, q).
Sampling follows FIPS 203/204 conventions: uniform mod q, small (uniform in [-eta, eta]) and the
centred binomial distribution CBD_eta.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidParameter
from . import ntt as _ntt
from .rand import RandomSource, random_bytes


@dataclass(frozen=True)
class Ring:
    q: int
    n: int = 256

    def __post_init__(self) -> None:
        if self.q < 2 or self.n < 1 or self.n & (self.n - 1):
            raise InvalidParameter("Ring needs q >= 2 and n a power of two")

    @property
    def native(self) -> bool:
        """Whether this ring's NTT runs in the native core (n and q among the compiled parameter sets)."""
        return self.n == _ntt.N and self.q in _ntt.NATIVE_MODULI

    def __call__(self, coeffs) -> "RingElement":
        arr = np.asarray(coeffs, dtype=np.int64)
        if arr.shape != (self.n,):
            raise InvalidParameter(f"element of {self} needs {self.n} coefficients, got shape {arr.shape}")
        return RingElement(self, np.mod(arr, self.q))

    def zero(self) -> "RingElement":
        """The zero polynomial."""
        return self(np.zeros(self.n, dtype=np.int64))

    def sample_uniform(self, rng: RandomSource | None = None) -> "RingElement":
        """Uniform coefficients mod q by rejection sampling on ceil(log2 q)-bit candidates."""
        bits = (self.q - 1).bit_length()
        nbytes = (bits + 7) // 8
        out: list[int] = []
        while len(out) < self.n:
            raw = np.frombuffer(random_bytes(nbytes * 2 * self.n, rng), dtype=np.uint8)
            vals = raw.reshape(-1, nbytes).astype(np.int64) @ (256 ** np.arange(nbytes, dtype=np.int64))
            vals &= (1 << bits) - 1
            out.extend(int(v) for v in vals[vals < self.q])
        return self(out[: self.n])

    def sample_small(self, eta: int, rng: RandomSource | None = None) -> "RingElement":
        """Coefficients uniform in [-eta, eta] (unbiased rejection sampling)."""
        if eta < 0:
            raise InvalidParameter("eta must be >= 0")
        span = 2 * eta + 1
        limit = 256 - 256 % span
        out: list[int] = []
        while len(out) < self.n:
            raw = np.frombuffer(random_bytes(2 * self.n, rng), dtype=np.uint8).astype(np.int64)
            out.extend(int(v) % span - eta for v in raw[raw < limit])
        return self(out[: self.n])

    def sample_cbd(self, eta: int, rng: RandomSource | None = None) -> "RingElement":
        """Centred binomial: Σ_{i<eta} (a_i - b_i) with fair bits (FIPS 203 SamplePolyCBD)."""
        if not 1 <= eta <= 8:
            raise InvalidParameter("CBD eta must be in 1..8")
        bits = np.unpackbits(np.frombuffer(random_bytes(2 * eta * self.n // 8 + 1, rng), dtype=np.uint8),
                             bitorder="little")[: 2 * eta * self.n].reshape(self.n, 2, eta).astype(np.int64)
        return self(bits[:, 0, :].sum(axis=1) - bits[:, 1, :].sum(axis=1))

    def __str__(self) -> str:
        return f"Z_{self.q}[X]/(X^{self.n}+1)"


@dataclass(frozen=True, eq=False)
class RingElement:
    ring: Ring
    coeffs: np.ndarray     # int64, canonical in [0, q)

    def _other(self, other: "RingElement") -> np.ndarray:
        if not isinstance(other, RingElement) or other.ring != self.ring:
            raise InvalidParameter(f"cannot combine an element of {self.ring} with {other!r}")
        return other.coeffs

    def __add__(self, other: "RingElement") -> "RingElement":
        return self.ring(self.coeffs + self._other(other))

    def __sub__(self, other: "RingElement") -> "RingElement":
        return self.ring(self.coeffs - self._other(other))

    def __neg__(self) -> "RingElement":
        return self.ring(-self.coeffs)

    def __mul__(self, other) -> "RingElement":
        if isinstance(other, int):
            return self.ring(self.coeffs * (other % self.ring.q) % self.ring.q)
        b = self._other(other)
        q = self.ring.q
        if self.ring.native:
            prod = _ntt.intt(_ntt.ntt_mul(_ntt.ntt(self.coeffs, q), _ntt.ntt(b, q), q), q)
            return self.ring(prod.astype(np.int64))
        return self.ring(_ntt.negacyclic_mul_schoolbook(self.coeffs, b, q))

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, RingElement) and other.ring == self.ring
                and bool(np.array_equal(self.coeffs, other.coeffs)))

    def __hash__(self) -> int:
        return hash((self.ring, self.coeffs.tobytes()))

    def centred(self) -> np.ndarray:
        """Representatives in (-q/2, q/2]."""
        q = self.ring.q
        c = self.coeffs.copy()
        c[c > q // 2] -= q
        return c

    def norm_inf(self) -> int:
        """The infinity norm of the centred coefficients (max |c|), as FIPS 204's bounds use it."""
        return int(np.abs(self.centred()).max())

    def norm_l2(self) -> float:
        """The Euclidean norm of the centred coefficients."""
        return float(np.sqrt((self.centred().astype(np.float64) ** 2).sum()))

    def __repr__(self) -> str:
        return f"<element of {self.ring}>"  # coefficients may be secret: not shown
