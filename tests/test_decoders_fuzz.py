"""Every public decoder of the kit, fed arbitrary and mutated bytes, raises only pqzk.errors
exceptions (issue 2: "hypothesis fuzzing of every decode/from_bytes shows only pqzk.errors");
fed a bytes-like copy of a valid encoding (bytearray, memoryview, a slice of a larger buffer) it
decodes to what the bytes decode to, and fed anything else (None, str, int, list, float) it
raises `InvalidParameter` (issue 15 §4).

Each area also has its own negative tests; this file is the one place that sweeps them all, so
a new decoder belongs in DECODERS (with a valid encoding in `_valid_encodings`) and its name in
COVERED; `test_every_public_decoder_is_swept` finds the ones that are not.
"""
import ast
import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import pqzk
from pqzk.errors import InvalidParameter, PqzkError
from pqzk.groups import bls12_381_ref as bls_ref
from pqzk.groups import get_group, group_names
from pqzk.groups.bls12_381 import GT
from pqzk.groups.ed25519 import decode_xy as ed25519_decode_xy
from pqzk.groups.ed448 import decode_xy as ed448_decode_xy
from pqzk.math.native_field import FIELD_IDS, native_field
from pqzk.pq import composite, hybrid, mldsa, mlkem, pkcs8, xwing
from pqzk.policy.audit_format import Head, HeadFile
from pqzk.policy import messages as policy_messages
from pqzk.policy.authorization import Authorization
from pqzk import files as pqzk_files
from pqzk.node.answers import decode_answers, encode_answers
from pqzk.node.report import Report as NodeReport
from pqzk.node.service import Invitation as NodeInvitation
from pqzk.runtime import wire as runtime_wire
from pqzk.runtime.transports.files import decode_bundle, encode_bundle
from pqzk.runtime.frost_parties import decode_sign_request
from pqzk.runtime import tmldsa_parties
from pqzk.pq import fips204
from pqzk.threshold import mldsa as tmldsa
from pqzk.threshold.mldsa import signing as tmldsa_signing
from pqzk.runtime.messages import Kind, Message
from pqzk.sharing import bytes_shamir, refresh, shamir, vss
from pqzk.threshold.frost import dkg as frost_dkg
from pqzk.threshold.frost import types as frost_types
from pqzk.threshold.frost.ciphersuite import ciphersuite_names, get_ciphersuite
from pqzk.tokens import backup, envelope, pve, recipient, store
from pqzk.zk import compliance, membership, possession, range as zrange, sigma

SECP = get_group("secp256k1")
RIST = get_group("ristretto255")
POLICY = compliance.CompliancePolicy(b"p", 200, (b"alice", b"bob"), 0, bits=8)
GK_MEMBERS = list(range(1, 17))
SCHNORR_X = sigma.Secret("x")
SCHNORR = sigma.schnorr(SECP.generator(), SCHNORR_X)
PASSPHRASE = "decoder sweep"


