"""BIP-340 Schnorr signatures and the BIP-341 Taproot tweak, for the secp256k1-tr ciphersuite.

`bip340_verify` is the verifier the secp256k1-tr signatures are checked with (and the BIP-340
vectors); `taproot_tweak_key_package` / `..._public_key_package` apply Q = P + t·G with
t = hashTapTweak(x(P) || merkle_root) as ZF frost does (after making P even-y).
"""
from __future__ import annotations

import hashlib

from ...errors import InvalidEncoding, InvalidParameter, VerificationError
from ...groups import Element, get_group
from ...math.rand import RandomSource, random_bytes
from .types import KeyPackage, PublicKeyPackage

P_FIELD = 2**256 - 2**32 - 977


def tagged_hash(tag: str, data: bytes) -> bytes:
    """BIP-340's tagged hash: SHA-256(SHA-256(tag) ‖ SHA-256(tag) ‖ data)."""
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def lift_x(x: bytes) -> Element:
    """The even-y point with x-coordinate x (BIP-340 lift_x), or InvalidEncoding."""
    if len(x) != 32:
        raise InvalidEncoding(f"x-only key must be 32 bytes, got {len(x)}")
    return get_group("secp256k1").decode(b"\x02" + x)


def bip340_verify(pubkey: bytes, msg: bytes, sig: bytes) -> None:
    """BIP-340 Verify(pk, m, sig); raises VerificationError (or InvalidEncoding for bad sizes)."""
    g = get_group("secp256k1")
    for value, what in ((pubkey, "public key"), (msg, "message"), (sig, "signature")):
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise InvalidEncoding(f"BIP-340 {what} must be bytes, got {type(value).__name__}")
    pubkey, msg, sig = bytes(pubkey), bytes(msg), bytes(sig)
    if len(sig) != 64:
        raise InvalidEncoding(f"BIP-340 signature must be 64 bytes, got {len(sig)}")
    try:
        P = lift_x(bytes(pubkey))
    except InvalidEncoding:
        raise VerificationError("public key is not a valid x-only key") from None
    r = int.from_bytes(sig[:32], "big")
    s = int.from_bytes(sig[32:], "big")
    if r >= P_FIELD or s >= g.order:
        raise VerificationError("signature component out of range")
    e = int.from_bytes(tagged_hash("BIP0340/challenge", sig[:32] + bytes(pubkey) + msg), "big") % g.order
    R = g.base_mult(s) - e * P
    if R.is_identity() or R.to_bytes() != b"\x02" + sig[:32]:
        raise VerificationError("signature does not verify")


def bip340_sign(seckey: int, msg: bytes, aux_rand: bytes | None = None, rng: RandomSource | None = None) -> bytes:
    """BIP-340 Sign (single key); used to run the BIP-340 vectors."""
    g = get_group("secp256k1")
    n = g.order
    if not 0 < seckey < n:
        raise InvalidParameter("secret key out of range")
    a = aux_rand if aux_rand is not None else random_bytes(32, rng)
    P = g.base_mult(seckey)
    d = seckey if P.to_bytes()[0] == 2 else n - seckey
    t = (d ^ int.from_bytes(tagged_hash("BIP0340/aux", a), "big")).to_bytes(32, "big")
    px = P.to_bytes()[1:]
    k0 = int.from_bytes(tagged_hash("BIP0340/nonce", t + px + msg), "big") % n
    if k0 == 0:
        raise InvalidParameter("nonce is zero")
    R = g.base_mult(k0)
    k = k0 if R.to_bytes()[0] == 2 else n - k0
    rx = R.to_bytes()[1:]
    e = int.from_bytes(tagged_hash("BIP0340/challenge", rx + px + msg), "big") % n
    sig = rx + ((k + e * d) % n).to_bytes(32, "big")
    bip340_verify(px, msg, sig)
    return sig


