"""The `Authorization`: what the custody group hands back for an allowed request.

    digest = SHA-256("pqzk/authorization/v1" ‖ lp(suite) ‖ lp(group key) ‖ request digest
                     ‖ u32 policy version ‖ policy digest ‖ u32 |S| ‖ u32 id for id in S ‖ pq mode)

The FROST signature is over `digest` itself — an ordinary Ed25519 (or other suite) signature
under the group key. When the policy requires post-quantum evidence it comes in one of two modes
(the pq mode byte: 0 none, 1 quorum certificate, 2 threshold ML-DSA):

* quorum certificate — the FROST signature and every signer's ML-DSA signature are over the
  quorum-certificate representative of the digest (`pqzk.pq.hybrid.quorum_representative`,
  which also binds the ML-DSA roster), and the authorization carries the ML-DSA signatures:
  together they form a `hybrid.QuorumCertificate`;
* threshold ML-DSA — the FROST signature and one FIPS 204 signature by the custody's T-of-N
  threshold ML-DSA committee (`pqzk.threshold.mldsa`) are over the threshold representative
  of the digest (`hybrid.threshold_mldsa_representative`, which binds the committee key): a
  `hybrid.ThresholdMLDSAAuthorization`. The committee's T must be at least the policy quorum's
  signer count; it shows that T committee members signed, not which.

Encoding (strict): "PQZA" ‖ u8 version ‖ lp(suite) ‖ lp(group key) ‖ request digest (32)
‖ u32 policy version ‖ policy digest (32) ‖ u32 |S| ‖ u32 ids (strictly increasing)
‖ lp(signature) ‖ u32 k ‖ k × (u32 id ‖ lp(ML-DSA signature)), version 1; version 2 (threshold
ML-DSA) has k = 0 and ends with lp(the committee's ML-DSA signature).
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from ..encoding import ByteReader, ByteWriter
from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, VerificationError
from .evaluate import check_signers
from .model import Policy
from .request import AuthorizationRequest
from .rules import pq_evidence_required, required_quorum

MAGIC = b"PQZA"
FORMAT_VERSION = 1
FORMAT_VERSION_THRESHOLD = 2
DOMAIN = b"pqzk/authorization/v1"
PQ_NONE, PQ_QUORUM, PQ_THRESHOLD = 0, 1, 2


def authorization_digest(suite: str, group_key: bytes, request_digest: bytes, policy_version: int,
                         policy_digest: bytes, signers: Sequence[int], pq: bool | int) -> bytes:
    """`pq`: the post-quantum mode (PQ_NONE, PQ_QUORUM, PQ_THRESHOLD; a bool means none/quorum)."""
    ids = sorted(signers)
    w = (ByteWriter("authorization digest").put(DOMAIN).lp(suite.encode()).lp(group_key).put(request_digest)
         .u32(policy_version).put(policy_digest).u32(len(ids)))
    for i in ids:
        w.u32(i)
    return hashlib.sha256(w.uint(int(pq), 1).to_bytes()).digest()


def pq_mode(pq_required: bool, committee=None) -> int:
    """The post-quantum mode of an authorization: none, or the custody's kind of evidence."""
    if not pq_required:
        return PQ_NONE
    return PQ_THRESHOLD if committee is not None else PQ_QUORUM


def frost_scheme(suite, verifying_key, min_signers: int):
    """The hybrid layer's view of the FROST group key. A signer holds only its KeyPackage, so
    the package is rebuilt from the group key and threshold (the scheme reads nothing else)."""
    from ..pq.hybrid import FrostScheme
    from ..threshold.frost.types import PublicKeyPackage
    return FrostScheme(suite, PublicKeyPackage(suite, {}, verifying_key, min_signers))


def signed_message(suite, verifying_key, min_signers: int, digest: bytes, signers: Sequence[int],
                   roster=None, committee=None) -> bytes:
    """What the FROST signers sign: the digest, or its quorum-certificate representative (with a
    roster), or its threshold ML-DSA representative (with a committee key)."""
    scheme = frost_scheme(suite, verifying_key, min_signers)
    if committee is not None:
        from ..pq.hybrid import threshold_mldsa_representative
        return threshold_mldsa_representative(scheme, committee, digest)
    if roster is None:
        return digest
    from ..pq.hybrid import quorum_representative
    return quorum_representative(scheme, roster, sorted(signers), digest)


