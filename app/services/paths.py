"""Where a device keeps its data and logs (per OS), overridable by MOTCUA_DB / MOTCUA_HOME."""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path


def data_dir() -> Path:
    if os.environ.get("MOTCUA_HOME"):
        return Path(os.environ["MOTCUA_HOME"])
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "MotCua"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "motcua"


def default_db_path() -> Path:
    if os.environ.get("MOTCUA_DB"):
        return Path(os.environ["MOTCUA_DB"])
    return data_dir() / "motcua.sqlite"


def log_dir() -> Path:
    return data_dir() / "logs"


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Rotating log file in the data folder; a read-only home still lets the program run."""
    try:
        log_dir().mkdir(parents=True, exist_ok=True)
        path = log_dir() / "motcua.log"
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return path