def _decoders():
    out = {}
    for name in group_names():
        g = get_group(name)
        out[f"{name}.decode"] = g.decode
        out[f"{name}.scalar_decode"] = g.scalar_decode
        out[f"shamir.Share[{name}]"] = lambda d, g=g: shamir.Share.from_bytes(g, d)
        out[f"vss.FeldmanCommitment[{name}]"] = lambda d, g=g: vss.FeldmanCommitment.from_bytes(g, d)
        if hasattr(g, "decode_on_curve"):   # BLS12-381: every check but the subgroup one
            out[f"{name}.decode_on_curve"] = g.decode_on_curve
        if hasattr(g, "decode_uncompressed"):
            out[f"{name}.decode_uncompressed"] = g.decode_uncompressed
    for g in (bls_ref.G1, bls_ref.G2):        # the Python reference kept for cross-checks
        out[f"{g.name}_ref.decode"] = g.decode
        out[f"{g.name}_ref.decode_uncompressed"] = g.decode_uncompressed
    out["ed25519.decode_xy"] = ed25519_decode_xy
    out["ed448.decode_xy"] = ed448_decode_xy
    out["bls12_381.GT"] = GT.from_bytes
    for f in FIELD_IDS:
        out[f"native_field[{f}]"] = native_field(f).from_bytes
    for name in ciphersuite_names():
        s = get_ciphersuite(name)
        for cls in ("SigningCommitments", "SigningNonces", "SignatureShare", "Signature", "KeyPackage",
                    "PublicKeyPackage"):
            out[f"frost.{cls}[{name}]"] = lambda d, s=s, c=getattr(frost_types, cls): c.from_bytes(s, d)
        out[f"frost.dkg.decode_proof[{name}]"] = lambda d, s=s: frost_dkg.decode_proof(s, d)
        out[f"frost.dkg.decode_round1[{name}]"] = lambda d, s=s: frost_dkg.decode_round1(s, d, 2)
        out[f"frost.dkg.decode_round2[{name}]"] = lambda d, s=s: frost_dkg.decode_round2(s, d)
        out[f"runtime.decode_sign_request[{name}]"] = lambda d, s=s: decode_sign_request(s, d)
        out[f"frost.hooks.decode_signature[{name}]"] = lambda d, s=s: s.hooks.decode_signature(s.group, d)
        out[f"frost.hooks.decode_verifying_key[{name}]"] = lambda d, s=s: s.hooks.decode_verifying_key(s.group, d)
    ed = get_ciphersuite("FROST-ED25519-SHA512-v1")
    for kind, cls in policy_messages.BODIES.items():
        out[f"policy.messages.{cls.__name__}"] = lambda d, c=cls: c.from_payload(d, ed)
    for p in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87"):
        out[f"mldsa.PublicKey[{p}]"] = lambda d, p=p: mldsa.MLDSAPublicKey.from_bytes(p, d)
        out[f"mldsa.PublicKey.from_spki[{p}]"] = mldsa.MLDSAPublicKey.from_spki
        out[f"mldsa.PrivateKey.from_pkcs8[{p}]"] = mldsa.MLDSAPrivateKey.from_pkcs8
    for p in ("ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"):
        out[f"mlkem.PublicKey[{p}]"] = lambda d, p=p: mlkem.MLKEMPublicKey.from_bytes(p, d)
    # key containers (issue 19): SPKI / PKCS#8 of every key type, the seed-or-expanded choice, PEM
    out["mldsa.PrivateKey.from_expanded[ML-DSA-44]"] = lambda d: mldsa.MLDSAPrivateKey.from_expanded("ML-DSA-44", d)
    out["mlkem.PublicKey.from_spki"] = mlkem.MLKEMPublicKey.from_spki
    out["mlkem.PrivateKey.from_pkcs8"] = mlkem.MLKEMPrivateKey.from_pkcs8
    out["xwing.PublicKey.from_spki"] = xwing.XWingPublicKey.from_spki
    out["xwing.PrivateKey.from_pkcs8"] = xwing.XWingPrivateKey.from_pkcs8
    out["pkcs8.decode_spki"] = lambda d: pkcs8.decode_spki(d, {xwing.OID: "X-Wing"}, "X-Wing")
    out["pkcs8.decode_pkcs8"] = lambda d: pkcs8.decode_pkcs8(d, {xwing.OID: "X-Wing"}, "X-Wing")
    out["pkcs8.decode_seed_or_expanded"] = lambda d: tuple(x or b"" for x in pkcs8.decode_seed_or_expanded(d, "ML-DSA"))
    out["pkcs8.pem_decode"] = pkcs8.pem_decode
    for alg in list(composite.ALGORITHMS)[:4]:
        out[f"composite.PublicKey[{alg}]"] = lambda d, a=alg: composite.CompositePublicKey.from_bytes(a, d)
        out[f"composite.PrivateKey[{alg}]"] = lambda d, a=alg: composite.CompositePrivateKey.from_bytes(a, d)
        out[f"composite.PublicKey.from_spki[{alg}]"] = composite.CompositePublicKey.from_spki
        out[f"composite.PrivateKey.from_pkcs8[{alg}]"] = composite.CompositePrivateKey.from_pkcs8
    from pqzk.ot import PairwiseOt
    from pqzk.threshold.ecdsa import EcdsaKeyShare, EcdsaSignature
    for curve in ("secp256k1", "p256"):
        out[f"ecdsa.EcdsaSignature[{curve}]"] = lambda d, c=curve: EcdsaSignature.from_bytes(c, d)
    out["ecdsa.EcdsaKeyShare"] = EcdsaKeyShare.from_bytes
    out["ot.PairwiseOt"] = PairwiseOt.from_bytes
    for p in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87"):
        fp = fips204.params(p)
        out[f"fips204.pk_decode[{p}]"] = lambda d, fp=fp: _arrays_as_bytes(fips204.pk_decode(d, fp))
        out[f"fips204.sk_decode[{p}]"] = lambda d, fp=fp: _arrays_as_bytes(fips204.sk_decode(d, fp))
        out[f"fips204.sig_decode[{p}]"] = lambda d, fp=fp: _arrays_as_bytes(fips204.sig_decode(d, fp))
    tp = tmldsa.get_params("ML-DSA-44", 2, 3)
    out.update({
        "tmldsa.ThresholdPublicKey": tmldsa.ThresholdPublicKey.from_bytes,
        "tmldsa.KeyShare": tmldsa.KeyShare.from_bytes,
        "tmldsa.decode_reveal": lambda d: _arrays_as_bytes(tmldsa_signing.decode_reveal(tp, d)),
        "tmldsa.decode_response": lambda d: _arrays_as_bytes(tmldsa_signing.decode_response(tp, d)),
        "runtime.tmldsa.decode_request": tmldsa_parties.decode_request,
        "runtime.tmldsa.decode_forwarded": lambda d: tmldsa_parties.decode_forwarded(d, "list"),
    })
    out.update({
        "xwing.PublicKey": xwing.XWingPublicKey.from_bytes,
        "xwing.PrivateKey": xwing.XWingPrivateKey.from_bytes,
        "hybrid.QuorumCertificate": hybrid.QuorumCertificate.from_bytes,
        "hybrid.CompositeAuthorization": hybrid.CompositeAuthorization.from_bytes,
        "hybrid.ThresholdMLDSAAuthorization": hybrid.ThresholdMLDSAAuthorization.from_bytes,
        "policy.Authorization": Authorization.from_bytes,
        "policy.AuditHeadFile": HeadFile.from_bytes,
        "runtime.wire.decode": runtime_wire.decode,
        "node.Invitation": NodeInvitation.from_payload,
        "node.Report": NodeReport.from_payload,
        "node.decode_answers": decode_answers,
        "runtime.files.decode_bundle": decode_bundle,
        "files.decode_text": lambda d: pqzk_files.decode_text(d, "a document"),
        "bytes_shamir.BytesShare": bytes_shamir.BytesShare.from_bytes,
        "refresh.ZeroSharingCommitment": lambda d: refresh.ZeroSharingCommitment.from_bytes(SECP, d),
        "vss.PedersenShare": lambda d: vss.PedersenShare.from_bytes(SECP, d),
        "vss.PedersenCommitment": lambda d: vss.PedersenCommitment.from_bytes(SECP, d),
        "tokens.SealedRecord": envelope.SealedRecord.from_bytes,
        "tokens.RecipientPublicKey": recipient.RecipientPublicKey.from_bytes,
        "tokens.ShareMetadata": store.ShareMetadata.from_bytes,
        "tokens.PVEProof": pve.PVEProof.from_bytes,
        "tokens.backup_metadata": backup.backup_metadata,
        "tokens.load_recovery_key": lambda d: backup.load_recovery_key(d, PASSPHRASE),
        "zk.RangeProof": lambda d: zrange.RangeProof.from_bytes(RIST, d),
        "zk.PossessionProof": lambda d: possession.PossessionProof.from_bytes(SECP, d),
        "zk.GKProof": lambda d: membership.GKProof.from_bytes(SECP, d, 4),
        "zk.MembershipProof": lambda d: membership.MembershipProof.from_bytes(SECP, d, [1, 2, 3]),
        "zk.TransactionCommitments": lambda d: compliance.TransactionCommitments.from_bytes(SECP, d),
        "zk.ComplianceProof": lambda d: compliance.ComplianceProof.from_bytes(POLICY, d),
        "zk.SigmaProof": lambda d: sigma.SigmaProof.from_bytes(SCHNORR, d),
    })
    return out


