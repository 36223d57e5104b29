"""The PKCS#11 module lock lives in a per-user place, and a lock that cannot be taken is a
`TokenError` naming the path — also when another user of the machine took it first."""
from __future__ import annotations

import os
import stat
import tempfile

import pytest
from token_env import USER_PIN, pkcs11_uri, softhsm_token  # noqa: F401  (fixture)

from pqzk.tokens import TokenError, open_store
from pqzk.tokens.atomic import file_lock, private_dir
from pqzk.tokens.pkcs11 import lock_dir, module_lock_path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
OTHER_UID = 65534          # nobody
IS_ROOT = os.geteuid() == 0


@pytest.fixture
def fresh_env(tmp_path, monkeypatch):
    """No PQZK_LOCK_DIR, no XDG_RUNTIME_DIR, the temp dir in tmp_path."""
    monkeypatch.delenv("PQZK_LOCK_DIR", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return tmp_path


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_lock_in_a_private_uid_directory_of_the_temp_dir(fresh_env):
    path = module_lock_path(MODULE)
    assert path.parent == fresh_env / "tmp" / f"pqzk-{os.getuid()}"
    assert _mode(path.parent) == 0o700 and os.lstat(path.parent).st_uid == os.getuid()
    with file_lock(path):
        assert _mode(path) == 0o600
    assert module_lock_path(MODULE) == path                   # the same lock every time
    assert module_lock_path("/other/module.so") != path       # one per module


def test_lock_in_xdg_runtime_dir(fresh_env, monkeypatch):
    run = fresh_env / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    path = module_lock_path(MODULE)
    assert path.parent == run / "pqzk" and _mode(run / "pqzk") == 0o700
    monkeypatch.setenv("XDG_RUNTIME_DIR", "relative/dir")    # not absolute: ignored (temp dir used)
    assert lock_dir() == fresh_env / "tmp" / f"pqzk-{os.getuid()}"


def test_pqzk_lock_dir_is_used_as_given(fresh_env, monkeypatch):
    monkeypatch.setenv("PQZK_LOCK_DIR", str(fresh_env))
    assert module_lock_path(MODULE).parent == fresh_env


def _squat(path, kind: str, monkeypatch) -> None:
    if kind == "symlink":
        (path.parent / "elsewhere").mkdir(mode=0o700)
        path.symlink_to(path.parent / "elsewhere")
    elif kind == "file":
        path.write_bytes(b"")
    elif kind == "open to others":
        path.mkdir()
        path.chmod(0o777)
    elif kind == "group readable":
        path.mkdir()
        path.chmod(0o750)
    elif IS_ROOT:                         # another user's: give it away
        path.mkdir(mode=0o700)
        os.chown(path, OTHER_UID, OTHER_UID)
    else:                                 # only root can chown: ours, seen by a process of uid + 1
        path.mkdir(mode=0o700)
        real = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real + 1)
        path.rename(path.parent / f"pqzk-{os.getuid()}")


@pytest.mark.parametrize("kind, words", [
    ("symlink", "symbolic link"), ("file", "not a directory"), ("open to others", "other users have access"),
    ("group readable", "mode 0750"), ("another user's", "belongs to uid"),
])
def test_a_squatted_lock_directory_is_refused(fresh_env, monkeypatch, kind, words):
    """Someone pre-created /tmp/pqzk-<uid> (a symlink, a file, a directory of theirs or one open to
    all): refused with the path named, never used."""
    _squat(fresh_env / "tmp" / f"pqzk-{os.getuid()}", kind, monkeypatch)
    d = fresh_env / "tmp" / f"pqzk-{os.getuid()}"
    with pytest.raises(TokenError, match=words) as ei:
        module_lock_path(MODULE)
    assert str(d) in str(ei.value)


def test_private_dir_reports_what_it_cannot_create(tmp_path):
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(TokenError, match=f"cannot create directory {tmp_path / 'f' / 'x'}"):
        private_dir(tmp_path / "f" / "x")
    with pytest.raises(TokenError, match="cannot create directory"):
        private_dir(tmp_path / "missing" / "x")


@pytest.mark.parametrize("kind", ["lock dir is a file", "lock file is a directory", "lock file is a symlink"])
def test_a_lock_that_cannot_be_taken_is_a_token_error(fresh_env, monkeypatch, kind):
    lockdir = fresh_env / "locks"
    if kind == "lock dir is a file":
        lockdir.write_bytes(b"")
    else:
        lockdir.mkdir()
    monkeypatch.setenv("PQZK_LOCK_DIR", str(lockdir))
    path = module_lock_path(MODULE)
    if kind == "lock file is a directory":
        path.mkdir()
    elif kind == "lock file is a symlink":
        path.symlink_to(fresh_env / "target")
    with pytest.raises(TokenError, match="cannot open lock file") as ei:
        with file_lock(path):
            pass
    assert str(path) in str(ei.value)
    assert not (fresh_env / "target").exists()                 # nothing created through the symlink


