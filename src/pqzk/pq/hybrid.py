"""Hybrid threshold authorization: a threshold classical signature AND post-quantum evidence.

An authorization holds only if both parts verify. The classical part is any scheme that fits
`ClassicalThresholdScheme` (FROST and threshold BLS adapters are below); the post-quantum part
comes in two modes, each documented with its security argument in its class docstring and in
docs/hybrid.md:

* `QuorumCertificate` — each of the t signers adds its own ML-DSA signature; verified against
  a registered roster of n ML-DSA keys with threshold t. Threshold trust survives a quantum
  adversary.
* `CompositeAuthorization` — one ML-DSA signature by a key whose seed is Shamir-shared among
  the signers and reassembled only inside the signing operation. Smaller, but weaker: see there.
* `ThresholdMLDSAAuthorization` — one FIPS 204 signature produced by a T-of-N committee with
  threshold ML-DSA (`pqzk.threshold.mldsa`): as small as composite, and no party ever holds the
  post-quantum key; what it does not show is which T signed.

Every bad input raises `VerificationError` (at verification) or `InvalidParameter` (when
building) with a message naming the fault.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..encoding import ByteReader, ByteWriter, as_bytes, lp_bytes
from ..errors import InvalidEncoding, InvalidParameter, ProtocolAbort, VerificationError
from . import mldsa
from .params import mldsa_params

QC_CTX = b"pqzk/hybrid/quorum/v1"
COMPOSITE_CTX = b"pqzk/hybrid/composite/v1"
THRESHOLD_MLDSA_CTX = b"pqzk/hybrid/threshold-mldsa/v1"


@runtime_checkable
class ClassicalThresholdScheme(Protocol):
    """What the hybrid layer needs from a classical threshold scheme: the group key's bytes,
    a name, the threshold, and `verify(message, signature)` raising VerificationError."""

    @property
    def name(self) -> str:
        """The scheme's name, as the authorization records it."""

    @property
    def group_public_key(self) -> bytes:
        """The encoded group public key the classical signature verifies under."""

    @property
    def threshold(self) -> int:
        """How many signers a signature needs."""

    def verify(self, message: bytes, signature: bytes) -> None:
        """Verify a classical threshold signature; raises `VerificationError`."""


# -- adapters ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FrostScheme:
    """FROST (RFC 9591) by its public key package; `sign` runs both rounds in process."""
    # deliberate look-alike of ThresholdBlsScheme (duplicates): both adapt ClassicalThresholdScheme
    suite: object
    public: object                       # frost.PublicKeyPackage

    @property
    def name(self) -> str:
        """"FROST/" and the ciphersuite's name."""
        return f"FROST/{self.suite.name}"

    @property
    def group_public_key(self) -> bytes:
        """The FROST group verifying key, encoded."""
        return self.public.verifying_key.to_bytes()

    @property
    def threshold(self) -> int:
        """The FROST key's minimum number of signers."""
        return self.public.min_signers

    def verify(self, message: bytes, signature: bytes) -> None:
        """Verify a FROST signature under the group key; raises `VerificationError` (a malformed one too)."""
        from ..threshold import frost
        try:
            frost.verify(self.suite, self.public, message, signature)
        except InvalidEncoding as exc:
            raise VerificationError(f"{self.name} signature malformed: {exc}") from None

    def sign(self, key_packages: Iterable, message: bytes, rng: Callable[[int], bytes] | None = None) -> bytes:
        """A FROST signature by the given key packages (an in-process run, for tests and benchmarks)."""
        from ..threshold import frost
        return frost.sign(self.suite, list(key_packages), message, rng=rng)


