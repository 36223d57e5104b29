"""Threshold ECDSA: DKLs23 (eprint 2023/765) on secp256k1 and P-256, with BIP-32 non-hardened
derivation under the threshold key.

    signature  standard ECDSA signatures: low-s, recovery id, verify, recover
    keys       EcdsaKeyShare (Shamir share, public key package, chain code, pairwise OT seeds)
    keygen     the DKG + chain code + OT setup in one process
    dkls       Dkls23Signer: one signer's three rounds and every check of the paper
    bip32      xpubs, paths, the additive tweak; hardened steps refused
The networked parties (keygen, signing, refresh, reshare) are in pqzk.runtime.ecdsa_parties.
"""
from ..bip32 import ExtendedPublicKey, parse_path, parse_xpub
from .dkls import Dkls23Signer, PeerDeviation, sign_locally
from . import addresses
from .keygen import keygen_local
from .keys import EcdsaKeyShare, EcdsaPublicKey, suite_for
from .signature import CURVES, EcdsaSignature, recover, verify

__all__ = ["CURVES", "addresses", "EcdsaSignature", "EcdsaKeyShare", "EcdsaPublicKey", "Dkls23Signer", "PeerDeviation",
           "ExtendedPublicKey", "keygen_local", "parse_path", "parse_xpub", "recover", "sign_locally", "suite_for",
           "verify"]