def taproot_tweak(P: Element, merkle_root: bytes = b"") -> int:
    """t = int(hashTapTweak(x(P) || merkle_root)) mod n (BIP-341)."""
    g = get_group("secp256k1")
    return int.from_bytes(tagged_hash("TapTweak", P.to_bytes()[1:] + merkle_root), "big") % g.order


def _even(P: Element) -> bool:
    return P.to_bytes()[0] == 2


def taproot_tweak_key_package(kp: KeyPackage, merkle_root: bytes = b"") -> KeyPackage:
    """Even-y the key, then add t to the share and t·G to the public keys (ZF `Tweak`)."""
    if not kp.suite.is_bip340:
        raise InvalidParameter("Taproot tweaks apply to the secp256k1-tr ciphersuite only")
    g = kp.suite.group
    t = taproot_tweak(kp.verifying_key, merkle_root)
    sk, vs, vk = kp.signing_share, kp.verifying_share, kp.verifying_key
    if not _even(vk):
        sk, vs, vk = (-sk) % g.order, -vs, -vk
    tG = g.base_mult(t)
    return KeyPackage(kp.suite, kp.identifier, (sk + t) % g.order, vs + tG, vk + tG, kp.min_signers)


def taproot_tweak_public_key_package(pkp: PublicKeyPackage, merkle_root: bytes = b"") -> PublicKeyPackage:
    """The public key package tweaked for Taproot (BIP-341) with `merkle_root`; BIP-340 suite only."""
    if not pkp.suite.is_bip340:
        raise InvalidParameter("Taproot tweaks apply to the secp256k1-tr ciphersuite only")
    g = pkp.suite.group
    t = taproot_tweak(pkp.verifying_key, merkle_root)
    tG = g.base_mult(t)
    vk, shares = pkp.verifying_key, dict(pkp.verifying_shares)
    if not _even(vk):
        vk, shares = -vk, {i: -Y for i, Y in shares.items()}
    return PublicKeyPackage(pkp.suite, {i: Y + tG for i, Y in shares.items()}, vk + tG, pkp.min_signers)


def default_chain_code(verifying_key: Element) -> bytes:
    """A chain code for a FROST key whose DKG made none: a tagged hash of the group key. Public,
    as every chain code in an xpub is; but anyone who knows the group key can then link the
    derived keys to it (pass a jointly random chain code where that matters)."""
    return tagged_hash("pqzk/frost/chain-code", verifying_key.to_bytes())


def derive_taproot(kp: KeyPackage | None, pkp: PublicKeyPackage | None, path, chain_code: bytes | None = None
                   ) -> tuple[KeyPackage | None, PublicKeyPackage | None]:
    """BIP-32 non-hardened derivation of the FROST-secp256k1-TR group key, then the BIP-341 tweak
    (empty script tree). Every share shifts by the public tweak δ = Σ I_L (a constant added to
    every share is added to the shared secret), so signers learn nothing beyond their shifted
    shares; hardened steps are refused (no party holds the parent secret). Either package may be
    None (the other is then derived alone)."""
    from ..bip32 import ExtendedPublicKey
    ref = kp if kp is not None else pkp
    if ref is None or not ref.suite.is_bip340:
        raise InvalidParameter("Taproot derivation applies to the secp256k1-tr ciphersuite only")
    g = ref.suite.group
    chain = chain_code if chain_code is not None else default_chain_code(ref.verifying_key)
    node, delta = ExtendedPublicKey(ref.verifying_key, chain).derive(path)
    dG = g.base_mult(delta) if delta else g.identity()
    child_kp = child_pkp = None
    if pkp is not None:
        child_pkp = taproot_tweak_public_key_package(PublicKeyPackage(
            pkp.suite, {i: Y + dG for i, Y in pkp.verifying_shares.items()}, node.key, pkp.min_signers), b"")
    if kp is not None:
        child_kp = taproot_tweak_key_package(KeyPackage(kp.suite, kp.identifier, (kp.signing_share + delta) % g.order,
                                                        kp.verifying_share + dG, node.key, kp.min_signers), b"")
    return child_kp, child_pkp
