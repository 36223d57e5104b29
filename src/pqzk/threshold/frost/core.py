"""RFC 9591 FROST, function by function, for any `Ciphersuite` record.

Names follow the RFC (sections 4 and 5, appendix C). The BIP-340 variant (ZF frost's
secp256k1-tr) differs only through the suite's hooks (`ciphersuite.SchnorrHooks`): even-y
group key, even-y group commitment (nonces negated otherwise) and the x-only BIP-340
challenge. Appendix C's VSS is `pqzk.sharing.vss`'s Feldman commitment.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...errors import InvalidParameter, ProtocolAbort, VerificationError
from ...groups import Element
from ...math.field import inv
from ...math.poly import lagrange_coefficients
from ...math.rand import RandomSource, random_bytes
from ...sharing.shamir import Share, shares_from_polynomial
from ...sharing.vss import FeldmanCommitment
from .bip340 import has_even_y, x_only
from .ciphersuite import Ciphersuite
from .types import Signature, SignatureShare, SigningCommitments, SigningNonces


# ---- section 4.1 nonce generation ----
def nonce_generate(suite: Ciphersuite, secret: int, rng: RandomSource | None = None) -> int:
    """H3(random_bytes(32) || SerializeScalar(secret))."""
    return suite.h3(random_bytes(32, rng) + suite.group.scalar_encode(secret))


# ---- section 4.2 polynomial interpolation ----
def derive_interpolating_value(suite: Ciphersuite, participant_list: Sequence[int], x_i: int) -> int:
    """Lagrange coefficient of x_i at 0 over participant_list (O(n), one inversion)."""
    q = suite.group.order
    if x_i not in participant_list:
        raise InvalidParameter("identifier is not in the participant list")
    if len(set(participant_list)) != len(participant_list):
        raise InvalidParameter("participant list contains duplicate identifiers")
    for x_j in participant_list:
        if not isinstance(x_j, int) or not 0 < x_j < q:
            raise InvalidParameter(f"identifier {x_j!r} is not a non-zero scalar")
    num, den = 1, 1
    for x_j in participant_list:
        if x_j == x_i:
            continue
        num = num * x_j % q
        den = den * (x_j - x_i) % q
    return num * inv(den, q) % q


def derive_interpolating_values(suite: Ciphersuite, participant_list: Sequence[int]) -> dict[int, int]:
    """All Lagrange coefficients at 0 at once (for coordinators checking every share)."""
    return dict(zip(participant_list, lagrange_coefficients(list(participant_list), suite.group.order)))


# ---- section 4.3 list operations ----
def sorted_commitment_list(commitment_list: Sequence[SigningCommitments]) -> list[SigningCommitments]:
    """The list in ascending identifier order; duplicates are refused."""
    out = sorted(commitment_list, key=lambda c: c.identifier)
    for a, b in zip(out, out[1:]):
        if a.identifier == b.identifier:
            raise InvalidParameter(f"commitment list has two entries for identifier {a.identifier}")
    return out


def encode_group_commitment_list(suite: Ciphersuite, commitment_list: Sequence[SigningCommitments]) -> bytes:
    """RFC 9591 encode_group_commitment_list: the commitments sorted by identifier, concatenated."""
    return b"".join(c.to_bytes() for c in sorted_commitment_list(commitment_list))


def participants_from_commitment_list(commitment_list: Sequence[SigningCommitments]) -> list[int]:
    """RFC 9591 participants_from_commitment_list: the identifiers, sorted."""
    return [c.identifier for c in sorted_commitment_list(commitment_list)]


def binding_factor_for_participant(binding_factor_list: Mapping[int, int], identifier: int) -> int:
    """RFC 9591 binding_factor_for_participant; `InvalidParameter` when there is none."""
    try:
        return binding_factor_list[identifier]
    except KeyError:
        raise InvalidParameter(f"no binding factor for identifier {identifier}") from None


# ---- section 4.4 - 4.6 ----
def compute_binding_factors(suite: Ciphersuite, group_public_key: Element,
                            commitment_list: Sequence[SigningCommitments], msg: bytes) -> dict[int, int]:
    """rho_i = H1(PK || H4(msg) || H5(encoded commitments) || SerializeScalar(i))."""
    g = suite.group
    prefix = (group_public_key.to_bytes() + suite.h4(msg)
              + suite.h5(encode_group_commitment_list(suite, commitment_list)))
    return {c.identifier: suite.h1(prefix + g.scalar_encode(c.identifier))
            for c in sorted_commitment_list(commitment_list)}


def binding_factor_input(suite: Ciphersuite, group_public_key: Element,
                         commitment_list: Sequence[SigningCommitments], msg: bytes, identifier: int) -> bytes:
    """The H1 input for one identifier (exposed for known-answer tests)."""
    return (group_public_key.to_bytes() + suite.h4(msg)
            + suite.h5(encode_group_commitment_list(suite, commitment_list))
            + suite.group.scalar_encode(identifier))


def compute_group_commitment(suite: Ciphersuite, commitment_list: Sequence[SigningCommitments],
                             binding_factor_list: Mapping[int, int]) -> Element:
    """R = Σ (D_i + rho_i·E_i)."""
    g = suite.group
    cl = sorted_commitment_list(commitment_list)
    hiding = g.identity()
    for c in cl:
        hiding = hiding + c.hiding
    # public: commitments and binding factors are broadcast values
    bound = g.msm_vartime([binding_factor_for_participant(binding_factor_list, c.identifier) for c in cl],
                          [c.binding for c in cl])
    return hiding + bound


def compute_challenge(suite: Ciphersuite, group_commitment: Element, group_public_key: Element,
                      msg: bytes) -> int:
    """H2(SerializeElement(R) || SerializeElement(PK) || msg); BIP-340: x-only R and PK."""
    return suite.h2(suite.hooks.challenge_input(group_commitment, group_public_key, msg))


# ---- section 5.1 round one ----
def commit(suite: Ciphersuite, identifier: int, sk_i: int,
           rng: RandomSource | None = None) -> tuple[SigningNonces, SigningCommitments]:
    """Fresh hiding and binding nonces and their commitments (hiding drawn first)."""
    g = suite.group
    d = nonce_generate(suite, sk_i, rng)
    e = nonce_generate(suite, sk_i, rng)
    comm = SigningCommitments(suite, identifier, g.base_mult(d), g.base_mult(e))
    return SigningNonces(suite, d, e, comm), comm


# ---- section 5.2 round two ----
def sign(suite: Ciphersuite, identifier: int, sk_i: int, group_public_key: Element,
         nonce_i: SigningNonces, msg: bytes, commitment_list: Sequence[SigningCommitments]) -> SignatureShare:
    """z_i = d_i + e_i·rho_i + lambda_i·sk_i·c."""
    g = suite.group
    q = g.order
    if nonce_i.commitments.identifier != identifier:
        raise InvalidParameter("nonces belong to another identifier")
    mine = [c for c in commitment_list if c.identifier == identifier]
    if len(mine) != 1 or mine[0] != nonce_i.commitments:
        raise InvalidParameter("the commitment list does not carry this signer's commitment")
    hooks = suite.hooks
    sk_i = hooks.effective_signing_share(g, sk_i, group_public_key)
    group_public_key = hooks.effective_verifying_key(group_public_key)
    binding_factors = compute_binding_factors(suite, group_public_key, commitment_list, msg)
    rho = binding_factor_for_participant(binding_factors, identifier)
    R = compute_group_commitment(suite, commitment_list, binding_factors)
    lam = derive_interpolating_value(suite, participants_from_commitment_list(commitment_list), identifier)
    c = compute_challenge(suite, R, group_public_key, msg)
    d, e = hooks.effective_nonce(g, nonce_i.hiding, R), hooks.effective_nonce(g, nonce_i.binding, R)
    return SignatureShare(suite, identifier, (d + e * rho + lam * sk_i * c) % q)


# ---- section 5.3 aggregation and 5.4 share verification ----
def aggregate(suite: Ciphersuite, commitment_list: Sequence[SigningCommitments], msg: bytes,
              group_public_key: Element, sig_shares: Sequence[SignatureShare]) -> Signature:
    """(R, z = Σ z_i). No verification here: see `aggregate_verified`."""
    q = suite.group.order
    if not commitment_list:
        raise InvalidParameter("aggregate: the commitment list is empty (no signers)")
    group_public_key = suite.hooks.effective_verifying_key(group_public_key)
    binding_factors = compute_binding_factors(suite, group_public_key, commitment_list, msg)
    R = suite.hooks.effective_group_commitment(compute_group_commitment(suite, commitment_list, binding_factors))
    z = 0
    for s in sig_shares:
        z = (z + s.share) % q
    return Signature(suite, R, z)


def verify_signature_share(suite: Ciphersuite, identifier: int, PK_i: Element, comm_i: SigningCommitments,
                           sig_share_i: SignatureShare | int, commitment_list: Sequence[SigningCommitments],
                           group_public_key: Element, msg: bytes, *,
                           lambda_i: int | None = None, binding_factors: Mapping[int, int] | None = None,
                           group_commitment: Element | None = None, challenge: int | None = None) -> None:
    """z_i·G == (D_i + rho_i·E_i) + (c·lambda_i)·PK_i, or VerificationError.

    The keyword arguments let a coordinator reuse values shared by every share.
    """
    g = suite.group
    z_i = sig_share_i.share if isinstance(sig_share_i, SignatureShare) else sig_share_i
    _check_public_key(suite, PK_i, f"verifying share of participant {identifier}")
    if not isinstance(z_i, int) or not 0 <= z_i < g.order:   # z + q would pass the check below
        raise VerificationError(f"signature share of participant {identifier} is not a canonical scalar")
    hooks = suite.hooks
    PK_i = hooks.effective_verifying_share(PK_i, group_public_key)
    group_public_key = hooks.effective_verifying_key(group_public_key)
    if binding_factors is None:
        binding_factors = compute_binding_factors(suite, group_public_key, commitment_list, msg)
    rho = binding_factor_for_participant(binding_factors, identifier)
    comm_share = comm_i.hiding + rho * comm_i.binding
    if group_commitment is None:
        group_commitment = compute_group_commitment(suite, commitment_list, binding_factors)
    comm_share = hooks.effective_commitment_share(comm_share, group_commitment)
    if challenge is None:
        challenge = compute_challenge(suite, group_commitment, group_public_key, msg)
    if lambda_i is None:
        lambda_i = derive_interpolating_value(suite, participants_from_commitment_list(commitment_list),
                                              identifier)
    if g.base_mult(z_i) != comm_share + (challenge * lambda_i % g.order) * PK_i:
        raise VerificationError(f"signature share of participant {identifier} does not verify")


def _check_public_key(suite: Ciphersuite, PK: Element, what: str) -> None:
    """A verifying key must be a non-identity element of the suite's group: with PK = identity
    every (R = z·G, z) would verify for any message."""
    if not isinstance(PK, Element) or PK.group is not suite.group:
        raise InvalidParameter(f"{what} must be a {suite.group.name} element")
    if PK.is_identity():
        raise VerificationError(f"{what} is the identity element")


def verify_signature(suite: Ciphersuite, msg: bytes, sig: Signature | bytes, PK: Element) -> None:
    """Schnorr verification (RFC 9591 appendix B), or the suite's variant of it (BIP-340)."""
    g = suite.group
    if not isinstance(msg, (bytes, bytearray, memoryview)):
        raise InvalidParameter(f"message must be bytes, got {type(msg).__name__}")
    msg = bytes(msg)
    _check_public_key(suite, PK, "group public key")
    if not isinstance(sig, Signature):
        sig = Signature.from_bytes(suite, sig)
    elif not isinstance(sig.z, int) or not 0 <= sig.z < g.order or not isinstance(sig.R, Element) \
            or sig.R.group is not g:
        raise VerificationError("signature is not (element of the suite's group, canonical scalar)")
    suite.hooks.verify_signature(suite, msg, sig.R, sig.z, PK)


