"""`pqzk slip39 split | combine`: SLIP-39 Shamir mnemonics (Trezor's standard; the files are
interchangeable with Trezor's `shamir-mnemonic` package and its `shamir` command).

\b
Files (all SECRET; written with mode 0600):
  secret file   the master secret as hex (16 to 32 bytes, an even number),
                one line; split generates one when --secret-file is not
                given (--strength bits) and writes it with --secret-out
  shares file   the mnemonics, one per line; each group starts with a
                "# group G (T of N)" comment; blank and # lines are ignored
                when reading, so a file may hold any subset of shares

\b
One group: --threshold T --shares N. Several groups: --group T/N for each
(in order) and --group-threshold G, the number of groups needed. The
optional passphrase (--passphrase-file / --passphrase-env, printable
ASCII) encrypts the master secret; a wrong one recovers another secret,
by design. --iteration-exponent E: 10000·2^E PBKDF2 rounds. Shares are
extendable (SLIP-39 "ext" flag) unless --no-extendable.

\b
Files are written atomically and never replaced without --force.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidEncoding, InvalidParameter
from ..files import decode_text
from .errors import PqzkTyper
from .files import check_output, read_input, write_output
from .options import FORCE, JSON_OPT, PASSPHRASE_ENV, PASSPHRASE_FILE, emit, read_passphrase

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)
MAX_SHARES_FILE = 64 * 1024
MAX_SECRET_FILE = 4096


def _passphrase(passphrase_file: Optional[Path], passphrase_env: Optional[str], *, confirm: bool = False) -> bytes:
    if passphrase_file is None and passphrase_env is None:
        return b""
    text = read_passphrase(passphrase_file, passphrase_env, "SLIP-39 passphrase", confirm=confirm)
    if any(not 32 <= ord(c) <= 126 for c in text):
        raise InvalidParameter("the SLIP-39 passphrase must be printable ASCII")
    return text.encode()


def _groups(threshold: Optional[int], shares: Optional[int], group: Optional[list[str]],
            group_threshold: Optional[int]) -> tuple[int, list[tuple[int, int]]]:
    if group:
        if threshold is not None or shares is not None:
            raise InvalidParameter("give --threshold/--shares for one group, or --group for each of several")
        out = []
        for g in group:
            t, sep, n = g.partition("/")
            if not sep or not t.strip().isdigit() or not n.strip().isdigit():
                raise InvalidParameter(f"--group {g!r}: expected T/N, e.g. 2/3")
            out.append((int(t), int(n)))
        if group_threshold is None:
            raise InvalidParameter("with --group, give --group-threshold (how many groups are needed)")
    else:
        if threshold is None or shares is None:
            raise InvalidParameter("give --threshold and --shares (or --group T/N for several groups)")
        if group_threshold not in (None, 1):
            raise InvalidParameter("--group-threshold needs several --group")
        out, group_threshold = [(threshold, shares)], 1
    for t, n in out:
        if not 1 <= t <= n <= 16:
            raise InvalidParameter(f"each group needs 1 <= threshold <= shares <= 16, got {t} of {n}")
    return group_threshold, out


def _read_secret(path: Path) -> bytes:
    text = decode_text(read_input(path, "secret file", max_bytes=MAX_SECRET_FILE), f"secret file {path}").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise InvalidEncoding(f"secret file {path}: not one line of hex") from None
    if not 16 <= len(secret) <= 32 or len(secret) % 2:
        raise InvalidEncoding(f"secret file {path}: a master secret is 16 to 32 bytes, an even number; got {len(secret)}")
    return secret


@app.command()
def split(threshold: Optional[int] = typer.Option(None, "--threshold", "-t", min=1, max=16, help="one group: shares needed"),
          shares: Optional[int] = typer.Option(None, "--shares", "-n", min=1, max=16, help="one group: shares made"),
          group: Optional[list[str]] = typer.Option(None, "--group", help="a group as T/N; repeat for each group"),
          group_threshold: Optional[int] = typer.Option(None, "--group-threshold", min=1, max=16,
                                                        help="groups needed (with --group)"),
          secret_file: Optional[Path] = typer.Option(None, "--secret-file", help="master secret as hex (else a new one)"),
          strength: int = typer.Option(256, "--strength", min=128, max=256, help="bits of a generated secret"),
          secret_out: Optional[Path] = typer.Option(None, "--secret-out", help="write the generated secret here (hex)"),
          iteration_exponent: int = typer.Option(1, "--iteration-exponent", min=0, max=15, help="PBKDF2 rounds 10000·2^E"),
          extendable: bool = typer.Option(True, "--extendable/--no-extendable", help="SLIP-39 extendable backup flag"),
          out: Path = typer.Option(..., "--out", "-o", help="shares file to write (mnemonics, mode 0600)"),
          passphrase_file: Optional[Path] = PASSPHRASE_FILE, passphrase_env: Optional[str] = PASSPHRASE_ENV,
          force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Split a master secret into SLIP-39 mnemonics."""
    from ..math.rand import random_bytes
    from ..sharing import slip39
    gt, groups = _groups(threshold, shares, group, group_threshold)
    if secret_file is not None and secret_out is not None:
        raise InvalidParameter("--secret-out writes a generated secret; there is none with --secret-file")
    if strength % 16:
        raise InvalidParameter("--strength must be a multiple of 16 bits (128 to 256)")
    check_output(out, "shares file", force=force)
    if secret_out is not None:
        check_output(secret_out, "secret file", force=force)
        if Path(secret_out).resolve() == Path(out).resolve():
            raise InvalidParameter("--out and --secret-out name the same file")
    secret = _read_secret(secret_file) if secret_file is not None else random_bytes(strength // 8)
    mnemonics = slip39.generate_mnemonics(gt, groups, secret, _passphrase(passphrase_file, passphrase_env, confirm=True),
                                          iteration_exponent=iteration_exponent, extendable=extendable)
    lines = []
    for i, ((t, n), members) in enumerate(zip(groups, mnemonics)):
        lines += [f"# group {i + 1} ({t} of {n}); {gt} of {len(groups)} groups needed", *members, ""]
    if secret_out is not None:
        write_output(secret_out, (secret.hex() + "\n").encode(), "secret file", force=force, secret=True)
    write_output(out, "\n".join(lines).encode(), "shares file", force=force, secret=True)
    emit(as_json, {"shares_file": str(out), "group_threshold": gt,
                   "groups": [{"threshold": t, "shares": n} for t, n in groups],
                   "secret_file": str(secret_out) if secret_out else None, "secret_bits": len(secret) * 8},
         f"SLIP-39: {sum(n for _, n in groups)} mnemonics in {len(groups)} group(s), {gt} needed; wrote {out} "
         f"(secret, mode 0600)" + (f" and {secret_out}" if secret_out else ""))


def _read_mnemonics(paths: list[Path]) -> list[str]:
    out = []
    for p in paths:
        text = decode_text(read_input(p, "shares file", max_bytes=MAX_SHARES_FILE, allow_stdin=True), f"shares file {p}")
        out += [" ".join(line.split()) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not out:
        raise InvalidParameter("the shares files hold no mnemonics")
    return out


@app.command()
def combine(shares_file: list[Path] = typer.Option(None, "--shares-file", "-s",
                                                   help="file of mnemonics (one per line; - for standard input); repeatable"),
            out: Path = typer.Option(..., "--out", "-o", help="file to write the master secret to (hex, mode 0600)"),
            passphrase_file: Optional[Path] = PASSPHRASE_FILE, passphrase_env: Optional[str] = PASSPHRASE_ENV,
            force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Recover the master secret from enough mnemonics (exactly the threshold of each group needed)."""
    from ..sharing import slip39
    if not shares_file:
        raise InvalidParameter("give the mnemonics with --shares-file")
    check_output(out, "secret file", force=force)
    mnemonics = _read_mnemonics(shares_file)
    secret = slip39.combine_mnemonics(mnemonics, _passphrase(passphrase_file, passphrase_env))
    write_output(out, (secret.hex() + "\n").encode(), "secret file", force=force, secret=True)
    emit(as_json, {"secret_file": str(out), "secret_bits": len(secret) * 8, "mnemonics": len(mnemonics)},
         f"SLIP-39: recovered a {len(secret) * 8}-bit master secret from {len(mnemonics)} mnemonics; wrote {out} "
         "(secret, mode 0600)")
