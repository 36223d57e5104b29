"""Crash-safe file replacement and a cross-process lock for directory stores.

`atomic_write` is `pqzk.atomicfile`'s (temp file, fsync, rename, directory fsync: after a crash the
target holds the old or the new bytes, never a mix) with OS failures turned into `TokenError`.
"""
from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..atomicfile import TMP_PREFIX, atomic_delete
from ..atomicfile import atomic_write as _atomic_write
from .errors import StoreFull, TokenError

__all__ = ["TMP_PREFIX", "atomic_write", "atomic_delete", "clean_temp_files", "file_lock", "locked"]


def _oserror(exc: OSError, what: str) -> TokenError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreFull(f"{what}: no space left ({os.strerror(exc.errno)})")
    return TokenError(f"{what}: {os.strerror(exc.errno) if exc.errno else exc}")


def atomic_write(target: Path, data: bytes) -> None:
    """`pqzk.atomicfile.atomic_write` with OS failures as `TokenError` (`StoreFull` when no space)."""
    try:
        _atomic_write(target, data)
    except OSError as exc:
        raise _oserror(exc, f"writing {Path(target).name}") from None


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
