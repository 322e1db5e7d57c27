"""The data folder belongs to the PC, not to one account: %ProgramData%\\MotCua on Windows (a 0.1 file in the
account's folder keeps being used until it is moved), /var/lib/motcua on Linux when IT made it for the group
`motcua` (files then shared with the group), the account's own folder otherwise."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from app.services import paths


@pytest.fixture
def clean_env(monkeypatch):
    for key in ("MOTCUA_HOME", "MOTCUA_DB", "XDG_DATA_HOME"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_windows_uses_the_machines_programdata_folder(clean_env, tmp_path):
    clean_env.setattr(sys, "platform", "win32")
    clean_env.setenv("PROGRAMDATA", str(tmp_path / "ProgramData"))
    clean_env.setenv("LOCALAPPDATA", str(tmp_path / "Users" / "canbo1" / "AppData" / "Local"))
    assert paths.data_dir() == tmp_path / "ProgramData" / "MotCua"
    assert paths.default_db_path() == tmp_path / "ProgramData" / "MotCua" / "motcua.sqlite"
    assert paths.log_dir() == tmp_path / "ProgramData" / "MotCua" / "logs"
    legacy = tmp_path / "Users" / "canbo1" / "AppData" / "Local" / "MotCua"
    legacy.mkdir(parents=True)
    (legacy / "motcua.sqlite").write_bytes(b"0.1")
    assert paths.data_dir() == legacy  # release 0.1's file stays in use until it is moved
    (tmp_path / "ProgramData" / "MotCua").mkdir(parents=True)
    (tmp_path / "ProgramData" / "MotCua" / "motcua.sqlite").write_bytes(b"moved")
    assert paths.data_dir() == tmp_path / "ProgramData" / "MotCua"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX folders and modes")
def test_linux_uses_the_shared_folder_when_it_exists_and_shares_files_with_its_group(clean_env, tmp_path):
    shared = tmp_path / "var-lib-motcua"
    clean_env.setattr(paths, "MACHINE_DIR_LINUX", shared)
    clean_env.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    assert paths.data_dir() == tmp_path / "home" / ".local" / "share" / "motcua"  # no shared folder yet
    shared.mkdir()
    os.chmod(shared, 0o2770)
    assert paths.data_dir() == shared and paths.default_db_path() == shared / "motcua.sqlite"
    f = shared / "motcua.sqlite"
    f.write_bytes(b"x")
    paths.make_private(f)
    assert stat.S_IMODE(f.stat().st_mode) == 0o660  # the counter and the kiosk accounts of the group share it
    own = tmp_path / "rieng" / "a.sqlite"
    own.parent.mkdir()
    own.write_bytes(b"x")
    paths.make_private(own)
    assert stat.S_IMODE(own.stat().st_mode) == 0o600


def test_resources_are_found_through_importlib_resources():
    from app.printing.fonts import FONTS_DIR
    from app.services.catalogue import SEED_CATALOGUE
    from resources import resource

    assert SEED_CATALOGUE.is_file() and (FONTS_DIR / "LiberationSerif-Regular.ttf").is_file()
    assert resource("styles", "counter.qss").is_file() and resource("icons", "motcua.png").is_file()
    source = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(source)) for folder in ("app", "ui", "db", "resources")
                 for p in (source / folder).rglob("*.py") if "__file__" in p.read_text(encoding="utf-8")]
    assert offenders == []
