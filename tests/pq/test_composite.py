"""Composite ML-DSA (draft-ietf-lamps-pq-composite-sigs-19): the 18 vector cases verify with and
without context, M' matches the draft's worked examples, keys round-trip byte-exactly (raw, SPKI,
PKCS#8), the self-signed x5c certificates verify by the same code path, and the kit signs."""
from __future__ import annotations

import base64
import re

import pytest
from conftest import VECTORS, load_vectors
from cryptography import x509

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.pq import _der, composite as C, mldsa

DATA = load_vectors("composite-sigs/testvectors.json")
M, CTX = base64.b64decode(DATA["m"]), base64.b64decode(DATA["ctx"])
CASES = {t["tcId"]: {k: (base64.b64decode(v) if k != "tcId" else v) for k, v in t.items()} for t in DATA["tests"]}
COMPOSITE = [k for k in CASES if k in C.ALGORITHMS]
PURE = [k for k in CASES if k.startswith("id-ML-DSA-")]


def test_eighteen_composite_cases_and_three_pure():
    assert len(COMPOSITE) == 18 and len(PURE) == 3
    assert set(COMPOSITE) == set(C.ALGORITHMS)


def test_algorithm_table_matches_algparams_md():
    text = (VECTORS / "composite-sigs" / "algParams.md").read_text()
    blocks = [b for b in text.split("\n- id-") if b.strip()]
    assert len(blocks) == 18
    for block in blocks:
        name = "id-" + block.split("\n", 1)[0].strip().removeprefix("- id-")
        a = C.ALGORITHMS[name]
        assert re.search(r"OID: ([\d.]+)", block).group(1) == a.oid
        assert re.search(r"Label: (\S+)", block).group(1).encode() == a.label
        ph = re.search(r"\(PH\): (\S+)", block).group(1)
        assert ph.startswith(a.prehash)
        assert re.search(r"ML-DSA variant: (\S+)", block).group(1) == a.mldsa


def _sample(name: str) -> dict[str, bytes]:
    text = (VECTORS / "composite-sigs" / name).read_text()
    out: dict[str, bytes] = {}
    lines = text.splitlines()
    for key in ("M", "ctx", "M'"):
        i = next(i for i, line in enumerate(lines) if line.startswith(f"{key}: "))
        parts = [lines[i].split(": ", 1)[1].strip()]
        # a value wraps onto following lines that are pure hex
        j = i + 1
        parts = [parts[0]]
        while j < len(lines) and re.fullmatch(r"[0-9a-f]+", lines[j].strip() or "-"):
            parts.append(lines[j].strip())
            j += 1
        raw = "".join(parts)
        out[key] = b"" if raw == "<empty>" else bytes.fromhex(raw)
    return out


@pytest.mark.parametrize("sample", ["messageFormatSample_ctx.md", "messageFormatSample_noctx.md"])
def test_message_representative_matches_draft_examples(sample):
    s = _sample(sample)
    assert C.message_representative("id-MLDSA65-ECDSA-P256-SHA512", s["M"], s["ctx"]) == s["M'"]


@pytest.mark.parametrize("name", COMPOSITE)
def test_vector_verifies_with_and_without_context(name):
    t = CASES[name]
    pk = C.CompositePublicKey.from_bytes(name, t["pk"])
    assert pk.to_bytes() == t["pk"]
    C.verify(pk, M, t["s"])
    C.verify(pk, M, t["sWithContext"], CTX)
    with pytest.raises(VerificationError):
        C.verify(pk, M, t["s"], CTX)                    # context is bound
    with pytest.raises(VerificationError):
        C.verify(pk, M, t["sWithContext"])
    with pytest.raises(VerificationError):
        C.verify(pk, M + b"x", t["s"])


@pytest.mark.parametrize("name", COMPOSITE)
def test_each_component_is_required(name):
    t = CASES[name]
    pk = C.CompositePublicKey.from_bytes(name, t["pk"])
    n = mldsa.MLDSA[C.ALGORITHMS[name].mldsa].signature_size
    sig = bytearray(t["s"])
    sig[10] ^= 1
    with pytest.raises(VerificationError, match="ML-DSA component"):
        C.verify(pk, M, bytes(sig))
    sig = bytearray(t["s"])
    sig[n + 8] ^= 1
    with pytest.raises(VerificationError, match=f"{C.ALGORITHMS[name].trad} component"):
        C.verify(pk, M, bytes(sig))
    with pytest.raises(VerificationError, match="longer than"):
        C.verify(pk, M, t["s"][:n])


@pytest.mark.parametrize("name", COMPOSITE)
def test_private_key_serializations_roundtrip_exactly(name):
    t = CASES[name]
    sk = C.CompositePrivateKey.from_bytes(name, t["sk"])
    assert sk.to_bytes() == t["sk"]
    assert sk.to_pkcs8() == t["sk_pkcs8"]
    assert C.CompositePrivateKey.from_pkcs8(t["sk_pkcs8"]).public_key.to_bytes() == t["pk"]
    assert sk.public_key.to_bytes() == t["pk"]
    assert "redacted" in repr(sk) and t["sk"][:4].hex() not in repr(sk)


