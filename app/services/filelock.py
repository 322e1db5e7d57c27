"""Who has a database file open: an OS lock on a small `<file>-lock` beside it.

Every open `Database` holds a *shared* lock for its whole life; `admin restore` takes an *exclusive*
one, so it is refused while any counter, kiosk or command has the file open, and an open waits while
a restore swaps the file. Why not SQLite's own locks: SQLite holds them only during a transaction
(an idle counter holds none), and its POSIX record locks belong to the process and vanish when any
descriptor of the file closes. A lock on a file of our own lives exactly as long as the program that
holds it and is released by the OS when that program dies, even by SIGKILL, so it never goes stale.

POSIX: flock(2) (per open file, so two `Database` objects in one process are two holders).
Windows: LockFileEx on the first byte, shared or exclusive, without waiting.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


class LockBusy(OSError):
    """Another holder has the lock in a conflicting mode."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-lock")


class FileLock:
    """One holder of the lock file of `db_path`; `acquire(shared=…)`, `release()`."""

    def __init__(self, db_path: Path):
        self.path = lock_path(Path(db_path))
        self._fd: int | None = None

    def acquire(self, *, shared: bool, timeout: float = 0.0) -> None:
        """Take the lock, retrying up to `timeout` seconds; raises LockBusy if another holder conflicts."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        while True:
            try:
                _lock(fd, shared)
                break
            except LockBusy:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise
                time.sleep(0.05)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                _unlock(fd)
            finally:
                os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import ctypes
    import msvcrt
    from ctypes import wintypes

    _LOCKFILE_FAIL_IMMEDIATELY = 0x1
    _LOCKFILE_EXCLUSIVE_LOCK = 0x2

    class _OVERLAPPED(ctypes.Structure):
        _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p),
                    ("Offset", wintypes.DWORD), ("OffsetHigh", wintypes.DWORD), ("hEvent", wintypes.HANDLE)]

    _k32 = ctypes.WinDLL("kernel32", use_last_error=True)

    def _lock(fd: int, shared: bool) -> None:
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (0 if shared else _LOCKFILE_EXCLUSIVE_LOCK)
        ov = _OVERLAPPED()
        if not _k32.LockFileEx(wintypes.HANDLE(msvcrt.get_osfhandle(fd)), flags, 0, 1, 0, ctypes.byref(ov)):
            raise LockBusy(ctypes.get_last_error(), "locked")

    def _unlock(fd: int) -> None:
        ov = _OVERLAPPED()
        _k32.UnlockFileEx(wintypes.HANDLE(msvcrt.get_osfhandle(fd)), 0, 1, 0, ctypes.byref(ov))

else:
    import fcntl

    def _lock(fd: int, shared: bool) -> None:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockBusy(exc.errno, "locked") from exc

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
