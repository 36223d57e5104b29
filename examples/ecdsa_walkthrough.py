"""Threshold ECDSA (DKLs23), 2-of-3, step by step: who sends what to whom in each OT and
multiplication step, and what is secret and what is public.

Three holders make one secp256k1 key together (no one ever holds it), each pair of them runs
base oblivious transfers once, and then any two of them sign in three rounds. The result is an
ordinary low-s ECDSA signature with a recovery id: libsecp256k1 verifies it and recovers the
group key, as a Bitcoin or Ethereum node would.

Run:  python examples/ecdsa_walkthrough.py
"""
from __future__ import annotations

import hashlib

import coincurve

from pqzk.runtime import Kind, Message, generate_keyrings
from pqzk.runtime.ecdsa_parties import EcdsaKeygenParticipant, EcdsaSigner
from pqzk.threshold import ecdsa

WHAT = {
    Kind.ECDSA_DKG_ROUND1: "Feldman commitment to its random polynomial, proof of knowledge of its constant "
                           "term, and a hash commitment to 32 random bytes for the chain code",
    Kind.ECDSA_DKG_ECHO: "every signed round-1 message it saw, forwarded (so nobody can equivocate)",
    Kind.ECDSA_DKG_ROUND2: "its polynomial evaluated at the receiver's index: a secret share, private",
    Kind.ECDSA_DKG_COMPLAINTS: "the list of bad or missing shares (empty when all is well)",
    Kind.ECDSA_OT_SETUP: "its chain-code bytes, and 2 x 128 base OTs for this pair: as OT receiver (random "
                         "choice bits, the future 'Alice' side) and as OT sender (the future 'Bob' side)",
    Kind.ECDSA_SIGN_COMMIT: "a hash commitment to its nonce point R_i = r_i*G",
    Kind.ECDSA_SIGN_MUL1: "as Bob: the OT-extension message (416 extended OTs, KOS check values) encoding "
                          "its random multiplier chi in its choice bits",
    Kind.ECDSA_SIGN_MUL2: "as Alice: the echoed commitments, the VOLE message for (r_i, sk_i), R_i and its "
                          "opening, Gamma^u = c^u*G, Gamma^v = c^v*G and psi = phi_i - chi",
    Kind.ECDSA_SIGN_SHARE: "(u_i, w_i): its share of r*phi and of phi*(z + x(R)*sk)",
}


def say(who, text: str) -> None:
    print(f"{str(who):>10}: {text}")


def secret(label: str, holder: str) -> None:
    print(f"{'':>10}  [secret] {label} -- known only to {holder}, never printed or sent")


def public(label: str, value) -> None:
    print(f"{'':>10}  [public] {label}: {value}")


def run(parties: dict, first: list[Message], title: str) -> None:
    """Deliver until quiet, narrating each kind of message the first time it is sent by each party."""
    print(f"\n== {title}")
    queue, seen = list(first), set()
    while queue:
        msg = queue.pop(0)
        key = (msg.sender, msg.recipient, msg.kind)
        if key not in seen and msg.kind in WHAT:
            seen.add(key)
            to = "everyone" if msg.broadcast else f"party {msg.recipient}"
            say(f"party {msg.sender}", f"-> {to} [{msg.kind}, {len(msg.payload)} bytes]: {WHAT[msg.kind]}")
        queue += parties[msg.recipient].receive(msg)


def main() -> None:
    ids = [1, 2, 3]
    rings = generate_keyrings(ids)
    print("Every message below is signed by its sender (Ed25519); a receiver drops what does not verify.")
    keygen = {i: EcdsaKeygenParticipant("secp256k1", i, ids, 2, rings[i], session=b"walkthrough-keygen")
              for i in ids}
    for i in ids:
        secret(f"party {i}'s polynomial, its share x_{i} and its OT seeds", f"party {i}")
    run(keygen, [m for p in keygen.values() for m in p.start()], "key generation (DKG, chain code, OT setup)")
    shares = {i: p.result[0] for i, p in keygen.items()}
    pub = shares[1].public_key
    public("group key X = x*G (x itself exists nowhere)", pub.key.to_bytes().hex())
    public("chain code (joint: committed, then revealed)", pub.chain_code.hex())
    public("xpub", pub.extended().xpub())

    path = "m/44/60/0/0/5"
    child, tweak = pub.derive(path)
    public(f"child key at {path} = X + t*G, with the public tweak t", child.to_bytes().hex())
    digest = hashlib.sha256(b"pay 1 BTC to Carol").digest()
    public("message digest z", digest.hex())
    signers = [1, 3]
    print(f"\nParties {signers} sign; each adds t/2 to its Lagrange-weighted share, so together they hold the child key.")
    for i in signers:
        secret(f"nonce r_{i}, mask phi_{i}, sk_{i} = lambda_{i}*x_{i} + t/2, multiplier chi", f"party {i}")
    sign_rings = {i: rings[i] for i in signers}
    signers_p = {i: EcdsaSigner(shares[i], signers, digest, sign_rings[i], session=b"walkthrough-sign", path=path)
                 for i in signers}
    run(signers_p, [m for p in signers_p.values() for m in p.start()],
        "signing: round 1 commits and starts the multiplications, round 2 answers them, round 3 shares u, w")
    sig = signers_p[1].result
    assert sig is not None and sig == signers_p[3].result
    print("\nEach party checked: R_j opens its commitment; the VOLE's consistency check (mu); "
          "chi*R_j = d^u*G + Gamma^u and chi*pk_j = d^v*G + Gamma^v (j multiplied its own r_j and sk_j).")
    public("signature (r, s), low s", sig.to_bytes().hex())
    public("recovery id", sig.recovery_id)
    rec = coincurve.PublicKey.from_signature_and_message(sig.to_recoverable(), digest, hasher=None)
    assert rec.format() == child.to_bytes()
    coincurve.PublicKey(child.to_bytes()).verify(sig.to_der(), digest, hasher=None)
    print(f"\nverified: a 2-of-3 ECDSA signature under the child key, checked and recovered by libsecp256k1")
    try:
        print(f"Ethereum address of the child key: {ecdsa.addresses.ethereum(child)}")
    except Exception as exc:                      # pycryptodome missing: say so, do not fail
        print(f"(Ethereum address needs Keccak-256: {exc})")
    print(f"Bitcoin P2WPKH address of the child key: {ecdsa.addresses.p2wpkh(child)}")


if __name__ == "__main__":
    main()
