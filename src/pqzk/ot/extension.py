"""OT extension: KOS15 (Keller, Orsini, Scholl, CRYPTO 2015, eprint 2015/546) — IKNP with the
KOS correlation check — producing random OTs whose messages are vectors of scalars.

Roles are reversed from the base OTs: the extension *receiver* (choice bits x) was the base-OT
sender (`SenderSeeds`: pairs (k0_i, k1_i), i < κ); the extension *sender* was the base-OT
receiver (`ReceiverSeeds`: Δ = its choice bits, keys k_{Δ_i}).

    receiver: x' = x || random(κ + s bits); t_i = PRG(k0_i), u_i = t_i ^ PRG(k1_i) ^ x'  (i < κ)
              χ_j = PRG(H(session, u)) in GF(2^128), j < m'      (Fiat–Shamir: DKLs23 §5.1)
              x~ = Σ χ_j x'_j,  t~ = Σ χ_j T_j   (T_j = row j of the transposed t matrix)
              sends u, x~, t~;  outputs v_{x_j}[j] = H(session, j, T_j) for j < m
    sender:   q_i = PRG(k_{Δ_i}) ^ Δ_i u_i, so Q_j = T_j ^ x'_j Δ; checks Σ χ_j Q_j == t~ ^ x~·Δ
              outputs v_0[j] = H(j, Q_j), v_1[j] = H(j, Q_j ^ Δ)

A failed check means the receiver's message was not honestly made (`VerificationError`): an
honest receiver always passes. Parameters: κ = 128 base OTs (computational security 128 bits),
s = 80 extra OTs beyond κ for the check (statistical security of the check: the receiver learns
nothing of Δ except with probability about 2^-s per guess, and each wrong guess aborts).
PRG and H are SHAKE128 (`pqzk.math.xof`); the bulk work runs in native/ot.c.
"""
from __future__ import annotations

import hashlib
import hmac

import numpy as np

from ..encoding import ByteReader, lp_bytes
from ..errors import InvalidParameter, VerificationError
from ..math import bits, xof
from ..math.rand import RandomSource, random_bytes
from .base import ReceiverSeeds, SenderSeeds

KAPPA = 128                 # base OTs, bits of Δ and of each transposed row
STAT = 80                   # extra OTs for the correlation check beyond κ
EXTRA = KAPPA + STAT        # KOS: m' = m + κ + s
ROW = KAPPA // 8
_DST = b"pqzk/ot/kos/v1"


def _prefix(session: bytes, what: bytes) -> bytes:
    return _DST + b"/" + what + lp_bytes(session, 2)


def message_size(m: int) -> int:
    """Bytes of the receiver's message for m extended OTs."""
    return KAPPA * (m + EXTRA) // 8 + 2 * bits.GF128_BYTES


def _chis(session: bytes, u: bytes, mp: int) -> bytes:
    seed = hashlib.sha256(_prefix(session, b"chi") + u).digest()
    return hashlib.shake_128(_prefix(session, b"chi-stream") + seed).digest(16 * mp)


def _check_setup(count: int, m: int) -> None:
    if count != KAPPA:
        raise InvalidParameter(f"OT extension needs {KAPPA} base OTs, got {count}")
    if m <= 0 or m % 8:
        raise InvalidParameter("the number of extended OTs is a positive multiple of 8")


def receive(setup: SenderSeeds, session: bytes, choices: bytes, m: int, width: int, order: int,
            rng: RandomSource | None = None) -> tuple[bytes, bytes]:
    """(message to the sender, outputs): the outputs are m rows of `width` scalars modulo `order`
    (packed big-endian), row j being v_{x_j}[j]."""
    _check_setup(len(setup.pairs), m)
    if len(choices) != m // 8:
        raise InvalidParameter(f"{m} choice bits are {m // 8} bytes")
    mp = m + EXTRA
    xp = choices + random_bytes(EXTRA // 8, rng)
    t0 = xof.expand(_prefix(session, b"prg"), [k0 for k0, _ in setup.pairs], mp // 8)
    t1 = xof.expand(_prefix(session, b"prg"), [k1 for _, k1 in setup.pairs], mp // 8)
    m0 = np.frombuffer(b"".join(t0), dtype=np.uint8).reshape(KAPPA, mp // 8)
    m1 = np.frombuffer(b"".join(t1), dtype=np.uint8).reshape(KAPPA, mp // 8)
    u = (m0 ^ m1 ^ np.frombuffer(xp, dtype=np.uint8)).tobytes()
    T = bits.transpose(b"".join(t0), KAPPA, mp)
    chis = _chis(session, u, mp)
    x_tilde = bits.gf128_inner(chis, bits.gf_unit_vector(xp, mp))
    t_tilde = bits.gf128_inner(chis, T)
    out = xof.hash_rows_to_scalars(_prefix(session, b"row"), T[:m * ROW], ROW, order, width)
    return u + x_tilde + t_tilde, out


def send(setup: ReceiverSeeds, session: bytes, message: bytes, m: int, width: int, order: int
         ) -> tuple[bytes, bytes]:
    """(v_0, v_1): m rows of `width` scalars each. InvalidEncoding for a message of the wrong
    length, VerificationError when the correlation check fails (the receiver deviated)."""
    _check_setup(len(setup.keys), m)
    mp = m + EXTRA
    r = ByteReader(message, "OT extension message")
    u = r.take(KAPPA * mp // 8)
    x_tilde, t_tilde = r.take(16), r.take(16)
    r.end()
    delta = setup.choices
    q_cols = xof.expand(_prefix(session, b"prg"), list(setup.keys), mp // 8)
    sel = np.frombuffer(bits.unpack_bits(delta, KAPPA), dtype=np.uint8).reshape(KAPPA, 1) * np.uint8(0xFF)
    q = np.frombuffer(b"".join(q_cols), dtype=np.uint8).reshape(KAPPA, mp // 8) ^ (
        np.frombuffer(u, dtype=np.uint8).reshape(KAPPA, mp // 8) & sel)
    Q = bits.transpose(q.tobytes(), KAPPA, mp)
    chis = _chis(session, u, mp)
    q_tilde = bits.gf128_inner(chis, Q)
    expect = bits.xor_bytes(t_tilde, bits.gf128_mul(x_tilde, delta))
    if not hmac.compare_digest(q_tilde, expect):
        raise VerificationError("OT extension correlation check failed")
    prefix = _prefix(session, b"row")
    v0 = xof.hash_rows_to_scalars(prefix, Q[:m * ROW], ROW, order, width)
    v1 = xof.hash_rows_to_scalars(prefix, Q[:m * ROW], ROW, order, width, mask=delta)
    return v0, v1


__all__ = ["KAPPA", "STAT", "EXTRA", "message_size", "receive", "send"]