def _arrays_as_bytes(decoded):
    """numpy arrays in a decoder's output as bytes, so that decodings compare by value."""
    import numpy as np
    if isinstance(decoded, np.ndarray):
        return decoded.tobytes()
    if isinstance(decoded, tuple):
        return tuple(_arrays_as_bytes(x) for x in decoded)
    return decoded


# the public decoders (module:qualname) DECODERS exercises; see test_every_public_decoder_is_swept
COVERED = {
    "groups.base:Group.decode", "groups.base:Group.scalar_decode",
    "ot.setup:PairwiseOt.from_bytes", "threshold.ecdsa.keys:EcdsaKeyShare.from_bytes",
    "threshold.ecdsa.signature:EcdsaSignature.from_bytes",
    "groups.bls12_381_native:GT.from_bytes", "groups.bls12_381_ref:BLS12381Group.decode_uncompressed", "groups.ed25519:decode_xy", "groups.ed448:decode_xy",
    "math.ec:EdwardsCurve.decode_xy", "math.native_field:NativeField.from_bytes",
    "policy.authorization:Authorization.from_bytes", "policy.audit_format:HeadFile.from_bytes",
    "policy.messages:Body.from_payload", "runtime.wire:decode", "files:decode_text",
    "node.service:Invitation.from_payload", "node.report:Report.from_payload", "runtime.transports.files:decode_bundle",
    "node.answers:decode_answers",
    "pq.composite:CompositePublicKey.from_bytes", "pq.composite:CompositePublicKey.from_spki",
    "pq.composite:CompositePrivateKey.from_bytes", "pq.composite:CompositePrivateKey.from_pkcs8",
    "pq.hybrid:QuorumCertificate.from_bytes", "pq.hybrid:CompositeAuthorization.from_bytes",
    "pq.hybrid:ThresholdMLDSAAuthorization.from_bytes",
    "pq.keys:PQPublicKey.from_bytes", "pq.keys:PQPublicKey.from_spki",   # ML-DSA's and ML-KEM's
    "pq.mldsa:MLDSAPrivateKey.from_pkcs8",
    "pq.xwing:XWingPublicKey.from_bytes", "pq.xwing:XWingPrivateKey.from_bytes",
    "pq.xwing:XWingPublicKey.from_spki", "pq.xwing:XWingPrivateKey.from_pkcs8",
    "pq.mlkem:MLKEMPrivateKey.from_pkcs8",
    "pq.pkcs8:decode_spki", "pq.pkcs8:decode_pkcs8", "pq.pkcs8:decode_seed_or_expanded", "pq.pkcs8:pem_decode",
    "runtime.frost_parties:decode_sign_request",
    "sharing.bytes_shamir:BytesShare.from_bytes", "sharing.refresh:ZeroSharingCommitment.from_bytes",
    "sharing.shamir:Share.from_bytes", "sharing.vss:FeldmanCommitment.from_bytes",
    "sharing.vss:PedersenShare.from_bytes", "sharing.vss:PedersenCommitment.from_bytes",
    "threshold.frost.dkg:decode_proof", "threshold.frost.dkg:decode_round1", "threshold.frost.dkg:decode_round2",
    "threshold.frost.ciphersuite:SchnorrHooks.decode_signature", "threshold.frost.ciphersuite:Bip340Hooks.decode_signature",
    "threshold.frost.ciphersuite:SchnorrHooks.decode_verifying_key",
    "threshold.frost.ciphersuite:Bip340Hooks.decode_verifying_key",
    "threshold.frost.types:SigningCommitments.from_bytes", "threshold.frost.types:SigningNonces.from_bytes",
    "threshold.frost.types:SignatureShare.from_bytes", "threshold.frost.types:Signature.from_bytes",
    "threshold.frost.types:KeyPackage.from_bytes", "threshold.frost.types:PublicKeyPackage.from_bytes",
    "tokens.backup:backup_metadata", "tokens.backup:load_recovery_key",
    "tokens.envelope:SealedRecord.from_bytes", "tokens.pve:PVEProof.from_bytes",
    "tokens.recipient:RecipientPublicKey.from_bytes", "tokens.store:ShareMetadata.from_bytes",
    "zk.compliance:TransactionCommitments.from_bytes", "zk.compliance:ComplianceProof.from_bytes",
    "zk.membership:GKProof.from_bytes", "zk.membership:MembershipProof.from_bytes",
    "zk.possession:PossessionProof.from_bytes", "zk.range:RangeProof.from_bytes",
    "zk.sigma:SigmaProof.from_bytes",
    "pq.fips204:pk_decode", "pq.fips204:sk_decode", "pq.fips204:sig_decode",
    "threshold.mldsa.keys:ThresholdPublicKey.from_bytes", "threshold.mldsa.keys:KeyShare.from_bytes",
    "threshold.mldsa.signing:decode_reveal", "threshold.mldsa.signing:decode_response",
    "runtime.tmldsa_parties:decode_request", "runtime.tmldsa_parties:decode_forwarded",
}
# named like decoders but not given bytes: text mnemonics (SLIP-39 has its own negative tests)
NOT_BYTE_DECODERS = {"sharing.slip39:decode_mnemonics"}


