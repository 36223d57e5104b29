"""DKLs23 over the runtime: keygen, signing, refresh and reshare in the simulator (over the wire
encoding), and faults — drops, corruption in transit, equivocation, a bad OT-extension message, a
party that deviates in the multiplication — each ending in a valid signature or an abort whose
culprits are only the deviating party."""
import functools
import hashlib
from dataclasses import replace

import coincurve
import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter, ProtocolAbort
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import (Corrupt, Drop, Kind, Silent, ecdsa_shares, ecdsa_signing_outcome, run_ecdsa_keygen,
                          run_ecdsa_refresh, run_ecdsa_reshare, run_ecdsa_signing)
from pqzk.runtime.ecdsa_parties import EcdsaSigner
from pqzk.threshold import ecdsa
from pqzk.threshold.ecdsa import EcdsaKeyShare

DIGEST = hashlib.sha256(b"runtime").digest()


@functools.lru_cache(maxsize=None)
def keys():
    parties, sim = run_ecdsa_keygen("secp256k1", [1, 2, 3], 2, rng=DeterministicRNG(b"rt-keygen"), wire=True)
    return ecdsa_shares(parties, [1, 2, 3])


def sign(shares, signers, **kw):
    parties, sim = run_ecdsa_signing(shares, signers, DIGEST, **kw)
    return parties, sim


def test_keygen_gives_consistent_shares_and_a_working_key():
    shares = keys()
    pub = shares[1].public_key
    assert all(s.public_key == pub for s in shares.values())
    g = pub.key.group
    assert g.base_mult(sum(s.key_package.signing_share * c for s, c in zip(
        [shares[1], shares[2]], ecdsa.dkls.lagrange_coefficients([1, 2], g.order, 0))) % g.order) == pub.key
    for i, s in shares.items():
        for j, seeds in s.ot.items():
            other = shares[j].ot[i]
            assert seeds.as_alice.keys[5] == other.as_bob.pairs[5][seeds.as_alice.choices[0] >> 5 & 1]
    assert EcdsaKeyShare.from_bytes(shares[2].to_bytes()) == shares[2]


@pytest.mark.parametrize("signers", [[1, 2], [1, 3], [1, 2, 3]])
def test_signing_over_the_wire(signers):
    parties, sim = sign(keys(), signers, wire=True, reorder=True)
    sig = ecdsa_signing_outcome(parties, signers)
    coincurve.PublicKey(keys()[1].public.verifying_key.to_bytes()).verify(sig.to_der(), DIGEST, hasher=None)


def test_signing_with_a_path_signs_under_the_child_key():
    parties, _ = sign(keys(), [2, 3], path="m/44/60/0/0/5")
    sig = ecdsa_signing_outcome(parties, [2, 3])
    child, _ = keys()[1].public_key.derive("m/44/60/0/0/5")
    rec = coincurve.PublicKey.from_signature_and_message(sig.to_recoverable(), DIGEST, hasher=None)
    assert rec.format() == child.to_bytes()


def test_refresh_keeps_the_key_changes_the_shares_and_old_shares_are_useless():
    old = keys()
    parties, _ = run_ecdsa_refresh(old, rng=DeterministicRNG(b"rt-refresh"))
    new = ecdsa_shares(parties, [1, 2, 3])
    assert new[1].public.verifying_key == old[1].public.verifying_key and new[1].chain_code == old[1].chain_code
    assert all(new[i].key_package.signing_share != old[i].key_package.signing_share for i in new)
    sig = ecdsa_signing_outcome(sign(new, [1, 3])[0], [1, 3])
    ecdsa.verify("secp256k1", new[1].public.verifying_key, DIGEST, sig)
    # an old share with a new one: no longer on one polynomial (and the OT seeds no longer pair up)
    g = old[1].public.verifying_key.group
    lam = ecdsa.dkls.lagrange_coefficients([1, 3], g.order, 0)
    mixed = (old[1].key_package.signing_share * lam[0] + new[3].key_package.signing_share * lam[1]) % g.order
    assert g.base_mult(mixed) != old[1].public.verifying_key
    assert old[1].ot[3].as_alice.keys != new[1].ot[3].as_alice.keys