@pytest.mark.parametrize("name", COMPOSITE)
def test_x5c_certificate_spki_and_self_signature(name):
    """The self-signed certificate's SPKI equals ours, and its signature (composite, empty ctx,
    over the DER tbsCertificate) verifies through composite.verify."""
    cert = x509.load_der_x509_certificate(CASES[name]["x5c"])
    assert cert.signature_algorithm_oid.dotted_string == C.ALGORITHMS[name].oid
    tbs = _der.items(_der.read_all(cert.tbs_certificate_bytes, _der.SEQUENCE))
    spki = _der.tlv(tbs[6][0], tbs[6][1])
    pk = C.CompositePublicKey.from_spki(spki)
    assert pk.to_bytes() == CASES[name]["pk"] and pk.to_spki() == spki
    C.verify(pk, cert.tbs_certificate_bytes, cert.signature)


@pytest.mark.parametrize("name", PURE)
def test_pure_mldsa_cases(name):
    t = CASES[name]
    p = name.removeprefix("id-")
    sk = mldsa.keygen(p, seed=t["sk"])
    assert sk.public_key.key == t["pk"]
    mldsa.verify(p, t["pk"], M, t["s"])
    mldsa.verify(p, t["pk"], M, t["sWithContext"], CTX)
    assert t["sk_pkcs8"].endswith(b"\x80\x20" + t["sk"])     # RFC 9881 seed-only form


@pytest.mark.parametrize("name", COMPOSITE)
def test_kit_signs_with_vector_keys_and_verifies_by_same_path(name):
    sk = C.CompositePrivateKey.from_bytes(name, CASES[name]["sk"])
    for ctx in (b"", CTX):
        sig = C.sign(sk, b"kit message", ctx)
        C.verify(C.CompositePublicKey.from_bytes(name, CASES[name]["pk"]), b"kit message", sig, ctx)


FRESH = ["id-MLDSA44-Ed25519-SHA512", "id-MLDSA65-Ed25519-SHA512", "id-MLDSA44-ECDSA-P256-SHA256",
         "id-MLDSA65-ECDSA-P256-SHA512", "id-MLDSA65-ECDSA-P384-SHA512", "id-MLDSA87-ECDSA-P384-SHA512",
         "id-MLDSA87-Ed448-SHAKE256", "id-MLDSA44-RSA2048-PSS-SHA256", "id-MLDSA44-RSA2048-PKCS15-SHA256"]


@pytest.mark.parametrize("name", FRESH)
def test_fresh_keys_sign_and_roundtrip(name):
    sk = C.keygen(name)
    sig = C.sign(sk, b"hello", b"ctx")
    assert len(sig) <= C.sizes(name)["signature"] and len(sk.public_key.to_bytes()) == C.sizes(name)["public_key"]
    again = C.CompositePrivateKey.from_pkcs8(sk.to_pkcs8())
    pk = C.CompositePublicKey.from_spki(again.public_key.to_spki())
    C.verify(pk, b"hello", sig, b"ctx")
    with pytest.raises(VerificationError):
        C.verify(pk, b"hello", sig, b"other")


def test_decoders_reject_malformed_inputs():
    name = "id-MLDSA65-ECDSA-P256-SHA512"
    t = CASES[name]
    with pytest.raises(InvalidEncoding, match="longer than"):
        C.CompositePublicKey.from_bytes(name, t["pk"][:1952])
    bad = bytearray(t["pk"])
    bad[-1] ^= 1                                           # point off the curve
    with pytest.raises(InvalidEncoding, match="traditional public key"):
        C.CompositePublicKey.from_bytes(name, bytes(bad))
    with pytest.raises(InvalidEncoding):
        C.CompositePublicKey.from_bytes("id-MLDSA65-Ed25519-SHA512", t["pk"])
    spki = C.CompositePublicKey.from_bytes(name, t["pk"]).to_spki()
    with pytest.raises(InvalidEncoding, match="trailing"):
        C.CompositePublicKey.from_spki(spki + b"\x00")
    with pytest.raises(InvalidEncoding, match="not a composite"):
        C.CompositePublicKey.from_spki(spki.replace(_der.oid(C.ALGORITHMS[name].oid), _der.oid("1.3.6.1.5.5.7.6.99")))
    with pytest.raises(InvalidEncoding):
        C.CompositePrivateKey.from_bytes(name, t["sk"] + b"\x00")
    with pytest.raises(InvalidEncoding):
        C.CompositePrivateKey.from_bytes("id-MLDSA65-ECDSA-P384-SHA512", t["sk"])   # wrong curve
    with pytest.raises(InvalidEncoding):
        C.CompositePrivateKey.from_pkcs8(t["sk_pkcs8"][:-1])
    with pytest.raises(InvalidParameter, match="unknown composite"):
        C.get_algorithm("id-MLDSA65-X25519")
    with pytest.raises(InvalidParameter, match="at most 255"):
        C.message_representative(name, b"m", bytes(256))
