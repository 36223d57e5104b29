"""Threshold parameters (T, N, K, ν, r, r') per ML-DSA parameter set, as data.

Celi, del Pino, Espitau, Niot, Prest, "Efficient Threshold ML-DSA" (eprint 2026/013; earlier
version with Borin: eprint 2025/1166) choose, for each T-of-N committee, the number K of
parallel signing attempts and the radii of the hyperballs the parties sample their masks from:
r' (the ball a party's mask y is uniform in) and r < r' (a party keeps an attempt only if
y + c·s stays in the ball of radius r, its rejection sampling); the first l·256 coordinates (the
z part) are stretched by ν. The values below are those of the authors' implementation
(github.com/Threshold-ML-DSA/Threshold-ML-DSA, `GetThresholdParams`, with the published
fixes of the ML-DSA-65 radii and the ν of ML-DSA-65/-87); `radii()` is the formula of their
parameter script (`params/hyperball.sage`, `rej`), which the tests check the table against.
Two deviations from the implementation, both toward that script: ML-DSA-87 2-of-3 uses ν = 8,
the factor its radius was computed with (the implementation applies 7 to every ML-DSA-87
entry). K makes one signing round succeed with probability about 1/2 or more; a failed round is
restarted with fresh randomness.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil, comb, sqrt

from ...errors import InvalidParameter
from ...pq import fips204

MAX_PARTIES = 6

# (T, N) -> (K, r, r') per parameter set; ν per set (one exception, see the module docstring).
# deliberate look-alikes of each other (duplicates): data, not code; the three parameter sets'
# tables have the same (T, N) rows by construction and differ in every value.
_TABLE = {
    "ML-DSA-44": {
        (2, 2): (2, 252778, 252833),
        (2, 3): (3, 310060, 310138), (3, 3): (4, 246490, 246546),
        (2, 4): (3, 305919, 305997), (3, 4): (7, 279235, 279314), (4, 4): (8, 243463, 243519),
        (2, 5): (3, 285363, 285459), (3, 5): (14, 282800, 282912), (4, 5): (30, 259427, 259526),
        (5, 5): (16, 239924, 239981),
        (2, 6): (4, 300265, 300362), (3, 6): (19, 277014, 277139), (4, 6): (74, 268705, 268831),
        (5, 6): (100, 250590, 250686), (6, 6): (37, 219245, 219301),
    },
    "ML-DSA-65": {
        (2, 2): (3, 501495, 501613),
        (2, 3): (5, 540212, 540378), (3, 3): (9, 510387, 510504),
        (2, 4): (6, 540212, 540378), (3, 4): (20, 506761, 506928), (4, 4): (26, 433594, 433711),
        (2, 5): (8, 552371, 552575), (3, 5): (62, 552909, 553145), (4, 5): (205, 474331, 474535),
        (5, 5): (78, 425914, 426032),
        (2, 6): (8, 571208, 571412), (3, 6): (95, 536793, 537058), (4, 6): (804, 488704, 488969),
        (5, 6): (1200, 461324, 461529), (6, 6): (250, 414896, 415013),
    },
    "ML-DSA-87": {
        (2, 2): (3, 503119, 503192),
        (2, 3): (4, 631601, 631703), (3, 3): (6, 483107, 483180),
        (2, 4): (4, 632903, 633006), (3, 4): (11, 551752, 551854), (4, 4): (14, 487958, 488031),
        (2, 5): (5, 607694, 607820), (3, 5): (26, 577400, 577546), (4, 5): (70, 518384, 518510),
        (5, 5): (35, 468214, 468287),
        (2, 6): (5, 665106, 665232), (3, 6): (39, 577541, 577704), (4, 6): (208, 517689, 517853),
        (5, 6): (295, 479692, 479819), (6, 6): (87, 424124, 424197),
    },
}
_NU = {"ML-DSA-44": 3, "ML-DSA-65": 6, "ML-DSA-87": 7}
_NU_EXCEPTIONS = {("ML-DSA-87", 2, 3): 8}

# the parameter script's inputs: its slack η' per set and the acceptance exponents 2^-e per
# (T, N) that gave each K (params/hyperball.sage, exp*_44/65/87 and eta44/65/87)
SCRIPT_SLACK = {"ML-DSA-44": 7, "ML-DSA-65": 8, "ML-DSA-87": 9}
SCRIPT_EXPONENT = {
    "ML-DSA-44": {(2, 2): 1.3, (2, 3): 1.5, (3, 3): 2, (2, 4): 1.5, (3, 4): 2.5, (4, 4): 2.7, (2, 5): 2,
                  (3, 5): 3.5, (4, 5): 4.5, (5, 5): 3.5, (2, 6): 1.9, (3, 6): 4, (4, 6): 5.5, (5, 6): 5.7,
                  (6, 6): 4.5},
    "ML-DSA-65": {(2, 2): 1.9, (2, 3): 2.5, (3, 3): 2.8, (2, 4): 2.5, (3, 4): 4, (4, 4): 4.4, (2, 5): 3,
                  (3, 5): 5.2, (4, 5): 7, (5, 5): 5.6, (2, 6): 2.9, (3, 6): 6, (4, 6): 8.8, (5, 6): 9,
                  (6, 6): 6.9},
    "ML-DSA-87": {(2, 2): 1.6, (2, 3): 1.8, (3, 3): 2.5, (2, 4): 1.8, (3, 4): 3.1, (4, 4): 3.3, (2, 5): 2.3,
                  (3, 5): 4.2, (4, 5): 5.4, (5, 5): 4.3, (2, 6): 2.1, (3, 6): 4.7, (4, 6): 7, (5, 6): 7.3,
                  (6, 6): 5.7},
}


@dataclass(frozen=True)
class ThresholdParams:
    """Everything the parties of one T-of-N committee agree on before any key exists."""
    base: fips204.Params
    T: int
    N: int
    K: int           # parallel attempts per signing round
    nu: int          # stretch of the z coordinates of the hyperball
    r: float         # rejection radius
    r_prime: float   # sampling radius

    @property
    def name(self) -> str:
        """The ML-DSA parameter set's name."""
        return self.base.name

    @property
    def dim(self) -> int:
        """Real dimension of a party's mask: (l + k)·256."""
        return (self.base.l + self.base.k) * fips204.N

    @property
    def shares_per_signer(self) -> int:
        """The most share sets one signer of T adds up (⌈C(N, T-1)/T⌉)."""
        return ceil(comb(self.N, self.T - 1) / self.T)

    @property
    def rounding_slack(self) -> float:
        """How far rounding a party's real mask to integers can move the scaled norm
        (each coordinate by at most 1/2, z coordinates counted divided by ν)."""
        b = self.base
        return 0.5 * sqrt(b.l * fips204.N / self.nu ** 2 + b.k * fips204.N)

    def __str__(self) -> str:
        return f"{self.name} {self.T}-of-{self.N} (K = {self.K})"