def identify_cheaters(suite: Ciphersuite, commitment_list: Sequence[SigningCommitments], msg: bytes,
                      group_public_key: Element, sig_shares: Sequence[SignatureShare],
                      verifying_shares: Mapping[int, Element]) -> list[int]:
    """Identifiers whose signature share does not verify (RFC 9591 section 5.4)."""
    cl = sorted_commitment_list(commitment_list)
    by_id = {c.identifier: c for c in cl}
    gpk = suite.hooks.effective_verifying_key(group_public_key)
    bf = compute_binding_factors(suite, gpk, cl, msg)
    R = compute_group_commitment(suite, cl, bf)
    c = compute_challenge(suite, R, gpk, msg)
    lambdas = derive_interpolating_values(suite, [x.identifier for x in cl])
    bad = []
    for s in sig_shares:
        if s.identifier not in by_id or s.identifier not in verifying_shares:
            bad.append(s.identifier)
            continue
        try:
            verify_signature_share(suite, s.identifier, verifying_shares[s.identifier], by_id[s.identifier],
                                   s, cl, group_public_key, msg, lambda_i=lambdas[s.identifier],
                                   binding_factors=bf, group_commitment=R, challenge=c)
        except VerificationError:
            bad.append(s.identifier)
    return bad


def aggregate_verified(suite: Ciphersuite, commitment_list: Sequence[SigningCommitments], msg: bytes,
                       group_public_key: Element, sig_shares: Sequence[SignatureShare],
                       verifying_shares: Mapping[int, Element], *, verify_each_share: bool = False) -> Signature:
    """Aggregate, then verify the signature; if it fails, find the cheaters (identifiable abort).

    With verify_each_share=True every share is checked first (section 5.4) instead.
    """
    ids = [c.identifier for c in sorted_commitment_list(commitment_list)]
    if not ids:
        raise InvalidParameter("aggregate: the commitment list is empty (no signers)")
    share_ids = [s.identifier for s in sig_shares]
    if sorted(share_ids) != ids:
        missing = sorted(set(ids) - set(share_ids))
        extra = sorted(set(share_ids) - set(ids))
        repeated = sorted({i for i in share_ids if share_ids.count(i) > 1})
        raise ProtocolAbort("signature shares do not match the commitment list",
                            culprits=missing + extra + repeated)
    if verify_each_share:
        bad = identify_cheaters(suite, commitment_list, msg, group_public_key, sig_shares, verifying_shares)
        if bad:
            raise ProtocolAbort("invalid signature shares", culprits=bad)
    sig = aggregate(suite, commitment_list, msg, group_public_key, sig_shares)
    try:
        verify_signature(suite, msg, sig, group_public_key)
    except VerificationError:
        bad = identify_cheaters(suite, commitment_list, msg, group_public_key, sig_shares, verifying_shares)
        raise ProtocolAbort("aggregate signature does not verify", culprits=bad) from None
    return sig


