"""`pqzk risk analyze | quantum`: the custody risk of a committee file (docs/risk.md)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from .errors import PqzkTyper

app = PqzkTyper(help="Quantitative custody risk: theft and loss, the frontier, the quantum term.",
                no_args_is_help=True)

JSON = typer.Option(False, "--json", help="machine-readable output")
COMMITTEE = typer.Argument(..., help="committee file (COMMITTEE.toml, or .json; format in docs/risk.md)")
MAX_SEED = 2**63 - 1
MAX_DAYS = 73050.0


def p(v: float | None) -> str:
    """A probability for a table: three significant digits."""
    if v is None:
        return "–"
    if v == 0:
        return "0"
    return f"{v:.3g}" if v >= 1e-3 else f"{v:.2e}"


def _load(path: Path):
    from ..risk import committee_from_dict
    from .files import read_document
    return committee_from_dict(read_document(path, "committee"), f"committee {path}")


@app.command()
def analyze(
    committee: Path = COMMITTEE,
    samples: int = typer.Option(200_000, "--samples", min=1, max=10**8,
                                help="Monte Carlo samples for the cross-check"),
    seed: int = typer.Option(0, "--seed", min=0, max=MAX_SEED, help="Monte Carlo seed (results are reproducible)"),
    exact_only: bool = typer.Option(False, "--exact-only", help="skip the Monte Carlo cross-check"),
    horizon_days: float = typer.Option(None, "--horizon-days", min=0.001, max=MAX_DAYS,
                                       help="analysis horizon (default: the file's horizon_days)"),
    plot_file: Path = typer.Option(None, "--plot", help="draw the theft-vs-loss frontier (PNG, SVG or PDF)"),
    force: bool = typer.Option(False, "--force", help="replace an existing --plot file"),
    as_json: bool = JSON,
) -> None:
    """P(theft) and P(permanent loss) over the horizon — exact, with a Monte Carlo cross-check —
    which parties and domains dominate them, and the frontier of theft against loss."""
    from ..risk import full_report
    from ..risk.plot import frontier_image
    from .compare import check_plot
    from .files import write_output
    from .main import console, emit_json
    fmt = None
    if plot_file is not None:          # before any work: format, a writable new file, matplotlib
        fmt = check_plot(plot_file, force)
    doc = _load(committee)
    report = full_report(doc, samples=None if exact_only else samples, seed=seed, horizon_days=horizon_days)
    if plot_file is not None:
        c = doc.committee
        title = (f"{c.name or 'committee'}: theft vs loss over {report.exact.horizon_days:g} days"
                 f" (current {c.threshold}-of-{len(c.signers)})")
        write_output(plot_file, frontier_image(report.frontier, title=title, fmt=fmt), "plot", force=force)
    if as_json:
        emit_json(report.to_dict() | ({"plot": str(plot_file)} if plot_file is not None else {}))
        return
    _print_report(console, doc, report)
    if plot_file is not None:
        console.print(f"frontier plot written to {escape(str(plot_file))}")


def _print_report(console, doc, report) -> None:
    c = doc.committee
    epochs = ", ".join(f"{n} × {d:g} d" for d, n in report.exact.epochs)
    rec = ""
    if c.recovery is not None:
        rec = (f"; recovery {c.recovery.threshold}-of-{len(c.recovery.parties)} "
               f"({'refreshed' if c.recovery.refreshed else 'static'})")
    console.print(f"[bold]{escape(c.name or 'committee')}[/]: {c.mode} {c.threshold}-of-{len(c.signers)}{escape(rec)}, "
                  f"horizon {report.exact.horizon_days:g} days, epochs {epochs}, "
                  f"repair {'on' if c.repair else 'off'}")
    t = Table("risk over the horizon", "exact", "Monte Carlo estimate", "95% interval", title="Theft and loss")
    mc = report.monte_carlo
    for name, exact, est in (("P(theft)", report.exact.theft, mc.theft if mc else None),
                             ("P(permanent loss)", report.exact.loss, mc.loss if mc else None)):
        t.add_row(name, p(exact), "–" if est is None else f"{p(est.value)} ({est.hits}/{est.samples})",
                  "–" if est is None else f"[{p(est.low)}, {p(est.high)}]")
    console.print(t)
    if mc is not None:
        console.print("exact values inside the Monte Carlo intervals: "
                      + ("[green]yes[/]" if report.agrees else "[red]NO[/] (a 95% interval misses 1 time in 20; "
                         "try another --seed or more --samples)"))
    s = Table("party or domain", "theft if perfect", "theft if it fails", "loss if perfect", "loss if it fails",
              title="Sensitivity (most theft-dominant first)")
    for i in report.influences[:12]:
        s.add_row(f"{escape(i.name)} ({i.kind})", p(i.theft_if_perfect), p(i.theft_if_failed),
                  p(i.loss_if_perfect), p(i.loss_if_failed))
    console.print(s)
    f = report.frontier
    cur = f.current
    fr = Table("configuration", "P(theft)", "P(loss)", title=f"Frontier ({len(f.points)} candidates, pool "
               f"{', '.join(f.members)}): current {cur.label} is "
               + ("on the frontier" if cur.pareto else "dominated"))
    for pt in f.pareto:
        fr.add_row(escape(pt.label) + (" (current)" if pt.current else ""), p(pt.theft), p(pt.loss))
    console.print(fr)
    if report.exposure is not None:
        e, sr, q = report.exposure, report.scheme, doc.quantum
        console.print(f"[bold]Quantum[/] ({escape(str(q.arrival.to_dict()))}): CRQC within the {q.holding_years:g}-year "
                      f"holding horizon {p(e.crqc_by_holding)}; a classical key exchange harvested today read within "
                      f"{q.secrecy:g} years {p(e.kex_harvested_now)} (X-Wing {p(e.hybrid_kex_harvested_now)}); "
                      f"the last classical one (at year {q.classical_until:g}) {p(e.kex_harvested_last)}.")
        console.print(f"scheme {sr.scheme}: custody theft {p(sr.custody)}, cryptanalytic forgery {p(sr.cryptanalytic)}, "
                      f"unauthorized signature {p(sr.unauthorized)} over {q.holding_years:g} years "
                      f"({escape(sr.formula)}); compare schemes with `pqzk risk quantum`.")


@app.command()
def quantum(
    committee: Path = COMMITTEE,
    costs: Path = typer.Option(None, "--costs", help="costs from `pqzk compare --json` for the committee's "
                                                     "t and n (default: measure them now)"),
    repeat: int = typer.Option(3, "--repeat", min=1, max=1000, help="timed runs per operation when measuring"),
    as_markdown: bool = typer.Option(False, "--markdown", help="Markdown table for reports"),
    as_json: bool = JSON,
) -> None:
    """Cost (bytes, milliseconds) against risk over the holding horizon for classical, hybrid
    quorum certificate, composite and threshold ML-DSA authorization of this committee."""
    from ..errors import InvalidParameter
    from ..risk.quantum import cost_table, exposure, rows_from_compare
    from .compare import MAX_PARTIES
    from .files import read_document
    from .main import console, emit_json
    doc = _load(committee)
    if doc.quantum is None:
        raise InvalidParameter(f"committee {committee}: no [quantum] table (see docs/risk.md)")
    c = doc.committee
    t, n = c.threshold, len(c.signers)
    if costs is not None:
        rows, machine = rows_from_compare(read_document(costs, "costs file"), f"costs file {costs}", t, n)
    elif n > MAX_PARTIES:
        raise InvalidParameter(f"measuring covers at most {MAX_PARTIES} parties (as pqzk compare does), the "
                               f"committee has {n}: give --costs from another measurement")
    else:
        rows, machine = _measure(t, n, repeat, quiet=as_json or as_markdown)
    table = cost_table(c, doc.quantum, rows)
    e = exposure(doc.quantum)
    if as_json:
        emit_json({"committee": c.summary(), "quantum": doc.quantum.to_dict(), "exposure": e.to_dict(),
                   "machine": machine, "rows": [r.to_dict() for r in table]})
        return
    heads = ["scheme", "auth B", "sign ms", "verify ms", "rounds", "B/party", "custody theft", "cryptanalysis",
             "unauthorized"]

    def cells(r) -> list[str]:
        if not r.available:
            return [r.name, f"unavailable: {r.reason}", "", "", "", "", p(r.risk.custody), p(r.risk.cryptanalytic),
                    p(r.risk.unauthorized)]
        f = lambda v, d=1: "–" if v is None else (f"{v:.{d}f}" if isinstance(v, float) else str(v))  # noqa: E731
        return [r.name, f(r.authorization_bytes), f(r.sign_ms, 2), f(r.verify_ms, 2), f(r.rounds), f(r.bytes_per_party),
                p(r.risk.custody), p(r.risk.cryptanalytic), p(r.risk.unauthorized)]
    q = doc.quantum
    caption = (f"{c.name or 'committee'} ({t}-of-{n}), over {q.holding_years:g} years; costs measured on "
               f"{machine.get('machine', '?')} ({machine.get('cpus', '?')} CPUs), medians")
    if as_markdown:
        lines = [caption, "", "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        lines += ["| " + " | ".join(cells(r)) + " |" for r in table]
        typer.echo("\n".join(lines))
        return
    keep = [0, 1, 2, 3, 6, 7, 8]           # the terminal table leaves rounds and B/party to --markdown/--json
    out = Table("scheme", "auth B", "sign ms", "vrfy ms", "custody", "crypto", "either", title=caption,
                caption="custody: theft of the shares or keys; crypto: forgery by cryptanalysis (CRQC, lattice "
                        "break); either: an unauthorized signature")
    for col in out.columns[1:]:           # numbers whole; the scheme's name may wrap
        col.no_wrap = True
    for r in table:
        row = cells(r)
        out.add_row(*[escape(row[i]) for i in keep])
    console.print(out)
    console.print(f"CRQC within {q.holding_years:g} years: {p(e.crqc_by_holding)}; lattice break: "
                  f"{p(e.lattice_break_by_holding)}. Risk terms: docs/risk.md (\"Quantum\").")


def _measure(t: int, n: int, repeat: int, *, quiet: bool):
    """`pqzk compare`'s measurements of the rows `pqzk risk quantum` covers."""
    from ..pq import comparison
    from ..risk.quantum import scheme_of_row
    from .main import console
    s = comparison.Settings(threshold=t, parties=n, repeat=repeat)
    covered = lambda name: scheme_of_row(name) is not None          # noqa: E731
    if quiet:
        results = comparison.run(s, only=covered)
    else:
        with console.status("measuring…") as status:
            results = comparison.run(s, progress=lambda name: status.update(f"measuring {name}…"), only=covered)
    return [r.as_dict() for r in results], comparison.machine()
