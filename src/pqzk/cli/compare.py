"""`pqzk compare`: classical vs post-quantum vs composite vs threshold vs hybrid authorization,
measured on this machine in one run — sizes, keygen/sign/verify medians, rounds, bytes per party."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

app = typer.Typer(help="Compare authorization schemes for a quantum-migration report.", add_completion=False)

COLUMNS = [("scheme", "scheme"), ("family", "family"), ("public_key_bytes", "pk B"),
           ("signature_bytes", "sig B"), ("authorization_bytes", "auth B"),
           ("keygen_ms", "keygen ms"), ("sign_ms", "sign ms"), ("verify_ms", "verify ms"),
           ("rounds", "rounds"), ("bytes_per_party", "B/party")]


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if v < 10 else f"{v:.1f}"
    return str(v)


def markdown(results, info: dict) -> str:
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


def plot(results, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    markers = "osD^v<>phH*XP8d"
    fig, ax = plt.subplots(figsize=(9, 6))
    for i, r in enumerate(x for x in results if x.available and x.verify_ms and x.authorization_bytes):
        ax.scatter(r.verify_ms, r.authorization_bytes, marker=markers[i % len(markers)], s=60, label=r.scheme)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("verify time, median (ms, log scale)")
    ax.set_ylabel("authorization size (bytes, log scale)")
    ax.set_title("Authorization size vs verification time")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


@app.callback(invoke_without_command=True)
def compare(
    threshold: int = typer.Option(3, "--threshold", "-t", help="signers needed (t)"),
    parties: int = typer.Option(5, "--parties", "-n", help="signers in total (n)"),
    repeat: int = typer.Option(5, "--repeat", help="timed runs per operation (median reported)"),
    all_composites: bool = typer.Option(False, "--all-composites", help="all 18 composite combinations (RSA keygen is slow)"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    as_markdown: bool = typer.Option(False, "--markdown", help="Markdown table for reports"),
    plot_file: Path | None = typer.Option(None, "--plot", help="write a PNG: size against verify time"),
) -> None:
    """Measure every scheme on this machine; unavailable ones are listed with the reason."""
    from ..errors import InvalidParameter
    from ..pq import comparison
    if not 1 <= threshold <= parties:
        raise InvalidParameter(f"need 1 <= threshold <= parties, got {threshold} of {parties}")
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
        plot(results, plot_file)
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