class _OneShareStore:
    """Just enough of a ShareStore for export_backup: one share, handed out for one `with`."""

    def __init__(self, meta: store.ShareMetadata, value: bytes) -> None:
        self.meta, self.value = meta, value

    @contextlib.contextmanager
    def get(self, key_id: str):
        share = store.UnsealedShare(self.meta, self.value)
        try:
            yield share
        finally:
            share.wipe()


def _valid_encodings() -> dict[str, bytes]:
    """A valid encoding for every decoder, so that the mutation sweep below starts from bytes
    that decode (random bytes rarely get past the length check) and the bytes-like sweep has
    something to compare."""
    from pqzk.dkg.pedersen import ProofOfKnowledge
    from pqzk.math.rand import DeterministicRNG
    from pqzk.runtime.frost_parties import encode_sign_request
    from pqzk.threshold import frost
    from pqzk.threshold.frost import core
    from pqzk.tokens.passphrase import KdfParams
    rng = DeterministicRNG(b"decoders")
    out = {}
    for name in group_names():
        g = get_group(name)
        out[f"{name}.decode"] = g.generator().to_bytes()
        out[f"{name}.scalar_decode"] = g.scalar_encode(g.order - 1)
        shares, com = vss.feldman_deal(g, g.random_scalar(rng), 2, 3, rng=rng)
        out[f"shamir.Share[{name}]"] = shares[0].to_bytes(g)
        out[f"vss.FeldmanCommitment[{name}]"] = com.to_bytes()
        if hasattr(g, "decode_on_curve"):
            out[f"{name}.decode_on_curve"] = g.generator().to_bytes()
        if hasattr(g, "encode_uncompressed"):
            out[f"{name}.decode_uncompressed"] = g.encode_uncompressed(g.generator())
    for g in (bls_ref.G1, bls_ref.G2):
        out[f"{g.name}_ref.decode"] = g.generator().to_bytes()
        out[f"{g.name}_ref.decode_uncompressed"] = g.encode_uncompressed(g.generator())
    out["ed25519.decode_xy"] = get_group("ed25519").generator().to_bytes()
    out["ed448.decode_xy"] = get_group("ed448").generator().to_bytes()
    from pqzk.groups.bls12_381 import pairing
    out["bls12_381.GT"] = pairing(get_group("bls12_381_g1").generator(), get_group("bls12_381_g2").generator()).to_bytes()
    for f in FIELD_IDS:
        out[f"native_field[{f}]"] = native_field(f).to_bytes(5)
    for name in ciphersuite_names():
        s = get_ciphersuite(name)
        kps, pkp = frost.trusted_dealer_keygen(s, 2, 3, rng=rng)
        nonces, comm = core.commit(s, 1, kps[1].signing_share, rng)
        _, comm2 = core.commit(s, 2, kps[2].signing_share, rng)
        out[f"frost.SigningCommitments[{name}]"] = comm.to_bytes()
        out[f"frost.SigningNonces[{name}]"] = nonces.to_bytes()
        out[f"frost.KeyPackage[{name}]"] = kps[1].to_bytes()
        out[f"frost.PublicKeyPackage[{name}]"] = pkp.to_bytes()
        out[f"frost.Signature[{name}]"] = out[f"frost.hooks.decode_signature[{name}]"] = sig = frost.sign(s, kps, b"m", rng)
        vk = pkp.verifying_key.to_bytes()
        out[f"frost.hooks.decode_verifying_key[{name}]"] = vk[1:] if s.is_bip340 else vk      # BIP-340: x-only
        out[f"frost.SignatureShare[{name}]"] = frost_types.SignatureShare(s, 2, 5).to_bytes()
        sig_obj = frost_types.Signature.from_bytes(s, sig)
        out[f"frost.dkg.decode_proof[{name}]"] = frost_dkg.encode_proof(s, ProofOfKnowledge(sig_obj.R, sig_obj.z))
        _, r1 = frost_dkg.part1(s, 1, 3, 2, rng)
        out[f"frost.dkg.decode_round1[{name}]"] = frost_dkg.encode_round1(s, r1)
        from pqzk.dkg.pedersen import Round2Package
        out[f"frost.dkg.decode_round2[{name}]"] = frost_dkg.encode_round2(s, Round2Package(1, 2, 7))
        out[f"runtime.decode_sign_request[{name}]"] = encode_sign_request(s, b"m", [comm, comm2])
    for p in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87"):
        sk = mldsa.keygen(p, seed=bytes(32))
        out[f"mldsa.PublicKey[{p}]"] = sk.public_key.key
        out[f"mldsa.PublicKey.from_spki[{p}]"] = sk.public_key.to_spki()
        out[f"mldsa.PrivateKey.from_pkcs8[{p}]"] = sk.to_pkcs8()
    for p in ("ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"):
        out[f"mlkem.PublicKey[{p}]"] = mlkem.keygen(p, seed=bytes(64)).public_key.key
    kem = mlkem.keygen("ML-KEM-768", seed=bytes(64))
    out["mlkem.PublicKey.from_spki"], out["mlkem.PrivateKey.from_pkcs8"] = kem.public_key.to_spki(), kem.to_pkcs8()
    out["mldsa.PrivateKey.from_expanded[ML-DSA-44]"] = fips204.keygen_internal(bytes(32), fips204.params("ML-DSA-44"))[1]
    xk2 = xwing.keygen(seed=bytes(range(32)))
    out["xwing.PublicKey.from_spki"] = out["pkcs8.decode_spki"] = xk2.public_key.to_spki()
    out["xwing.PrivateKey.from_pkcs8"] = out["pkcs8.decode_pkcs8"] = xk2.to_pkcs8()
    out["pkcs8.decode_seed_or_expanded"] = bytes([0x80, 32]) + bytes(32)
    out["pkcs8.pem_decode"] = pkcs8.pem_encode(xk2.to_pkcs8(), pkcs8.PRIVATE_LABEL)
    for alg in list(composite.ALGORITHMS)[:4]:
        k = composite.CompositePrivateKey.from_bytes(alg, composite.keygen(alg).to_bytes())
        out[f"composite.PublicKey[{alg}]"] = k.public_key.to_bytes()
        out[f"composite.PrivateKey[{alg}]"] = k.to_bytes()
        out[f"composite.PublicKey.from_spki[{alg}]"] = k.public_key.to_spki()
        out[f"composite.PrivateKey.from_pkcs8[{alg}]"] = k.to_pkcs8()
    for p in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87"):
        fp = fips204.params(p)
        pk, sk = fips204.keygen_internal(bytes(32), fp)
        out[f"fips204.pk_decode[{p}]"], out[f"fips204.sk_decode[{p}]"] = pk, sk
        out[f"fips204.sig_decode[{p}]"] = fips204.sign_internal(sk, b"m", bytes(32), fp)
    tpub, tshares = tmldsa.trusted_dealer_keygen("ML-DSA-44", 2, 3, seed=bytes(32))
    out["tmldsa.ThresholdPublicKey"], out["tmldsa.KeyShare"] = tpub.to_bytes(), tshares[1].to_bytes()
    mu = tmldsa.mu_for(tpub.public_key, b"m")
    tn, tc, tr = {}, {}, {}
    for j in (1, 2):
        tn[j], tc[j], tr[j] = tmldsa.commit(tshares[j], b"b", rng)
    out["tmldsa.decode_reveal"] = tr[1]
    out["tmldsa.decode_response"] = tmldsa.respond(tshares[1], tn[1], [1, 2], mu, tc, tr)
    out["runtime.tmldsa.decode_request"] = tmldsa_parties.encode_request(
        0, tmldsa_parties.Request(bytes(16), (1, 2), b"ctx", b"message"))
    out["runtime.tmldsa.decode_forwarded"] = tmldsa_parties.encode_forwarded(
        0, [Message(1, None, Kind.TMLDSA_COMMIT, b"payload", b"s", signature=b"sig")])
    xk = xwing.keygen(seed=bytes(32))
    out["xwing.PublicKey"], out["xwing.PrivateKey"] = xk.public_key.to_bytes(), xk.to_bytes()
    out["hybrid.QuorumCertificate"] = hybrid.QuorumCertificate(b"c", (1, 2), ((1, b"a"), (2, b"b"))).to_bytes()
    out["hybrid.CompositeAuthorization"] = hybrid.CompositeAuthorization(b"c", b"p").to_bytes()
    out["hybrid.ThresholdMLDSAAuthorization"] = hybrid.ThresholdMLDSAAuthorization(b"c", b"p").to_bytes()
    out["policy.Authorization"] = Authorization("FROST-ED25519-SHA512-v1", bytes(32), bytes(32), 1, bytes(32),
                                                (1, 2), bytes(64), ((1, b"pq"),)).to_bytes()
    out["bytes_shamir.BytesShare"] = bytes_shamir.split_bytes(b"secret", 2, 3, rng=rng)[0].to_bytes()
    out["files.decode_text"] = "a UTF-8 document: é".encode()
    out["node.Invitation"] = NodeInvitation("repair", (1, 2, 3), 2, target=4, key=bytes(range(32))).to_payload()
    out["node.decode_answers"] = encode_answers([Message(1, 2, Kind.COMMITMENT, b"payload", b"s", signature=b"sig"),
                                                 Message(1, 2, Kind.AUTH_ACCEPT, b"{}", b"s", signature=b"g")])
    out["node.Report"] = NodeReport("dkg", "finished", bytes(40), True, "", (2,), ("coordinator",)).to_payload()
    out["runtime.files.decode_bundle"] = encode_bundle([b"frame one", b"frame two"])
    out["runtime.wire.decode"] = runtime_wire.encode(Message(1, 2, Kind.COMMITMENT, b"payload", b"s", signature=b"sig"))
    out.update(_policy_message_payloads(out["policy.Authorization"], rng))
    out["policy.AuditHeadFile"] = HeadFile(bytes(32), bytes(16), Head(7, bytes(32)), bytes(64)).to_bytes()
    zs, zc = refresh.zero_sharing(SECP, 3, [1, 2, 3], rng=rng)
    out["refresh.ZeroSharingCommitment"] = zc.to_bytes()
    pshares, pcom = vss.pedersen_deal(SECP, 5, 2, 3, rng=rng)
    out["vss.PedersenShare"], out["vss.PedersenCommitment"] = pshares[0].to_bytes(SECP), pcom.to_bytes()
    meta = store.ShareMetadata("share-1", 1, SECP.generator().to_bytes(), "FROST-secp256k1-SHA256-v1", 2)
    out["tokens.ShareMetadata"] = meta.to_bytes()
    rec = recipient.generate(recipient.XWING)
    out["tokens.RecipientPublicKey"] = rec.public_key().to_bytes()
    out["tokens.SealedRecord"] = envelope.seal(bytes(32), meta, recipient.RecipientSealer(rec.public_key()),
                                               rng=rng).to_bytes()
    out["tokens.PVEProof"] = pve.prove(SECP, 5, rec.public_key(), b"ctx", kappa=2, rng=rng).to_bytes()
    out["tokens.backup_metadata"] = backup.export_backup(_OneShareStore(meta, bytes(32)), "share-1", rec.public_key())
    out["tokens.load_recovery_key"] = backup.save_recovery_key(rec, PASSPHRASE, KdfParams.fast_for_tests())
    rproof, _ = zrange.prove_range(RIST, [5], [7], 8, rng=rng)
    out["zk.RangeProof"] = rproof.to_bytes()
    sh = vss.feldman_deal(SECP, 9, 2, 3, rng=rng)
    out["zk.PossessionProof"] = possession.prove_share_possession(sh[0][0], sh[1], session_id=b"s", rng=rng).to_bytes()
    gk, _ = membership.prove_membership(SECP, 3, 11, GK_MEMBERS, method="gk", rng=rng)
    out["zk.GKProof"] = gk.proof.to_bytes()
    mp, _ = membership.prove_membership(SECP, 2, 11, [1, 2, 3], rng=rng)
    out["zk.MembershipProof"] = mp.to_bytes()
    tc, op = compliance.commit_transaction(POLICY, 10, b"alice", 5, rng=rng)
    out["zk.TransactionCommitments"] = tc.to_bytes()
    out["zk.ComplianceProof"] = compliance.prove_compliance(POLICY, tc, op, b"tx", rng=rng).to_bytes()
    out["zk.SigmaProof"] = SCHNORR.prove({SCHNORR_X: 1}, rng=rng).to_bytes()
    from pqzk.threshold import ecdsa
    import hashlib
    eshares = ecdsa.keygen_local("secp256k1", 2, [1, 2], rng=rng)
    out["ecdsa.EcdsaKeyShare"] = eshares[1].to_bytes()
    out["ot.PairwiseOt"] = eshares[1].ot[2].to_bytes()
    sig = ecdsa.sign_locally(eshares, [1, 2], hashlib.sha256(b"m").digest(), rng=rng)
    out["ecdsa.EcdsaSignature[secp256k1]"] = sig.to_recoverable()
    out["ecdsa.EcdsaSignature[p256]"] = ecdsa.EcdsaSignature("p256", 5, 7, 1).to_recoverable()
    return out


