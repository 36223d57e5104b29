"""Crash-safe file replacement, for every layer that keeps small state files (token stores, the
audit log's head file).

`atomic_write`: write a temp file in the same directory, fsync it, rename over the target, fsync
the directory — after a crash the target holds the old or the new bytes, never a mix. OS failures
propagate as `OSError`; each caller turns them into its own `pqzk.errors` exception.
"""
from __future__ import annotations

import os
from pathlib import Path

TMP_PREFIX = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink inside `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace `target` by `data` atomically and durably (temp file + fsync + rename + dir fsync).

    A new file gets `mode` (before the umask). On failure the temp file is removed and the
    `OSError` is raised; the target then still holds its old bytes (or does not exist).
    """
    target = Path(target)
    tmp = target.with_name(f"{TMP_PREFIX}{target.name}.{os.getpid()}.{os.urandom(4).hex()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def atomic_delete(target: Path) -> None:
    """Unlink `target` durably (the directory entry is fsynced)."""
    os.unlink(target)
    fsync_dir(Path(target).parent)
