"""TPM 2.0 backend against swtpm: sealed to this TPM, PCR policy, one DA failure per wrong PIN,
TPM absent, tampered sealed blob."""
from __future__ import annotations

import pytest
from token_stores import TpmBackend, meta
from token_env import USER_PIN, Swtpm, require_tpm, swtpm  # noqa: F401  (fixture)

from pqzk.errors import AuthenticationError, InvalidParameter
from pqzk.tokens import TokenAbsent, TokenError, WrongPin, open_store
from pqzk.tokens.envelope import SealedRecord
from pqzk.tokens.tpm import parse_pcrs, parse_tcti


def _esys(sim):
    from tpm2_pytss import ESAPI, TCTILdr
    return ESAPI(TCTILdr("swtpm", sim.tcti.split(":", 1)[1]))


def _lockout_counter(sim) -> int:
    from tpm2_pytss.constants import TPM2_CAP, TPM2_PT
    with _esys(sim) as e:
        _, data = e.get_capability(TPM2_CAP.TPM_PROPERTIES, TPM2_PT.LOCKOUT_COUNTER, 1)
        return int(data.data.tpmProperties.tpmProperty[0].value)


def _reset_lockout(sim) -> None:
    from tpm2_pytss.constants import ESYS_TR
    with _esys(sim) as e:
        e.dictionary_attack_lock_reset(ESYS_TR.LOCKOUT)


def test_wrong_pin_costs_exactly_one_da_failure(tmp_path, swtpm):
    b = TpmBackend(tmp_path, swtpm)
    with b.open() as s:
        s.put(b"\x01" * 32, meta())
    _reset_lockout(swtpm)
    before = _lockout_counter(swtpm)
    with pytest.raises(WrongPin, match="not retried") as ei:   # checked on open, by the verifier
        b.open(secret="0000", create=False)
    assert "0000" not in str(ei.value)
    assert _lockout_counter(swtpm) == before + 1
    with pytest.raises(WrongPin, match="nothing was changed"):  # `init` of the store with another PIN
        b.open(secret="0000", create=True)
    assert _lockout_counter(swtpm) == before + 2
    _reset_lockout(swtpm)
    with b.open(create=False) as s, s.get("share-1") as u:
        assert u.value == b"\x01" * 32


def test_pcr_policy(tmp_path, swtpm):
    from tpm2_pytss import TPML_DIGEST_VALUES, TPMT_HA, TPMU_HA
    from tpm2_pytss.constants import ESYS_TR, TPM2_ALG
    with _esys(swtpm) as e:
        e.pcr_reset(ESYS_TR.PCR16)
    b = TpmBackend(tmp_path, swtpm, pcrs="sha256:16")
    with b.open() as s:
        s.put(b"\x07" * 32, meta())
        with s.get("share-1") as u:
            assert u.value == b"\x07" * 32
        with _esys(swtpm) as e:   # measure something new into PCR 16: the policy no longer holds
            e.pcr_extend(ESYS_TR.PCR16, TPML_DIGEST_VALUES([TPMT_HA(hashAlg=TPM2_ALG.SHA256,
                                                                    digest=TPMU_HA(sha256=b"\x11" * 32))]))
        with pytest.raises(TokenError, match="PCR"):
            with s.get("share-1"):
                pass
        with _esys(swtpm) as e:
            e.pcr_reset(ESYS_TR.PCR16)
        with s.get("share-1") as u:
            assert u.value == b"\x07" * 32
    # opening the same store without the PCR policy is refused rather than guessed
    no_policy = TpmBackend(tmp_path, swtpm)
    no_policy.dir, no_policy.uri = b.dir, f"tpm:{b.dir}?tcti={swtpm.tcti}"
    with pytest.raises(InvalidParameter, match="PCR policy"):
        no_policy.open(create=False)


def test_sealed_to_this_tpm_only(tmp_path, swtpm):
    b = TpmBackend(tmp_path, swtpm)
    with b.open() as s:
        s.put(b"\x01" * 32, meta())
    other = Swtpm()
    try:
        with pytest.raises((TokenError, AuthenticationError)):   # the verifier does not open there
            open_store(f"tpm:{b.dir}?tcti={other.tcti}", USER_PIN)
    finally:
        other.stop()