def _policy_message_payloads(authorization: bytes, rng) -> dict[str, bytes]:
    """A valid payload of every authorization and policy-change message body."""
    from pqzk.policy import Policy, Quorum
    from pqzk.policy.request import AuthorizationRequest
    from pqzk.threshold import frost
    from pqzk.threshold.frost import core
    m = policy_messages
    s = get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, _ = frost.trusted_dealer_keygen(s, 2, 3, rng=rng)
    cl = tuple(core.commit(s, i, kps[i].signing_share, rng)[1] for i in (1, 2))
    share = frost_types.SignatureShare(s, 2, 5)
    policy = Policy.from_dict({"version": 1, "name": "p", "signers": {"1": {}, "2": {}, "3": {}},
                               "quorum": {"min_signers": 2}})
    bodies = [m.AuthRequest(AuthorizationRequest(bytes(16), bytes(32), 1, 1, 5, "alice"), bytes(range(32))),
              m.AuthAccept(cl[0], Quorum(2, (("ops", 1),)), True), m.AuthRefuse("rule", "detail"),
              m.AuthSign((1, 2), b"m", cl), m.AuthCancel(), m.AuthShare(share, b"pq"),
              m.AuthDirect(AuthorizationRequest(bytes(16), bytes(32), 1, 1, 5, "alice"), (1, 2), b"m", cl,
                           bytes(range(32))),
              m.AuthResult(Authorization.from_bytes(authorization), AuthorizationRequest(bytes(16), bytes(32), 1, 1, 5, "alice")), m.ChangeRequest(policy.to_dict(), bytes(32)),
              m.ChangeAccept(cl[1]), m.ChangeRefuse("rule", "detail"), m.ChangeSign((1, 2), 7, b"d", cl),
              m.ChangeShare(share), m.ChangeResult(policy, (1, 2), 7, 3, bytes(64))]
    return {f"policy.messages.{type(b).__name__}": b.to_payload() for b in bodies}


