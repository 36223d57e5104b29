"""Reading a file a user named: the one place that turns every way a path can be wrong into a
`pqzk.errors` exception that names the file.

Missing, a directory, not a regular file (a FIFO would block, a device never ends), unreadable,
larger than the caller's bound, or (for text) not UTF-8: each is refused before or while reading,
so no caller ever sees a raw `OSError` or `UnicodeDecodeError`. The file's contents never appear
in a message (a key file given by mistake must not be echoed).
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .encoding import as_bytes
from .errors import InvalidEncoding, InvalidParameter

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
_CHUNK = 1 << 20

_REASONS = {
    errno.ENOENT: "no such file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a directory, not a file",
    errno.ENOTDIR: "a component of the path is not a directory",
    errno.ENAMETOOLONG: "file name too long",
    errno.ELOOP: "too many symbolic links",
}


def os_reason(exc: OSError) -> str:
    """A short, content-free reason for a failed file operation."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return os.strerror(exc.errno) if exc.errno else type(exc).__name__


def _open_regular(p: Path, where: str) -> tuple[int, os.stat_result]:
    """An fd of a regular file (O_NONBLOCK: opening a FIFO must not wait for a writer)."""
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:      # ValueError: a NUL byte in the path
        reason = os_reason(exc) if isinstance(exc, OSError) else "not a valid path"
        raise InvalidParameter(f"cannot read {where}: {reason}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InvalidParameter(f"cannot read {where}: is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise InvalidParameter(f"cannot read {where}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_bytes(path: str | Path, what: str = "file", *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; InvalidParameter naming `what` and the
    path otherwise."""
    p = Path(path)
    where = f"{what} {p}"
    fd, st = _open_regular(p, where)
    try:
        if st.st_size > max_bytes:
            raise InvalidParameter(f"cannot read {where}: too large ({st.st_size} bytes; at most {max_bytes})")
        chunks, total = [], 0
        while True:                                # size can change under us: bound the read itself
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InvalidParameter(f"cannot read {where}: too large (more than {max_bytes} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise InvalidParameter(f"cannot read {where}: {os_reason(exc)}") from None
    finally:
        os.close(fd)


def read_prefix(path: str | Path, what: str = "file", n: int = 16) -> bytes:
    """The first `n` bytes of a regular file of any size (to recognise its kind)."""
    p = Path(path)
    fd, _ = _open_regular(p, f"{what} {p}")
    try:
        return os.read(fd, n)
    except OSError as exc:
        raise InvalidParameter(f"cannot read {what} {p}: {os_reason(exc)}") from None
    finally:
        os.close(fd)


def decode_text(data: bytes | bytearray | memoryview, where: str) -> str:
    """Strict UTF-8 (a leading BOM is allowed); InvalidEncoding naming the byte offset otherwise."""
    data = as_bytes(data, where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(f"{where}: not UTF-8 text (invalid byte at offset {exc.start})") from None


def read_text(path: str | Path, what: str = "file", *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A UTF-8 text file, bounded like `read_bytes`."""
    return decode_text(read_bytes(path, what, max_bytes=max_bytes), f"{what} {Path(path)}")


__all__ = ["DEFAULT_MAX_BYTES", "read_bytes", "read_prefix", "read_text", "decode_text", "os_reason"]