@dataclass(frozen=True)
class ThresholdBlsScheme:
    """Threshold BLS (pqzk.threshold.bls) by its ThresholdKey; `sign` combines partials."""
    # deliberate look-alike of FrostScheme (duplicates): both adapt ClassicalThresholdScheme
    key: object                          # bls.ThresholdKey

    @property
    def name(self) -> str:
        """"threshold-BLS/" and the ciphersuite's name."""
        return f"threshold-BLS/{self.key.suite.name}"

    # deliberate look-alike of threshold/ecdsa/keys.py:EcdsaPublicKey, policy/signer_base.py:SignerSide
    # (duplicates): one-line delegating properties, no shared logic
    @property
    def group_public_key(self) -> bytes:
        """The threshold BLS group public key, encoded."""
        return self.key.group_public_key

    @property
    def threshold(self) -> int:
        """The BLS key's threshold."""
        return self.key.threshold

    def verify(self, message: bytes, signature: bytes) -> None:
        """Verify a BLS signature under the group key; raises `VerificationError` (a malformed one too)."""
        from ..threshold import bls
        try:
            bls.verify(self.group_public_key, message, signature, self.key.suite)
        except InvalidEncoding as exc:
            raise VerificationError(f"{self.name} signature malformed: {exc}") from None

    def sign(self, shares: Iterable, message: bytes, rng: Callable[[int], bytes] | None = None) -> bytes:
        """A threshold BLS signature combined from partial signatures by the given shares."""
        from ..threshold import bls
        partials = [bls.partial_sign(s, message, self.key.suite) for s in shares]
        return bls.combine(self.key, message, partials, rng=rng)


# -- encoding helpers -------------------------------------------------------------------------

def _check_scheme(scheme) -> None:
    if not isinstance(scheme, ClassicalThresholdScheme):
        raise InvalidParameter("classical scheme must provide name, group_public_key, threshold and verify()")


class _TwoParts:
    """An authorization of one classical and one post-quantum signature: MAGIC ‖ lp ‖ lp."""
    MAGIC: bytes
    WHAT: str
    classical_signature: bytes
    pq_signature: bytes

    def to_bytes(self) -> bytes:
        return ByteWriter(self.WHAT).put(self.MAGIC).lp(self.classical_signature).lp(self.pq_signature).to_bytes()

    @classmethod
    def _decode(cls, data: bytes):
        r = ByteReader(data, cls.WHAT)
        if r.take(4) != cls.MAGIC:
            raise InvalidEncoding(f"{cls.WHAT}: bad magic")
        c, p = r.lp(), r.lp()
        r.end()
        return cls(c, p)

    @property
    def size(self) -> int:
        return len(self.to_bytes())


def _verify_two_parts(scheme: ClassicalThresholdScheme, auth, cls, rep: bytes, pq_valid, pq_fault: str) -> None:
    """Both parts present and valid, the post-quantum one first; VerificationError naming the fault."""
    _check_scheme(scheme)
    if not isinstance(auth, cls):
        raise VerificationError(f"expected a {cls.__name__}, got {type(auth).__name__}")
    if not auth.classical_signature:
        raise VerificationError("missing part: no classical threshold signature")
    if not auth.pq_signature:
        raise VerificationError("missing part: no post-quantum signature")
    if not pq_valid(auth.pq_signature):
        raise VerificationError(pq_fault)
    try:
        scheme.verify(rep, auth.classical_signature)
    except VerificationError as exc:
        raise VerificationError(f"classical threshold signature ({scheme.name}) does not verify: {exc}") from None


# -- roster -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Roster:
    """The registered ML-DSA keys of the n potential signers and the threshold t."""
    params: str
    keys: Mapping[int, mldsa.MLDSAPublicKey]
    threshold: int

    def __post_init__(self) -> None:
        p = mldsa_params(self.params)
        keys = dict(self.keys)
        if not isinstance(self.threshold, int) or self.threshold < 1:
            raise InvalidParameter(f"roster threshold must be a positive integer, got {self.threshold!r}")
        if len(keys) < self.threshold:
            raise InvalidParameter(f"roster has {len(keys)} keys, below the threshold {self.threshold}")
        for i, k in keys.items():
            if not isinstance(i, int) or not 0 < i < 2**32:
                raise InvalidParameter(f"roster identifier {i!r} must be an integer in 1..2^32-1")
            if not isinstance(k, mldsa.MLDSAPublicKey) or k.params != p.name:
                raise InvalidParameter(f"roster key of signer {i} must be an {p.name} public key")
        if len({k.key for k in keys.values()}) != len(keys):
            raise InvalidParameter("roster lists the same ML-DSA key for two signers")
        object.__setattr__(self, "keys", dict(sorted(keys.items())))
        object.__setattr__(self, "params", p.name)

    def digest(self) -> bytes:
        """SHA3-256 over the canonical roster encoding (params, t, sorted (id, key))."""
        w = ByteWriter("roster").lp(self.params.encode()).u32(self.threshold)
        for i, k in self.keys.items():
            w.u32(i).put(k.key)
        return hashlib.sha3_256(w.to_bytes()).digest()


# -- mode 1: quorum certificate ---------------------------------------------------------------