def supported() -> list[tuple[str, int, int]]:
    """Every (parameter set, T, N) with parameters: 2 ≤ T ≤ N ≤ 6 for each ML-DSA set."""
    return [(name, t, n) for name, table in _TABLE.items() for (t, n) in sorted(table, key=lambda x: (x[1], x[0]))]


def get_params(name: str, T: int, N: int) -> ThresholdParams:
    """The committee parameters; InvalidParameter for a set or (T, N) the paper does not cover."""
    base = fips204.params(name)
    for what, v in (("T", T), ("N", N)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise InvalidParameter(f"{what} must be an int, got {type(v).__name__}")
    if not 2 <= T <= N <= MAX_PARTIES:
        raise InvalidParameter(f"threshold ML-DSA needs 2 ≤ T ≤ N ≤ {MAX_PARTIES}, got T = {T}, N = {N}")
    K, r, r_prime = _TABLE[base.name][(T, N)]
    nu = _NU_EXCEPTIONS.get((base.name, T, N), _NU[base.name])
    return ThresholdParams(base, T, N, K, nu, float(r), float(r_prime))


def radii(name: str, T: int, N: int, exponent: float, nu: int, slack: float) -> tuple[float, float]:
    """(r, r') by the authors' parameter script: a hyperball of radius r containing y + c·s
    with the acceptance probability 2^-exponent spread over T parties (M = 2^(exponent/T))."""
    b = fips204.params(name)
    dim = (b.k + b.l) * fips204.N
    M = (2 ** exponent) ** (1 / T)
    m2 = M ** (2 / dim)
    s = (1 / slack + sqrt(1 / slack ** 2 + m2 - 1)) / (m2 - 1)
    sigma = sqrt(((2 * b.eta + 1) ** 2 - 1) / 12)        # std-dev of a coefficient uniform in [-η, η]
    bound = 1.3 * sqrt((b.k + b.l / nu ** 2) * fips204.N * ceil(comb(N, T - 1) / T)) * sigma * sqrt(b.tau)
    r = s * bound
    return r, M ** (1 / dim) * r
