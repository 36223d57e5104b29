"""Sigma protocols: Schnorr, Okamoto, DLEQ, linear relations, AND/OR, simulators, interactive."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, ProtocolError, VerificationError
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.sharing.vss import pedersen_generator
from pqzk.zk.sigma import (DLRep, Secret, SigmaProof, SigmaResponse, SigmaTranscript,
                           check_transcript, dleq, linear_relation, pedersen_opening, schnorr)
from pqzk.zk.transcript import Transcript
from zkhelpers import group_params

SECP = get_group("secp256k1")


def _setup(gname):
    g = get_group(gname)
    rng = DeterministicRNG(b"sigma-" + gname.encode())
    return g, rng, g.generator(), pedersen_generator(g)


@group_params
def test_schnorr(gname):
    g, rng, G, _ = _setup(gname)
    x = Secret("x")
    w = g.random_scalar(rng)
    stmt = schnorr(g.base_mult(w), x)
    proof = stmt.prove({x: w}, context=b"ctx", rng=rng)
    stmt.verify(proof, context=b"ctx")
    assert len(proof.to_bytes()) == 2 * g.scalar_size
    with pytest.raises(VerificationError):
        stmt.verify(proof, context=b"other")
    with pytest.raises(VerificationError):
        schnorr(g.base_mult(w + 1), x).verify(proof, context=b"ctx")


@group_params
def test_pedersen_opening_and_dleq(gname):
    g, rng, G, H = _setup(gname)
    v, r, x = Secret("v"), Secret("r"), Secret("x")
    vv, rr, xx = 42, g.random_scalar(rng), g.random_scalar(rng)
    C = g.msm([vv, rr], [G, H])
    s1 = pedersen_opening(C, v, r, G, H)
    s1.verify(s1.prove({v: vv, r: rr}, rng=rng))
    s2 = dleq(xx * G, G, xx * H, H, x)
    p2 = s2.prove({x: xx}, rng=rng)
    s2.verify(p2)
    # DLEQ with unequal logs: the prover refuses, and a proof for equal logs does not transfer
    bad = dleq(xx * G, G, (xx + 1) * H, H, x)
    with pytest.raises(InvalidParameter):
        bad.prove({x: xx})
    with pytest.raises(VerificationError):
        bad.verify(p2)


def test_linear_relation_between_committed_values():
    g, rng, G, H = _setup("secp256k1")
    x1, r1, x2, r2 = (Secret(n) for n in ("x1", "r1", "x2", "r2"))
    a, b = 17, 3 * 17 + 5
    ra, rb = g.random_scalar(rng), g.random_scalar(rng)
    C1, C2 = g.msm([a, ra], [G, H]), g.msm([b, rb], [G, H])
    # x2 - 3·x1 = 5
    stmt = pedersen_opening(C1, x1, r1, G, H) & pedersen_opening(C2, x2, r2, G, H) \
        & linear_relation({x2: 1, x1: -3}, 5, g)
    stmt.verify(stmt.prove({x1: a, r1: ra, x2: b, r2: rb}, rng=rng))
    wrong = pedersen_opening(C1, x1, r1, G, H) & pedersen_opening(C2, x2, r2, G, H) \
        & linear_relation({x2: 1, x1: -3}, 6, g)
    with pytest.raises(InvalidParameter):
        wrong.prove({x1: a, r1: ra, x2: b, r2: rb})
    # zero constant: the left-hand side is the identity, which must still work
    zero = linear_relation({x1: 2, x2: -1}, 0, g)
    zero.verify(zero.prove({x1: 4, x2: 8}, rng=rng))


@group_params
def test_or_proofs_either_branch(gname):
    g, rng, G, _ = _setup(gname)
    x = Secret("x")
    w = g.random_scalar(rng)
    Y1, Y2, Y3 = g.base_mult(w), g.base_mult(g.random_scalar(rng)), g.base_mult(g.random_scalar(rng))
    for stmt in (schnorr(Y1, x) | schnorr(Y2, x) | schnorr(Y3, x),
                 schnorr(Y2, x) | schnorr(Y3, x) | schnorr(Y1, x)):
        proof = stmt.prove({x: w}, rng=rng)
        stmt.verify(proof)
        assert len(proof.or_challenges) == 2
        back = stmt.proof_from_bytes(proof.to_bytes())
        assert back == proof
    with pytest.raises(InvalidParameter):
        (schnorr(Y2, x) | schnorr(Y3, x)).prove({x: w})


def test_nested_and_or():
    g, rng, G, H = _setup("secp256k1")
    x, y, z = Secret("x"), Secret("y"), Secret("z")
    wx, wy = 5, 9
    X, Y, Z = g.base_mult(wx), g.base_mult(wy), g.base_mult(777)
    # (x known for X and for x·H)  AND  (y for Y  OR  z for Z)  -- nested OR inside OR too
    stmt = dleq(X, G, wx * H, H, x) & (schnorr(Y, y) | (schnorr(Z, z) | schnorr(Z + G, z)))
    proof = stmt.prove({x: wx, y: wy}, rng=rng)
    stmt.verify(proof)
    assert stmt.proof_from_bytes(proof.to_bytes()) == proof


def test_or_secret_across_boundary_refused():
    g, rng, G, H = _setup("secp256k1")
    x, y = Secret("x"), Secret("y")
    X, Y = g.base_mult(3), g.base_mult(4)
    with pytest.raises(InvalidParameter):
        (schnorr(X, x) & (schnorr(X, x, H) | schnorr(Y, y))).prove({x: 3})


@group_params
def test_simulator_transcripts_verify(gname):
    g, rng, G, H = _setup(gname)
    x, r = Secret("x"), Secret("r")
    Y = g.base_mult(g.random_scalar(rng))   # nobody here knows log Y
    for stmt in (schnorr(Y, x), pedersen_opening(Y, x, r, G, H), schnorr(Y, x) | schnorr(2 * Y, x)):
        tr = stmt.simulate(rng=rng)
        check_transcript(stmt, tr)
        tampered = SigmaTranscript(tr.commitments, (tr.challenge + 1) % g.order, tr.response)
        with pytest.raises(VerificationError):
            check_transcript(stmt, tampered)
    # a chosen challenge is honoured
    tr = schnorr(Y, x).simulate(challenge=12345, rng=rng)
    assert tr.challenge == 12345


def test_interactive_run():
    g, rng, G, H = _setup("secp256k1")
    x = Secret("x")
    w = 31337
    stmt = dleq(w * G, G, w * H, H, x) | schnorr(g.base_mult(99), x)
    prover, verifier = stmt.prover({x: w}, rng=rng), stmt.verifier(rng=rng)
    commitments = prover.commit()                 # prover -> verifier
    challenge = verifier.challenge(commitments)   # verifier -> prover
    response = prover.respond(challenge)          # prover -> verifier
    verifier.check(response)
    with pytest.raises(ProtocolError):
        prover.respond(challenge + 1)             # a second response would reveal the witness
    bad = SigmaResponse(response.or_challenges, tuple((s + 1) % g.order for s in response.responses))
    with pytest.raises(VerificationError):
        verifier.check(bad)


def test_frozen_heart_proof_does_not_transfer():
    """Weak Fiat–Shamir (challenge = H(commitment) only) lets anyone forge a proof for a new
    statement sharing the commitment; our transcript binds the statement, so it fails."""
    g, rng, G, _ = _setup("secp256k1")
    x = Secret("x")
    w = g.random_scalar(rng)
    Y1 = g.base_mult(w)
    stmt1 = schnorr(Y1, x)
    proof = stmt1.prove({x: w}, rng=rng)
    T = g.msm([proof.responses[0], -proof.challenge], [G, Y1])       # the commitment
    # forge: keep T and the challenge, pick a new response s', solve Y2 = (s'·G − T)/e
    s2 = g.random_scalar(rng)
    Y2 = (pow(proof.challenge, -1, g.order)) * (g.base_mult(s2) - T)
    forged = SigmaProof(g, proof.challenge, (), (s2,))

    def weak_challenge(T):  # what a weak Fiat–Shamir verifier would hash
        t = Transcript(b"weak")
        t.append_element(b"T", T)
        return t.challenge_scalar(b"c", g)
    # sanity: under the weak transform the forgery shares T, so it would be accepted
    assert g.msm([s2, -proof.challenge], [G, Y2]) == T
    with pytest.raises(VerificationError):
        schnorr(Y2, x).verify(forged)
    # and the statement is bound even when only a base changes
    with pytest.raises(VerificationError):
        schnorr(Y1, x, base=2 * G).verify(proof)
    assert weak_challenge(T) == weak_challenge(g.msm([s2, -proof.challenge], [G, Y2]))


def test_strict_decoding():
    g, rng, G, _ = _setup("secp256k1")
    x = Secret("x")
    stmt = schnorr(g.base_mult(7), x)
    data = stmt.prove({x: 7}, rng=rng).to_bytes()
    for bad in (data[:-1], data + b"\x00", b""):
        with pytest.raises(InvalidEncoding):
            stmt.proof_from_bytes(bad)
    with pytest.raises(InvalidEncoding):   # a non-reduced scalar
        stmt.proof_from_bytes(b"\xff" * 32 + data[32:])
    for i in range(len(data)):
        flipped = bytearray(data)
        flipped[i] ^= 0x01
        try:
            p = stmt.proof_from_bytes(bytes(flipped))
        except InvalidEncoding:
            continue
        with pytest.raises(VerificationError):
            stmt.verify(p)


def test_statement_must_be_one_group_and_wellformed():
    x = Secret("x")
    with pytest.raises(InvalidParameter):
        DLRep(SECP.generator(), x)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter):
        DLRep(SECP.generator(), "x*G")  # type: ignore[arg-type]


def test_secret_repr_has_no_value():
    x = Secret("alice_key")
    assert repr(x) == "Secret('alice_key')"
    stmt = schnorr(SECP.base_mult(5), x)
    prover = stmt.prover({x: 5})
    assert "5" not in repr(prover).replace("phase", "")


@settings(max_examples=15)
@given(st.integers(min_value=1, max_value=SECP.order - 1), st.integers(min_value=0, max_value=3))
def test_or_property(w, pos):
    rng = DeterministicRNG(w.to_bytes(32, "big"))
    x = Secret("x")
    others = [SECP.base_mult(1000 + i) for i in range(3)]
    Ys = others[:pos] + [SECP.base_mult(w)] + others[pos:]
    stmt = DLRep(Ys[0], x * SECP.generator())
    for Y in Ys[1:]:
        stmt = stmt | schnorr(Y, x)
    stmt.verify(stmt.prove({x: w}, rng=rng))


def test_hedged_nonces_survive_a_broken_rng():
    """With an rng that always returns zeros, nonces still differ across statements/witnesses
    (they are keyed by the transcript and the witness), so no key can be extracted."""
    g = SECP
    zero_rng = lambda n: bytes(n)  # noqa: E731
    x = Secret("x")
    p1 = schnorr(g.base_mult(5), x).prove({x: 5}, rng=zero_rng)
    p2 = schnorr(g.base_mult(6), x).prove({x: 6}, rng=zero_rng)
    T1 = g.msm([p1.responses[0], -p1.challenge], [g.generator(), g.base_mult(5)])
    T2 = g.msm([p2.responses[0], -p2.challenge], [g.generator(), g.base_mult(6)])
    assert T1 != T2
    # reproducible with a deterministic rng (for known-answer runs)
    a = schnorr(g.base_mult(5), x).prove({x: 5}, rng=DeterministicRNG(b"k"))
    b = schnorr(g.base_mult(5), x).prove({x: 5}, rng=DeterministicRNG(b"k"))
    assert a == b
