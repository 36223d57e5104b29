"""BLS signatures (draft-irtf-cfrg-bls-signature-05) and threshold BLS on BLS12-381.

The default ciphersuite is `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_` (Ethereum's): public keys
in G1 (48 bytes), signatures in G2 (96 bytes), proof-of-possession scheme. Ciphersuites are data;
the min-signature-size variant (keys in G2, signatures in G1) is the same code with the groups
swapped. `verify`-style functions raise VerificationError; `is_valid_*` return booleans.

Threshold BLS: the secret key is Shamir-shared (Feldman VSS gives every signer's verification key),
each signer's partial signature σ_i = sk_i·H(m) is checked against its verification key, and
t partials combine by Lagrange interpolation in the exponent into an ordinary BLS signature.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidEncoding, InvalidParameter, ProtocolAbort, VerificationError
from ..groups import Element, Group, get_group
from ..math.poly import lagrange_coefficients
from ..math.rand import RandomSource, random_bytes
from ..sharing.shamir import Share, check_identifiers
from ..sharing.vss import FeldmanCommitment, feldman_deal


@dataclass(frozen=True)
class BlsCiphersuite:
    """A BLS ciphersuite as data (draft-irtf-cfrg-bls-signature-05 section 4.2)."""
    name: str
    key_group: str          # where public keys live
    sig_group: str          # where signatures (and hashed messages) live
    dst: bytes
    pop_dst: bytes

    @property
    def K(self) -> Group:
        """The group public keys live in (G1 for min-pk)."""
        return get_group(self.key_group)

    @property
    def S(self) -> Group:
        """The group signatures live in (G2 for min-pk)."""
        return get_group(self.sig_group)


MIN_PK = BlsCiphersuite(
    "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_", "bls12_381_g1", "bls12_381_g2",
    b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_", b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_")
MIN_SIG = BlsCiphersuite(
    "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_", "bls12_381_g2", "bls12_381_g1",
    b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_", b"BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_")
CIPHERSUITES = {s.name: s for s in (MIN_PK, MIN_SIG)}
DEFAULT = MIN_PK


def get_ciphersuite(name: str = DEFAULT.name) -> BlsCiphersuite:
    """The BLS ciphersuite by name; `InvalidParameter` naming the known ones otherwise."""
    try:
        return CIPHERSUITES[name]
    except (KeyError, TypeError):
        raise InvalidParameter(f"unknown BLS ciphersuite {name!r}; known: {', '.join(CIPHERSUITES)}") from None


def _pairing_equation_holds(suite: BlsCiphersuite, pairs: Sequence[tuple[Element, Element]],
                            sig: Element, sig_deferred: bool = False) -> bool:
    """Π e(K_i, S_i) == e(g, σ) for (key-group, signature-group) pairs: one multi-pairing with
    (-g, σ) appended and one final exponentiation (variable time: verification equations are
    public). With `sig_deferred` (σ from _decode_sig_deferred) the check includes σ's subgroup
    membership and raises InvalidEncoding when it fails."""
    from ..groups import bls12_381
    g1_first = suite.key_group == "bls12_381_g1"
    ordered = [(k, s) if g1_first else (s, k) for k, s in [*pairs, (_neg_generator(suite.key_group), sig)]]
    check = [len(pairs)] if sig_deferred and suite.sig_group == "bls12_381_g2" else []
    return bls12_381.multi_pairing_is_one(ordered, check_g2=check)


@functools.lru_cache(maxsize=None)
def _neg_generator(group: str) -> Element:
    return -get_group(group).generator()


# ---- keys (section 2.3, 2.4, 2.5) ----

def keygen(ikm: bytes | None = None, key_info: bytes = b"", rng: RandomSource | None = None) -> int:
    """KeyGen: HKDF-SHA256 from >= 32 bytes of keying material (fresh randomness when ikm is None)."""
    if ikm is None:
        ikm = random_bytes(32, rng)
    if not isinstance(ikm, (bytes, bytearray, memoryview)):
        raise InvalidParameter(f"BLS KeyGen IKM must be bytes, got {type(ikm).__name__}")
    ikm, key_info = bytes(ikm), bytes(key_info)
    if len(ikm) < 32:
        raise InvalidParameter("BLS KeyGen needs at least 32 bytes of IKM")
    r = get_group("bls12_381_g1").order
    L = 48
    salt = b"BLS-SIG-KEYGEN-SALT-"
    sk = 0
    while sk == 0:
        salt = hashlib.sha256(salt).digest()
        prk = hmac.new(salt, ikm + b"\x00", hashlib.sha256).digest()
        okm, t, i = b"", b"", 1
        info = key_info + L.to_bytes(2, "big")
        while len(okm) < L:
            t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
            okm += t
            i += 1
        sk = int.from_bytes(okm[:L], "big") % r
    return sk


def sk_to_pk(sk: int, suite: BlsCiphersuite = DEFAULT) -> bytes:
    """The public key of a secret key (SkToPk)."""
    _check_sk(sk, suite)
    return suite.K.base_mult(sk).to_bytes()


def _check_sk(sk: int, suite: BlsCiphersuite) -> None:
    if not isinstance(sk, int) or isinstance(sk, bool) or not 0 < sk < suite.K.order:
        raise InvalidParameter("BLS secret key must be an integer in [1, r)")


def key_validate(pk: bytes, suite: BlsCiphersuite = DEFAULT) -> Element:
    """Decode a public key: canonical, on curve, in the subgroup, not the identity."""
    return suite.K.decode(pk)


def _decode_sig(sig: bytes, suite: BlsCiphersuite) -> Element:
    return suite.S.decode(sig, allow_identity=True)


def _decode_sig_deferred(sig: bytes, suite: BlsCiphersuite) -> Element:
    """_decode_sig for a σ that goes straight into _pairing_equation_holds(..., sig_deferred=True):
    a G2 σ's subgroup check is left to the pairing check, which gets it from its Miller loop."""
    if suite.sig_group != "bls12_381_g2":
        return _decode_sig(sig, suite)
    return suite.S.decode_on_curve(sig)


