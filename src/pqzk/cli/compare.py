"""`pqzk compare`: classical vs post-quantum vs composite vs threshold vs hybrid authorization,
measured on this machine in one run — sizes, keygen/sign/verify medians, rounds, bytes per party."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from .errors import PqzkTyper

app = PqzkTyper(help="Compare authorization schemes for a quantum-migration report.")
PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

MAX_PARTIES = 64
COLUMNS = [("scheme", "scheme"), ("family", "family"), ("public_key_bytes", "pk B"),
           ("signature_bytes", "sig B"), ("authorization_bytes", "auth B"),
           ("keygen_ms", "keygen ms"), ("sign_ms", "sign ms"), ("verify_ms", "verify ms"),
           ("rounds", "rounds"), ("bytes_per_party", "B/party"), ("parallel_attempts", "K")]


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:.1f}"
    return str(v)


def markdown(results, info: dict) -> str:
    """The comparison as a Markdown table, headed by the machine it was measured on; unavailable schemes are
    listed with why."""
    head = "| " + " | ".join(label for _, label in COLUMNS) + " |"
    sep = "|" + "|".join("---" for _ in COLUMNS) + "|"
    lines = [f"Measured on {info['machine']} ({info['cpus']} CPUs), Python {info['python']}; medians.", "", head, sep]
    for r in results:
        d = r.as_dict()
        if r.available:
            lines.append("| " + " | ".join(_fmt(d[k]) for k, _ in COLUMNS) + " |")
        else:
            lines.append(f"| {r.scheme} | {r.family} | unavailable: {r.reason} |" + " |" * (len(COLUMNS) - 3))
    notes = [f"- **{r.scheme}**: {r.notes}" for r in results if r.available and r.notes]
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def check_plot(path: Path, force: bool) -> str:
    """Before measuring: the plot's format (from its suffix), a writable new file, matplotlib."""
    from ..errors import BackendUnavailable, InvalidParameter
    from .files import check_output
    fmt = PLOT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InvalidParameter(f"--plot {path}: give a file name ending in {', '.join(PLOT_FORMATS)}")
    check_output(path, "plot", force=force)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise BackendUnavailable("matplotlib", "not installed (needed for --plot)",
                                 "pip install matplotlib (it is in pqzk's [dev] extra)") from None
    return fmt


def plot(results, path: Path, *, force: bool = False, title: str = "Authorization cost per scheme") -> None:
    """Every scheme's authorization size, sign and verify time (`compare_plot`), written atomically
    in the format of the suffix."""
    from .compare_plot import render
    from .files import write_output
    fmt = check_plot(path, force)
    write_output(path, render(results, fmt, title=title), "plot", force=force)


@app.callback(invoke_without_command=True)
def compare(
    threshold: int = typer.Option(3, "--threshold", "-t", min=1, max=MAX_PARTIES, help="signers needed (t)"),
    parties: int = typer.Option(5, "--parties", "-n", min=1, max=MAX_PARTIES, help="signers in total (n)"),
    repeat: int = typer.Option(5, "--repeat", min=1, max=1000, help="timed runs per operation (median reported)"),
    all_composites: bool = typer.Option(False, "--all-composites", help="all 18 composite combinations (RSA keygen is slow)"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    as_markdown: bool = typer.Option(False, "--markdown", help="Markdown table for reports"),
    plot_file: Path | None = typer.Option(None, "--plot", help="write a chart of every scheme's authorization "
                                          "size, sign and verify time, grouped by family (PNG, SVG or PDF, by the "
                                          "file's suffix)"),
    force: bool = typer.Option(False, "--force", help="replace an existing --plot file"),
) -> None:
    """Measure every scheme on this machine; unavailable ones are listed with the reason."""
    from ..errors import InvalidParameter
    from ..pq import comparison
    if not 1 <= threshold <= parties:
        raise InvalidParameter(f"need 1 <= threshold <= parties, got {threshold} of {parties}")
    if plot_file is not None:      # before the measuring, not after
        check_plot(plot_file, force)
    settings = comparison.Settings(threshold=threshold, parties=parties, repeat=repeat)
    if all_composites:
        from ..pq.composite import ALGORITHMS
        settings.composites = tuple(ALGORITHMS)
    from .main import console, emit_json
    quiet = as_json or as_markdown
    if quiet:
        results = comparison.run(settings)
    else:
        with console.status("measuring…") as status:
            results = comparison.run(settings, progress=lambda name: status.update(f"measuring {name}…"))
    info = comparison.machine()
    if plot_file is not None:
        plot(results, plot_file, force=force, title=f"Authorization cost, t={threshold} of n={parties} "
             f"(medians of {repeat}, {info['machine']}, {info['cpus']} CPUs)")
    if as_json:
        emit_json({"machine": info, "threshold": threshold, "parties": parties, "repeat": repeat,
                   "results": [r.as_dict() for r in results]})
        return
    if as_markdown:
        typer.echo(markdown(results, info), nl=False)
        return
    table = Table(*[label for _, label in COLUMNS], title=f"Authorization cost, t={threshold} of n={parties} "
                  f"(medians of {repeat}, {info['machine']}, {info['cpus']} CPUs)")
    table.columns[0].no_wrap = True
    for r in results:
        d = r.as_dict()
        if r.available:
            table.add_row(*[escape(_fmt(d[k])) for k, _ in COLUMNS])
        else:
            table.add_row(escape(r.scheme), r.family, f"[red]unavailable[/]: {escape(r.reason)}", *[""] * (len(COLUMNS) - 3))
    console.print(table)
    if plot_file is not None:
        console.print(f"plot written to {plot_file}")