def test_a_lock_file_this_user_may_not_open_is_a_token_error(monkeypatch):
    """A lock file another user made (root, here, when the tests run as root: the check then runs
    as `nobody`) or one made unreadable (mode 000, when not root): a TokenError naming it."""
    from pathlib import Path
    shared = Path(tempfile.mkdtemp(prefix="pqzk-shared-locks-", dir="/tmp"))
    try:
        shared.chmod(0o1777)
        lock = shared / "pqzk-pkcs11-0123456789abcdef.lock"
        with file_lock(lock):
            pass
        if not IS_ROOT:
            lock.chmod(0o000)

        def check() -> int:
            try:
                with file_lock(lock):
                    return 2
            except TokenError as exc:
                return 0 if str(lock) in str(exc) and "Permission denied" in str(exc) else 3
        assert (_as_other_user(check) if IS_ROOT else check()) == 0
    finally:
        import shutil
        shutil.rmtree(shared, ignore_errors=True)


def test_opening_a_token_with_an_unusable_lock_is_a_token_error(fresh_env, monkeypatch, softhsm_token):
    monkeypatch.setenv("PQZK_LOCK_DIR", str(fresh_env / "no" / "such" / "dir"))
    with pytest.raises(TokenError, match="cannot open lock file .*/no/such/dir/pqzk-pkcs11-"):
        open_store(pkcs11_uri(softhsm_token), USER_PIN)
    monkeypatch.delenv("PQZK_LOCK_DIR")                         # the per-user default works
    open_store(pkcs11_uri(softhsm_token), USER_PIN).close()


def _as_other_user(fn) -> int:
    """Run fn() in a forked child with the uid/gid of `nobody`; its exit code (0 = fn returned)."""
    pid = os.fork()
    if pid == 0:   # pragma: no cover — child
        code = 70
        try:
            os.setgroups([])
            os.setgid(OTHER_UID)
            os.setuid(OTHER_UID)
            code = fn() or 0
        except BaseException:   # noqa: BLE001 — report through the exit code, never return to pytest
            import traceback
            traceback.print_exc()
            code = 71
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_after_root_used_the_kit_another_user_still_can(monkeypatch):
    """The reported failure: root takes the lock (the old code made one shared 0600
    /tmp/pqzk-pkcs11-<digest>.lock), then another user of the machine opens the same module: it
    gets its own lock, and root's is a TokenError naming it. Run as root, the other user is a real
    process of `nobody`; run as a user, the first user's lock is played by a mode-000 file."""
    import shutil
    from pathlib import Path
    shared_tmp = Path(tempfile.mkdtemp(prefix="pqzk-shared-tmp-", dir="/tmp"))   # pytest's tmp_path is 0700
    shared_tmp.chmod(0o1777)                                    # like /tmp
    monkeypatch.delenv("PQZK_LOCK_DIR", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    try:
        legacy = shared_tmp / f"pqzk-pkcs11-{module_lock_path(MODULE).name.split('-')[-1]}"
        with file_lock(legacy):                                 # the first user's lock, where the old code put it
            pass
        first_users = [legacy]
        if IS_ROOT:
            first_users.append(module_lock_path(MODULE))        # root's own, in /tmp/pqzk-0
            with file_lock(first_users[-1]):
                pass
        else:
            legacy.chmod(0o000)

        def other_user() -> int:
            path = module_lock_path(MODULE)
            if path in first_users or path.parent != shared_tmp / f"pqzk-{os.getuid()}":
                return 2
            with file_lock(path):                               # its own lock: taken
                pass
            with file_lock(path, shared=True):
                pass
            for foreign in first_users:                         # the first user's: a TokenError naming it
                try:
                    with file_lock(foreign):
                        return 3
                except TokenError as exc:
                    if str(foreign) not in str(exc) or "Permission denied" not in str(exc):
                        return 4
            return 0

        assert (_as_other_user(other_user) if IS_ROOT else other_user()) == 0
        if IS_ROOT:
            assert os.lstat(shared_tmp / f"pqzk-{OTHER_UID}").st_uid == OTHER_UID
    finally:
        shutil.rmtree(shared_tmp, ignore_errors=True)
