"""Demo chapter: post-quantum signatures, a composite signature, a sealed share, and a hybrid
quorum certificate (FROST + ML-DSA)."""
from __future__ import annotations

from .narrate import Narrator


def chapter(n: Narrator) -> None:
    """Demo chapter: ML-DSA with a context, a composite key, an X-Wing-sealed share, hybrid authorization."""
    from ..pq import composite, hybrid, mldsa, sealing, xwing
    n.chapter("Post-quantum")

    n.step("Carol", "generates an ML-DSA-65 key (FIPS 204) from a 32-byte seed and signs with a context")
    sk = mldsa.keygen("ML-DSA-65", rng=n.rng)
    n.secret("ML-DSA seed", "Carol")
    sig = mldsa.sign("ML-DSA-65", sk, b"release v1.0", b"pqzk-demo", rng=n.rng)
    n.public("ML-DSA-65 public key size", len(sk.public_key.key))
    n.public("ML-DSA-65 signature size", len(sig))
    mldsa.verify("ML-DSA-65", sk.public_key, b"release v1.0", sig, b"pqzk-demo")
    n.ok("anyone verifies with the public key; another context or message fails")

    name = "id-MLDSA65-Ed25519-SHA512"
    n.step("Carol", f"makes a composite key {name} (draft-ietf-lamps-pq-composite-sigs-19)")
    csk = composite.keygen(name, rng=n.rng)
    n.secret("ML-DSA seed || Ed25519 key", "Carol")
    csig = composite.sign(csk, b"release v1.0", rng=n.rng)
    n.public("composite public key (SPKI) size", len(csk.public_key.to_spki()))
    n.public("composite signature size", len(csig))
    composite.verify(csk.public_key, b"release v1.0", csig)
    n.ok("both ML-DSA and Ed25519 signed M' = Prefix || Label || len(ctx) || ctx || PH(M); both verify")

    n.step("P2", "publishes an X-Wing key (ML-KEM-768 + X25519)")
    p2 = xwing.keygen(rng=n.rng)
    n.secret("X-Wing seed", "P2")
    ctx = sealing.SealContext(protocol="pqzk/demo/v1", session=b"session-7", sender="dealer", recipient="P2")
    n.step("dealer", "seals P2's share; the AD binds sender, recipient, protocol and session")
    n.secret("P2's share", "dealer, then P2")
    sealed = sealing.seal(p2.public_key, b"\x07" * 32, ctx, rng=n.rng)
    n.public("sealed share size", len(sealed))
    assert sealing.open(p2, sealed, ctx) == b"\x07" * 32
    from ..errors import AuthenticationError
    try:
        sealing.open(p2, sealed, sealing.SealContext("pqzk/demo/v1", b"session-8", "dealer", "P2"))
    except AuthenticationError:
        n.ok("P2 opens it; replayed into another session it fails (AuthenticationError)")
    else:
        raise AssertionError("a sealed share replayed into another session must not open")

    from ..threshold import frost
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    n.step("dealer", "deals a FROST 2-of-3 key; each signer also registers an ML-DSA-44 key on a roster")
    kps, pub = frost.trusted_dealer_keygen(suite, 2, 3, rng=n.rng)
    keys = {i: mldsa.keygen("ML-DSA-44", rng=n.rng) for i in (1, 2, 3)}
    roster = hybrid.Roster("ML-DSA-44", {i: k.public_key for i, k in keys.items()}, 2)
    scheme = hybrid.FrostScheme(suite, pub)
    n.step("signers 1 and 3", "sign one representative binding group key, roster, signer set and message")
    qc = hybrid.authorize_quorum(scheme, [kps[1], kps[3]], roster, {1: keys[1], 3: keys[3]}, b"transfer #42", rng=n.rng)
    n.public("quorum certificate size", qc.size)
    hybrid.verify_quorum(scheme, roster, b"transfer #42", qc)
    n.ok("FROST signature and 2 of 3 roster ML-DSA signatures verify: still 2-of-3 if discrete logs fall")