def test_reshare_to_a_new_committee_and_threshold():
    old = keys()
    parties, _ = run_ecdsa_reshare(old, old[1].public_key, 3, {1: 1, 3: 3}, {"a": 1, "b": 2, "c": 3, "d": 4},
                                   rng=DeterministicRNG(b"rt-reshare"))
    new = ecdsa_shares(parties, [1, 3, "a", "b", "c", "d"])
    assert sorted(new) == [1, 2, 3, 4] and new[1].public.min_signers == 3
    assert new[4].public.verifying_key == old[1].public.verifying_key
    sig = ecdsa_signing_outcome(sign(new, [2, 3, 4])[0], [2, 3, 4])
    ecdsa.verify("secp256k1", old[1].public.verifying_key, DIGEST, sig)
    with pytest.raises(InvalidParameter):
        sign(new, [2, 3])                      # below the new threshold


def test_a_dropped_message_is_silence_not_blame():
    parties, _ = sign(keys(), [1, 2], faults=[Drop(sender=2, kind=Kind.ECDSA_SIGN_MUL2)])
    with pytest.raises(ProtocolAbort) as exc:
        ecdsa_signing_outcome(parties, [1, 2])
    assert exc.value.culprits == [] and exc.value.unresponsive == [2]


def test_a_silent_signer_is_unresponsive():
    parties, _ = sign(keys(), [1, 2, 3], faults=[Silent(sender=3)])
    with pytest.raises(ProtocolAbort) as exc:
        ecdsa_signing_outcome(parties, [1, 2])
    assert exc.value.culprits == [] and 3 in exc.value.unresponsive


@pytest.mark.parametrize("kind", [Kind.ECDSA_SIGN_COMMIT, Kind.ECDSA_SIGN_MUL1, Kind.ECDSA_SIGN_MUL2,
                                  Kind.ECDSA_SIGN_SHARE])
def test_corruption_in_transit_is_dropped_never_blamed(kind):
    parties, _ = sign(keys(), [1, 2, 3], faults=[Corrupt(sender=2, kind=kind, count=1)], rng=DeterministicRNG(3))
    with pytest.raises(ProtocolAbort) as exc:
        ecdsa_signing_outcome(parties, [1, 2, 3])
    assert exc.value.culprits == []
    assert any(p.rejected for p in parties.values())


class _Deviating(EcdsaSigner):
    """Alters one kind of payload it signs (and sends) with `mutate`."""
    kind = None

    def mutate(self, payload: bytes, to) -> bytes:
        raise NotImplementedError

    def _send(self, to, kind, payload, session=None):
        if kind == self.kind:
            payload = self.mutate(payload, to)
        return super()._send(to, kind, payload, session)

    def _send_all(self, to, kind, payload):
        if kind != self.kind:
            return super()._send_all(to, kind, payload)
        out = []
        for j in to:
            if j != self.id:
                out += super()._send_all([j], kind, self.mutate(payload, j))
        return out


def _adversary(kind, mutate):
    return type("Adv", (_Deviating,), {"kind": kind, "mutate": lambda self, p, to: mutate(p, to)})


def _blamed(parties, honest, culprit):
    with pytest.raises(ProtocolAbort) as exc:
        ecdsa_signing_outcome(parties, honest)
    assert exc.value.culprits == [culprit], exc.value
    return exc.value


def _flip(pos):
    def f(payload, to):
        b = bytearray(payload)
        b[pos % len(b)] ^= 1
        return bytes(b)
    return f


def test_a_wrong_ot_extension_message_convicts_its_sender():
    parties, _ = sign(keys(), [1, 2, 3], adversaries={3: _adversary(Kind.ECDSA_SIGN_MUL1, _flip(100))})
    err = _blamed(parties, [1, 2], 3)
    assert "OT extension" in err.reason


def test_a_deviation_in_the_multiplication_convicts_the_deviator():
    """Party 3 sends a VOLE message made with another input (one ã entry off): the μ check fails."""
    def bump(payload, to):
        b = bytearray(payload)
        k = 2 + 3 * (2 + 1 + 32) + 7          # inside the VOLE message, after the echo of 3 commitments
        b[k] ^= 1
        return bytes(b)
    parties, _ = sign(keys(), [1, 2, 3], adversaries={3: _adversary(Kind.ECDSA_SIGN_MUL2, bump)})
    _blamed(parties, [1, 2], 3)