def quorum_representative(scheme: ClassicalThresholdScheme, roster: Roster, signers: Sequence[int],
                          message: bytes) -> bytes:
    """The one message both the classical group and every PQ signer sign:
    tag || scheme name || group key || roster digest || t || sorted signer set || message."""
    ids = sorted(signers)
    w = (ByteWriter("quorum representative").put(QC_CTX).lp(scheme.name.encode()).lp(scheme.group_public_key)
         .put(roster.digest()).u32(roster.threshold).u32(len(ids)))
    for i in ids:
        w.u32(i)
    return w.lp(as_bytes(message, "message")).to_bytes()


@dataclass(frozen=True)
class QuorumCertificate:
    """Hybrid authorization, quorum-certificate mode.

    Contents: the classical threshold signature and, for each signer i of the signer set S
    (|S| ≥ t), its own ML-DSA signature over M_QC = quorum_representative(scheme, roster, S, m),
    which binds the classical group key, the roster (and so t), the signer set and the message.

    Security argument. Verification demands (1) the classical threshold signature on M_QC under
    the group key and (2) t ML-DSA signatures on M_QC from t distinct roster keys. A classical
    adversary must forge (1) — t shares or a break of FROST/BLS — and (2). A quantum adversary
    who breaks discrete logs forges (1) for free, but (2) still needs t roster members' ML-DSA
    keys (or an ML-DSA EUF-CMA forgery): post-quantum, authorization remains t-of-n, with no
    party ever holding a whole post-quantum key. Because M_QC binds the group key, roster and
    signer set, a certificate cannot be transplanted onto another group, roster, signer set or
    message. Cost: |S| ML-DSA signatures (t × 3309 bytes for ML-DSA-65), verified one by one.
    """
    classical_signature: bytes
    signers: tuple[int, ...]
    pq_signatures: tuple[tuple[int, bytes], ...]

    def to_bytes(self) -> bytes:
        """The certificate's binary form (magic, classical signature, signers, ML-DSA signatures by
        signer)."""
        ids = list(self.signers) + [i for i, _ in self.pq_signatures]
        if not all(isinstance(i, int) and 0 <= i < 2**32 for i in ids):
            raise InvalidParameter("quorum certificate: signer identifiers must be integers in 0..2^32-1")
        w = ByteWriter("quorum certificate").put(b"PQZQ").lp(self.classical_signature).u32(len(self.signers))
        for i in self.signers:
            w.u32(i)
        w.u32(len(self.pq_signatures))
        for i, s in self.pq_signatures:
            w.u32(i).lp(s)
        return w.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> QuorumCertificate:
        """A certificate from its binary form, strictly checked; `InvalidEncoding` naming what is wrong."""
        r = ByteReader(data, "quorum certificate")
        if r.take(4) != b"PQZQ":
            raise InvalidEncoding("quorum certificate: bad magic")
        classical = r.lp()
        signers = tuple(r.u32() for _ in range(r.u32()))
        sigs = tuple((r.u32(), r.lp()) for _ in range(r.u32()))
        r.end()
        return cls(classical, signers, sigs)

    @property
    def size(self) -> int:
        """The certificate's length in bytes (for the comparison tables)."""
        return len(self.to_bytes())


def quorum_sign_share(scheme: ClassicalThresholdScheme, roster: Roster, signers: Sequence[int],
                      signer: int, sk: mldsa.MLDSAPrivateKey, message: bytes, *,
                      backend: str | None = None, rng: Callable[[int], bytes] | None = None) -> tuple[int, bytes]:
    """Signer `signer`'s ML-DSA signature over M_QC (checks it signs with its roster key)."""
    _check_signer_set(roster, signers)
    if signer not in signers:
        raise InvalidParameter(f"signer {signer} is not in the signer set {sorted(signers)}")
    if sk.public_key != roster.keys[signer]:
        raise InvalidParameter(f"signer {signer}'s key is not the one registered on the roster")
    rep = quorum_representative(scheme, roster, signers, message)
    return signer, mldsa.sign(roster.params, sk, rep, QC_CTX, backend=backend, rng=rng)


def _check_signer_set(roster: Roster, signers: Sequence[int]) -> None:
    seen: set[int] = set()
    for i in signers:
        if i in seen:
            raise InvalidParameter(f"duplicate signer {i} in the signer set")
        seen.add(i)
        if i not in roster.keys:
            raise InvalidParameter(f"signer {i} is not on the roster")
    if len(seen) < roster.threshold:
        raise InvalidParameter(f"signer set has {len(seen)} signers, below the threshold {roster.threshold}")


