"""Crash-safe file replacement and a cross-process lock for directory stores.

`atomic_write`: write a temp file in the same directory, fsync it, rename over the target, fsync
the directory — after a crash the target holds the old or the new bytes, never a mix.
"""
from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import StoreFull, TokenError

TMP_PREFIX = ".tmp-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _oserror(exc: OSError, what: str) -> TokenError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreFull(f"{what}: no space left ({os.strerror(exc.errno)})")
    return TokenError(f"{what}: {os.strerror(exc.errno) if exc.errno else exc}")


def atomic_write(target: Path, data: bytes) -> None:
    target = Path(target)
    tmp = target.with_name(f"{TMP_PREFIX}{target.name}.{os.getpid()}.{os.urandom(4).hex()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _oserror(exc, f"writing {target.name}") from None


def atomic_delete(target: Path) -> None:
    os.unlink(target)
    _fsync_dir(Path(target).parent)


def clean_temp_files(directory: Path) -> int:
    """Remove temp files left by writers that crashed (call with the store lock held)."""
    n = 0
    for p in Path(directory).glob(f"{TMP_PREFIX}*"):
        p.unlink(missing_ok=True)
        n += 1
    return n


@contextmanager
def file_lock(path: Path, *, shared: bool = False) -> Iterator[None]:
    """flock on `path` (created if missing): exclusive for writers, shared for readers."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def locked(directory: Path, *, shared: bool = False):
    """Cross-process lock of a directory store: <directory>/.lock."""
    return file_lock(Path(directory) / ".lock", shared=shared)
