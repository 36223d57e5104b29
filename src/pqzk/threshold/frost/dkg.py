"""FROST key generation by DKG: pqzk.dkg.pedersen with the ciphersuite's HDKG (as ZF frost).

Results are FROST `KeyPackage`s and a `PublicKeyPackage`. For secp256k1-tr the proof nonce is
even-y (the proof is serialized as a BIP-340 style signature) and, as ZF's `post_dkg` does, the
group key gets the unspendable Taproot tweak (empty merkle root).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...dkg import pedersen
from ...dkg.pedersen import ProofOfKnowledge, Round1Package, Round2Package
from ...encoding import as_bytes
from ...errors import InvalidEncoding, ProtocolAbort
from ...math.rand import RandomSource
from ...sharing.vss import FeldmanCommitment
from .ciphersuite import Ciphersuite, get_ciphersuite
from .core import check_parameters
from .types import KeyPackage, PublicKeyPackage, Signature


def dkg_parameters(suite: str | Ciphersuite, min_signers: int, max_signers: int) -> pedersen.DkgParameters:
    """The Pedersen DKG parameters for a FROST ciphersuite (its group, DKG hash, even-y nonces for
    BIP-340)."""
    suite = get_ciphersuite(suite)
    check_parameters(suite, min_signers, max_signers)
    return pedersen.DkgParameters(suite.group, min_signers, max_signers, suite.hdkg,
                                  even_y_nonce=suite.hooks.even_y_nonce)


def encode_proof(suite: Ciphersuite, proof: ProofOfKnowledge) -> bytes:
    """A DKG proof of knowledge encoded as a signature of the ciphersuite."""
    return Signature(suite, proof.R, proof.mu).to_bytes()


def decode_proof(suite: Ciphersuite, data: bytes) -> ProofOfKnowledge:
    """A DKG proof of knowledge from its signature encoding."""
    sig = Signature.from_bytes(suite, data)
    return ProofOfKnowledge(sig.R, sig.z)


def encode_round1(suite: Ciphersuite, pkg: Round1Package) -> bytes:
    """SerializeScalar(sender) || C_0 .. C_{t-1} || proof."""
    g = suite.group
    return g.scalar_encode(pkg.sender) + pkg.commitment.to_bytes() + encode_proof(suite, pkg.proof)


def decode_round1(suite: Ciphersuite, data: bytes, min_signers: int) -> Round1Package:
    """A DKG round-1 package (identifier, commitment, proof) from its encoding, strictly checked."""
    g = suite.group
    data = as_bytes(data, "round 1 package")
    s, e = g.scalar_size, g.element_size
    proof_len = suite.hooks.signature_size(g)
    if len(data) != s + min_signers * e + proof_len:
        raise InvalidEncoding(f"round 1 package must be {s + min_signers * e + proof_len} bytes, got {len(data)}")
    sender = g.scalar_decode(data[:s])
    if sender == 0:
        raise InvalidEncoding("round 1 package: sender identifier is zero")
    commitment = FeldmanCommitment.from_bytes(g, data[s:s + min_signers * e])
    return Round1Package(sender, commitment, decode_proof(suite, data[s + min_signers * e:]))


def encode_round2(suite: Ciphersuite, pkg: Round2Package) -> bytes:
    """A DKG round-2 package: sender, receiver and the secret share (to be sent sealed)."""
    g = suite.group
    return g.scalar_encode(pkg.sender) + g.scalar_encode(pkg.receiver) + g.scalar_encode(pkg.share)


def decode_round2(suite: Ciphersuite, data: bytes) -> Round2Package:
    """A DKG round-2 package from its encoding, strictly checked."""
    g = suite.group
    s = g.scalar_size
    data = as_bytes(data, "round 2 package")
    if len(data) != 3 * s:
        raise InvalidEncoding(f"round 2 package must be {3 * s} bytes, got {len(data)}")
    sender, receiver, share = (g.scalar_decode(data[k * s:(k + 1) * s]) for k in range(3))
    if sender == 0 or receiver == 0:
        raise InvalidEncoding("round 2 package: identifier is zero")
    return Round2Package(sender, receiver, share)


def part1(suite: str | Ciphersuite, identifier: int, max_signers: int, min_signers: int,
          rng: RandomSource | None = None, *, coefficients: Sequence[int] | None = None):
    """(secret package, round 1 package to broadcast)."""
    return pedersen.part1(dkg_parameters(suite, min_signers, max_signers), identifier, rng,
                          coefficients=coefficients)


def part2(suite: str | Ciphersuite, secret: pedersen.Round1Secret, round1_packages: Mapping[int, Round1Package],
          max_signers: int, min_signers: int):
    """Verify the proofs; (secret package, {receiver: round 2 package})."""
    return pedersen.part2(dkg_parameters(suite, min_signers, max_signers), secret, round1_packages)


def part3(suite: str | Ciphersuite, secret: pedersen.Round2Secret, round1_packages: Mapping[int, Round1Package],
          round2_packages: Mapping[int, Round2Package], max_signers: int, min_signers: int,
          ) -> tuple[KeyPackage, PublicKeyPackage]:
    """Verify the received shares, combine; the participant's KeyPackage and the PublicKeyPackage."""
    suite = get_ciphersuite(suite)
    for i, pkg in round1_packages.items():   # the commitments used must be the broadcast ones
        if secret.commitments.get(i) != pkg.commitment:
            raise ProtocolAbort("round 1 package differs from the one seen in part 2", culprits=[i])
    res = pedersen.part3(dkg_parameters(suite, min_signers, max_signers), secret, round2_packages)
    kp = KeyPackage(suite, res.identifier, res.signing_share, res.verifying_share, res.verifying_key,
                    min_signers)
    pkp = PublicKeyPackage(suite, res.verifying_shares, res.verifying_key, min_signers)
    return post_dkg(kp, pkp)


def post_dkg(kp: KeyPackage, pkp: PublicKeyPackage) -> tuple[KeyPackage, PublicKeyPackage]:
    """The packages the DKG hands out: the suite's `post_dkg` hook (secp256k1-tr: Taproot tweak)."""
    return kp.suite.hooks.post_dkg(kp, pkp)
