"""Two-party multiplication as random vector OLE over OT extension: DKLs23 Protocol 5.2
("OT-based random VOLE", eprint 2023/765 §5).

Bob (the OT-extension receiver) samples β ∈ {0,1}^ξ; his random input is b = <g, β> for a public
pseudorandom gadget vector g (from the session id). Alice inputs a = (a_1, ..., a_ℓ). They end with
additive shares c (Alice) and d (Bob) of a·b: c_i + d_i = a_i·b.

    Bob -> Alice   the OT-extension message for choices β (ξ OTs of width ℓ + ρ)
    Alice -> Bob   ã_j = α0_j - α1_j + (a || η)   for j < ξ          (η: ρ random check values)
                   θ = H(ã) ∈ Z_q^{ρ×ℓ},  η' = η + θ·a,  μ = H({α0_j[ℓ+k] + Σ_i θ_ki α0_j[i]})
    Alice: c = -Σ_j g_j α0_j[..ℓ]      Bob: d̈_j = v_j + β_j ã_j, checks μ, d = Σ_j g_j d̈_j[..ℓ]

The μ check ties Alice's ã to one vector a (a malformed ã fails it: VerificationError, Alice is
to blame). A corrupt Alice may still probe β (selective failure), but ξ = |q| + 2·λ_s makes b
statistically hidden even given the bits she can guess. Parameters: ℓ = 2, ρ = 1, λ_s = 80,
so ξ = 256 + 160 = 416 OTs per multiplication.
"""
from __future__ import annotations

import functools
import hashlib
import hmac

from ..encoding import ByteReader, lp_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..groups.base import Group
from ..math import bits, xof
from ..math.rand import RandomSource, random_bytes, random_scalar
from ..math.scalar_vec import ScalarVectors
from . import extension
from .base import ReceiverSeeds, SenderSeeds

ELL = 2
RHO = 1
WIDTH = ELL + RHO
LAMBDA_S = 80
_DST = b"pqzk/ot/rvole/v1"


def xi_for(order: int) -> int:
    """ξ = |q| + 2 λ_s, rounded up to a multiple of 8."""
    x = order.bit_length() + 2 * LAMBDA_S
    return x + (-x) % 8


def _prefix(session: bytes, what: bytes) -> bytes:
    return _DST + b"/" + what + lp_bytes(session, 2)


@functools.lru_cache(maxsize=8)
def gadget(order: int) -> bytes:
    """The public gadget vector g (ξ packed scalars): pseudorandom, fixed per group order (it is
    public before any party chooses anything, as a per-session one would be)."""
    return xof.hash_rows_to_scalars(_DST + b"/gadget" + order.to_bytes(48, "big"), bytes(xi_for(order)), 1,
                                    order, 1)


def _theta(vec: ScalarVectors, session: bytes, a_tilde: bytes) -> list[int]:
    h = hashlib.shake_128(_prefix(session, b"theta") + a_tilde).digest((vec.size + 16) * RHO * ELL)
    w = vec.size + 16
    return [int.from_bytes(h[k * w:(k + 1) * w], "big") % vec.order for k in range(RHO * ELL)]


def _mu(session: bytes, values: bytes) -> bytes:
    return hashlib.sha256(_prefix(session, b"mu") + values).digest()


def message_sizes(order: int) -> tuple[int, int]:
    """(Bob's message, Alice's message) in bytes."""
    size = (order.bit_length() + 7) // 8
    xi = xi_for(order)
    return extension.message_size(xi), xi * WIDTH * size + RHO * size + 32


class VoleReceiver:
    """Bob: `b` is his random input; `message` goes to Alice; `finish` gives his shares d."""

    def __init__(self, setup: SenderSeeds, session: bytes, group: Group, rng: RandomSource | None = None) -> None:
        self.session, self.group = bytes(session), group
        self._vec = ScalarVectors(group.order)
        self.xi = xi_for(group.order)
        self._beta = random_bytes(self.xi // 8, rng)
        self._g = gadget(group.order)
        beta_vec = bits.unpack_bits(self._beta, self.xi, width=self._vec.size)
        self.b = int.from_bytes(self._vec.vec_mat(beta_vec, self._g, 1), "big")
        self.message, self._v = extension.receive(setup, self.session, self._beta, self.xi, WIDTH,
                                                  group.order, rng)

    def __repr__(self) -> str:
        return "VoleReceiver(<secrets redacted>)"

    def finish(self, alice_message: bytes) -> list[int]:
        """Bob's shares d (ℓ scalars). InvalidEncoding if malformed, VerificationError if Alice's
        message fails the μ check."""
        vec, xi, s = self._vec, self.xi, self._vec.size
        r = ByteReader(alice_message, "VOLE message")
        a_tilde = r.take(xi * WIDTH * s)
        eta = r.take(RHO * s)
        mu = r.take(32)
        r.end()
        sel = bits.unpack_bits(self._beta, xi, repeat=WIDTH)
        try:
            d_dot = vec.cadd(self._v, a_tilde, sel)
            vec.add(eta, eta)
        except InvalidParameter:
            raise InvalidEncoding("VOLE message holds an unreduced scalar") from None
        theta = _theta(vec, self.session, a_tilde)
        checks = []
        neg_eta = [(-x) % vec.order for x in vec.unpack(eta)]
        for k in range(RHO):
            col = vec.mat_vec(d_dot, vec.pack(theta[k * ELL:(k + 1) * ELL] + [0] * k + [1] + [0] * (RHO - 1 - k)))
            checks.append(vec.cadd(col, vec.pack([neg_eta[k]]) * xi, bits.unpack_bits(self._beta, xi)))
        if not hmac.compare_digest(_mu(self.session, b"".join(checks)), mu):
            raise VerificationError("VOLE consistency check (mu) failed")
        d = vec.vec_mat(self._g, d_dot, WIDTH)
        return vec.unpack(d)[:ELL]


def send(setup: ReceiverSeeds, session: bytes, group: Group, a: list[int], bob_message: bytes,
         rng: RandomSource | None = None) -> tuple[bytes, list[int]]:
    """Alice: (her message to Bob, her shares c). InvalidEncoding if Bob's message is malformed,
    VerificationError if it fails the OT-extension correlation check (Bob deviated)."""
    if len(a) != ELL or any(not 0 <= x < group.order for x in a):
        raise InvalidParameter(f"Alice's input is {ELL} scalars")
    session = bytes(session)
    vec = ScalarVectors(group.order)
    xi = xi_for(group.order)
    v0, v1 = extension.send(setup, session, bob_message, xi, WIDTH, group.order)
    g = gadget(group.order)
    c = [(-x) % group.order for x in vec.unpack(vec.vec_mat(g, v0, WIDTH))[:ELL]]
    eta = [random_scalar(group.order, rng, nonzero=False) for _ in range(RHO)]
    a_tilde = vec.add(vec.sub(v0, v1), vec.pack(list(a) + eta) * xi)
    theta = _theta(vec, session, a_tilde)
    eta_p = [(eta[k] + sum(theta[k * ELL + i] * a[i] for i in range(ELL))) % group.order for k in range(RHO)]
    checks = b"".join(vec.mat_vec(v0, vec.pack(theta[k * ELL:(k + 1) * ELL] + [0] * k + [1] + [0] * (RHO - 1 - k)))
                      for k in range(RHO))
    return a_tilde + vec.pack(eta_p) + _mu(session, checks), c


__all__ = ["ELL", "RHO", "WIDTH", "LAMBDA_S", "xi_for", "gadget", "message_sizes", "VoleReceiver", "send"]
