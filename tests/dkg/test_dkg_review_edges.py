"""Pedersen DKG share checks on inputs a byte decoder never produces: a round 2 package from
outside the committee, non-canonical (>= q) shares built in process."""
from __future__ import annotations

import pytest

from pqzk.dkg import pedersen
from pqzk.errors import ProtocolAbort
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost

G = get_group("secp256k1")
PARAMS = pedersen.DkgParameters(G, 2, 3, frost.get_ciphersuite("FROST-secp256k1-SHA256-v1").hdkg)


def _to_participant_1():
    rng = DeterministicRNG(b"dkg-edges")
    r1 = {i: pedersen.part1(PARAMS, i, rng) for i in (1, 2, 3)}
    r2 = {i: pedersen.part2(PARAMS, r1[i][0], {j: r1[j][1] for j in r1 if j != i}) for i in r1}
    return r2[1][0], {j: r2[j][1][1] for j in (2, 3)}


def test_honest_packages_give_a_result():
    secret, packages = _to_participant_1()
    assert pedersen.check_shares(PARAMS, secret, packages) == []
    assert pedersen.part3(PARAMS, secret, packages).identifier == 1


@pytest.mark.parametrize("outsider", [9, 1])
def test_package_from_outside_the_committee_names_its_sender(outsider):
    # before: it entered the share sum and part3 blamed our *own* share, naming nobody
    secret, packages = _to_participant_1()
    packages = {**packages, outsider: pedersen.Round2Package(outsider, 1, 12345)}
    assert [c.accused for c in pedersen.check_shares(PARAMS, secret, packages)] == [outsider]
    with pytest.raises(ProtocolAbort) as exc:
        pedersen.part3(PARAMS, secret, packages)
    assert exc.value.culprits == [outsider]


@pytest.mark.parametrize("shift", [G.order, -G.order])
def test_non_canonical_share_is_a_complaint(shift):
    # share + q is the same residue: the summed check alone accepted it
    secret, packages = _to_participant_1()
    p2 = packages[2]
    packages = {**packages, 2: pedersen.Round2Package(2, 1, p2.share + shift)}
    with pytest.raises(ProtocolAbort) as exc:
        pedersen.part3(PARAMS, secret, packages)
    assert exc.value.culprits == [2]


def test_resolve_complaint_judges_only_a_revealed_share():
    """A bad revealed share disqualifies its dealer, a good one settles the complaint; a reveal
    that never came is no input (the runtime reports the dealer as unresponsive, not a culprit)."""
    from pqzk.dkg import pedersen
    from pqzk.errors import InvalidParameter
    from pqzk.sharing.shamir import shares_from_polynomial
    from pqzk.threshold.frost import dkg as fdkg
    params = fdkg.dkg_parameters("FROST-ED25519-SHA512-v1", 2, 3)
    secret, pkg = pedersen.part1(params, 1, DeterministicRNG(b"rc"))
    good = shares_from_polynomial(secret.coefficients, [2], params.group.order)[0].value
    complaint = pedersen.Complaint(accuser=2, accused=1)
    assert pedersen.resolve_complaint(params, complaint, pkg.commitment, good) is None
    assert pedersen.resolve_complaint(params, complaint, pkg.commitment, (good + 1) % params.group.order) == 1
    with pytest.raises(InvalidParameter):
        pedersen.resolve_complaint(params, complaint, pkg.commitment, None)
