"""Demo chapter: a secret dealt with Feldman VSS (3-of-5), shares verified, two lost, one
repaired by three helpers, and the secret reconstructed — what is public and what stays secret."""
from __future__ import annotations

from ..groups import get_group
from ..sharing.repair import repair_share_step_1, repair_share_step_2, repair_share_step_3
from ..sharing.shamir import reconstruct
from ..sharing.vss import feldman_deal
from .narrate import Narrator


def chapter(n: Narrator) -> None:
    """Demo chapter: Shamir sharing with Feldman commitments, share verification and reconstruction from any
    threshold of shares."""
    n.chapter("Secret sharing")
    g = get_group("secp256k1")
    parties = [f"P{i}" for i in range(1, 6)]

    n.step("Dealer", "picks a secret s and a random polynomial f of degree 2 with f(0) = s; "
                     "sends f(i) privately to party P_i and publishes C_k = a_k·G")
    secret = g.random_scalar(n.rng)
    shares, com = feldman_deal(g, secret, 3, 5, rng=n.rng)
    n.secret("s (the shared secret)", "the dealer only, then nobody")
    for p, s in zip(parties, shares):
        n.secret(f"share f({s.identifier})", p)
    n.public("threshold / parties", "3 of 5")
    n.public("C_0 = s·G (the public key)", com.public_key.to_bytes())
    n.public("Feldman commitments C_0..C_2", [c.to_bytes().hex() for c in com.coefficients])

    n.step("Every party", "checks its share: f(i)·G == C_0 + i·C_1 + i²·C_2")
    for s in shares:
        com.verify_share(s)
    n.ok("all 5 shares match the commitments (a cheating dealer would be caught here)")
    n.public("f(i)·G per party (anyone can compute these)",
             {p: com.public_share(s.identifier).to_bytes().hex() for p, s in zip(parties, shares)})

    n.step("P2 and P3", "lose their shares (disk failure); 3 of 5 remain: P1, P4, P5 "
                        "(P3's share stays lost: it could be repaired the same way)")
    lost = {2, 3}
    kept = [s for s in shares if s.identifier not in lost]

    n.step("P1, P4, P5", "repair P2's share: each splits λ_i·f(i) into random deltas, one per "
                         "helper; each helper sums what it got into σ_j and sends σ_j to P2")
    helpers = [s.identifier for s in kept]
    deltas = {s.identifier: repair_share_step_1(helpers, s, 2, g, rng=n.rng) for s in kept}
    n.secret("deltas δ_i→j (uniformly random on their own)", "helper j")
    sigmas = [repair_share_step_2([deltas[i][j] for i in helpers], g) for j in helpers]
    n.secret("sigmas σ_j (uniformly random on their own)", "P2")
    repaired = repair_share_step_3(sigmas, 2, g, com)
    n.ok("P2 sums the σ_j and gets f(2) back; it verifies against the public commitments")
    n.ok("no helper saw f(2) or s: each saw only random-looking deltas")

    n.step("P1, P2, P4", "pool three shares and interpolate f(0) (Lagrange at 0)")
    recovered = reconstruct([kept[0], repaired, kept[1]], g)
    if g.base_mult(recovered) != com.public_key:
        raise RuntimeError("demo: reconstruction failed")  # pragma: no cover
    n.ok("the reconstructed secret matches the public key: s·G == C_0")
    n.public("reconstructed secret matches the public key", True)
    n.secret("s (reconstructed)", "P1, P2 and P4 together (and only now)")