def _hash(msg: bytes, suite: BlsCiphersuite, dst: bytes | None = None) -> Element:
    if not isinstance(msg, (bytes, bytearray, memoryview)):
        raise InvalidParameter(f"BLS message must be bytes, got {type(msg).__name__}")
    return suite.S.hash_to_element(bytes(msg), suite.dst if dst is None else dst)


# ---- core operations (section 2.6 - 2.9) ----

def sign(sk: int, msg: bytes, suite: BlsCiphersuite = DEFAULT) -> bytes:
    """A BLS signature: the secret key times the hash of the message to the signature group."""
    _check_sk(sk, suite)
    return (sk * _hash(msg, suite)).to_bytes()


def verify(pk: bytes, msg: bytes, sig: bytes, suite: BlsCiphersuite = DEFAULT) -> None:
    """CoreVerify: e(PK, H(m)) == e(g, σ); raises VerificationError."""
    try:
        P, R = key_validate(pk, suite), _decode_sig_deferred(sig, suite)
        ok = _pairing_equation_holds(suite, [(P, _hash(msg, suite))], R, sig_deferred=True)
    except InvalidEncoding as exc:
        raise VerificationError(f"BLS verify: {exc}") from None
    if not ok:
        raise VerificationError("BLS signature does not verify")


def _sum(points: Sequence[bytes], decode, identity: Element, what: str) -> bytes:
    if not points:
        raise InvalidParameter(f"aggregating needs at least one {what}")
    acc = identity
    for i, p in enumerate(points):
        try:
            acc = acc + decode(p)
        except InvalidEncoding as exc:
            raise InvalidEncoding(f"{what} {i}: {exc}") from None
    return acc.to_bytes()


def aggregate(signatures: Sequence[bytes], suite: BlsCiphersuite = DEFAULT) -> bytes:
    """Aggregate: the sum of the signatures (section 2.8)."""
    return _sum(signatures, lambda s: _decode_sig(s, suite), suite.S.identity(), "signature")


def aggregate_pks(pks: Sequence[bytes], suite: BlsCiphersuite = DEFAULT) -> bytes:
    """The sum of validated public keys (for FastAggregateVerify)."""
    return _sum(pks, lambda pk: key_validate(pk, suite), suite.K.identity(), "public key")


