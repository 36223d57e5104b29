"""BIP-340 Schnorr signatures and the BIP-341 Taproot tweak, for the secp256k1-tr ciphersuite.

`bip340_verify` is the verifier the secp256k1-tr signatures are checked with (and the BIP-340
vectors); `taproot_tweak_key_package` / `..._public_key_package` apply Q = P + t·G with
t = hashTapTweak(x(P) || merkle_root) as ZF frost does (after making P even-y).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ...errors import InvalidParameter
from ...groups import Element, get_group
from ..bip32 import ExtendedPublicKey
from .bip340 import P_FIELD, bip340_sign, bip340_verify, has_even_y, lift_x, tagged_hash, x_only

if TYPE_CHECKING:   # packages are rebuilt with dataclasses.replace: the ciphersuite's post_dkg hook
    from .ciphersuite import Ciphersuite   # imports this module, which so imports neither of them
    from .types import KeyPackage, PublicKeyPackage


def _require_bip340(suite: Ciphersuite, what: str) -> None:
    """Taproot tweaks and derivation exist for the secp256k1-tr ciphersuite only."""
    if not suite.is_bip340:
        raise InvalidParameter(f"Taproot {what} to the secp256k1-tr ciphersuite only")


def taproot_tweak(P: Element, merkle_root: bytes = b"") -> int:
    """t = int(hashTapTweak(x(P) || merkle_root)) mod n (BIP-341)."""
    g = get_group("secp256k1")
    return int.from_bytes(tagged_hash("TapTweak", x_only(P) + merkle_root), "big") % g.order


def taproot_tweak_key_package(kp: KeyPackage, merkle_root: bytes = b"") -> KeyPackage:
    """Even-y the key, then add t to the share and t·G to the public keys (ZF `Tweak`)."""
    _require_bip340(kp.suite, "tweaks apply")
    g = kp.suite.group
    t = taproot_tweak(kp.verifying_key, merkle_root)
    sk, vs, vk = kp.signing_share, kp.verifying_share, kp.verifying_key
    if not has_even_y(vk):
        sk, vs, vk = (-sk) % g.order, -vs, -vk
    tG = g.base_mult(t)
    return replace(kp, signing_share=(sk + t) % g.order, verifying_share=vs + tG, verifying_key=vk + tG)


def taproot_tweak_public_key_package(pkp: PublicKeyPackage, merkle_root: bytes = b"") -> PublicKeyPackage:
    """The public key package tweaked for Taproot (BIP-341) with `merkle_root`; BIP-340 suite only."""
    _require_bip340(pkp.suite, "tweaks apply")
    g = pkp.suite.group
    t = taproot_tweak(pkp.verifying_key, merkle_root)
    tG = g.base_mult(t)
    vk, shares = pkp.verifying_key, dict(pkp.verifying_shares)
    if not has_even_y(vk):
        vk, shares = -vk, {i: -Y for i, Y in shares.items()}
    return replace(pkp, verifying_shares={i: Y + tG for i, Y in shares.items()}, verifying_key=vk + tG)


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
    ref = kp if kp is not None else pkp
    if ref is None:
        raise InvalidParameter("Taproot derivation needs a key package or a public key package")
    _require_bip340(ref.suite, "derivation applies")
    g = ref.suite.group
    chain = chain_code if chain_code is not None else default_chain_code(ref.verifying_key)
    node, delta = ExtendedPublicKey(ref.verifying_key, chain).derive(path)
    dG = g.base_mult(delta) if delta else g.identity()
    child_kp = child_pkp = None
    if pkp is not None:
        child_pkp = taproot_tweak_public_key_package(replace(
            pkp, verifying_shares={i: Y + dG for i, Y in pkp.verifying_shares.items()}, verifying_key=node.key), b"")
    if kp is not None:
        child_kp = taproot_tweak_key_package(replace(kp, signing_share=(kp.signing_share + delta) % g.order,
                                                     verifying_share=kp.verifying_share + dG, verifying_key=node.key),
                                             b"")
    return child_kp, child_pkp


__all__ = ["P_FIELD", "tagged_hash", "lift_x", "bip340_verify", "bip340_sign", "has_even_y", "x_only",
           "taproot_tweak", "taproot_tweak_key_package", "taproot_tweak_public_key_package",
           "default_chain_code", "derive_taproot"]
