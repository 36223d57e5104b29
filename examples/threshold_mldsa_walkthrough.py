"""Threshold ML-DSA, 2-of-3, step by step: one standard FIPS 204 signature from two of three
parties, none of whom holds the signing key.

A trusted dealer shares an ML-DSA-44 key among three parties (eprint 2026/013: replicated short
secret sharing). Two of them sign through a coordinator that holds no secret: each round they
commit to K = 3 attempts at once, reveal them, and answer the attempts whose rejection sampling
they pass; the coordinator combines the first attempt everyone kept and that passes the FIPS 204
checks, or starts another round. OpenSSL then verifies the result as an ordinary ML-DSA-44
signature under the public key.

Run:  python examples/threshold_mldsa_walkthrough.py
"""
from __future__ import annotations

from cryptography.hazmat.primitives.serialization import load_der_public_key

from pqzk.runtime import COORDINATOR, Message, TMLDSACoordinator, TMLDSASigner, generate_keyrings
from pqzk.runtime.tmldsa_parties import decode_forwarded, read_round
from pqzk.threshold import mldsa
from pqzk.threshold.mldsa import sharing, signing

WHAT = {"tmldsa_request": "asks to sign (round, quorum, message, context)",
        "tmldsa_commit": "commits: a 32-byte hash of its K commitments w_i = A·y_i",
        "tmldsa_commits": "forwards the quorum's signed commitment hashes",
        "tmldsa_reveal": "reveals its K commitments w_i (23 bits per coefficient)",
        "tmldsa_reveals": "forwards the quorum's signed reveals",
        "tmldsa_response": "answers z_i = y_i + c_i·s for the attempts it kept"}


def say(who: str, text: str) -> None:
    print(f"{who:>14}: {text}")


def public(label: str, value: bytes | str) -> None:
    shown = value.hex() if isinstance(value, bytes) else value
    print(f"{'':>14}  [public] {label}: {shown}")


def secret(label: str, holder: str) -> None:
    print(f"{'':>14}  [secret] {label} -- known only to {holder}, never printed or sent")


def describe(m: Message, params) -> str:
    text = WHAT[str(m.kind)]
    if m.kind == "tmldsa_response":
        kept, _ = signing.decode_response(params, m.payload[3:])
        text += f": kept attempts {[i for i in range(params.K) if kept[i]] or 'none'}"
    return text


def deliver(parties: dict, msgs: list[Message], params) -> list[Message]:
    """Hand each message to its recipient and collect the replies (what a network would do)."""
    replies = []
    for m in msgs:
        rnd, _ = read_round(m.payload, str(m.kind))
        say(str(m.sender), f"--[{m.kind}, round {rnd}, {len(m.payload)} bytes]--> {m.recipient}: {describe(m, params)}")
        replies += parties[m.recipient].receive(m)
    return replies


def main() -> bytes:
    name, T, N = "ML-DSA-44", 2, 3
    params = mldsa.get_params(name, T, N)
    print(f"{params}: hyperball radii r = {params.r:.0f} < r' = {params.r_prime:.0f}, z stretched by ν = {params.nu}\n")

    print("1. Key generation by a trusted dealer")
    public_key, shares = mldsa.trusted_dealer_keygen(name, T, N)
    sets = sharing.share_sets(T, N)
    say("Dealer", f"draws a short secret (s1_u, s2_u), coefficients in [-2, 2], for each pair of parties u: "
                  f"{[sharing.members(u) for u in sets]}")
    say("Dealer", "the ML-DSA secret is their sum; t = A·s1 + s2; the public key is (ρ, t1 = HighBits(t))")
    for i, share in shares.items():
        secret(f"the secrets of sets {[sharing.members(u) for u in share.secrets]}", f"party {i}")
    public("FIPS 204 public key (first bytes)", public_key.public_key[:24])
    say("Dealer", "also publishes t_u = A·s1_u + s2_u per set (so that a bad response can be traced), "
                  "then forgets everything")

    message, ctx = b"release build 2.4.1", b"pqzk-walkthrough"
    quorum = [1, 3]
    print(f"\n2. Signing {message!r} (context {ctx!r}) with parties {quorum}; party 2 is offline")
    split = sharing.split(quorum, T, N)
    for j in quorum:
        say(f"party {j}", f"will add up the secrets of sets {[sharing.members(u) for u in split[j]]} "
                          "(each set used once by the quorum)")
    keyrings = generate_keyrings([COORDINATOR, *quorum])
    say("Everyone", "holds an identity key and everyone's public identity keys; every message is signed")
    coordinator = TMLDSACoordinator(public_key, message, quorum, keyrings[COORDINATOR], ctx=ctx, session=b"walkthrough")
    parties = {COORDINATOR: coordinator, **{j: TMLDSASigner(shares[j], keyrings[j]) for j in quorum}}
    for j in quorum:
        secret(f"K = {params.K} masks y_i, uniform in the hyperball, drawn fresh each round", f"party {j}")

    inflight = coordinator.start()
    seen_round = -1
    while inflight:
        if coordinator.round != seen_round:
            seen_round = coordinator.round
            print(f"\n   -- round {seen_round} --")
        inflight = deliver(parties, inflight, params)
        if coordinator.rounds > seen_round:            # the coordinator just combined this round
            outcome = coordinator.history[seen_round]
            for a in outcome.attempts:
                say(COORDINATOR, f"attempt {a.index}: {a.describe()}")
            if outcome.signature is None:
                say(COORDINATOR, "no attempt passed: a new round, with fresh masks (the old ones are gone)")
    if coordinator.error is not None:
        raise coordinator.error

    signature = coordinator.result
    print(f"\n3. The result: one ML-DSA-44 signature ({len(signature)} bytes) after "
          f"{coordinator.rounds} round(s), {coordinator.rounds - 1} restart(s)")
    public("signature (first bytes)", signature[:24])
    key = load_der_public_key(public_key.mldsa_public_key().to_spki())
    key.verify(signature, message, ctx)                # OpenSSL; raises InvalidSignature otherwise
    say("OpenSSL", f"verified: a {T}-of-{N} signature, indistinguishable from one by a single ML-DSA-44 key")
    return signature


if __name__ == "__main__":
    main()
