"""The `pqzk` command. Sub-commands live in one module per area, registered in SUBCOMMANDS; every
group is a `PqzkTyper` (cli/errors.py), the one place that maps errors to exit statuses."""
from __future__ import annotations

import importlib
import json
import platform
import sys

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .. import __version__
from .errors import EXIT_CODES_HELP, PqzkTyper

app = PqzkTyper(help="pqzk: threshold, post-quantum and zero-knowledge authorization kit.",
                epilog=EXIT_CODES_HELP, no_args_is_help=True)

# (module, attribute holding a typer.Typer, command name)
SUBCOMMANDS: list[tuple[str, str, str]] = [
    ("pqzk.cli.policy", "app", "policy"),
    ("pqzk.cli.policy", "audit_app", "audit"),
    ("pqzk.cli.token", "app", "token"),
    ("pqzk.cli.zk", "app", "zk"),
    ("pqzk.cli.compare", "app", "compare"),
    ("pqzk.cli.risk", "app", "risk"),
    ("pqzk.cli.frost", "app", "frost"),
    ("pqzk.cli.ecdsa", "app", "ecdsa"),
    ("pqzk.cli.authorize", "authorize", "authorize"),
    ("pqzk.cli.pq", "app", "pq"),
    ("pqzk.cli.bls", "app", "bls"),
    ("pqzk.cli.slip39", "app", "slip39"),
    ("pqzk.cli.node", "app", "node"),
    ("pqzk.cli.committee", "app", "committee"),
    ("pqzk.cli.ceremony", "app", "ceremony"),
]

console = Console()


def emit_json(data: object) -> None:
    """Print a result as JSON (bytes as hex) for `--json` commands."""
    def default(o):
        if isinstance(o, (bytes, bytearray)):
            return o.hex()
        raise TypeError(f"not JSON serializable: {type(o).__name__}")
    sys.stdout.write(json.dumps(data, indent=2, default=default) + "\n")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"pqzk {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_version,
                                       help="print the version and exit")) -> None:
    """pqzk: threshold, post-quantum and zero-knowledge authorization kit."""


@app.command()
def info(as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    """Versions and every backend: available or not and why; what each post-quantum backend can and cannot do."""
    from .. import backends
    statuses = backends()
    if as_json:
        emit_json({"pqzk": __version__, "python": platform.python_version(),
                   "backends": [s.__dict__ for s in statuses]})
        return
    console.print(f"pqzk {__version__} on Python {platform.python_version()} ({platform.machine()})")
    table = Table("backend", "status", "details")
    for s in statuses:
        status = "[green]available[/]" if s.available else "[red]not available[/]"
        details = s.detail if s.available else f"{s.reason}. Enable: {s.how_to_enable}"
        if s.extra.get("build_flags"):
            details += f"\nbuild flags: {s.extra['build_flags']}"
        if s.extra.get("field_kernels"):
            details += f"\nfield kernels: {s.extra['field_kernels']}"
        if s.extra.get("can"):
            details += "\ncan: " + "; ".join(s.extra["can"])
        if s.extra.get("cannot"):
            details += "\ncannot: " + "; ".join(s.extra["cannot"])
        table.add_row(s.name, status, escape(details))
    console.print(table)


@app.command()
def demo(chapter: list[str] = typer.Argument(None, metavar="CHAPTER",
                                             help="the chapters to tell, in this order (default: all; --list names them)"),
         list_: bool = typer.Option(False, "--list", help="list the chapters with a line on each, and exit"),
         seed: int = typer.Option(None, "--seed", help="make every random choice of the narration deterministic: "
                                                       "the same seed tells the same story, byte for byte "
                                                       "(except where a chapter says it cannot; see --list)"),
         timings: bool = typer.Option(False, "--timings", help="also show how long steps took (differs every run)"),
         as_json: bool = typer.Option(False, "--json", help="print the public results as JSON")) -> None:
    """End-to-end demonstration of the kit, narrated step by step: who sends what to whom, what is
    secret, what is public."""
    from .demo import CHAPTERS, check_seed, run_demo, select
    from .narrate import Narrator
    seed = check_seed(seed)
    chosen = select(chapter)
    if list_:
        if as_json:
            emit_json([{"name": c.name, "summary": c.summary, "reproducible": c.reproducible, "note": c.note}
                       for c in chosen])
            return
        width = max(len(c.name) for c in CHAPTERS)
        for c in chosen:
            sys.stdout.write(f"{c.name:<{width}}  {c.summary}\n")
            if c.note:
                sys.stdout.write(f"{'':<{width}}  (--seed: {c.note})\n")
        return
    facts = run_demo(Narrator(console, json_mode=as_json, seed=seed, timings=timings), [c.name for c in chosen])
    if as_json:
        emit_json(facts)


for _module, _attr, _name in SUBCOMMANDS:
    _obj = getattr(importlib.import_module(_module), _attr)
    if isinstance(_obj, typer.Typer):
        app.add_typer(_obj, name=_name)
    else:                      # a plain function: a single top-level command
        app.command(_name)(_obj)


def main() -> None:
    """Entry point of the `pqzk` script: exit statuses as `pqzk --help` documents them."""
    app()


if __name__ == "__main__":
    main()
