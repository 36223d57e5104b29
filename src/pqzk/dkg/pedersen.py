"""Pedersen DKG with proofs of knowledge of the constant term (FROST's KeyGen, as in ZF frost).

Each participant i deals a Feldman sharing of a random secret a_i0 (pqzk.sharing.vss) and proves
knowledge of a_i0 with a Schnorr proof bound to its identifier. Three steps:

  part1(i)  -> Round1Package (commitment, proof) to broadcast; Round1Secret kept
  part2     verify every proof; -> one Round2Package (the share f_i(j)) per other j, sent privately
  part3     verify every received share against its sender's commitment; sum -> key material

A bad proof aborts with the prover as culprit. A bad share yields a `Complaint`; the accused
publicly reveals the share and `resolve_complaint` disqualifies it if that share is bad
(identifiable abort), or settles the complaint if it is good. These functions judge the packages
they are given; which party a package really came from is the transport's to prove —
`pqzk.runtime` signs every message and blames only on signed evidence (docs/runtime.md).
The challenge hash is a parameter (FROST uses its ciphersuite's HDKG), which keeps this module
below `pqzk.threshold` in the layering.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import InvalidParameter, ProtocolAbort, VerificationError
from ..groups import Element, Group
from ..math.rand import RandomSource, random_scalar
from ..sharing.shamir import Share, shares_from_polynomial
from ..sharing.vss import FeldmanCommitment

ChallengeHash = Callable[[bytes], int]


@dataclass(frozen=True)
class DkgParameters:
    """Everything the participants agree on before starting."""
    group: Group
    min_signers: int
    max_signers: int
    challenge_hash: ChallengeHash      # HDKG
    # BIP-340 style proofs: the nonce point R is made even-y (x-only encodings)
    even_y_nonce: bool = False

    def __post_init__(self) -> None:
        if not 2 <= self.min_signers <= self.max_signers:
            raise InvalidParameter("need 2 <= min_signers <= max_signers")


@dataclass(frozen=True)
class ProofOfKnowledge:
    """Schnorr proof (R, mu) of knowledge of a_i0 with C_i0 = a_i0·G."""
    R: Element
    mu: int


# deliberate look-alike of policy/request.py:HistoryEntry, policy/state.py:PendingChange (duplicates): frozen-
# dataclass field declarations of other messages, no shared logic
@dataclass(frozen=True)
class Round1Package:
    """Broadcast by `sender` in part 1. Public."""
    sender: int
    commitment: FeldmanCommitment
    proof: ProofOfKnowledge


@dataclass(frozen=True)
class Round1Secret:
    identifier: int
    coefficients: tuple[int, ...]
    commitment: FeldmanCommitment

    def __repr__(self) -> str:
        return f"Round1Secret(identifier={self.identifier}, <coefficients redacted>)"


# deliberate look-alike of Round1Secret, Round2Secret here, zk/compliance.py:TransactionCommitments,
# sharing/vss.py:PedersenShare (duplicates): each declares its own fields and redacts its own secret
@dataclass(frozen=True)
class Round2Package:
    """Sent privately by `sender` to `receiver`: the share f_sender(receiver). Secret."""
    sender: int
    receiver: int
    share: int

    def __repr__(self) -> str:
        return f"Round2Package(sender={self.sender}, receiver={self.receiver}, share=<redacted>)"


# deliberate look-alike of Round1Secret, Round2Package above (duplicates): each declares its own fields and redacts
# its own secret
@dataclass(frozen=True)
class Round2Secret:
    identifier: int
    own_share: int                       # f_i(i)
    commitments: Mapping[int, FeldmanCommitment]   # every participant's, own included

    def __repr__(self) -> str:
        return f"Round2Secret(identifier={self.identifier}, <share redacted>)"


# deliberate look-alike of policy/model.py:Window, Tier (duplicates): frozen-dataclass field declarations, no
# shared logic
@dataclass(frozen=True)
class Complaint:
    """`accuser` says the share it received from `accused` does not match the commitment."""
    accuser: int
    accused: int


@dataclass(frozen=True)
class DkgResult:
    identifier: int
    signing_share: int
    verifying_share: Element
    verifying_key: Element
    verifying_shares: Mapping[int, Element]
    group_commitment: FeldmanCommitment

    def __repr__(self) -> str:
        return f"DkgResult(identifier={self.identifier}, signing_share=<redacted>)"


def _pok_challenge(params: DkgParameters, identifier: int, C0: Element, R: Element) -> int:
    g = params.group
    return params.challenge_hash(g.scalar_encode(identifier) + C0.to_bytes() + R.to_bytes())


def prove_knowledge(params: DkgParameters, identifier: int, a0: int, C0: Element,
                    rng: RandomSource | None = None) -> ProofOfKnowledge:
    """A Schnorr proof of knowledge of `a0` for `C0 = a0·G`, bound to the participant and the DKG context
    (even-y nonce when the parameters ask, for BIP-340)."""
    g = params.group
    k = random_scalar(g.order, rng)
    R = g.base_mult(k)
    if params.even_y_nonce and R.to_bytes()[0] == 3:
        k, R = g.order - k, -R
    c = _pok_challenge(params, identifier, C0, R)
    return ProofOfKnowledge(R, (k + a0 * c) % g.order)


def verify_proof_of_knowledge(params: DkgParameters, package: Round1Package) -> None:
    """Check a round-1 package's Schnorr proof that its sender knows the secret behind its constant-term
    commitment (stops rogue-key attacks); raises `VerificationError` naming the sender."""
    g = params.group
    C0 = package.commitment.public_key
    c = _pok_challenge(params, package.sender, C0, package.proof.R)
    if g.base_mult(package.proof.mu) - c * C0 != package.proof.R:
        raise VerificationError(f"proof of knowledge of participant {package.sender} does not verify")


def part1(params: DkgParameters, identifier: int, rng: RandomSource | None = None, *,
          coefficients: Sequence[int] | None = None) -> tuple[Round1Secret, Round1Package]:
    """Choose the sharing polynomial (random unless given, for known-answer tests) and prove a_0."""
    g = params.group
    if not 0 < identifier < g.order:
        raise InvalidParameter("identifier must be a non-zero scalar")
    if coefficients is None:
        coefficients = [g.random_scalar(rng)] + [random_scalar(g.order, rng, nonzero=False)
                                                 for _ in range(params.min_signers - 1)]
    coefficients = tuple(coefficients)
    if len(coefficients) != params.min_signers or coefficients[0] == 0:
        raise InvalidParameter("need min_signers coefficients with a non-zero constant term")
    commitment = FeldmanCommitment.from_polynomial(g, coefficients)
    proof = prove_knowledge(params, identifier, coefficients[0], commitment.public_key, rng)
    return (Round1Secret(identifier, coefficients, commitment),
            Round1Package(identifier, commitment, proof))


def _check_round1(params: DkgParameters, me: int, packages: Mapping[int, Round1Package]) -> None:
    if len(packages) != params.max_signers - 1 or me in packages:
        raise InvalidParameter(f"expected round 1 packages from the {params.max_signers - 1} others")
    bad = []
    for sender, pkg in packages.items():
        if pkg.sender != sender or pkg.commitment.threshold != params.min_signers:
            bad.append(sender)
            continue
        try:
            verify_proof_of_knowledge(params, pkg)
        except VerificationError:
            bad.append(sender)
    if bad:
        raise ProtocolAbort("invalid round 1 package (proof of knowledge or commitment)", culprits=bad)


def part2(params: DkgParameters, secret: Round1Secret, packages: Mapping[int, Round1Package],
          ) -> tuple[Round2Secret, dict[int, Round2Package]]:
    """Verify the others' proofs (ProtocolAbort naming the bad provers), then share to each."""
    _check_round1(params, secret.identifier, packages)
    ids = sorted([*packages, secret.identifier])
    shares = {s.identifier: s.value
              for s in shares_from_polynomial(secret.coefficients, ids, params.group.order)}
    commitments = {i: p.commitment for i, p in packages.items()}
    commitments[secret.identifier] = secret.commitment
    out = {j: Round2Package(secret.identifier, j, shares[j]) for j in packages}
    return Round2Secret(secret.identifier, shares[secret.identifier], commitments), out


