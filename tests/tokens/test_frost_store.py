"""FROST (RFC 9591) signing with every signer's key package loaded from a share store."""
from __future__ import annotations

import pytest
from token_stores import FileBackend, Pkcs11Backend, meta

from pqzk.errors import InvalidEncoding
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost
from pqzk.threshold.frost import core
from pqzk.tokens import WrongGroup
from pqzk.tokens.frost import load_key_package, put_key_package, sign_round2

MSG = b"pay 10 to bob"


@pytest.mark.parametrize("suite_name", ["FROST-ED25519-SHA512-v1", "FROST-secp256k1-SHA256-v1"])
def test_frost_2_of_3_with_shares_from_file_and_pkcs11(tmp_path, suite_name):
    suite = frost.get_ciphersuite(suite_name)
    rng = DeterministicRNG(b"tokens-frost")
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
    file_store = FileBackend(tmp_path).open()
    token = Pkcs11Backend().open()
    try:
        put_key_package(file_store, "p1", kps[1])
        put_key_package(token, "p3", kps[3])
        stores = {1: (file_store, "p1"), 3: (token, "p3")}
        r1 = {i: core.commit(suite, i, kps[i].signing_share, rng) for i in stores}
        commitments = [c for _, c in r1.values()]
        gpk = pkp.verifying_key.to_bytes()
        shares = [sign_round2(s, kid, suite, r1[i][0], MSG, commitments, group_public_key=gpk)
                  for i, (s, kid) in stores.items()]
        sig = core.aggregate_verified(suite, commitments, MSG, pkp.verifying_key, shares, pkp.verifying_shares)
        frost.verify(suite, pkp.verifying_key, MSG, sig)
        with load_key_package(token, "p3", suite) as kp:
            assert kp == kps[3]
        # asking for the share under another suite or group is refused
        with pytest.raises(WrongGroup):
            with load_key_package(token, "p3", "FROST-P256-SHA256-v1"):
                pass
        other, _ = frost.trusted_dealer_keygen(suite, 2, 3, rng=rng)
        with pytest.raises(WrongGroup):
            with load_key_package(file_store, "p1", suite, group_public_key=other[1].verifying_key.to_bytes()):
                pass
    finally:
        token.close()


def test_key_package_that_contradicts_its_metadata(tmp_path):
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, _ = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"x"))
    store = FileBackend(tmp_path).open()
    m = meta("p1", party=2, gpk=kps[1].verifying_key.to_bytes(), suite=suite.context, t=2)
    store.put(kps[1].to_bytes(), m)         # claims party 2, holds party 1's package
    with pytest.raises(InvalidEncoding, match="does not match"):
        with load_key_package(store, "p1", suite):
            pass
