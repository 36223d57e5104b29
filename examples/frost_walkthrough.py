"""FROST, 2-of-3, step by step: who sends what to whom, and what stays secret.

Three participants share one Ed25519 signing key; any two can sign. No one ever holds the key.
A coordinator (who holds no secret at all) runs the two rounds of RFC 9591 between them, and
the result is an ordinary Ed25519 signature that OpenSSL verifies.

Run:  python examples/frost_walkthrough.py
"""
from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pqzk.runtime import COORDINATOR, FrostCoordinator, FrostSigner, Message, generate_keyrings
from pqzk.threshold import frost


def say(who: str, text: str) -> None:
    print(f"{who:>14}: {text}")


def public(label: str, value: bytes | str) -> None:
    shown = value.hex() if isinstance(value, bytes) else value
    print(f"{'':>14}  [public] {label}: {shown}")


def secret(label: str, holder: str) -> None:
    print(f"{'':>14}  [secret] {label} -- known only to {holder}, never printed or sent")


def deliver(parties: dict, msgs: list[Message]) -> list[Message]:
    """Hand each message to its recipient and collect the replies (what a network would do)."""
    replies = []
    for m in msgs:
        say(str(m.sender), f"--[{m.kind}, {len(m.payload)} bytes]--> {m.recipient}")
        replies += parties[m.recipient].receive(m)
    return replies


def main() -> bytes:
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    print(f"Ciphersuite: {suite.context}\n")

    print("1. Key generation (a trusted dealer here; pqzk.runtime.DkgParticipant does it without one)")
    key_packages, public_keys = frost.trusted_dealer_keygen(suite, min_signers=2, max_signers=3)
    say("Dealer", "picks a random key s and a random line f(x) = s + a*x; gives f(i) to participant i")
    for i in key_packages:
        secret(f"signing share f({i})", f"participant {i}")
    say("Dealer", "publishes the group key s*G and each participant's verifying share f(i)*G, then forgets s")
    public("group public key", public_keys.verifying_key.to_bytes())
    for i, Y in public_keys.verifying_shares.items():
        public(f"verifying share of {i}", Y.to_bytes())

    message = b"transfer 5 coins to Carol"
    signers = [1, 3]
    print(f"\n2. Signing {message!r} with participants {signers} (participant 2 is offline)")
    keyrings = generate_keyrings([COORDINATOR, *signers])
    say("Everyone", "holds an identity key and everyone's public identity keys; every message is signed")
    coordinator = FrostCoordinator(public_keys, message, signers, keyrings[COORDINATOR], session=b"walkthrough")
    parties = {COORDINATOR: coordinator, **{i: FrostSigner(key_packages[i], keyrings[i]) for i in signers}}

    print("\n   Round 1: commitments")
    requests = coordinator.start()
    commitments = deliver(parties, requests)
    for i in signers:
        secret("two fresh nonces (hiding d, binding e), usable once", f"participant {i}")
    say("Signers", "each answer with D = d*G and E = e*G (public commitments to their nonces)")
    sign_requests = deliver(parties, commitments)

    print("\n   Round 2: signature shares")
    say(COORDINATOR, "sends each signer the message and the list of all commitments")
    shares = deliver(parties, sign_requests)
    say("Signers", "each compute z_i = d + e*rho_i + lambda_i*f(i)*c and delete their nonces")
    deliver(parties, shares)

    print("\n3. Aggregation")
    say(COORDINATOR, "checks the result (and would name any signer whose share is wrong)")
    signature = coordinator.result
    assert signature is not None, coordinator.error
    public("signature (R || z, 64 bytes)", signature)

    frost.verify(suite, public_keys.verifying_key, message, signature)
    Ed25519PublicKey.from_public_bytes(public_keys.verifying_key.to_bytes()).verify(signature, message)
    say("Anyone", "verified with pqzk and with OpenSSL's plain Ed25519 verifier")
    print("\nverified: a 2-of-3 signature, and the signing key never existed in one place.")
    return signature


if __name__ == "__main__":
    main()