DECODERS = {name: (decode, None) for name, decode in _decoders().items()}
for _name, _valid in _valid_encodings().items():
    DECODERS[_name][0](_valid)  # the encoding really is valid: it decodes
    DECODERS[_name] = (DECODERS[_name][0], _valid)


def _only_pqzk_errors(decode, data: bytes) -> None:
    try:
        decode(data)
    except PqzkError:
        pass
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(exc).__name__} escaped on {len(data)} bytes {data[:24].hex()}…: {exc}")


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=40)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(name, data):
    _only_pqzk_errors(DECODERS[name][0], data)


VALID = {k: v for k, v in DECODERS.items() if v[1] is not None}


@pytest.mark.parametrize("name", sorted(VALID))
@settings(max_examples=40)
@given(pos=st.integers(0, 10**6), flip=st.integers(1, 255), cut=st.integers(-3, 3))
def test_mutated_valid_encodings(name, pos, flip, cut):
    decode, valid = VALID[name]
    data = bytearray(valid)
    data[pos % len(data)] ^= flip
    data = bytes(data[:len(data) + cut]) if cut < 0 else bytes(data) + bytes(cut)
    _only_pqzk_errors(decode, data)


def test_every_decoder_has_a_valid_encoding():
    assert sorted(k for k, v in DECODERS.items() if v[1] is None) == []