@dataclass(frozen=True)
class Authorization:
    suite: str
    group_key: bytes
    request_digest: bytes
    policy_version: int
    policy_digest: bytes
    signers: tuple[int, ...]
    signature: bytes
    pq_signatures: tuple[tuple[int, bytes], ...] = ()
    pq_threshold_signature: bytes = b""

    @property
    def pq(self) -> bool:
        """Whether the authorization carries post-quantum evidence."""
        return self.pq_mode != PQ_NONE

    @property
    def pq_mode(self) -> int:
        """Which post-quantum evidence it carries: none, a quorum of ML-DSA signatures, or one threshold ML-
        DSA signature."""
        return PQ_THRESHOLD if self.pq_threshold_signature else PQ_QUORUM if self.pq_signatures else PQ_NONE

    def digest(self) -> bytes:
        """The digest the threshold signature covers: suite, group key, request, policy version and digest,
        signers and the kind of post-quantum evidence."""
        return authorization_digest(self.suite, self.group_key, self.request_digest, self.policy_version,
                                    self.policy_digest, self.signers, self.pq_mode)

    def to_bytes(self) -> bytes:
        """The authorization's binary form; `InvalidParameter` when it carries both kinds of post-quantum
        evidence."""
        if self.pq_signatures and self.pq_threshold_signature:
            raise InvalidParameter("an authorization carries one kind of post-quantum evidence, not two")
        version = FORMAT_VERSION_THRESHOLD if self.pq_threshold_signature else FORMAT_VERSION
        w = (ByteWriter("authorization").put(MAGIC).uint(version, 1).lp(self.suite.encode()).lp(self.group_key)
             .put(self.request_digest).u32(self.policy_version).put(self.policy_digest).u32(len(self.signers)))
        for i in self.signers:
            w.u32(i)
        w.lp(self.signature).u32(len(self.pq_signatures))
        for i, s in self.pq_signatures:
            w.u32(i).lp(s)
        if self.pq_threshold_signature:
            w.lp(self.pq_threshold_signature)
        return w.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Authorization":
        """An authorization from its binary form, strictly checked; `InvalidEncoding` naming what is wrong."""
        r = ByteReader(data, "authorization")
        if r.take(4) != MAGIC:
            raise InvalidEncoding("authorization: bad magic")
        version = r.take(1)[0]
        if version not in (FORMAT_VERSION, FORMAT_VERSION_THRESHOLD):
            raise InvalidEncoding("authorization: unknown format version")
        try:
            suite = r.lp().decode("ascii")
        except UnicodeDecodeError:
            raise InvalidEncoding("authorization: suite name is not ASCII") from None
        group_key, req, pv, pd = r.lp(), r.take(32), r.u32(), r.take(32)
        n = r.u32()
        if n > len(data):
            raise InvalidEncoding("authorization: truncated")
        signers = tuple(r.u32() for _ in range(n))
        if not signers or list(signers) != sorted(set(signers)) or signers[0] == 0:
            raise InvalidEncoding("authorization: signer set must be non-empty, strictly increasing, nonzero")
        sig = r.lp()
        k = r.u32()
        if k > len(data):
            raise InvalidEncoding("authorization: truncated")
        pq = tuple((r.u32(), r.lp()) for _ in range(k))
        ids = [i for i, _ in pq]
        if ids != sorted(set(ids)):
            raise InvalidEncoding("authorization: post-quantum signatures must be sorted by distinct signer")
        threshold_sig = b""
        if version == FORMAT_VERSION_THRESHOLD:
            threshold_sig = r.lp()
            if pq or not threshold_sig:
                raise InvalidEncoding("authorization: threshold ML-DSA evidence is one signature and nothing else")
        r.end()
        out = cls(suite, group_key, req, pv, pd, signers, sig, pq, threshold_sig)
        if out.to_bytes() != bytes(data):
            raise InvalidEncoding("authorization: non-canonical encoding")
        return out

    def to_dict(self) -> dict:
        """The authorization as a JSON-ready summary (hex values; digests of the post-quantum evidence)."""
        d = {"suite": self.suite, "group_key": self.group_key.hex(), "request_digest": self.request_digest.hex(),
             "policy_version": self.policy_version, "policy_digest": self.policy_digest.hex(),
             "signers": list(self.signers), "signature": self.signature.hex(), "digest": self.digest().hex()}
        if self.pq_signatures:
            d["pq_signers"] = [i for i, _ in self.pq_signatures]
        if self.pq_threshold_signature:
            d["pq_threshold_signature_sha256"] = hashlib.sha256(self.pq_threshold_signature).hexdigest()
        return d