def _total_commitment(commitments: Mapping[int, FeldmanCommitment]) -> FeldmanCommitment:
    total = None
    for i in sorted(commitments):
        total = commitments[i] if total is None else total + commitments[i]
    return total


def check_shares(params: DkgParameters, secret: Round2Secret,
                 packages: Mapping[int, Round2Package], total: FeldmanCommitment | None = None) -> list[Complaint]:
    """A complaint against every sender whose share does not match its commitment.

    Optimistic: one check of the sum of the shares against the sum of the commitments (all
    that the final share depends on); the shares are checked one by one only if it fails.
    """
    complaints = []
    g = params.group
    for sender in secret.commitments:
        if sender == secret.identifier:
            continue
        pkg = packages.get(sender)
        if (pkg is None or pkg.sender != sender or pkg.receiver != secret.identifier
                or not isinstance(pkg.share, int) or not 0 <= pkg.share < g.order):
            complaints.append(Complaint(secret.identifier, sender))
    # a package from outside the committee (or claiming to be from us) would enter the sum below
    # and make our own share look inconsistent: name its sender instead
    for sender in packages:
        if sender not in secret.commitments or sender == secret.identifier:
            complaints.append(Complaint(secret.identifier, sender))
    if complaints:
        return complaints
    total_share = (secret.own_share + sum(p.share for p in packages.values())) % g.order
    total = total or _total_commitment(secret.commitments)
    if g.base_mult(total_share) == total.evaluate(secret.identifier):
        return []
    for sender, commitment in secret.commitments.items():
        if sender != secret.identifier and \
                not commitment.is_valid_share(Share(secret.identifier, packages[sender].share)):
            complaints.append(Complaint(secret.identifier, sender))
    if not complaints:   # cannot happen unless our own share is inconsistent
        raise VerificationError("own share does not match own commitment")
    return complaints


