"""Every public decoder of the kit, fed arbitrary and mutated bytes, raises only pqzk.errors
exceptions (issue 2: "hypothesis fuzzing of every decode/from_bytes shows only pqzk.errors").

Each area also has its own negative tests; this file is the one place that sweeps them all, so
a new decoder belongs in DECODERS below.
"""
import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import PqzkError
from pqzk.groups import get_group, group_names
from pqzk.pq import composite, hybrid, mldsa, mlkem, xwing
from pqzk.policy.audit_format import Head, HeadFile
from pqzk.policy.authorization import Authorization
from pqzk.sharing import bytes_shamir, refresh, shamir, vss
from pqzk.threshold.frost import types as frost_types
from pqzk.threshold.frost.ciphersuite import ciphersuite_names, get_ciphersuite
from pqzk.tokens import envelope, recipient, store
from pqzk.zk import compliance, membership, possession, range as zrange, sigma

SECP = get_group("secp256k1")
RIST = get_group("ristretto255")


def _decoders():
    out = {}
    for name in group_names():
        g = get_group(name)
        out[f"{name}.decode"] = (g.decode, g.generator().to_bytes())
        out[f"{name}.scalar_decode"] = (g.scalar_decode, g.scalar_encode(g.order - 1))
        out[f"shamir.Share[{name}]"] = (lambda d, g=g: shamir.Share.from_bytes(g, d), None)
        out[f"vss.FeldmanCommitment[{name}]"] = (lambda d, g=g: vss.FeldmanCommitment.from_bytes(g, d), None)
        if hasattr(g, "decode_on_curve"):   # BLS12-381: every check but the subgroup one
            out[f"{name}.decode_on_curve"] = (g.decode_on_curve, g.generator().to_bytes())
    for name in ciphersuite_names():
        s = get_ciphersuite(name)
        for cls in ("SigningCommitments", "SigningNonces", "SignatureShare", "Signature", "KeyPackage",
                    "PublicKeyPackage"):
            out[f"frost.{cls}[{name}]"] = (lambda d, s=s, c=getattr(frost_types, cls): c.from_bytes(s, d), None)
    for p in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87"):
        out[f"mldsa.PublicKey[{p}]"] = (lambda d, p=p: mldsa.MLDSAPublicKey.from_bytes(p, d), None)
    for p in ("ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"):
        out[f"mlkem.PublicKey[{p}]"] = (lambda d, p=p: mlkem.MLKEMPublicKey.from_bytes(p, d), None)
    for alg in list(composite.ALGORITHMS)[:4]:
        out[f"composite.PublicKey[{alg}]"] = (lambda d, a=alg: composite.CompositePublicKey.from_bytes(a, d), None)
        out[f"composite.PrivateKey[{alg}]"] = (lambda d, a=alg: composite.CompositePrivateKey.from_bytes(a, d), None)
    out.update({
        "xwing.PublicKey": (xwing.XWingPublicKey.from_bytes, None),
        "xwing.PrivateKey": (xwing.XWingPrivateKey.from_bytes, None),
        "hybrid.QuorumCertificate": (hybrid.QuorumCertificate.from_bytes, None),
        "hybrid.CompositeAuthorization": (hybrid.CompositeAuthorization.from_bytes, None),
        "policy.Authorization": (Authorization.from_bytes, None),
        "policy.AuditHeadFile": (HeadFile.from_bytes, None),
        "bytes_shamir.BytesShare": (bytes_shamir.BytesShare.from_bytes, None),
        "refresh.ZeroSharingCommitment": (lambda d: refresh.ZeroSharingCommitment.from_bytes(SECP, d), None),
        "vss.PedersenShare": (lambda d: vss.PedersenShare.from_bytes(SECP, d), None),
        "vss.PedersenCommitment": (lambda d: vss.PedersenCommitment.from_bytes(SECP, d), None),
        "tokens.SealedRecord": (envelope.SealedRecord.from_bytes, None),
        "tokens.RecipientPublicKey": (recipient.RecipientPublicKey.from_bytes, None),
        "tokens.ShareMetadata": (store.ShareMetadata.from_bytes, None),
        "zk.RangeProof": (lambda d: zrange.RangeProof.from_bytes(RIST, d), None),
        "zk.PossessionProof": (lambda d: possession.PossessionProof.from_bytes(SECP, d), None),
        "zk.GKProof": (lambda d: membership.GKProof.from_bytes(SECP, d, 16), None),
        "zk.MembershipProof": (lambda d: membership.MembershipProof.from_bytes(SECP, d, [1, 2, 3]), None),
        "zk.TransactionCommitments": (lambda d: compliance.TransactionCommitments.from_bytes(SECP, d), None),
        "zk.ComplianceProof": (lambda d: compliance.ComplianceProof.from_bytes(
            compliance.CompliancePolicy(b"p", 1000, (b"alice", b"bob"), 0), d), None),
        "zk.SigmaProof": (lambda d: sigma.SigmaProof.from_bytes(
            sigma.schnorr(SECP.generator(), sigma.Secret("x")), d), None),
    })
    return out