def aggregate_verify(pks: Sequence[bytes], msgs: Sequence[bytes], sig: bytes,
                     suite: BlsCiphersuite = DEFAULT) -> None:
    """CoreAggregateVerify (the PoP scheme does not require distinct messages)."""
    if not pks or len(pks) != len(msgs):
        raise VerificationError(f"aggregate_verify: {len(pks)} keys for {len(msgs)} messages")
    try:
        pairs = [(key_validate(pk, suite), _hash(m, suite)) for pk, m in zip(pks, msgs)]
        R = _decode_sig_deferred(sig, suite)
        ok = _pairing_equation_holds(suite, pairs, R, sig_deferred=True)
    except InvalidEncoding as exc:
        raise VerificationError(f"BLS aggregate_verify: {exc}") from None
    if not ok:
        raise VerificationError("BLS aggregate signature does not verify")


def fast_aggregate_verify(pks: Sequence[bytes], msg: bytes, sig: bytes, suite: BlsCiphersuite = DEFAULT) -> None:
    """FastAggregateVerify: one message, keys whose proofs of possession were checked before."""
    if not pks:
        raise VerificationError("fast_aggregate_verify: no public keys")
    try:
        agg = aggregate_pks(pks, suite)
    except InvalidEncoding as exc:
        raise VerificationError(f"BLS fast_aggregate_verify: {exc}") from None
    verify(agg, msg, sig, suite)


def pop_prove(sk: int, suite: BlsCiphersuite = DEFAULT) -> bytes:
    """PopProve: σ = sk·H_pop(PK) (section 3.3.2)."""
    _check_sk(sk, suite)
    return (sk * _hash(sk_to_pk(sk, suite), suite, suite.pop_dst)).to_bytes()


def pop_verify(pk: bytes, proof: bytes, suite: BlsCiphersuite = DEFAULT) -> None:
    """Verify a proof of possession of the secret key behind `pk`; raises `VerificationError`."""
    try:
        P, R = key_validate(pk, suite), _decode_sig_deferred(proof, suite)
        ok = _pairing_equation_holds(suite, [(P, _hash(pk, suite, suite.pop_dst))], R, sig_deferred=True)
    except InvalidEncoding as exc:
        raise VerificationError(f"BLS pop_verify: {exc}") from None
    if not ok:
        raise VerificationError("BLS proof of possession does not verify")


def batch_verify(items: Sequence[tuple[bytes, bytes, bytes]], suite: BlsCiphersuite = DEFAULT,
                 rng: RandomSource | None = None) -> None:
    """Verify many (pk, msg, sig) at once by a random linear combination (one multi-pairing):
    Π e(r_i·PK_i, H(m_i)) · e(-g, Σ r_i·σ_i) == 1 with independent 128-bit r_i. On failure each
    item is checked alone and the error names the indices of the bad ones."""
    if not items:
        raise VerificationError("batch_verify: nothing to verify")
    items = list(items)
    for i, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise InvalidParameter(f"batch_verify: item {i} must be a (public key, message, signature) triple")
    pairs, sig_acc, bad = [], suite.S.identity(), []
    for i, (pk, msg, sig) in enumerate(items):
        try:
            P, R = key_validate(pk, suite), _decode_sig(sig, suite)
        except InvalidEncoding:
            bad.append(i)
            continue
        r = int.from_bytes(random_bytes(16, rng), "big") | 1
        pairs.append((r * P, _hash(msg, suite)))
        sig_acc = sig_acc + r * R
    if not bad and _pairing_equation_holds(suite, pairs, sig_acc):
        return
    for i, (pk, msg, sig) in enumerate(items):
        if i in bad:
            continue
        try:
            verify(pk, msg, sig, suite)
        except VerificationError:
            bad.append(i)
    raise VerificationError(f"batch_verify: items {sorted(bad)} do not verify")


def is_valid(pk: bytes, msg: bytes, sig: bytes, suite: BlsCiphersuite = DEFAULT) -> bool:
    """Whether a BLS signature verifies: `verify` as a boolean."""
    try:
        verify(pk, msg, sig, suite)
    except VerificationError:
        return False
    return True


# ---- threshold BLS ----

