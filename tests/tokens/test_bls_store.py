"""Threshold BLS (2-of-3) with partial signatures made from shares kept in share stores."""
from __future__ import annotations

import pytest
from token_stores import FileBackend, Pkcs11Backend

from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import bls
from pqzk.tokens import WrongGroup
from pqzk.tokens.bls import bls_partial_sign, put_bls_share

MSG = b"attest block 812"


def test_threshold_bls_from_stores(tmp_path):
    shares, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"tokens-bls"))
    file_store = FileBackend(tmp_path).open()
    token = Pkcs11Backend().open()
    try:
        put_bls_share(file_store, "bls-1", shares[1], key)
        put_bls_share(token, "bls-2", shares[2], key)
        partials = [bls_partial_sign(file_store, "bls-1", MSG, key), bls_partial_sign(token, "bls-2", MSG, key)]
        for p in partials:
            bls.verify_partial(key, MSG, p)
        sig = bls.combine(key, MSG, partials)
        bls.verify(key.group_public_key, MSG, sig)
        _, other = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"other"))
        with pytest.raises(WrongGroup):
            bls_partial_sign(token, "bls-2", MSG, other)
    finally:
        token.close()