def test_tampered_sealed_blob(tmp_path, swtpm):
    b = TpmBackend(tmp_path, swtpm)
    with b.open() as s:
        s.put(b"\x01" * 32, meta())
        raw = b.read_raw(s, "share-1")
        rec = SealedRecord.from_bytes(raw)
        params = bytearray(rec.sealer_params)
        params[len(params) // 2] ^= 1                 # inside the TPM2B_PRIVATE blob
        b.write_raw(s, "share-1", SealedRecord(rec.metadata, rec.sealer_id, bytes(params),
                                               rec.nonce, rec.ciphertext).to_bytes())
        with pytest.raises((TokenError, AuthenticationError)):
            with s.get("share-1"):
                pass


def test_tpm_absent(tmp_path):
    require_tpm()
    from token_env import _free_port
    with pytest.raises(TokenAbsent, match="no TPM reachable"):
        open_store(f"tpm:{tmp_path}?tcti=swtpm:host=127.0.0.1,port={_free_port()}", USER_PIN, create=True)


def test_tcti_and_pcr_parsing():
    assert parse_tcti("swtpm:host=127.0.0.1,port=2321") == ("swtpm", "host=127.0.0.1,port=2321")
    assert parse_pcrs("sha256:7,0,7") == "sha256:0,7"
    for bad in ("md5:1", "sha256:", "sha256:24", "sha256:a"):
        with pytest.raises(InvalidParameter):
            parse_pcrs(bad)
    with pytest.raises(InvalidParameter):
        parse_tcti("evil:x")


def test_p256_key_lives_in_the_tpm(tmp_path, swtpm):
    from pqzk.tokens import heldkeys
    b = TpmBackend(tmp_path, swtpm)
    with b.open() as s:
        pk = s.generate_held_key("p", "ecdsa-p256")
        assert (b.dir / "p.tkey").exists() and not (b.dir / "p.hkey").exists()
        sig = s.sign_with_held_key("p", b"m")
        heldkeys.verify("ecdsa-p256", pk, b"m", sig)
        # the file names a different public key: refused before signing
        raw = (b.dir / "p.tkey").read_bytes()
        i = raw.index(pk)
        (b.dir / "p.tkey").write_bytes(raw[:i + 10] + bytes([raw[i + 10] ^ 1]) + raw[i + 11:])
        with pytest.raises(AuthenticationError):
            s.sign_with_held_key("p", b"m")
    _reset_lockout(swtpm)
    (b.dir / "p.tkey").write_bytes(raw)
    with pytest.raises(WrongPin):                      # a store opened with the wrong PIN: refused
        b.open(secret="0000", create=False)
    from pqzk.tokens.tpm import TpmSealer
    with b.open(create=False) as s:
        meta_, pub_blob, priv_blob = s._read_tkey("p")
    wrong = TpmSealer(swtpm.tcti, "0000")              # and the TPM key itself needs the PIN too
    try:
        with pytest.raises(WrongPin):
            wrong.sign_digest(pub_blob, priv_blob, bytes(32), meta_.group_public_key)
    finally:
        wrong.close()
    _reset_lockout(swtpm)


def test_legacy_tpm_store_needs_the_explicit_upgrade(tmp_path, swtpm):
    """A TPM store made before verifiers: refused with the upgrade step; `upgrade=True` checks the
    PIN against every record first; from then on the PIN is checked on open."""
    from pqzk.tokens import StoreNeedsUpgrade
    from pqzk.tokens.sealed_file import MARKER
    b = TpmBackend(tmp_path, swtpm)
    with b.open() as s:
        s.put(b"\x01" * 32, meta())
    (b.dir / MARKER).write_text("pqzk share store v1\nsealer=tpm2\n")     # as an older pqzk wrote it
    with pytest.raises(StoreNeedsUpgrade, match="--upgrade"):
        b.open(create=False)
    _reset_lockout(swtpm)
    with pytest.raises(WrongPin, match="share-1.share does not open"):
        open_store(b.uri, "0000", upgrade=True)
    assert "verifier" not in (b.dir / MARKER).read_text()
    _reset_lockout(swtpm)
    with open_store(b.uri, USER_PIN, upgrade=True) as s, s.get("share-1") as u:
        assert u.value == b"\x01" * 32
    with pytest.raises(WrongPin):
        b.open(secret="0000", create=False)
    _reset_lockout(swtpm)
