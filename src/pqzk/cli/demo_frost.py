"""Demo chapter: a 3-of-5 FROST-Ed25519 signature that OpenSSL accepts as plain Ed25519."""
from __future__ import annotations

from .narrate import Narrator


def chapter(n: Narrator) -> None:
    """Demo chapter: a FROST (RFC 9591) 3-of-5 signing run by the in-process runtime, checked as a plain
    Ed25519 signature."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from ..runtime import run_signing
    from ..threshold import frost

    n.chapter("FROST threshold signature (RFC 9591)")
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    n.step("Dealer", "splits a fresh Ed25519 key into 5 shares, any 3 of which can sign")
    kps, pkp = frost.trusted_dealer_keygen(suite, 3, 5, rng=n.rng)
    for i in kps:
        n.secret(f"signing share {i}", f"participant {i}")
    n.public("group public key (Ed25519)", pkp.verifying_key.to_bytes())
    message = b"pay 10 to alice"
    n.public("message", message.decode())
    signers = [1, 3, 4]
    n.step("Coordinator", f"asks participants {signers} for nonce commitments (round 1)")
    n.step("Participants 1, 3, 4", "each keep two secret nonces and send their commitments")
    n.step("Coordinator", "sends message + all commitments; each signer returns a signature share (round 2)")
    sig, sim = run_signing(kps, pkp, message, signers, rng=n.rng)
    delivered = sum(1 for e in sim.log if e.what == "deliver")
    n.public("messages exchanged", delivered)
    n.step("Coordinator", "aggregates the 3 shares and checks the result")
    n.public("signature (64 bytes, Ed25519)", sig)
    Ed25519PublicKey.from_public_bytes(pkp.verifying_key.to_bytes()).verify(sig, message)
    n.ok("OpenSSL verifies it as an ordinary Ed25519 signature; no one ever held the whole key")
