"""Demo chapter: FROST signers keep their shares in a token (SoftHSM2 when installed, a sealed
file otherwise), sign, back a share up to an offline recovery key, and refuse a tampered record."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

from .narrate import Narrator


def chapter(n: Narrator) -> None:
    """Demo chapter: FROST signers keep their shares in a share store, sign, back a share up to an
    offline recovery key, and refuse a tampered record."""
    from ..errors import AuthenticationError, BackendUnavailable
    from ..math.rand import random_bytes
    from ..threshold import frost
    from ..threshold.frost import core
    from ..tokens import heldkeys, open_store
    from ..tokens.backup import export_backup, import_backup
    from ..tokens.frost import put_key_package, sign_round2
    from ..tokens.recipient import generate
    from ..tokens.softhsm import ephemeral_token

    n.chapter("Shares in tokens")
    tmp = Path(tempfile.mkdtemp(prefix="pqzk-demo-tokens-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        try:
            uri, pin = stack.enter_context(ephemeral_token("demo"))
            alice = stack.enter_context(open_store(uri, pin, create=True))
            kind = "SoftHSM2 token (PKCS#11)"
        except BackendUnavailable:
            alice = open_store(f"file:{tmp / 'alice'}", random_bytes(16, n.rng).hex(), create=True)
            kind = "sealed file (SoftHSM2 not installed)"
        bob = open_store(f"file:{tmp / 'bob'}", random_bytes(16, n.rng).hex(), create=True)
        n.public("Alice's store", kind)
        n.public("Bob's store", "sealed file (Argon2id/scrypt → AES-256-GCM)")

        suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
        n.step("Dealer", "splits a FROST Ed25519 key 2-of-3 and hands out key packages")
        kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=n.rng)
        n.public("group public key", pkp.verifying_key.to_bytes())
        put_key_package(alice, "frost-alice", kps[1])
        put_key_package(bob, "frost-bob", kps[2])
        n.secret("signing share 1", f"Alice's {kind}, sealed")
        n.secret("signing share 2", "Bob's sealed file")

        msg = b"release build 1.4.2"
        n.step("Alice, Bob", "round 1: commit to nonces; round 2: unseal the share for one signature")
        r1 = {i: core.commit(suite, i, kps[i].signing_share, n.rng) for i in (1, 2)}
        cl = [c for _, c in r1.values()]
        gpk = pkp.verifying_key.to_bytes()
        shares = [sign_round2(alice, "frost-alice", suite, r1[1][0], msg, cl, group_public_key=gpk),
                  sign_round2(bob, "frost-bob", suite, r1[2][0], msg, cl, group_public_key=gpk)]
        sig = core.aggregate_verified(suite, cl, msg, pkp.verifying_key, shares, pkp.verifying_shares)
        frost.verify(suite, pkp.verifying_key, msg, sig)
        n.public("FROST signature", sig.to_bytes())
        n.ok("threshold signature verifies; each share was in the clear only inside one round 2")

        n.step("Alice", "signs with an Ed25519 key held by her store (the classical half of a hybrid)")
        pk = alice.generate_held_key("release-ed25519", "ed25519")
        held_sig = alice.sign_with_held_key("release-ed25519", msg)
        heldkeys.verify("ed25519", pk, msg, held_sig)
        n.unseeded("held Ed25519 public key", pk, "inside the store")
        n.ok("OpenSSL verifies the signature made inside the store")

        n.step("Alice", "backs her share up to an offline recovery key (ML-KEM-768 + X25519)")
        recovery = generate()
        backup = export_backup(alice, "frost-alice", recovery.public_key())
        n.unseeded("recovery key fingerprint", recovery.public_key().fingerprint(), "by OpenSSL")
        n.public("backup size (bytes)", len(backup))
        n.secret("recovery private key", "an offline safe")
        spare = open_store(f"file:{tmp / 'spare'}", random_bytes(16, n.rng).hex(), create=True)
        import_backup(backup, recovery, spare, group_public_key=gpk)
        n.ok("backup re-imported into a spare store for the same group")

        n.step("Mallory", "flips one bit of Bob's sealed share on disk")
        path = tmp / "bob" / "frost-bob.share"
        raw = bytearray(path.read_bytes())
        raw[-1] ^= 1
        path.write_bytes(bytes(raw))
        try:
            with bob.get("frost-bob"):
                raise AssertionError("tampered share was returned")
        except AuthenticationError:
            n.ok("tampered record refused (AES-GCM authentication failure), nothing returned")
