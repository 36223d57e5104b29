"""The CLI's one error convention: every `pqzk` group is a `PqzkTyper`, whose `PqzkGroup.main`
runs the command (also a sub-app run on its own, as tests do) and maps whatever ends it to an exit
status (`EXIT_CODES`, shown by `pqzk --help`): one line on stderr, and under `--json` an
`{"error": {"type", "message", "exit_code"}}` object on stdout so that stdout stays valid JSON.
A non-pqzk exception reaching this point is a bug: exit 70, its type and place but not its
message (which could quote anything); `PQZK_DEBUG=1` lets it through with its traceback.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

try:                                   # typer >= 0.22 carries its own copy of click
    from typer._click.exceptions import ClickException
except ImportError:                    # pragma: no cover - older typer on click
    from click.exceptions import ClickException

from ..errors import NonceReuse, PolicyViolation, PqzkError, ProtocolAbort, VerificationError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
EXIT_CODES = [
    (EXIT_OK, "success"),
    (EXIT_FAILED, "a check failed: a signature, proof, audit log or PIN did not verify, a policy refused, "
                  "a protocol aborted naming a culprit"),
    (EXIT_USAGE, "usage or input error: a bad option or argument; a file that is missing, a directory, "
                 "unreadable, too large or malformed; an output that exists (give --force); a backend "
                 "that is not installed"),
    (EXIT_INTERNAL, "internal error: a bug in pqzk (PQZK_DEBUG=1 shows the traceback)"),
]
EXIT_CODES_HELP = ("Exit status:\n\n" + "\n\n".join(f"  {code:<3} {what}" for code, what in EXIT_CODES)
                   + "\n\nErrors are one line on stderr; with --json, stdout holds "
                   '{"error": {"type", "message", "exit_code"}} (valid JSON on failure too).')
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
MAX_MESSAGE = 500


class CommandFailed(PqzkError):
    """A command's negative verdict (an invalid policy, an audit log that does not verify):
    `message` on stderr, exit `exit_code`, and under --json `result` merged with the error."""

    def __init__(self, message: str, *, exit_code: int = EXIT_FAILED, result: dict | None = None,
                 cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.result = result or {}
        self.kind = type(cause).__name__ if cause is not None else "CommandFailed"


def _failures() -> tuple[type[BaseException], ...]:
    from ..tokens.errors import PinLocked, WrongPin
    return (VerificationError, PolicyViolation, ProtocolAbort, NonceReuse, WrongPin, PinLocked)


def exit_code_for(exc: BaseException) -> int:
    """1 for a failed check, 2 for bad usage or input, 70 for anything pqzk did not raise on purpose."""
    if isinstance(exc, CommandFailed):
        return exc.exit_code
    if isinstance(exc, _failures()):
        return EXIT_FAILED
    if isinstance(exc, PqzkError):
        return EXIT_USAGE
    return EXIT_INTERNAL


def one_line(text: str) -> str:
    """Messages are a single line of bounded length (a path or a field may carry newlines)."""
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def _internal(exc: BaseException) -> str:
    """Type and place only: an unexpected exception's message may hold anything (even a secret)."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
    return (f"internal error: {type(exc).__name__}{where}. This is a bug in pqzk; please report it "
            f"(PQZK_DEBUG=1 shows the traceback)")


def json_requested(args: Sequence[str]) -> bool:
    """`--json` among the options (before a `--` separator)."""
    args = list(args)
    return "--json" in (args[: args.index("--")] if "--" in args else args)


def report(exc: BaseException, *, as_json: bool) -> int:
    """Write the error (stderr; and stdout under --json) and return the exit status."""
    code = exit_code_for(exc)
    if isinstance(exc, typer.Abort):
        code, kind, message = EXIT_USAGE, "Aborted", "aborted (no input)"
    elif code == EXIT_INTERNAL:
        kind, message = "InternalError", _internal(exc)
    else:
        kind = exc.kind if isinstance(exc, CommandFailed) else type(exc).__name__
        message = one_line(str(exc)) or kind
    sys.stderr.write(("" if code == EXIT_INTERNAL else "error: ") + message + "\n")
    sys.stderr.flush()
    if as_json:
        result = dict(exc.result) if isinstance(exc, CommandFailed) else {}
        result["error"] = {"type": kind, "message": message, "exit_code": code}
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        sys.stdout.flush()
    return code


def report_usage(exc: Any, *, as_json: bool) -> int:
    """A usage error from the parser (missing argument, bad option value) as one line."""
    code = getattr(exc, "exit_code", EXIT_USAGE)
    if type(exc).__name__ == "NoArgsIsHelpError":     # a group given nothing: typer has shown its help
        return code
    usage = ""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        usage = f" (usage: {one_line(ctx.get_usage()).removeprefix('Usage: ')}; see {ctx.command_path} --help)"
    message = one_line(exc.format_message()) + usage
    sys.stderr.write(f"error: {message}\n")
    if as_json:
        sys.stdout.write(json.dumps({"error": {"type": "UsageError", "message": message,
                                               "exit_code": code}}, indent=2) + "\n")
    return code


def _plain_flags(params) -> None:
    """Help shows a flag as `--json`, not `--json <bool>`: a flag takes no value."""
    for p in params:
        if getattr(p, "is_flag", False) and p.metavar is None:
            p.metavar = ""


class _PlainFlags:
    """Help shows a flag as `--json`, not `--json <bool>` (this typer labels every option's type)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_flags(self.params)

    def get_help_option(self, ctx):
        opt = super().get_help_option(ctx)
        if opt is not None:
            _plain_flags([opt])
        return opt


class PqzkCommand(_PlainFlags, TyperCommand):
    """The class of every pqzk subcommand: typer's, with flags shown plainly in help (`--json`)."""
    pass


class PqzkGroup(_PlainFlags, TyperGroup):
    """Runs a command and maps what ends it to the exit status (the one place that does)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        """Run the command line, turning every error into one line on stderr (or a JSON error object with
        `--json`) and the documented exit code, never a traceback."""
        argv = list(sys.argv[1:] if args is None else args)
        as_json = json_requested(argv)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) and not isinstance(rv, bool) else EXIT_OK
        except (SystemExit, GeneratorExit):
            raise
        except typer.Exit as e:           # pragma: no cover - returned, not raised, by typer's main
            code = e.exit_code
        except Exception as exc:          # noqa: BLE001 - the one place every error ends
            if isinstance(exc, ClickException):
                code = report_usage(exc, as_json=as_json)
            else:
                if exit_code_for(exc) == EXIT_INTERNAL and os.environ.get("PQZK_DEBUG"):
                    raise
                code = report(exc, as_json=as_json)
        if standalone_mode:
            sys.exit(code)
        return code


class PqzkTyper(typer.Typer):
    """`typer.Typer` for every pqzk command group: PqzkGroup/PqzkCommand, `-h` as well as `--help`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", PqzkGroup)
        kwargs.setdefault("context_settings", dict(CONTEXT_SETTINGS))
        kwargs.setdefault("add_completion", False)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("cls", PqzkCommand)
        return super().command(*args, **kwargs)


__all__ = ["EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_INTERNAL", "EXIT_CODES_HELP", "CommandFailed",
           "PqzkTyper", "PqzkGroup", "PqzkCommand", "exit_code_for", "report", "one_line"]