# ---- appendix C: trusted dealer key generation, on pqzk.sharing.vss ----
def secret_share_shard(suite: Ciphersuite, s: int, coefficients: Sequence[int], max_participants: int,
                       identifiers: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """Shares (i, f(i)) of f = s + a_1 x + ... (RFC 9591 appendix C.1)."""
    ids = list(identifiers) if identifiers is not None else list(range(1, max_participants + 1))
    return [(sh.identifier, sh.value) for sh in shares_from_polynomial([s, *coefficients], ids, suite.group.order)]


def vss_commit(suite: Ciphersuite, coeffs: Sequence[int]) -> FeldmanCommitment:
    """The Feldman commitment a_k·G to the sharing polynomial (appendix C.2)."""
    return FeldmanCommitment.from_polynomial(suite.group, coeffs)


def _commitment(suite: Ciphersuite, vss_commitment: FeldmanCommitment | Sequence[Element]) -> FeldmanCommitment:
    if isinstance(vss_commitment, FeldmanCommitment):
        return vss_commitment
    return FeldmanCommitment(suite.group, tuple(vss_commitment))


def evaluate_vss_commitment(suite: Ciphersuite, vss_commitment: FeldmanCommitment | Sequence[Element],
                            identifier: int) -> Element:
    """Σ identifier^j·C_j: the public share of `identifier` (appendix C.2 derive_group_info)."""
    return _commitment(suite, vss_commitment).public_share(identifier)


def vss_verify(suite: Ciphersuite, share_i: tuple[int, int],
               vss_commitment: FeldmanCommitment | Sequence[Element]) -> None:
    """VerificationError unless share_i = (i, sk_i) matches the commitment (appendix C.2)."""
    i, sk_i = share_i
    _commitment(suite, vss_commitment).verify_share(Share(i, sk_i))


def derive_group_info(suite: Ciphersuite, max_participants: int, min_participants: int,
                      vss_commitment: FeldmanCommitment | Sequence[Element],
                      identifiers: Sequence[int] | None = None) -> tuple[Element, dict[int, Element]]:
    """The group key and every participant's verifying share (appendix C.2)."""
    com = _commitment(suite, vss_commitment)
    if com.threshold != min_participants:
        raise InvalidParameter("VSS commitment length differs from min_participants")
    ids = list(identifiers) if identifiers is not None else list(range(1, max_participants + 1))
    return com.public_key, {i: com.public_share(i) for i in ids}


def check_parameters(suite: Ciphersuite, min_signers: int, max_signers: int) -> None:
    """Check `2 <= min_signers <= max_signers < 65536`; `InvalidParameter` otherwise."""
    if not (isinstance(min_signers, int) and isinstance(max_signers, int)):
        raise InvalidParameter("min_signers and max_signers must be integers")
    if min_signers < 2:
        raise InvalidParameter("min_signers must be at least 2")
    if max_signers < min_signers:
        raise InvalidParameter("max_signers must be at least min_signers")
    if max_signers >= 2**16:
        raise InvalidParameter("max_signers must be below 65536")


__all__ = [
    "nonce_generate", "derive_interpolating_value", "derive_interpolating_values",
    "encode_group_commitment_list", "participants_from_commitment_list", "binding_factor_for_participant",
    "compute_binding_factors", "binding_factor_input", "compute_group_commitment", "compute_challenge",
    "commit", "sign", "aggregate", "aggregate_verified", "verify_signature_share", "verify_signature",
    "identify_cheaters", "secret_share_shard", "vss_commit", "vss_verify", "evaluate_vss_commitment",
    "derive_group_info", "check_parameters", "has_even_y", "x_only",
]
