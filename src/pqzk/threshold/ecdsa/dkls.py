"""DKLs23 threshold ECDSA signing (Doerner, Kondi, Lee, shelat, "Threshold ECDSA in Three
Rounds", IEEE S&P 2024, eprint 2023/765, Protocol 3.6), one signer's state.

Signer i of the set S (|S| = t) holds sk_i = λ_i·x_i + τ/t (its Lagrange-weighted Shamir share,
plus its part of a public BIP-32 tweak τ), so Σ sk_i is the (child) secret key; pk_i = sk_i·G is
public (from the verifying shares). Per pair (i, j) two random VOLEs run, one each way
(pqzk.ot.vole): in the one where i is Alice, i inputs (r_i, sk_i) and j's random input is χ_{j,i}.

    round 1  i -> all   commit(R_i = r_i·G)                                     (broadcast)
             i -> j     Bob's OT-extension message (i is Bob, χ_{i,j})          (private)
    round 2  i -> j     Alice's VOLE message for (r_i, sk_i); R_i and its opening;
                        Γ^u = c^u·G, Γ^v = c^v·G; ψ_{i,j} = φ_i - χ_{i,j}        (private)
    round 3  i checks, for each j: the opening of R_j; the VOLE's μ; χ_{i,j}·R_j = d^u·G + Γ^u_j
             and χ_{i,j}·pk_j = d^v·G + Γ^v_j (j used r_j and sk_j); then with R = Σ R_j,
             r = x(R) mod n, φ' = φ_i + Σ ψ_{j,i}:
                  u_i = r_i·φ' + Σ (c^u + d^u),  v_i = sk_i·φ' + Σ (c^v + d^v),  w_i = z·φ_i + r·v_i
             i -> all   (u_i, w_i)                                              (broadcast)
    output   s = Σ w / Σ u  (Σ u = r·φ, Σ w = φ(z + r·sk)), normalized to low s, with its recovery id

Every check names the party whose message failed it (`PeerDeviation`): an honest party never
fails one. A wrong ψ or (u_i, w_i) makes the final signature invalid without saying whose it was:
that abort is not identifiable (docs/ecdsa.md).
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from ...encoding import ByteReader, lp_bytes, u32_bytes
from ...errors import InvalidEncoding, InvalidParameter, VerificationError
from ...groups import Element
from ...math.poly import lagrange_coefficients
from ...math.rand import RandomSource, random_bytes
from ...ot import vole
from ...ot.setup import direction_session
from .keys import EcdsaKeyShare
from .signature import EcdsaSignature, digest_scalar, from_nonce_point, verify

_DST = b"pqzk/ecdsa/dkls23/v1"


class PeerDeviation(VerificationError):
    """A check on `culprit`'s message failed (only a deviating sender fails it)."""

    def __init__(self, culprit: int, reason: str) -> None:
        self.culprit = culprit
        super().__init__(f"party {culprit}: {reason}")


def _label(i: int) -> bytes:
    return u32_bytes(i, "party label")


def signing_session(share_key: bytes, signers: Sequence[int], digest: bytes, path: tuple, session: bytes) -> bytes:
    """Everything the signers agree on, bound into one session id."""
    h = hashlib.sha256(_DST + b"/session")
    for part in (share_key, b"".join(_label(i) for i in signers), digest,
                 b"".join(u32_bytes(i) for i in path), session):
        h.update(lp_bytes(part, 4))
    return h.digest()


def _commit(sid: bytes, i: int, R: Element, salt: bytes) -> bytes:
    return hashlib.sha256(_DST + b"/commit" + sid + _label(i) + R.to_bytes() + salt).digest()


def round2_size(order: int, element_size: int, scalar_size: int) -> int:
    """The length of a DKLs23 round-2 message for a curve of these sizes."""
    return vole.message_sizes(order)[1] + 3 * element_size + 32 + scalar_size


