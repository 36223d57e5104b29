"""Files the CLI reads and writes: inputs through `pqzk.files` (clean errors, bounded sizes,
`-` for standard input where a command allows it), outputs checked before any work is done and
written atomically (`pqzk.tokens.atomic`), never replacing an existing file without `--force`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import InvalidParameter, TokenError
from ..files import DEFAULT_MAX_BYTES, decode_text, os_reason, read_bytes
from ..policy.documents import MAX_DOCUMENT_BYTES, parse_document

STDIN = Path("-")


def read_input(path: Path, what: str, *, max_bytes: int = DEFAULT_MAX_BYTES, allow_stdin: bool = False) -> bytes:
    """A file's bytes, or standard input's for `-` when the command allows it."""
    if allow_stdin and Path(path) == STDIN:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise InvalidParameter(f"{what}: standard input is not available")
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidParameter(f"{what} from standard input: too large (more than {max_bytes} bytes)")
        return data
    return read_bytes(path, what, max_bytes=max_bytes)


def read_input_text(path: Path, what: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A user-named input file as UTF-8 text, with the size bound and the one-line errors of `read_input`."""
    return decode_text(read_input(path, what, max_bytes=max_bytes), f"{what} {path}")


def read_document(path: Path, what: str) -> dict:
    """A JSON (or, by suffix, TOML) object with the bounds of `pqzk.policy.documents`."""
    data = read_input(path, what, max_bytes=MAX_DOCUMENT_BYTES)
    return parse_document(data, f"{what} {path}", toml=Path(path).suffix.lower() == ".toml")


def check_output(path: Path, what: str, *, force: bool) -> Path:
    """Refuse, before any work, an output that cannot be written or would replace a file
    without --force."""
    p = Path(path)
    if str(p) in ("", "-"):
        raise InvalidParameter(f"{what}: give a file name")
    try:
        if p.is_dir():
            raise InvalidParameter(f"{what} {p} is a directory; give a file name")
        if p.exists() or p.is_symlink():
            if not force:
                raise InvalidParameter(f"{what} {p} already exists; give --force to replace it")
            if not p.is_file():
                raise InvalidParameter(f"{what} {p} is not a regular file")
        parent = p.parent
        if not parent.is_dir():
            raise InvalidParameter(f"cannot write {what} {p}: directory {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InvalidParameter(f"cannot write {what} {p}: directory {parent} is not writable")
    except OSError as exc:
        raise InvalidParameter(f"cannot write {what} {p}: {os_reason(exc)}") from None
    return p


def write_output(path: Path, data: bytes, what: str, *, force: bool, secret: bool = False) -> None:
    """Write atomically (temp file, fsync, rename): mode 0600 for a secret, 0644 otherwise."""
    from ..tokens.atomic import atomic_write
    p = check_output(path, what, force=force)
    try:
        atomic_write(p, data)
        if not secret:
            os.chmod(p, 0o644)
    except TokenError as exc:         # atomic_write's errors name the file and the reason
        raise InvalidParameter(f"cannot write {what} {p}: {exc}") from None
    except OSError as exc:
        raise InvalidParameter(f"cannot write {what} {p}: {os_reason(exc)}") from None


def check_output_dir(directory: Path, names: list[str], what: str, *, force: bool) -> Path:
    """A directory to write `names` into (created if missing); refuse if any exists without --force."""
    d = Path(directory)
    try:
        if d.exists() and not d.is_dir():
            raise InvalidParameter(f"{what} {d} exists and is not a directory")
        if not d.exists():
            d.mkdir(parents=True)
    except OSError as exc:
        raise InvalidParameter(f"cannot create {what} {d}: {os_reason(exc)}") from None
    for name in names:
        check_output(d / name, "file", force=force)
    return d


__all__ = ["read_input", "read_input_text", "read_document", "check_output", "write_output", "check_output_dir"]
