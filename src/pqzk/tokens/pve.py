"""Publicly verifiable encryption (PVE) of a share to a recovery key: anyone can check, without
decrypting, that the ciphertext holds the discrete log x of a public share X = x·G (for instance
`FeldmanCommitment.public_share(i)` or a FROST verifying share). The backup can thus be audited
against the public VSS commitment; only the recovery-key holder can open it.

Cut-and-choose with Fiat–Shamir (the approach of cb-mpc's PVE and of Asokan–Shoup–Waidner-style
verifiable encryption), κ = 128 repetitions by default. For each j:

    r_j ← Z_q,  R_j = r_j·G,  s_j = r_j + x
    c0_j = Enc(pk, r_j; seed0_j),  c1_j = Enc(pk, s_j; seed1_j)      (deterministic given the seed)
    e = SHAKE256(context, every R_j, c0_j, c1_j)  → κ challenge bits
    e_j = 0: reveal (r_j, seed0_j), check c0_j and r_j·G = R_j
    e_j = 1: reveal (s_j, seed1_j), check c1_j and s_j·G = R_j + X

Enc(pk, m; seed) = X-Wing.EncapsulateDerand(pk, eseed = SHAKE256(seed)) → (ss, ct_kem);
ct_kem ‖ (m ⊕ SHAKE256(ss ‖ ctx_j,b)). Each revealed value alone is uniform (zero knowledge); a
prover who cheats in every unopened ciphertext must guess all κ bits. Decryption opens the other
ciphertext of some j and checks (s_j − r_j)·G = X.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from ..encoding import ByteReader, lp_bytes, uint_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..math.rand import random_bytes, random_scalar
from .recipient import XWING, RecipientPrivateKey, RecipientPublicKey

MAGIC = b"PQZKPVE1"
LABEL = b"pqzk/tokens/pve/v1"
DEFAULT_KAPPA = 128
SEED = 32


def _xwing():
    from ..pq import xwing
    return xwing


def _shake(*parts: bytes, n: int) -> bytes:
    h = hashlib.shake_256()
    for p in parts:
        h.update(lp_bytes(p, 4))
    return h.digest(n)


def _ctx(base: bytes, j: int, b: int) -> bytes:
    return base + j.to_bytes(2, "big") + bytes([b])


def _enc(pk: bytes, m: bytes, seed: bytes, ctx: bytes) -> bytes:
    enc = _xwing().encaps(pk, eseed=_shake(b"pqzk/pve/eseed", seed, n=64))
    pad = _shake(b"pqzk/pve/pad", enc.shared_secret, ctx, n=len(m))
    return enc.ciphertext + bytes(a ^ b for a, b in zip(m, pad))


def _dec(sk, ct: bytes, ctx: bytes) -> bytes:
    x = _xwing()
    kct, body = ct[:x.CIPHERTEXT_SIZE], ct[x.CIPHERTEXT_SIZE:]
    pad = _shake(b"pqzk/pve/pad", x.decaps(sk, kct), ctx, n=len(body))
    return bytes(a ^ b for a, b in zip(body, pad))


@dataclass(frozen=True)
class PVEProof:
    """Ciphertexts, commitments and the opened halves. Public: contains no secret."""

    group: str
    public_share: bytes
    commitments: tuple[bytes, ...]            # R_j
    ciphertexts: tuple[tuple[bytes, bytes], ...]   # (c0_j, c1_j)
    openings: tuple[tuple[bytes, bytes], ...]      # (value_j, seed_j)

    @property
    def kappa(self) -> int:
        """The number of cut-and-choose repetitions (statistical security parameter)."""
        return len(self.commitments)

    def to_bytes(self) -> bytes:
        """The proof's binary form."""
        out = [MAGIC, lp_bytes(self.group.encode(), 2), lp_bytes(self.public_share, 2), uint_bytes(self.kappa, 2, "kappa")]
        for R, (c0, c1), (v, s) in zip(self.commitments, self.ciphertexts, self.openings):
            out += [lp_bytes(R, 2), lp_bytes(c0, 4), lp_bytes(c1, 4), lp_bytes(v, 2), s]
        return b"".join(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> "PVEProof":
        """A proof from its binary form, strictly checked; `InvalidEncoding` naming what is wrong."""
        r = ByteReader(data, "PVE proof")
        r.expect(MAGIC)
        group = r.lp(2).decode("ascii", "replace")
        X, kappa = r.lp(2), r.uint(2)
        if not 1 <= kappa <= 1024:
            raise InvalidEncoding("PVE proof: repetitions out of range")
        Rs, cts, ops = [], [], []
        for _ in range(kappa):
            Rs.append(r.lp(2))
            cts.append((r.lp(4), r.lp(4)))
            ops.append((r.lp(2), r.take(SEED)))
        r.end()
        return cls(group, X, tuple(Rs), tuple(cts), tuple(ops))


def _base(group_name: str, X: bytes, pub: RecipientPublicKey, context: bytes, kappa: int) -> bytes:
    return _shake(LABEL, group_name.encode(), X, pub.to_bytes(), context, kappa.to_bytes(2, "big"), n=32)


def _challenge(base: bytes, Rs, cts) -> list[int]:
    parts = [b"pqzk/pve/challenge", base]
    for R, (c0, c1) in zip(Rs, cts):
        parts += [R, c0, c1]
    e = _shake(*parts, n=(len(Rs) + 7) // 8)
    return [(e[j // 8] >> (j % 8)) & 1 for j in range(len(Rs))]


def _check_recipient(pub: RecipientPublicKey) -> None:
    if pub.kem != XWING:
        raise InvalidParameter("PVE needs an X-Wing recovery key (deterministic encapsulation)")


def prove(group, x: int, recipient: RecipientPublicKey, context: bytes, *, kappa: int = DEFAULT_KAPPA,
          rng: Callable[[int], bytes] | None = None) -> PVEProof:
    """Encrypt scalar x to `recipient`, with a proof that it is the discrete log of x·G."""
    _check_recipient(recipient)
    if not 0 < x < group.order:
        raise InvalidParameter("x must be a nonzero scalar of the group")
    if not 1 <= kappa <= 1024:
        raise InvalidParameter("kappa must be in 1..1024")
    X = group.base_mult(x).to_bytes()
    base = _base(group.name, X, recipient, context, kappa)
    Rs, cts, secrets_ = [], [], []
    for j in range(kappa):
        r = random_scalar(group.order, rng)
        s = (r + x) % group.order
        seeds = (random_bytes(SEED, rng), random_bytes(SEED, rng))
        vals = (group.scalar_encode(r), group.scalar_encode(s))
        Rs.append(group.base_mult(r).to_bytes())
        cts.append(tuple(_enc(recipient.key, vals[b], seeds[b], _ctx(base, j, b)) for b in (0, 1)))
        secrets_.append((vals, seeds))
    e = _challenge(base, Rs, cts)
    openings = tuple((secrets_[j][0][e[j]], secrets_[j][1][e[j]]) for j in range(kappa))
    return PVEProof(group.name, X, tuple(Rs), tuple(cts), openings)


def verify(proof: PVEProof, recipient: RecipientPublicKey, public_share: bytes, context: bytes, *,
           min_kappa: int = DEFAULT_KAPPA) -> None:
    """Raise VerificationError unless the proof's ciphertexts encrypt log_G(public_share)."""
    from ..groups import get_group
    _check_recipient(recipient)
    if proof.kappa < min_kappa:
        raise VerificationError(f"PVE proof has {proof.kappa} repetitions, fewer than the {min_kappa} required")
    if proof.public_share != bytes(public_share):
        raise VerificationError("PVE proof is for another public share")
    g = get_group(proof.group)
    X = g.decode(proof.public_share)
    base = _base(g.name, proof.public_share, recipient, context, proof.kappa)
    e = _challenge(base, proof.commitments, proof.ciphertexts)
    for j, (Rb, cts, (vb, seed)) in enumerate(zip(proof.commitments, proof.ciphertexts, proof.openings)):
        R = g.decode(Rb)
        v = g.scalar_decode(vb)
        if _enc(recipient.key, vb, seed, _ctx(base, j, e[j])) != cts[e[j]]:
            raise VerificationError(f"PVE repetition {j}: opened ciphertext does not match")
        if g.base_mult(v) != (R if e[j] == 0 else R + X):
            raise VerificationError(f"PVE repetition {j}: opened value does not match its commitment")


def decrypt(proof: PVEProof, recipient: RecipientPrivateKey, public_share: bytes, context: bytes, *,
            min_kappa: int = DEFAULT_KAPPA) -> int:
    """Verify, then recover x from the first repetition whose unopened ciphertext is well formed."""
    from ..groups import get_group
    pub = recipient.public_key()
    verify(proof, pub, public_share, context, min_kappa=min_kappa)
    g = get_group(proof.group)
    X = g.decode(proof.public_share)
    sk = _xwing().keygen(seed=recipient.secret)
    base = _base(g.name, proof.public_share, pub, context, proof.kappa)
    e = _challenge(base, proof.commitments, proof.ciphertexts)
    for j, (cts, (vb, _)) in enumerate(zip(proof.ciphertexts, proof.openings)):
        b = 1 - e[j]
        try:
            other = g.scalar_decode(_dec(sk, cts[b], _ctx(base, j, b)))
        except (InvalidEncoding, InvalidParameter):
            continue
        opened = g.scalar_decode(vb)
        x = (other - opened) % g.order if b == 1 else (opened - other) % g.order
        if x and g.base_mult(x) == X:
            return x
    raise VerificationError("no repetition of the PVE proof decrypts to the share (prover cheated)")


def prove_key_package(store, key_id: str, suite, recovery: RecipientPublicKey, *,
                      kappa: int = DEFAULT_KAPPA) -> tuple[PVEProof, bytes]:
    """PVE of a stored FROST signer's signing share; returns (proof, context = its metadata bytes).
    Auditors check it with `verify(proof, recovery, verifying_share, context)`."""
    from .frost import load_key_package
    with load_key_package(store, key_id, suite) as kp:
        context = store.metadata(key_id).to_bytes()
        return prove(kp.suite.group, kp.signing_share, recovery, context, kappa=kappa), context
