"""Store factories shared by the token tests: each opens a fresh store of one backend and knows
how to reach its raw sealed record (to tamper with it)."""
from __future__ import annotations

import itertools
from pathlib import Path

from token_env import USER_PIN, init_softhsm_token, pkcs11_uri, require_softhsm

from pqzk.tokens import ShareMetadata, open_store
from pqzk.tokens.passphrase import KdfParams

PASSPHRASE = "correct horse battery staple"
GROUP_PK = bytes.fromhex("02" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
_n = itertools.count()


def meta(key_id: str = "share-1", party: int = 1, gpk: bytes = GROUP_PK,
         suite: str = "FROST-secp256k1-SHA256-v1", t: int = 2) -> ShareMetadata:
    return ShareMetadata(key_id, party, gpk, suite, t)


def frost_share(party: int = 1, t: int = 2, n: int = 5, suite: str = "FROST-secp256k1-SHA256-v1",
                seed: bytes = b"pqzk token tests") -> tuple[bytes, bytes]:
    """(key package bytes, group public key) of participant `party` of a deterministic FROST key."""
    from pqzk.math.rand import DeterministicRNG
    from pqzk.threshold import frost
    kps, pkp = frost.trusted_dealer_keygen(suite, t, n, rng=DeterministicRNG(seed))
    return kps[party].to_bytes(), pkp.verifying_key.to_bytes()


class FileBackend:
    name = "file"

    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path / f"store{next(_n)}"
        self.uri = f"file:{self.dir}"

    def open(self, secret: str = PASSPHRASE, create: bool = True):
        return open_store(self.uri, secret, create=create, kdf=KdfParams.fast_for_tests())

    def read_raw(self, store, key_id: str) -> bytes:
        return (self.dir / f"{key_id}.share").read_bytes()

    def write_raw(self, store, key_id: str, data: bytes) -> None:
        (self.dir / f"{key_id}.share").write_bytes(data)


class TpmBackend(FileBackend):
    name = "tpm"

    def __init__(self, tmp_path: Path, sim, pcrs: str | None = None) -> None:
        super().__init__(tmp_path)
        self.uri = f"tpm:{self.dir}?tcti={sim.tcti}" + (f"&pcrs={pcrs}" if pcrs else "")

    def open(self, secret: str | None = USER_PIN, create: bool = True):
        return open_store(self.uri, secret, create=create)


class Pkcs11Backend:
    name = "pkcs11"

    def __init__(self) -> None:
        require_softhsm()
        self.label = init_softhsm_token(f"pqzk-c{next(_n)}")
        self.uri = pkcs11_uri(self.label)

    def open(self, secret: str = USER_PIN, create: bool = True):
        return open_store(self.uri, secret, create=create)

    def _obj(self, store, key_id: str):
        objs = store._objects(key_id)
        assert len(objs) == 1
        return objs[0]

    def read_raw(self, store, key_id: str) -> bytes:
        from pkcs11 import Attribute
        return bytes(self._obj(store, key_id)[Attribute.VALUE])

    def write_raw(self, store, key_id: str, data: bytes) -> None:
        """Replace the record as an attacker with the PIN could: destroy it, create a doctored copy."""
        from pkcs11 import Attribute, ObjectClass
        from pqzk.tokens.pkcs11 import APPLICATION
        self._obj(store, key_id).destroy()
        store._session.create_object({Attribute.CLASS: ObjectClass.DATA, Attribute.TOKEN: True,
                                      Attribute.PRIVATE: True, Attribute.APPLICATION: APPLICATION,
                                      Attribute.LABEL: key_id, Attribute.VALUE: data})