def resolve_complaint(params: DkgParameters, complaint: Complaint, commitment: FeldmanCommitment,
                      revealed_share: int) -> int | None:
    """Who to disqualify once the accused has answered a complaint by revealing the share in
    public: the accused if the revealed share is bad; nobody if it is good (the accuser then
    adopts it, as in Gennaro et al.'s DKG). A reveal that never comes proves nothing — the network
    may have lost it — so it is not an input here: `pqzk.runtime` reports that dealer as
    unresponsive, not as a culprit."""
    if not isinstance(revealed_share, int) or isinstance(revealed_share, bool):
        raise InvalidParameter("resolve_complaint needs the revealed share (an int)")
    if not commitment.is_valid_share(Share(complaint.accuser, revealed_share)):
        return complaint.accused
    return None


def part3(params: DkgParameters, secret: Round2Secret, packages: Mapping[int, Round2Package]) -> DkgResult:
    """Verify the received shares (ProtocolAbort naming the senders of bad ones) and sum."""
    total = _total_commitment(secret.commitments)
    complaints = check_shares(params, secret, packages, total)
    if complaints:
        raise ProtocolAbort("received shares do not match their commitments",
                            culprits=[c.accused for c in complaints])
    g = params.group
    signing_share = (secret.own_share + sum(p.share for p in packages.values())) % g.order
    # our own verifying share is s_i·G (check_shares compared it with the commitments)
    vshares = {i: (g.base_mult(signing_share) if i == secret.identifier else total.evaluate(i))
               for i in sorted(secret.commitments)}
    return DkgResult(secret.identifier, signing_share, vshares[secret.identifier], total.public_key,
                     vshares, total)