def verify_quorum(scheme: ClassicalThresholdScheme, roster: Roster, message: bytes,
                  cert: QuorumCertificate) -> None:
    """Both parts must verify; raises VerificationError naming the first fault found."""
    _check_scheme(scheme)
    if not isinstance(cert, QuorumCertificate):
        raise VerificationError(f"expected a QuorumCertificate, got {type(cert).__name__}")
    if not cert.classical_signature:
        raise VerificationError("missing part: no classical threshold signature")
    if not cert.pq_signatures:
        raise VerificationError("missing part: no post-quantum signatures")
    seen: set[int] = set()
    for i in cert.signers:
        if i in seen:
            raise VerificationError(f"duplicate signer {i} in the signer set")
        seen.add(i)
        if i not in roster.keys:
            raise VerificationError(f"signer {i} is not on the roster")
    signed: set[int] = set()
    for i, _ in cert.pq_signatures:
        if i in signed:
            raise VerificationError(f"duplicate signer {i}: two post-quantum signatures")
        signed.add(i)
        if i not in roster.keys:
            raise VerificationError(f"signer {i} is not on the roster")
        if i not in seen:
            raise VerificationError(f"signer {i} signed but is not in the declared signer set")
    missing = seen - signed
    if missing:
        raise VerificationError(f"missing part: no post-quantum signature from signer(s) {sorted(missing)}")
    if len(signed) < roster.threshold:
        raise VerificationError(f"only {len(signed)} distinct post-quantum signers, below the threshold {roster.threshold}")
    rep = quorum_representative(scheme, roster, cert.signers, message)
    for i, sig in cert.pq_signatures:
        if not mldsa.is_valid(roster.params, roster.keys[i], rep, sig, QC_CTX):
            raise VerificationError(f"post-quantum signature of signer {i} does not verify over this "
                                    "group key, roster, signer set and message")
    try:
        scheme.verify(rep, cert.classical_signature)
    except VerificationError as exc:
        raise VerificationError(f"classical threshold signature ({scheme.name}) does not verify: {exc}") from None


def _scheme_sign(scheme, signers, message: bytes, rng) -> bytes:
    # adapters outside this module may not take an rng: pass it only when one is given
    return scheme.sign(signers, message) if rng is None else scheme.sign(signers, message, rng=rng)


def authorize_quorum(scheme, classical_signers, roster: Roster, pq_keys: Mapping[int, mldsa.MLDSAPrivateKey],
                     message: bytes, *, rng: Callable[[int], bytes] | None = None) -> QuorumCertificate:
    """In-process convenience: the adapter's `sign(classical_signers, M_QC)` plus each PQ key's share.
    `rng` (None: the OS CSPRNG) drives the classical nonces and the ML-DSA rnd values."""
    signers = tuple(sorted(pq_keys))
    _check_signer_set(roster, signers)
    rep = quorum_representative(scheme, roster, signers, message)
    classical = _scheme_sign(scheme, classical_signers, rep, rng)
    pq = tuple(quorum_sign_share(scheme, roster, signers, i, pq_keys[i], message, rng=rng) for i in signers)
    return QuorumCertificate(classical, signers, pq)


# -- mode 2: composite with a Shamir-shared ML-DSA seed ---------------------------------------

def composite_representative(scheme: ClassicalThresholdScheme, pq_public_key: mldsa.MLDSAPublicKey,
                             message: bytes) -> bytes:
    """tag || scheme name || group key || ML-DSA key || message: what both parts sign."""
    return (COMPOSITE_CTX + lp_bytes(scheme.name.encode()) + lp_bytes(scheme.group_public_key)
            + lp_bytes(pq_public_key.params.encode() + b"\x00" + pq_public_key.key) + lp_bytes(message, what="message"))


