"""BIP-32 derivation for FROST-secp256k1-TR: the child key equals the bip32 library's from the
same xpub, the BIP-341 tweak gives the output key, and libsecp256k1's BIP-340 verification
accepts the threshold signature; hardened steps are refused."""
import coincurve
import pytest

from conftest import require_component
from pqzk.errors import InvalidParameter
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost
from pqzk.threshold.bip32 import ExtendedPublicKey
from pqzk.threshold.ecdsa import addresses
from pqzk.threshold.frost.taproot import default_chain_code, derive_taproot, taproot_tweak

try:
    import bip32
except ImportError:
    bip32 = None

SUITE = frost.get_ciphersuite("FROST-secp256k1-SHA256-TR-v1")


@pytest.mark.parametrize("path", ["m/0", "m/86/0/0/0/3", "m/1/2/3"])
def test_derived_taproot_signatures_verify_with_libsecp256k1(path):
    require_component(bip32 is not None, "the bip32 oracle", "pip install bip32 (in the [dev] extra)")
    kps, pkp = frost.trusted_dealer_keygen(SUITE, 2, 3, rng=DeterministicRNG(b"tr-derive"))
    chain = default_chain_code(pkp.verifying_key)
    xpub = ExtendedPublicKey(pkp.verifying_key, chain).xpub()
    child = bip32.BIP32.from_xpub(xpub).get_pubkey_from_path(path)
    derived = {i: derive_taproot(kps[i], pkp, path)[0] for i in (1, 3)}
    _, dpkp = derive_taproot(None, pkp, path)
    # the output key is the BIP-341 tweak of the bip32 library's child key
    P = SUITE.group.decode(child)
    P = P if child[0] == 2 else -P
    Q = P + SUITE.group.base_mult(taproot_tweak(P, b""))
    assert dpkp.verifying_key.to_bytes()[1:] == Q.to_bytes()[1:]
    assert all(kp.verifying_key == dpkp.verifying_key for kp in derived.values())
    msg = bytes(32)
    sig = frost.sign(SUITE, list(derived.values()), msg, DeterministicRNG(b"tr-sign"))
    xonly = dpkp.verifying_key.to_bytes()[1:]
    assert coincurve.PublicKeyXOnly(xonly).verify(sig, msg)
    assert addresses.p2tr_from_xonly(xonly).startswith("bc1p")
    assert addresses.p2tr(SUITE.group.decode(child)) == addresses.p2tr_from_xonly(xonly)


def test_hardened_and_wrong_suite_are_refused():
    kps, pkp = frost.trusted_dealer_keygen(SUITE, 2, 3, rng=DeterministicRNG(b"tr-derive"))
    with pytest.raises(InvalidParameter, match="hardened"):
        derive_taproot(kps[1], pkp, "m/86'/0")
    other = frost.get_ciphersuite("FROST-secp256k1-SHA256-v1")
    kps2, pkp2 = frost.trusted_dealer_keygen(other, 2, 3)
    with pytest.raises(InvalidParameter):
        derive_taproot(kps2[1], pkp2, "m/0")
