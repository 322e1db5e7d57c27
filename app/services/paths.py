r"""Where a device keeps its data and logs, overridable by MOTCUA_DB / MOTCUA_HOME; files private to the
owner; a log that carries codes and ids, never a citizen's data.

The data folder is the machine's, not one person's, so that the counter and the kiosk of one PC (and every
Windows account a clerk signs in with) use one file:
- Windows: %ProgramData%\MotCua (the installer gives the Users group write access to it; a file made by
  release 0.1 in the user's %LOCALAPPDATA%\MotCua keeps being used until it is moved);
- Linux: /var/lib/motcua when it exists and this account may write there (IT creates it once, owned by the
  group `motcua`, mode 2770: docs/install.md), else ~/.local/share/motcua ($XDG_DATA_HOME) for one account.

Privacy of files: on POSIX every file we make (database, WAL/SHM, high-water, lock, backups, pre-upgrade
copies, logs) is 0600 and every folder we make 0700: the umask is set at start (`private_umask`) and each
file is also chmod-ed explicitly (`make_private`), since SQLite and log rotation create files themselves.
In a folder shared by a group (the set-group-id bit, as /var/lib/motcua is made) the group keeps access:
files 0660, folders 2770, so the counter and a kiosk run by two accounts of that group share the file.
On Windows, POSIX modes mean nothing: the data folder's ACL is inherited by everything created inside it.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_POSIX = sys.platform != "win32"


SHARED_FILE = 0o660
SHARED_DIR = 0o2770
MACHINE_DIR_LINUX = Path("/var/lib/motcua")


def _group_shared(folder: Path) -> bool:
    """A folder IT made for a group (set-group-id, group-writable): its files stay readable by the group."""
    try:
        mode = folder.stat().st_mode
    except OSError:
        return False
    return bool(mode & stat.S_ISGID) and bool(mode & stat.S_IWGRP)


def private_umask() -> None:
    """From now on files this process creates are 0600 and folders 0700 (POSIX); 0660/0770 when the data
    folder is shared by a group."""
    if _POSIX:
        os.umask(0o007 if _group_shared(data_dir()) else 0o077)


def make_private(path: Path | str) -> None:
    """chmod 0600 a file of ours (and 0700 a folder), if it exists and we own it; inside a group-shared
    folder 0660 (and 2770)."""
    if not _POSIX:
        return
    p = Path(path)
    try:
        st = p.stat()
        if st.st_uid != os.getuid():
            return
        shared = _group_shared(p.parent)
        if p.is_dir():
            os.chmod(p, SHARED_DIR if shared else PRIVATE_DIR)
        else:
            os.chmod(p, SHARED_FILE if shared else PRIVATE_FILE)
    except OSError:
        pass


def make_private_dir(path: Path | str) -> Path:
    """Create a folder (and missing parents) 0700; an existing folder is left as it is."""
    p = Path(path)
    missing = []
    q = p
    while not q.exists() and q != q.parent:
        missing.append(q)
        q = q.parent
    p.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    for d in missing:
        make_private(d)
    return p


def _user_dir() -> Path:
    """The folder of one account (release 0.1's data folder on Windows; Linux without /var/lib/motcua)."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "MotCua"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "motcua"


def machine_dir() -> Path | None:
    """The machine-wide data folder this account can use, or None."""
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "MotCua"
    d = MACHINE_DIR_LINUX
    return d if d.is_dir() and os.access(d, os.W_OK | os.X_OK) else None


def data_dir() -> Path:
    if os.environ.get("MOTCUA_HOME"):
        return Path(os.environ["MOTCUA_HOME"])
    machine = machine_dir()
    if sys.platform == "win32" and machine is not None:
        legacy = _user_dir()
        if (legacy / "motcua.sqlite").exists() and not (machine / "motcua.sqlite").exists():
            return legacy  # a 0.1 install: its file stays in use until IT moves it (docs/install.md)
    return machine or _user_dir()


def default_db_path() -> Path:
    if os.environ.get("MOTCUA_DB"):
        return Path(os.environ["MOTCUA_DB"])
    return data_dir() / "motcua.sqlite"


def log_dir() -> Path:
    return data_dir() / "logs"


# A citizen's numbers that could reach a log line through a message: CCCD/CMND (9 or 12 digits), phones
# (10 digits, +84…), e-mail addresses. Dossier codes, ids and counts do not match these.
_PII = re.compile(r"(?<![\w.-])(?:\+?84|0)?\d{8,11}(?![\w-])|[^\s@]+@[^\s@]+\.[^\s@]+")


def redact(text: str) -> str:
    return _PII.sub("…", text)


class PrivateFormatter(logging.Formatter):
    """Log lines without personal data: an exception is logged by its type and the code lines it went
    through, never its message (an error's text may quote a name, an address or SQL parameters);
    numbers and e-mails shaped like a citizen's are masked in every message."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging API
        exc_type, exc, tb = ei
        lines = ["Traceback (messages omitted: they may hold personal data):"]
        seen = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            for frame in traceback.extract_tb(exc.__traceback__):
                lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
            exc = exc.__cause__ or exc.__context__
        return "\n".join(lines)

    def format(self, record: logging.LogRecord) -> str:
        # a copy: other handlers keep their own rendering, and a traceback text cached by one of them
        # (with the exception's message in it) is never reused here
        record = logging.makeLogRecord(record.__dict__)
        record.msg, record.args, record.exc_text = redact(record.getMessage()), None, None
        return super().format(record)


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Rotating log file in the data folder (0600, folder 0700); a read-only home still lets the program run."""
    private_umask()
    try:
        make_private_dir(log_dir())
        path = log_dir() / "motcua.log"
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None
    for existing in log_dir().glob("motcua.log*"):
        make_private(existing)
    handler.setFormatter(PrivateFormatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "motcua_log", False)]:  # set up once per process
        root.removeHandler(old)
        old.close()
    handler.motcua_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # their INFO lines say nothing IT acts on (Alembic wrote ~19 per command): warnings and errors only
    for noisy in ("sqlalchemy", "alembic", "httpx", "httpcore", "uvicorn.access", "PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def startup_line(command: str) -> str:
    """The first line of each run in the log: version, platform, process and what was run (no values)."""
    import platform

    from app.version import __version__

    return (f"MotCua {__version__} start ({platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}{', đóng gói' if getattr(sys, 'frozen', False) else ''}): {command}")


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only (book pages hold citizens' names and addresses), atomically:
    a crash leaves the old file or the new one, never half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # an existing temporary file keeps its mode through O_CREAT
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