# deliberate look-alike of risk/report.py:BoundsCheck (duplicates): frozen-dataclass field declarations, no shared
# logic
@dataclass(frozen=True)
class ThresholdKey:
    """Public side of a threshold BLS key: group key, Feldman commitment, threshold."""
    suite: BlsCiphersuite
    threshold: int
    commitment: FeldmanCommitment
    identifiers: tuple[int, ...]

    def __post_init__(self) -> None:
        # the signer identifiers are Shamir x-coordinates: non-zero, distinct, below the order
        ids = tuple(check_identifiers(self.identifiers, self.suite.K.order))
        if self.threshold != self.commitment.threshold:
            raise InvalidParameter(f"threshold {self.threshold} differs from the commitment's "
                                   f"{self.commitment.threshold}")
        if len(ids) < self.threshold:
            raise InvalidParameter(f"{len(ids)} signers cannot reach the threshold {self.threshold}")
        object.__setattr__(self, "identifiers", ids)

    @property
    def group_public_key(self) -> bytes:
        """The encoded group public key (the commitment to the shared secret)."""
        return self.commitment.public_key.to_bytes()

    def verification_key(self, identifier: int) -> bytes:
        """sk_i·g for signer `identifier`, derived from the public commitment."""
        if identifier not in self.identifiers:
            raise InvalidParameter(f"signer {identifier} is not part of this key")
        return self.commitment.public_share(identifier).to_bytes()


@dataclass(frozen=True)
class PartialSignature:
    identifier: int
    signature: bytes


def threshold_keygen(threshold: int, num_signers: int, *, secret: int | None = None,
                     suite: BlsCiphersuite = DEFAULT, rng: RandomSource | None = None
                     ) -> tuple[dict[int, Share], ThresholdKey]:
    """Trusted-dealer threshold key: Feldman VSS of a BLS secret key in the key group."""
    if secret is None:
        secret = keygen(rng=rng)
    _check_sk(secret, suite)
    shares, commitment = feldman_deal(suite.K, secret, threshold, num_signers, rng=rng)
    key = ThresholdKey(suite, threshold, commitment, tuple(s.identifier for s in shares))
    return {s.identifier: s for s in shares}, key


def threshold_key_from_commitment(commitment: FeldmanCommitment, identifiers: Sequence[int],
                                  suite: BlsCiphersuite = DEFAULT) -> ThresholdKey:
    """The public threshold key of shares dealt by `pqzk.sharing` (VSS or DKG output)."""
    return ThresholdKey(suite, commitment.threshold, commitment, tuple(identifiers))


def partial_sign(share: Share, msg: bytes, suite: BlsCiphersuite = DEFAULT) -> PartialSignature:
    """One share's partial signature on `msg`."""
    return PartialSignature(share.identifier, (share.value * _hash(msg, suite)).to_bytes())


def verify_partial(key: ThresholdKey, msg: bytes, partial: PartialSignature) -> None:
    """e(vk_i, H(m)) == e(g, σ_i) for the signer's verification key vk_i."""
    try:
        verify(key.verification_key(partial.identifier), msg, partial.signature, key.suite)
    except (VerificationError, InvalidParameter) as exc:
        raise VerificationError(f"partial signature of signer {partial.identifier}: {exc}") from None


def _decode_partials(key: ThresholdKey, partials: Sequence[PartialSignature]
                     ) -> tuple[dict[int, Element], list[int]]:
    """Signature points of the partials by signer, and the signers that are unknown to the key
    or whose signature does not decode (strictly, with the subgroup check)."""
    points, bad = {}, []
    for p in partials:
        if p.identifier not in key.identifiers:
            bad.append(p.identifier)
            continue
        try:
            points[p.identifier] = _decode_sig(p.signature, key.suite)
        except InvalidEncoding:
            bad.append(p.identifier)
    return points, bad


def _bad_partials(key: ThresholdKey, msg: bytes, partials: Sequence[PartialSignature],
                  points: dict[int, Element], bad: list[int], rng: RandomSource | None) -> list[int]:
    """The signers in `points` whose partial does not verify, plus `bad`, sorted.

    All partials sign the same message, so one random linear combination checks them together:
    e(Σ r_i·vk_i, H(m)) == e(g, Σ r_i·σ_i). Σ r_i·vk_i is one msm over the t commitment
    coefficients (FeldmanCommitment.evaluate_combination). Only when the check fails is each
    partial checked alone, to name the bad ones."""
    S = key.suite.S
    if not bad and points:
        r = {i: int.from_bytes(random_bytes(16, rng), "big") | 1 for i in points}
        if _pairing_equation_holds(key.suite, [(key.commitment.evaluate_combination(r), _hash(msg, key.suite))],
                                   S.msm_vartime(list(r.values()), list(points.values()))):
            return []
    bad = list(bad)
    for p in partials:
        if p.identifier in points:
            try:
                verify_partial(key, msg, p)
            except VerificationError:
                bad.append(p.identifier)
    return sorted(bad)