class Dkls23Signer:
    """One signer. Call `round1()`, then `round2(commitments, bob_messages)`, then
    `round3(round2_messages)`, then `finish(shares)`; inputs are keyed by the peer's identifier."""

    def __init__(self, share: EcdsaKeyShare, signers: Sequence[int], digest: bytes, *, session: bytes,
                 path=(), rng: RandomSource | None = None) -> None:
        self.share, self.curve = share, share.curve
        g = self.group = share.key_package.suite.group
        q = g.order
        signers = sorted(signers)
        pub = share.public
        if len(set(signers)) != len(signers) or share.identifier not in signers:
            raise InvalidParameter("signers must be distinct and include this holder")
        if len(signers) < pub.min_signers or not set(signers) <= set(pub.verifying_shares):
            raise InvalidParameter(f"need at least {pub.min_signers} signers, all holders of the key")
        self.me, self.signers = share.identifier, signers
        self.peers = [j for j in signers if j != self.me]
        self.z = digest_scalar(g, digest)
        self.digest = bytes(digest)
        self.child_key, tweak = share.public_key.derive(path)
        from ..bip32 import parse_path
        steps = () if path == "m" or (isinstance(path, (list, tuple)) and not path) else parse_path(path)
        self.sid = signing_session(pub.verifying_key.to_bytes() + share.chain_code, signers, digest, steps, session)
        lam = dict(zip(signers, lagrange_coefficients(signers, q, 0)))
        offset = tweak * pow(len(signers), -1, q) % q
        self._sk = (lam[self.me] * share.key_package.signing_share + offset) % q
        offset_point = g.base_mult(offset) if offset else g.identity()
        self.pk = {j: pub.verifying_shares[j] * lam[j] + offset_point for j in signers}     # public
        self._r, self._phi = g.random_scalar(rng), g.random_scalar(rng)
        self.R = g.base_mult(self._r)
        self._salt = random_bytes(32, rng)
        self.commitment = _commit(self.sid, self.me, self.R, self._salt)
        self._rng = rng
        self._bob = {j: vole.VoleReceiver(share.ot[j].as_bob, self._pair(alice=j, bob=self.me), g, rng)
                     for j in self.peers}
        self._c: dict[int, list[int]] = {}
        self._commitments: dict[int, bytes] = {}
        self.big_r: Element | None = None
        self._u = self._w = None

    def __repr__(self) -> str:
        return f"Dkls23Signer({self.me}, <secrets redacted>)"

    def _pair(self, *, alice: int, bob: int) -> bytes:
        return direction_session(self.sid, _label(alice), _label(bob))

    # ---- round 1 ----
    def round1(self) -> tuple[bytes, dict[int, bytes]]:
        """(the commitment to broadcast, Bob's OT-extension message for each peer)."""
        return self.commitment, {j: self._bob[j].message for j in self.peers}

    # ---- round 2 ----
    def round2(self, commitments: Mapping[int, bytes], bob_messages: Mapping[int, bytes]) -> dict[int, bytes]:
        """Alice's message for each peer. PeerDeviation if a peer's OT-extension message is bad."""
        g = self.group
        for j in self.peers:
            if len(commitments[j]) != 32:
                raise PeerDeviation(j, "commitment is not 32 bytes")
        self._commitments = dict(commitments)
        out = {}
        for j in self.peers:
            try:
                msg, c = vole.send(self.share.ot[j].as_alice, self._pair(alice=self.me, bob=j), g,
                                   [self._r, self._sk], bob_messages[j], self._rng)
            except (InvalidEncoding, VerificationError) as exc:
                raise PeerDeviation(j, f"OT extension message rejected ({exc})") from None
            self._c[j] = c
            psi = (self._phi - self._bob[j].b) % g.order
            out[j] = (msg + self.R.to_bytes() + self._salt + g.base_mult(c[0]).to_bytes()
                      + g.base_mult(c[1]).to_bytes() + g.scalar_encode(psi))
        return out

    # ---- round 3 ----
    def _parse_round2(self, j: int, payload: bytes):
        g = self.group
        n_vole = vole.message_sizes(g.order)[1]
        try:
            r = ByteReader(payload, "DKLs23 round 2 message")
            vmsg = r.take(n_vole)
            Rj = g.decode(r.take(g.element_size))
            salt = r.take(32)
            gu, gv = g.decode(r.take(g.element_size), allow_identity=True), g.decode(r.take(g.element_size),
                                                                                     allow_identity=True)
            psi = g.scalar_decode(r.take(g.scalar_size))
            r.end()
        except InvalidEncoding as exc:
            raise PeerDeviation(j, f"malformed round 2 message ({exc})") from None
        return vmsg, Rj, salt, gu, gv, psi

    def round3(self, messages: Mapping[int, bytes]) -> bytes:
        """Check every peer's round 2 message; the broadcast share (u_i || w_i)."""
        g, q = self.group, self.group.order
        R = self.R
        phi_p = self._phi
        sum_u, sum_v = 0, 0
        for j in self.peers:
            vmsg, Rj, salt, gu, gv, psi = self._parse_round2(j, messages[j])
            if not hmac.compare_digest(_commit(self.sid, j, Rj, salt), self._commitments[j]):
                raise PeerDeviation(j, "R does not open its commitment")
            try:
                d = self._bob[j].finish(vmsg)
            except (InvalidEncoding, VerificationError) as exc:
                raise PeerDeviation(j, f"multiplication check failed ({exc})") from None
            chi = self._bob[j].b
            if Rj * chi != g.base_mult(d[0]) + gu:
                raise PeerDeviation(j, "multiplied another nonce than the committed R (Γ^u check)")
            if self.pk[j] * chi != g.base_mult(d[1]) + gv:
                raise PeerDeviation(j, "multiplied another key share than its own (Γ^v check)")
            R = R + Rj
            phi_p = (phi_p + psi) % q
            sum_u = (sum_u + self._c[j][0] + d[0]) % q
            sum_v = (sum_v + self._c[j][1] + d[1]) % q
        x, _ = g.point_to_xy(R)
        self.big_r = R
        rx = x % q
        u_i = (self._r * phi_p + sum_u) % q
        v_i = (self._sk * phi_p + sum_v) % q
        w_i = (self.z * self._phi + rx * v_i) % q
        self._u, self._w = u_i, w_i
        return g.scalar_encode(u_i) + g.scalar_encode(w_i)

    # ---- output ----
    def parse_share(self, j: int, payload: bytes) -> tuple[int, int]:
        """A peer's round-3 (u, w) share; `PeerDeviation` naming the peer when malformed."""
        g = self.group
        if not isinstance(payload, (bytes, bytearray)) or len(payload) != 2 * g.scalar_size:
            raise PeerDeviation(j, "round 3 share has the wrong length")
        try:
            return g.scalar_decode(payload[:g.scalar_size]), g.scalar_decode(payload[g.scalar_size:])
        except InvalidEncoding as exc:
            raise PeerDeviation(j, f"malformed round 3 share ({exc})") from None

    def finish(self, shares: Mapping[int, bytes]) -> EcdsaSignature:
        """The signature. VerificationError (not attributable) if it does not verify."""
        q = self.group.order
        su, sw = self._u, self._w
        for j in self.peers:
            u, w = self.parse_share(j, shares[j])
            su, sw = (su + u) % q, (sw + w) % q
        if su == 0:
            raise VerificationError("the signers' shares do not combine (Σu = 0)")
        sig = from_nonce_point(self.curve, self.big_r, sw * pow(su, -1, q) % q)
        verify(self.curve, self.child_key, self.digest, sig)
        return sig


def sign_locally(shares: Mapping[int, EcdsaKeyShare], signers: Sequence[int], digest: bytes, *, path=(),
                 session: bytes | None = None, rng: RandomSource | None = None) -> EcdsaSignature:
    """All signers in one process, no network (tests, examples): the three rounds in order."""
    session = session if session is not None else random_bytes(16, rng)
    parties = {i: Dkls23Signer(shares[i], signers, digest, session=session, path=path, rng=rng) for i in signers}
    r1 = {i: p.round1() for i, p in parties.items()}
    r2 = {i: p.round2({j: r1[j][0] for j in p.peers}, {j: r1[j][1][i] for j in p.peers}) for i, p in parties.items()}
    r3 = {i: p.round3({j: r2[j][i] for j in p.peers}) for i, p in parties.items()}
    sigs = {i: p.finish({j: r3[j] for j in p.peers}) for i, p in parties.items()}
    first = next(iter(sigs.values()))
    return first


__all__ = ["PeerDeviation", "Dkls23Signer", "signing_session", "sign_locally", "round2_size"]