def test_multiplying_another_key_share_convicts_the_deviator():
    """Party 2 runs the VOLE with a key share that is not its own: the Γ^v check fails."""
    class WrongKey(EcdsaSigner):
        def start(self):
            out = super().start()
            self.core._sk = (self.core._sk + 1) % self.core.group.order
            return out
    parties, _ = sign(keys(), [1, 2], adversaries={2: WrongKey})
    err = _blamed(parties, [1], 2)
    assert "Γ^v" in err.reason


def test_equivocating_commitments_convict_the_equivocator():
    parties, _ = sign(keys(), [1, 2, 3], adversaries={2: _adversary(Kind.ECDSA_SIGN_COMMIT,
                                                                     lambda p, to: p if to == 1 else p[::-1])})
    err = _blamed(parties, [1, 3], 2)
    assert "commitment" in err.reason or "equivocation" in err.reason


def test_a_bad_final_share_aborts_without_blaming_anyone():
    parties, _ = sign(keys(), [1, 2], adversaries={2: _adversary(Kind.ECDSA_SIGN_SHARE, _flip(40))})
    with pytest.raises(ProtocolAbort) as exc:
        ecdsa_signing_outcome(parties, [1])
    assert exc.value.culprits == [] and exc.value.unresponsive == [] and "does not verify" in exc.value.reason


def test_keygen_with_a_bad_ot_setup_message_convicts_its_sender():
    from pqzk.runtime.ecdsa_parties import EcdsaKeygenParticipant

    class BadOt(EcdsaKeygenParticipant):
        def _send(self, to, kind, payload, session=None):
            if kind == Kind.ECDSA_OT_SETUP:
                payload = payload[:-1]
            return super()._send(to, kind, payload, session)

    parties, _ = run_ecdsa_keygen("secp256k1", [1, 2, 3], 2, adversaries={2: BadOt})
    with pytest.raises(ProtocolAbort) as exc:
        ecdsa_shares(parties, [1, 3])
    assert exc.value.culprits == [2]


def test_keygen_with_a_wrong_chain_code_opening_convicts_its_sender():
    from pqzk.runtime.ecdsa_parties import EcdsaKeygenParticipant

    class BadChain(EcdsaKeygenParticipant):
        def _ot_extra(self):
            return bytes(32)

    parties, _ = run_ecdsa_keygen("secp256k1", [1, 2, 3], 2, adversaries={3: BadChain})
    with pytest.raises(ProtocolAbort) as exc:
        ecdsa_shares(parties, [1, 2])
    assert exc.value.culprits == [3]


def test_p256_keygen_and_signing():
    parties, _ = run_ecdsa_keygen("p256", [1, 2, 3], 2)
    shares = ecdsa_shares(parties, [1, 2, 3])
    sig = ecdsa_signing_outcome(sign(shares, [1, 3])[0], [1, 3])
    ecdsa.verify("p256", shares[1].public.verifying_key, DIGEST, sig)
    with pytest.raises(InvalidParameter):
        sign(shares, [1, 3], path="m/0")        # BIP-32 is secp256k1 only


def test_signer_refuses_bad_setups():
    shares = keys()
    from pqzk.runtime import generate_keyrings
    rings = generate_keyrings([1, 2, 4])
    with pytest.raises(InvalidParameter):
        EcdsaSigner(shares[1], [2, 3], DIGEST, rings[1], session=b"s")
    with pytest.raises(InvalidParameter):
        EcdsaSigner(shares[1], [1], DIGEST, rings[1], session=b"s").start()
    with pytest.raises(InvalidParameter):
        EcdsaSigner(shares[1], [1, 2], DIGEST[:31], rings[1], session=b"s").start()


def test_key_share_decoding_is_strict():
    data = keys()[1].to_bytes()
    assert EcdsaKeyShare.from_bytes(data) == keys()[1]
    for bad in (data[:-1], data + b"\x00", b"x" + data[1:], data[:19] + b"\x07" + data[20:]):
        with pytest.raises(InvalidEncoding):
            EcdsaKeyShare.from_bytes(bad)
    assert "redacted" in repr(keys()[1]) and str(keys()[1].key_package.signing_share) not in repr(keys()[1])
