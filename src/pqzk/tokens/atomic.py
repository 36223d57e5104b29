"""Crash-safe file replacement, cross-process locks, and private per-user directories.

`atomic_write`: `pqzk.atomicfile`'s (temp file, fsync, rename, directory fsync: after a crash the
target holds the old or the new bytes, never a mix) with OS failures turned into `TokenError`.
`file_lock`: flock on a lock file; a lock that cannot be opened or taken is a `TokenError` naming it.
`private_dir`: a 0700 directory of this user's, refused if it is a symlink, someone else's, or open
to other users (where per-user lock files live).
"""
from __future__ import annotations

import errno
import fcntl
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..atomicfile import TMP_PREFIX, atomic_delete
from ..atomicfile import atomic_write as _atomic_write
from .errors import StoreFull, TokenError

__all__ = ["TMP_PREFIX", "atomic_write", "atomic_delete", "clean_temp_files", "file_lock", "locked", "os_reason",
           "private_dir"]


def os_reason(exc: OSError) -> str:
    """What went wrong, for a message (ELOOP from O_NOFOLLOW: the path is a symlink)."""
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link"
    return os.strerror(exc.errno) if exc.errno else str(exc)


def _oserror(exc: OSError, what: str) -> TokenError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreFull(f"{what}: no space left ({os.strerror(exc.errno)})")
    return TokenError(f"{what}: {os_reason(exc)}")


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
    """flock on `path` (created 0600 if missing, never through a symlink): exclusive for writers,
    shared for readers. TokenError naming the path when it cannot be opened or locked."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise TokenError(f"cannot open lock file {path}: {os_reason(exc)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        except OSError as exc:
            raise TokenError(f"cannot lock {path}: {os_reason(exc)}") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def locked(directory: Path, *, shared: bool = False):
    """Cross-process lock of a directory store: <directory>/.lock."""
    return file_lock(Path(directory) / ".lock", shared=shared)


def private_dir(path: Path) -> Path:
    """`path` as a directory only this user can enter: created 0700 if missing; an existing one
    must be a real directory (not a symlink), owned by this user, with no group/other access.
    Anything else is a TokenError naming the path (a pre-created directory in a shared temp dir
    could otherwise hand another user our lock files)."""
    path = Path(path)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise TokenError(f"cannot create directory {path}: {os_reason(exc)}") from None
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise TokenError(f"cannot use directory {path}: {os_reason(exc)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise TokenError(f"refusing {path}: it is a symbolic link, not a private directory")
    if not stat.S_ISDIR(st.st_mode):
        raise TokenError(f"refusing {path}: it is not a directory")
    if st.st_uid != os.getuid():
        raise TokenError(f"refusing {path}: it belongs to uid {st.st_uid}, not to this user "
                         f"(uid {os.getuid()})")
    if st.st_mode & 0o077:
        raise TokenError(f"refusing {path}: other users have access to it "
                         f"(mode {stat.S_IMODE(st.st_mode):04o}; expected 0700)")
    return path