def verify_authorization(auth: Authorization, request: AuthorizationRequest, policy: Policy,
                         public_key_package, *, roster=None, committee=None, check_proof: bool = True) -> None:
    """Check an authorization for `request` under `policy` and the FROST group key.

    Checks: it names this request, policy version and digest, and group key; its signer set
    satisfies the policy's quorum for the (charged) amount; post-quantum evidence is present
    when the policy requires it and verifies — a quorum certificate against `roster`, a threshold
    ML-DSA signature against `committee` (a ThresholdPublicKey whose T covers the quorum's signer
    count); the signature verifies; a private request's compliance proof verifies. Raises
    VerificationError naming the fault. This does not check replay: that needs the history (the
    signers keep it; see flow).
    """
    from ..threshold import frost
    if not isinstance(auth, Authorization):
        raise VerificationError("not an Authorization")
    pkp = public_key_package
    suite = pkp.suite
    if auth.suite != suite.name:
        raise VerificationError(f"authorization is for suite {auth.suite!r}, the key is {suite.name!r}")
    if auth.group_key != pkp.verifying_key.to_bytes():
        raise VerificationError("authorization is under another group key")
    if auth.request_digest != request.digest():
        raise VerificationError("authorization is for another request")
    if auth.policy_version != policy.version or request.policy_version != policy.version:
        raise VerificationError(f"authorization is for policy version {auth.policy_version}, "
                                f"this policy is version {policy.version}")
    if auth.policy_digest != policy.digest():
        raise VerificationError("authorization is for another policy (digest differs)")
    quorum = required_quorum(policy, request.charged_amount)
    try:
        check_signers(policy, quorum, auth.signers)
    except PolicyViolation as exc:
        raise VerificationError(f"signer set does not satisfy the policy: {exc.detail}") from None
    if len(auth.signers) < pkp.min_signers:
        raise VerificationError(f"{len(auth.signers)} signers, the group key needs {pkp.min_signers}")
    if pq_evidence_required(policy, request) and not auth.pq:
        raise VerificationError("policy requires post-quantum evidence for this amount; none attached")
    if auth.pq_mode == PQ_QUORUM and roster is None:
        raise VerificationError("authorization carries post-quantum evidence: a roster is needed to check it")
    if auth.pq_mode == PQ_THRESHOLD:
        if committee is None:
            raise VerificationError("authorization carries a threshold ML-DSA signature: the committee's "
                                    "public key is needed to check it")
        if committee.params.T < quorum.min_signers:
            raise VerificationError(f"the threshold ML-DSA committee needs {committee.params.T} signers, fewer than "
                                    f"the {quorum.min_signers} this amount requires")
    if check_proof and request.private is not None:
        from .private import verify_private_terms
        try:
            verify_private_terms(policy, request)
        except PolicyViolation as exc:
            raise VerificationError(str(exc)) from None
    digest = auth.digest()
    if auth.pq_mode == PQ_QUORUM:
        from ..pq.hybrid import QuorumCertificate, verify_quorum
        scheme = frost_scheme(suite, pkp.verifying_key, pkp.min_signers)
        verify_quorum(scheme, roster, digest, QuorumCertificate(auth.signature, auth.signers, auth.pq_signatures))
        return
    if auth.pq_mode == PQ_THRESHOLD:
        from ..pq.hybrid import ThresholdMLDSAAuthorization, verify_threshold_mldsa
        scheme = frost_scheme(suite, pkp.verifying_key, pkp.min_signers)
        try:
            verify_threshold_mldsa(scheme, committee, digest,
                                   ThresholdMLDSAAuthorization(auth.signature, auth.pq_threshold_signature))
        except InvalidParameter as exc:
            raise VerificationError(str(exc)) from None
        return
    try:
        frost.verify(suite, pkp.verifying_key, digest, auth.signature)
    except InvalidEncoding as exc:
        raise VerificationError(f"threshold signature malformed: {exc}") from None