@dataclass(frozen=True)
class CompositeAuthorization(_TwoParts):
    """Hybrid authorization, composite mode: classical threshold signature + one ML-DSA signature.

    The ML-DSA key's 32-byte seed is Shamir-shared over GF(2^8) (pqzk.sharing.bytes_shamir)
    among the n signers; `composite_pq_sign` takes t shares, reassembles the seed inside the
    signing operation, signs M_C = composite_representative(...) and drops it.

    Security argument, and why it is weaker. The classical part is genuinely t-of-n. The
    post-quantum part is t-of-n only at rest: ML-DSA has no practical threshold signing, so
    whichever process runs the combine-and-sign step holds the whole seed for that moment. A
    quantum adversary who forges the classical part needs only to compromise that one process,
    once — afterwards it can sign alone forever (the key does not change). Also the dealer that
    split the seed knew it, wrong shares reconstruct a wrong seed without identifying who sent
    them (we detect it by checking the derived public key, and abort), and the signer set is not
    bound into the signature. Against classical adversaries both modes are as strong as the
    threshold scheme; against quantum ones only the quorum certificate keeps threshold trust.
    What composite mode buys: one ML-DSA signature (3309 bytes for ML-DSA-65) whatever t is,
    and a single registered post-quantum key.
    """
    MAGIC, WHAT = b"PQZC", "composite authorization"
    classical_signature: bytes
    pq_signature: bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> CompositeAuthorization:
        """A composite-mode authorization from its binary form; `InvalidEncoding` when malformed."""
        return cls._decode(data)


def deal_pq_seed(params: str, threshold: int, num_signers: int, *,
                 rng: Callable[[int], bytes] | None = None) -> tuple[mldsa.MLDSAPublicKey, list]:
    """A fresh ML-DSA key whose seed is Shamir-shared t-of-n; returns (public key, seed shares).
    The dealer sees the seed once, here."""
    from ..math.rand import random_bytes
    from ..sharing.bytes_shamir import split_bytes
    seed = random_bytes(32, rng)
    pk = mldsa.keygen(params, seed=seed).public_key
    return pk, split_bytes(seed, threshold, num_signers, rng=rng)


def composite_pq_sign(scheme: ClassicalThresholdScheme, pq_public_key: mldsa.MLDSAPublicKey,
                      seed_shares: Sequence, message: bytes, threshold: int, *,
                      backend: str | None = None, rng: Callable[[int], bytes] | None = None) -> bytes:
    """Reassemble the seed from `threshold` shares, sign M_C, and forget the seed."""
    from ..sharing.bytes_shamir import reconstruct_bytes
    ids = [s.identifier for s in seed_shares]
    if len(set(ids)) != len(ids):
        raise InvalidParameter(f"duplicate signer among seed shares {sorted(ids)}")
    if len(ids) < threshold:
        raise InvalidParameter(f"{len(ids)} seed shares, below the threshold {threshold}")
    seed = reconstruct_bytes(list(seed_shares)[:threshold])
    sk = mldsa.keygen(pq_public_key.params, seed=seed)
    del seed
    if sk.public_key != pq_public_key:
        raise ProtocolAbort("seed shares reconstruct a key other than the registered ML-DSA key "
                            "(a share is wrong; plain Shamir cannot say whose)")
    return mldsa.sign(pq_public_key.params, sk, composite_representative(scheme, pq_public_key, message),
                      COMPOSITE_CTX, backend=backend, rng=rng)


def authorize_composite(scheme, classical_signers, pq_public_key: mldsa.MLDSAPublicKey, seed_shares: Sequence,
                        message: bytes, threshold: int, *,
                        rng: Callable[[int], bytes] | None = None) -> CompositeAuthorization:
    """Sign in composite mode: the classical threshold signature on the composite representative, then one ML-
    DSA signature from the recombined seed (see the class for why this is weaker)."""
    rep = composite_representative(scheme, pq_public_key, message)
    return CompositeAuthorization(_scheme_sign(scheme, classical_signers, rep, rng),
                                  composite_pq_sign(scheme, pq_public_key, seed_shares, message, threshold, rng=rng))


def verify_composite(scheme: ClassicalThresholdScheme, pq_public_key: mldsa.MLDSAPublicKey, message: bytes,
                     auth: CompositeAuthorization) -> None:
    """Both parts must verify; raises VerificationError naming the fault."""
    _check_scheme(scheme)
    rep = composite_representative(scheme, pq_public_key, message)
    _verify_two_parts(scheme, auth, CompositeAuthorization, rep,
                      lambda sig: mldsa.is_valid(pq_public_key.params, pq_public_key, rep, sig, COMPOSITE_CTX),
                      "post-quantum (ML-DSA) signature does not verify over this group key and message")


# -- mode 3: one FIPS 204 signature by a threshold ML-DSA committee ---------------------------