def verify_partials(key: ThresholdKey, msg: bytes, partials: Sequence[PartialSignature],
                    rng: RandomSource | None = None) -> list[int]:
    """Identifiers of the partials that do not verify ([] when all do); batched, see _bad_partials."""
    points, bad = _decode_partials(key, partials)
    return _bad_partials(key, msg, partials, points, bad, rng)


def _combine_optimistic(key: ThresholdKey, msg: bytes, partials: Sequence[PartialSignature],
                        verify: bool) -> bytes | None:
    """Σ λ_i·σ_i over the given t partials, checked once at the end instead of once per partial:
    the partials are decoded without their subgroup checks and the sum must lie in the subgroup
    (and, with `verify`, verify under the group key). None when a check fails or a partial does not
    decode: the caller then takes the strict path, which names the bad partials.

    Sound because E(F) = G × T with T the cofactor part, and every step (the GLV/GLS msm
    included) is an endomorphism-respecting group computation: the G-part of the sum is the
    interpolation of the partials' G-parts whatever their T-parts, and a T-part that does not
    cancel fails the subgroup check. With `verify` the result is a valid signature on `msg`."""
    S = key.suite.S
    if any(p.identifier not in key.identifiers for p in partials):
        return None
    try:
        points = [S.decode_on_curve(p.signature) for p in partials]
    except InvalidEncoding:
        return None
    sig = S.msm_vartime(lagrange_coefficients([p.identifier for p in partials], S.order), points)
    if not S.in_subgroup(S._unwrap(sig)):
        return None
    if verify and not _pairing_equation_holds(key.suite, [(key.commitment.public_key, _hash(msg, key.suite))], sig):
        return None
    return sig.to_bytes()


def combine(key: ThresholdKey, msg: bytes, partials: Sequence[PartialSignature], *,
            verify: bool = True, rng: RandomSource | None = None) -> bytes:
    """Combine t partial signatures into the group signature by Lagrange interpolation at 0.

    With `verify` (the default) the result is guaranteed to verify under the group key: the
    first t partials are combined and the result checked (one pairing check); only when that
    fails are all partials checked (batched, see verify_partials), the bad ones named in
    ProtocolAbort.culprits when fewer than t valid ones remain, else the first t valid ones used.
    Without `verify` the result is still a subgroup element, and an undecodable or
    wrong-subgroup partial raises InvalidEncoding. Each signature is decoded once per path."""
    ids = [p.identifier for p in partials]
    if len(set(ids)) != len(ids):
        raise InvalidParameter("combine: duplicate signer identifiers")
    check_identifiers(ids, key.suite.K.order)
    if len(ids) < key.threshold:
        raise InvalidParameter(f"combine: {len(ids)} partial signatures for threshold {key.threshold}")
    sig = _combine_optimistic(key, msg, list(partials)[: key.threshold], verify)
    if sig is not None:
        return sig
    S = key.suite.S
    if verify:
        points, bad = _decode_partials(key, partials)
        bad = _bad_partials(key, msg, partials, points, bad, rng)
        good = [i for i in ids if i not in bad]
        if bad and len(good) < key.threshold:
            raise ProtocolAbort("invalid partial signatures leave fewer than the threshold", bad)
    else:
        good = ids
    if len(good) < key.threshold:
        raise InvalidParameter(f"combine: {len(good)} partial signatures for threshold {key.threshold}")
    good = good[: key.threshold]
    if not verify:
        sig_of = {p.identifier: p.signature for p in partials}
        try:
            points = {i: S.decode(sig_of[i]) for i in good}
        except InvalidEncoding as exc:
            raise InvalidEncoding(f"combine: {exc}") from None
    lam = lagrange_coefficients(good, S.order)
    return S.msm_vartime(lam, [points[i] for i in good]).to_bytes()  # public: partial signatures
