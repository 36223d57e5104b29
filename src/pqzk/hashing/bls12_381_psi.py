"""BLS12-381 G2 endomorphism psi and the cofactor clearing of RFC 9380 appendix G.3."""
from __future__ import annotations

from typing import Any

from ..math import bls12_381_fields as bf

# psi(x, y) = (conj(x)·c1, conj(y)·c2): untwist, Frobenius, twist (RFC 9380 appendix G.3)
PSI_C1 = bf.fp2_inv(bf.fp2_pow((1, 1), (bf.P - 1) // 3))
PSI_C2 = bf.fp2_inv(bf.fp2_pow((1, 1), (bf.P - 1) // 2))


def psi_jac(J: tuple) -> tuple:
    """psi on Jacobian coordinates (conjugation is a field automorphism, so Z just conjugates)."""
    X, Y, Z = J
    return (bf.fp2_mul(bf.fp2_conj(X), PSI_C1), bf.fp2_mul(bf.fp2_conj(Y), PSI_C2), bf.fp2_conj(Z))


def clear_cofactor_g2_jac(E: Any, J: tuple) -> tuple:
    """h_eff·P via psi (RFC 9380 appendix G.3, c1 = the BLS parameter x, negative)."""
    c1 = bf.X
    t1 = E.mul(c1, J)
    t2 = psi_jac(J)
    t3 = psi_jac(psi_jac(E.double(J)))
    t3 = E.add(t3, E.neg(t2))
    t2 = E.add(t1, t2)
    t2 = E.mul(c1, t2)
    t3 = E.add(t3, t2)
    t3 = E.add(t3, E.neg(t1))
    return E.add(t3, E.neg(J))


def clear_cofactor_g2(E: Any, P: Any) -> Any:
    """Affine wrapper of clear_cofactor_g2_jac on the curve object E (None is infinity)."""
    J = E.identity() if P is None else E.from_affine(*P)
    return E.to_affine(clear_cofactor_g2_jac(E, J))