def _committee(committee):
    from ..threshold.mldsa import ThresholdPublicKey
    if not isinstance(committee, ThresholdPublicKey):
        raise InvalidParameter(f"committee must be a threshold ML-DSA ThresholdPublicKey, got {type(committee).__name__}")
    return committee


def threshold_mldsa_representative(scheme: ClassicalThresholdScheme, committee, message: bytes) -> bytes:
    """tag || scheme name || group key || (parameter set, T, N, ML-DSA key) || message: what the
    classical group and the committee both sign (the committee with FIPS 204 context
    THRESHOLD_MLDSA_CTX)."""
    c = _committee(committee)
    p = c.params
    return (THRESHOLD_MLDSA_CTX + lp_bytes(scheme.name.encode()) + lp_bytes(scheme.group_public_key)
            + lp_bytes(p.name.encode() + bytes([0, p.T, p.N]) + c.public_key) + lp_bytes(message, what="message"))


@dataclass(frozen=True)
class ThresholdMLDSAAuthorization(_TwoParts):
    """Hybrid authorization, threshold ML-DSA mode: classical threshold signature + one standard
    FIPS 204 signature by a T-of-N threshold ML-DSA committee (eprint 2026/013).

    Security argument. The classical part is as in the other modes. The post-quantum part is a
    plain ML-DSA signature over M_T = threshold_mldsa_representative(...) under the committee's
    public key, which no party ever held: producing it takes T committee members running the
    threshold protocol, at rest and when signing (unlike composite mode's reassembled seed). A
    quantum adversary who forges the classical part still needs T committee members or an ML-DSA
    forgery; any FIPS 204 verifier checks the signature. Limits: the key was dealt by a trusted
    dealer, who knew it (the paper's setting); the signature shows that T of the committee
    agreed, not which T (a quorum certificate names them), so role requirements of a policy are
    not evidenced post-quantum; T and N are bound into M_T, but only a registry that says this
    key is a T-of-N committee makes that meaningful. Cost: one ML-DSA signature (2420 bytes for
    ML-DSA-44) whatever T is, three rounds and K parallel attempts to make it.
    """
    MAGIC, WHAT = b"PQZT", "threshold ML-DSA authorization"
    classical_signature: bytes
    pq_signature: bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> ThresholdMLDSAAuthorization:
        """A threshold-ML-DSA authorization from its binary form; `InvalidEncoding` when malformed."""
        return cls._decode(data)


def threshold_mldsa_pq_sign(scheme: ClassicalThresholdScheme, committee, shares: Mapping, quorum: Sequence[int],
                            message: bytes, *, rng: Callable[[int], bytes] | None = None):
    """The committee's signature over M_T, all of `quorum` in this process (pqzk.threshold.mldsa
    sign_local); `pqzk.runtime` runs the same rounds between separate parties. Returns the
    LocalSigning record (signature, rounds, attempts, bytes sent)."""
    from ..threshold.mldsa import sign_local
    rep = threshold_mldsa_representative(scheme, committee, message)
    return sign_local(committee, shares, quorum, rep, THRESHOLD_MLDSA_CTX, rng=rng)


def authorize_threshold_mldsa(scheme, classical_signers, committee, shares: Mapping, quorum: Sequence[int],
                              message: bytes, *, rng: Callable[[int], bytes] | None = None
                              ) -> ThresholdMLDSAAuthorization:
    """In-process convenience: the adapter's `sign(classical_signers, M_T)` and the committee's
    threshold ML-DSA signature by `quorum` (exactly T of its parties)."""
    rep = threshold_mldsa_representative(scheme, committee, message)
    pq = threshold_mldsa_pq_sign(scheme, committee, shares, quorum, message, rng=rng)
    return ThresholdMLDSAAuthorization(_scheme_sign(scheme, classical_signers, rep, rng), pq.signature)


def verify_threshold_mldsa(scheme: ClassicalThresholdScheme, committee, message: bytes,
                           auth: ThresholdMLDSAAuthorization) -> None:
    """Both parts must verify; raises VerificationError naming the fault."""
    _check_scheme(scheme)
    c = _committee(committee)
    rep = threshold_mldsa_representative(scheme, c, message)
    _verify_two_parts(scheme, auth, ThresholdMLDSAAuthorization, rep,
                      lambda sig: mldsa.is_valid(c.params.name, c.public_key, rep, sig, THRESHOLD_MLDSA_CTX),
                      f"post-quantum signature of the {c.params.T}-of-{c.params.N} ML-DSA committee "
                      "does not verify over this group key and message")
