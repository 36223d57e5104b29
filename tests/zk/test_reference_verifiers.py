"""Cross-checks of the optimised verifiers against literal, slow textbook versions.

* Bulletproofs: the single-MSM verifier (dalek's notes) against the paper's two checks with the
  inner-product argument verified round by round, folding the generators explicitly.
* Groth–Kohlweiss: the scalar-collapsed verifier against the generic one over the N explicit
  commitments c_i = C − w_i·B with Π_i c_i^{p_i(x)}.
"""
from __future__ import annotations

import dataclasses

import pytest

from pqzk.errors import VerificationError
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.zk import range as rp
from pqzk.zk.generators import pedersen_bases
from pqzk.zk.membership import MemberSet, _transcript as mem_transcript, prove_membership, verify_membership
from pqzk.zk.transcript import Transcript

G_ = get_group("secp256k1")
q = G_.order


def reference_range_verify(g, V, proof, n) -> bool:
    m = len(V)
    N = n * m
    B, Bt = pedersen_bases(g)
    Gs, Hs = rp.gens(g, N)
    t = Transcript(rp.RANGE_LABEL)
    rp._bind(t, g, n, V, b"")
    t.append_element(b"A", proof.A)
    t.append_element(b"S", proof.S)
    y, z = t.challenge_scalar(b"y", g), t.challenge_scalar(b"z", g)
    t.append_element(b"T1", proof.T1)
    t.append_element(b"T2", proof.T2)
    x = t.challenge_scalar(b"x", g)
    for lab, k in ((b"t_x", proof.t_x), (b"t_x_blinding", proof.t_x_blinding), (b"e_blinding", proof.e_blinding)):
        t.append_scalar(lab, g, k)
    w = t.challenge_scalar(b"w", g)
    Q = w * B
    # check 1: t(x) is the right polynomial evaluation
    delta = ((z - z * z) * sum(pow(y, i, q) for i in range(N))
             - sum(pow(z, j + 3, q) for j in range(m)) * (2**n - 1)) % q
    lhs = proof.t_x * B + proof.t_x_blinding * Bt
    rhs = delta * B + x * proof.T1 + (x * x % q) * proof.T2
    for j, Vj in enumerate(V):
        rhs = rhs + pow(z, j + 2, q) * Vj
    if lhs != rhs:
        return False
    # check 2: l(x), r(x) by the inner-product argument, generators folded round by round
    Hp = [pow(y, -i, q) * Hs[i] for i in range(N)]
    P = proof.A + x * proof.S - proof.e_blinding * Bt + proof.t_x * Q
    for i in range(N):
        P = P - z * Gs[i] + ((z * pow(y, i, q) + pow(z, 2 + i // n, q) * 2 ** (i % n)) % q) * Hp[i]
    Gv, Hv = list(Gs), Hp
    for L, R in zip(proof.L, proof.R):
        t.append_element(b"L", L)
        t.append_element(b"R", R)
        u = t.challenge_scalar(b"u", g)
        ui = pow(u, -1, q)
        P = P + (u * u % q) * L + (ui * ui % q) * R
        h = len(Gv) // 2
        Gv = [ui * Gv[i] + u * Gv[h + i] for i in range(h)]
        Hv = [u * Hv[i] + ui * Hv[h + i] for i in range(h)]
    return P == proof.a * Gv[0] + proof.b * Hv[0] + (proof.a * proof.b % q) * Q


@pytest.mark.parametrize("values,n", [([77], 8), ([3, 250], 8), ([1, 2, 3, 4], 4)])
def test_range_fast_and_reference_agree(values, n):
    rng = DeterministicRNG(b"ref")
    proof, V = rp.prove_range(G_, values, [G_.random_scalar(rng) for _ in values], n, rng=rng)
    assert reference_range_verify(G_, V, proof, n)
    rp.verify_range(G_, V, proof, n)
    B, _ = pedersen_bases(G_)
    bad_V = [V[0] + B] + V[1:]
    assert not reference_range_verify(G_, bad_V, proof, n)
    with pytest.raises(VerificationError):
        rp.verify_range(G_, bad_V, proof, n)
    for field in ("a", "b", "t_x", "e_blinding"):
        bad = dataclasses.replace(proof, **{field: (getattr(proof, field) + 1) % q})
        assert not reference_range_verify(G_, V, bad, n)
        with pytest.raises(VerificationError):
            rp.verify_range(G_, V, bad, n)


def reference_gk_verify(g, C, ms, proof) -> bool:
    B, Bt = pedersen_bases(g)
    n = ms.log_size
    t = mem_transcript(g, C, ms, b"", b"gk", None)
    for label, pts in ((b"c_l", proof.c_l), (b"c_a", proof.c_a), (b"c_b", proof.c_b), (b"c_d", proof.c_d)):
        t.append_elements(label, pts)
    x = t.challenge_scalar(b"x", g)
    for j in range(n):
        if x * proof.c_l[j] + proof.c_a[j] != g.msm([proof.f[j], proof.z_a[j]], [B, Bt]):
            return False
        if ((x - proof.f[j]) % q) * proof.c_l[j] + proof.c_b[j] != proof.z_b[j] * Bt:
            return False
    cs = [C - w * B for w in ms.padded]
    coeffs = []
    for i in range(len(cs)):
        p = 1
        for j in range(n):
            p = p * (proof.f[j] if (i >> j) & 1 else (x - proof.f[j])) % q
        coeffs.append(p)
    lhs = g.msm(coeffs + [-pow(x, k, q) for k in range(n)], cs + list(proof.c_d))
    return lhs == proof.z_d * Bt


@pytest.mark.parametrize("size,idx", [(2, 1), (13, 12), (64, 5)])
def test_gk_fast_and_reference_agree(size, idx):
    rng = DeterministicRNG(b"gkref")
    ms = MemberSet(G_, [1000 + 3 * i for i in range(size)])
    proof, C = prove_membership(G_, ms.members[idx], 4321, ms, method="gk", rng=rng)
    assert reference_gk_verify(G_, C, ms, proof.proof)
    verify_membership(G_, C, ms, proof)
    assert not reference_gk_verify(G_, C + G_.generator(), ms, proof.proof)
    p = proof.proof
    bad = dataclasses.replace(p, z_d=(p.z_d + 1) % q)
    assert not reference_gk_verify(G_, C, ms, bad)