DECODERS = _decoders()


def _valid_encodings() -> dict[str, bytes]:
    """A valid encoding for the decoders of the finished areas, so that the mutation sweep
    below starts from bytes that decode (random bytes rarely get past the length check)."""
    from pqzk.math.rand import DeterministicRNG
    from pqzk.threshold import frost
    from pqzk.threshold.frost import core
    rng = DeterministicRNG(b"decoders")
    out = {}
    for name in group_names():
        g = get_group(name)
        shares, com = vss.feldman_deal(g, g.random_scalar(rng), 2, 3, rng=rng)
        out[f"shamir.Share[{name}]"] = shares[0].to_bytes(g)
        out[f"vss.FeldmanCommitment[{name}]"] = com.to_bytes()
    for name in ciphersuite_names():
        s = get_ciphersuite(name)
        kps, pkp = frost.trusted_dealer_keygen(s, 2, 3, rng=rng)
        nonces, comm = core.commit(s, 1, kps[1].signing_share, rng)
        out[f"frost.SigningCommitments[{name}]"] = comm.to_bytes()
        out[f"frost.SigningNonces[{name}]"] = nonces.to_bytes()
        out[f"frost.KeyPackage[{name}]"] = kps[1].to_bytes()
        out[f"frost.PublicKeyPackage[{name}]"] = pkp.to_bytes()
        out[f"frost.Signature[{name}]"] = frost.sign(s, kps, b"m", rng)
        out[f"frost.SignatureShare[{name}]"] = frost_types.SignatureShare(s, 2, 5).to_bytes()
    for p in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87"):
        out[f"mldsa.PublicKey[{p}]"] = mldsa.keygen(p, seed=bytes(32)).public_key.key
    for p in ("ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"):
        out[f"mlkem.PublicKey[{p}]"] = mlkem.keygen(p, seed=bytes(64)).public_key.key
    for alg in list(composite.ALGORITHMS)[:4]:
        k = composite.CompositePrivateKey.from_bytes(alg, composite.keygen(alg).to_bytes())
        out[f"composite.PublicKey[{alg}]"] = k.public_key.to_bytes()
        out[f"composite.PrivateKey[{alg}]"] = k.to_bytes()
    xk = xwing.keygen(seed=bytes(32))
    out["xwing.PublicKey"], out["xwing.PrivateKey"] = xk.public_key.to_bytes(), xk.to_bytes()
    out["hybrid.QuorumCertificate"] = hybrid.QuorumCertificate(b"c", (1, 2), ((1, b"a"), (2, b"b"))).to_bytes()
    out["hybrid.CompositeAuthorization"] = hybrid.CompositeAuthorization(b"c", b"p").to_bytes()
    out["bytes_shamir.BytesShare"] = bytes_shamir.split_bytes(b"secret", 2, 3, rng=rng)[0].to_bytes()
    out["policy.AuditHeadFile"] = HeadFile(bytes(32), bytes(16), Head(7, bytes(32)), bytes(64)).to_bytes()
    zs, zc = refresh.zero_sharing(SECP, 3, [1, 2, 3], rng=rng)
    out["refresh.ZeroSharingCommitment"] = zc.to_bytes()
    pshares, pcom = vss.pedersen_deal(SECP, 5, 2, 3, rng=rng)
    out["vss.PedersenShare"], out["vss.PedersenCommitment"] = pshares[0].to_bytes(SECP), pcom.to_bytes()
    return out


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