NON_BYTES = [None, "", "00" * 32, 7, 0, [1, 2, 3], [], 3.5]


@pytest.mark.parametrize("arg", NON_BYTES, ids=repr)
@pytest.mark.parametrize("name", sorted(DECODERS))
def test_non_bytes_is_an_invalid_parameter(name, arg):
    """A type error is the caller's: InvalidParameter naming what must be bytes (never a bare
    TypeError, and never bytes(7) = seven zero bytes decoding as something)."""
    with pytest.raises(InvalidParameter, match="must be bytes"):
        DECODERS[name][0](arg)


def _same(a, b) -> bool:
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a).__eq__ is object.__eq__:          # no value equality: compare what it encodes to
        return type(a) is type(b) and vars(a) == vars(b)
    return a == b


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_bytes_like_valid_encoding_decodes_like_bytes(name):
    decode, valid = DECODERS[name]
    want = decode(valid)
    padded = b"\xaa" + valid + b"\x55"
    for like in (bytearray(valid), memoryview(valid), memoryview(bytearray(valid)), memoryview(padded)[1:-1]):
        assert _same(decode(like), want), type(like).__name__
    # a bytearray changed after decoding does not change what was decoded
    buf = bytearray(valid)
    got = decode(buf)
    buf[:] = bytes(len(buf))
    assert _same(got, want)


