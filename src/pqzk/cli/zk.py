"""`pqzk zk`: sizes and timings of the zero-knowledge proofs."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import typer

from .errors import PqzkTyper

app = PqzkTyper(help="Zero-knowledge proofs: sizes and timings.", no_args_is_help=True)


def _median_ms(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


@app.command()
def bench(group: str = typer.Option("secp256k1", help="group name"),
          rounds: int = typer.Option(5, min=1, max=1000, help="repetitions per measurement"),
          as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    """Median prove/verify times and proof sizes (64-bit range, aggregated 8x64, membership 2^10)."""
    from ..groups import get_group
    from ..zk.membership import MemberSet, prove_membership, verify_membership
    from ..zk.range import prove_range, verify_range
    from ..zk.sigma import Secret, schnorr
    from .main import console, emit_json

    g = get_group(group)
    rows = []
    x = Secret("x")
    w = g.random_scalar()
    st = schnorr(g.base_mult(w), x)
    pr = st.prove({x: w})
    rows.append(("schnorr", len(pr.to_bytes()), _median_ms(lambda: st.prove({x: w}), rounds),
                 _median_ms(lambda: st.verify(pr), rounds)))
    blinds = [g.random_scalar()]
    rp, V = prove_range(g, [12345], blinds, 64)
    rows.append(("range 64-bit", len(rp), _median_ms(lambda: prove_range(g, [12345], blinds, 64), rounds),
                 _median_ms(lambda: verify_range(g, V, rp, 64), rounds)))
    b8 = [g.random_scalar() for _ in range(8)]
    ap, V8 = prove_range(g, list(range(8)), b8, 64)
    rows.append(("range 8x64 aggregated", len(ap), _median_ms(lambda: prove_range(g, list(range(8)), b8, 64), 1),
                 _median_ms(lambda: verify_range(g, V8, ap, 64), rounds)))
    ms = MemberSet(g, list(range(1, 1025)))
    mp, C = prove_membership(g, 500, 7, ms)
    rows.append(("membership 2^10", len(mp), _median_ms(lambda: prove_membership(g, 500, 7, ms), rounds),
                 _median_ms(lambda: verify_membership(g, C, ms, mp), rounds)))
    if as_json:
        emit_json({"group": g.name, "rounds": rounds,
                   "results": [dict(zip(("proof", "bytes", "prove_ms", "verify_ms"), r)) for r in rows]})
        return
    from rich.table import Table
    table = Table("proof", "bytes", "prove (ms, median)", "verify (ms, median)", title=f"pqzk zk on {g.name}")
    for name, size, p, v in rows:
        table.add_row(name, str(size), f"{p:.1f}", f"{v:.1f}")
    console.print(table)