def _public_decoders() -> set[str]:
    root = Path(pqzk.__file__).resolve().parent
    found = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("").parts
        if any(part.startswith("_") for part in rel) or "cli" in rel:
            continue
        mod = ".".join(rel)

        def walk(node, prefix=""):
            for ch in ast.iter_child_nodes(node):
                if isinstance(ch, ast.ClassDef):
                    if not ch.name.startswith("_"):     # private classes: internal formats
                        walk(ch, prefix + ch.name + ".")
                elif isinstance(ch, ast.FunctionDef) and not ch.name.startswith("_") and (
                        ch.name in ("from_bytes", "from_spki", "from_pkcs8", "from_payload", "backup_metadata",
                                    "load_recovery_key")
                        or ch.name.startswith("decode") or ch.name.endswith("_decode")):
                    found.add(f"{mod}:{prefix}{ch.name}")
        walk(ast.parse(path.read_text()))
    return found


def test_every_public_decoder_is_swept():
    missing = _public_decoders() - COVERED - NOT_BYTE_DECODERS
    assert not missing, f"add these decoders to DECODERS and COVERED: {sorted(missing)}"
    assert not (COVERED - _public_decoders()), "COVERED names a decoder that no longer exists"


def test_as_bytes_is_the_one_type_check():
    """The helper every decoder calls: bytes-like in, immutable bytes out; the rest refused."""
    from pqzk.encoding import ByteReader, as_bytes
    assert as_bytes(b"ab", "x") == b"ab"
    assert as_bytes(memoryview(b"abcd")[::2], "x") == b"ac"          # a strided view: its bytes
    assert type(as_bytes(bytearray(b"ab"), "x")) is bytes
    for bad in (None, "ab", 7, [1], 3.5, object()):
        with pytest.raises(InvalidParameter, match="^share record must be bytes, got "):
            as_bytes(bad, "share record")
        with pytest.raises(InvalidParameter, match="^share record must be bytes"):
            ByteReader(bad, "share record")
